//! The app icon as a file that notifications and the autostart entry can name.

use std::path::PathBuf;

const APP_ICON: &[u8] = include_bytes!("../../../icons/128x128.png");

/// The installed icon (the .deb names it after the bundle's main executable, the window helper; older
/// packages after the tray), else a copy in the cache dir.
pub fn file() -> Option<PathBuf> {
    let apps = PathBuf::from("/usr/share/icons/hicolor/128x128/apps");
    if let Some(installed) =
        ["idbridge-app-window.png", "idbridge-app.png"].map(|n| apps.join(n)).into_iter().find(|p| p.exists())
    {
        return Some(installed);
    }
    let path = dirs::cache_dir()?.join("idbridge").join("idbridge.png");
    if std::fs::read(&path).ok().as_deref() != Some(APP_ICON) {
        std::fs::create_dir_all(path.parent()?).ok()?;
        std::fs::write(&path, APP_ICON).ok()?;
    }
    Some(path)
}
