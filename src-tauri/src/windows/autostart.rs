//! The start-at-login entry: `auto-launch` (a LaunchAgent on macOS, the Run key on Windows, an XDG
//! autostart entry on Linux) for the tray executable beside this helper, never the helper itself. On
//! Linux it writes a bare entry ("Comment=idbridgestartup script", no icon); `tidy_entry` rewrites its
//! descriptive lines so a session manager lists it properly.

#[cfg(target_os = "linux")]
use std::path::PathBuf;

use auto_launch::{AutoLaunch, AutoLaunchBuilder};
use idbridge_desktop::binaries;

/// The launcher for the tray (the same name as the entry older versions wrote, so this one replaces it).
pub fn launcher() -> Result<AutoLaunch, String> {
    let tray = binaries::sibling(binaries::TRAY).map_err(|e| e.to_string())?;
    let mut builder = AutoLaunchBuilder::new();
    // the Run key's value is a command line, which auto-launch writes unquoted: a per-user install under
    // "C:\Users\Jane Doe\…" would make Windows try "C:\Users\Jane.exe" first
    let path = if cfg!(windows) { format!("\"{}\"", tray.display()) } else { tray.display().to_string() };
    builder.set_app_name("idbridge").set_app_path(&path);
    #[cfg(target_os = "macos")]
    builder.set_use_launch_agent(true);
    builder.build().map_err(|e| e.to_string())
}

#[cfg(target_os = "linux")]
fn entry_path() -> Option<PathBuf> {
    Some(dirs::config_dir()?.join("autostart").join("idbridge.desktop"))
}

/// Rewrites the launcher's entry whole: Exec runs the tray (quoted as the desktop entry spec asks, where
/// auto-launch writes the path bare and with a trailing space), Name/Comment/Icon, the usual keys.
#[cfg(target_os = "linux")]
pub fn tidy_entry() -> std::io::Result<()> {
    let Some(path) = entry_path() else { return Ok(()) };
    let tray = binaries::sibling(binaries::TRAY)?;
    std::fs::write(&path, tidy(&tray.to_string_lossy(), &icon()))
}

#[cfg(target_os = "linux")]
fn icon() -> String {
    crate::app_icon::file().map(|p| p.display().to_string()).unwrap_or_else(|| "idbridge-app".into())
}

#[cfg(any(target_os = "linux", test))]
fn tidy(program: &str, icon: &str) -> String {
    format!(
        "[Desktop Entry]\nType=Application\nVersion=1.0\nName=idbridge\nComment=Keeps AWS credentials from your sign-in ready\n\
         Comment[ja]=サインインから得た AWS 認証情報を使える状態に保ちます\nExec={}\nIcon={icon}\nTerminal=false\n\
         X-GNOME-Autostart-enabled=true\n",
        exec_arg(program)
    )
}

/// One Exec argument: bare when plain; else in double quotes with `"`, `` ` ``, `$` and `\` escaped, then
/// every `\` doubled (the value is also an escaped string), and `%` doubled (field codes).
#[cfg(any(target_os = "linux", test))]
fn exec_arg(arg: &str) -> String {
    if !arg.is_empty() && arg.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+,@:=".contains(c)) {
        return arg.to_string();
    }
    let mut quoted = String::new();
    for c in arg.chars() {
        if matches!(c, '"' | '`' | '$' | '\\') {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    format!("\"{}\"", quoted.replace('\\', "\\\\").replace('%', "%%"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_entry_runs_the_tray_and_has_a_comment_and_an_icon() {
        let out = tidy("/usr/bin/idbridge-app", "/icons/idbridge.png");
        assert!(out.contains("\nExec=/usr/bin/idbridge-app\n"), "{out}");
        assert!(out.contains("\nIcon=/icons/idbridge.png\n"));
        assert!(out.contains("\nComment=Keeps AWS credentials from your sign-in ready\n"));
    }

    #[test]
    fn an_unusual_path_is_quoted_as_the_desktop_entry_spec_asks() {
        assert_eq!(exec_arg("/home/Jane Doe/bin/idbridge-app"), r#""/home/Jane Doe/bin/idbridge-app""#);
        assert_eq!(exec_arg("/opt/100%/a$b\"c"), r#""/opt/100%%/a\\$b\\"c""#);
        assert_eq!(exec_arg(r"/opt/back\slash"), r#""/opt/back\\\\slash""#);
    }
}
