//! The start-at-login entry on Linux: the autostart plugin writes a bare one ("Comment=idbridgestartup
//! script", no icon); this rewrites its descriptive lines so a session manager lists it properly.

use std::path::PathBuf;

fn entry_path() -> Option<PathBuf> {
    Some(dirs::config_dir()?.join("autostart").join("idbridge.desktop"))
}

/// Keeps the plugin's Exec line, replaces Name/Comment/Icon, adds the usual keys.
pub fn tidy_entry() -> std::io::Result<()> {
    let Some(path) = entry_path() else { return Ok(()) };
    let text = std::fs::read_to_string(&path)?;
    std::fs::write(&path, tidy(&text, &icon()))
}

fn icon() -> String {
    crate::app_icon::file().map(|p| p.display().to_string()).unwrap_or_else(|| "idbridge-app".into())
}

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
