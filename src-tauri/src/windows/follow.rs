//! Settings follows config.toml while it is open: a stamp of the file's content that the page keeps
//! with what it shows, and a watcher that tells the page when the file on disk has another one.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::watch::{Root, Watch, watch};

/// The page's event: config.toml now has this stamp.
pub const EVENT: &str = "config-changed";

/// What the file holds now, in a few characters ("" when it is missing or unreadable).
pub fn stamp(path: &Path) -> String {
    match std::fs::read(path) {
        Ok(bytes) => {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            bytes.hash(&mut h);
            format!("{:016x}", h.finish())
        }
        Err(_) => String::new(),
    }
}

/// Kept in the app's state: the watch lasts as long as the window process.
struct Following(#[allow(dead_code)] Watch);

/// Starts watching config.toml's folder; a failure only costs the live reload (logged). `written` is the
/// stamp of the window's own last save: that change is not announced.
pub fn start<R: Runtime>(app: &AppHandle<R>, config: PathBuf, written: Arc<Mutex<String>>) {
    let Some(dir) = config.parent().map(Path::to_owned) else { return };
    let name = config.file_name().map(ToOwned::to_owned);
    let handle = app.clone();
    let wanted = move |p: &Path| p.file_name() == name.as_deref();
    let changed = move || {
        let now = stamp(&config);
        if written.lock().map(|w| *w != now).unwrap_or(true) {
            let _ = handle.emit(EVENT, now);
        }
    };
    match watch(vec![Root { dir, recursive: false }], wanted, changed) {
        Ok(w) => {
            app.manage(Following(w));
        }
        Err(e) => eprintln!("idbridge-app: cannot follow config.toml ({e}); Settings shows it as opened"),
    }
}
