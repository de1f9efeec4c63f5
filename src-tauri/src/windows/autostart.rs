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

/// Keeps the launcher's Exec line, replaces Name/Comment/Icon, adds the usual keys.
#[cfg(target_os = "linux")]
pub fn tidy_entry() -> std::io::Result<()> {
    let Some(path) = entry_path() else { return Ok(()) };
    let text = std::fs::read_to_string(&path)?;
    std::fs::write(&path, tidy(&text, &icon()))
}

#[cfg(target_os = "linux")]
fn icon() -> String {
    crate::app_icon::file().map(|p| p.display().to_string()).unwrap_or_else(|| "idbridge-app".into())
}

#[cfg(any(target_os = "linux", test))]
fn tidy(text: &str, icon: &str) -> String {
    let exec = text.lines().find(|l| l.starts_with("Exec=")).unwrap_or("Exec=idbridge-app");
    format!(
        "[Desktop Entry]\nType=Application\nVersion=1.0\nName=idbridge\nComment=Keeps AWS credentials from your sign-in ready\n\
         Comment[ja]=サインインから得た AWS 認証情報を使える状態に保ちます\n{exec}\nIcon={icon}\nTerminal=false\n\
         X-GNOME-Autostart-enabled=true\n"
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_entry_keeps_exec_and_gets_a_comment_and_an_icon() {
        let plugin = "[Desktop Entry]\nType=Application\nVersion=1.0\nName=idbridge\nComment=idbridgestartup script\nExec=/usr/bin/idbridge-app\nStartupNotify=false\nTerminal=false\n";
        let out = super::tidy(plugin, "/icons/idbridge.png");
        assert!(out.contains("\nExec=/usr/bin/idbridge-app\n"));
        assert!(out.contains("\nIcon=/icons/idbridge.png\n"));
        assert!(out.contains("\nComment=Keeps AWS credentials from your sign-in ready\n"));
        assert!(!out.contains("startup script"));
    }
}
