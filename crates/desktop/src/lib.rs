//! What the tray (`crates/tray`, no web engine) and its window helper (`src-tauri`, Tauri and WebKit)
//! share: the strings (`i18n`), the line protocol between them (`ipc`), the app icon as a file, the file
//! watcher, and how each finds the other's executable (`binaries`). No toolkit here.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod app_icon;
pub mod binaries;
pub mod i18n;
pub mod ipc;
pub mod watch;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use idbridge_core::aws::shared_credentials::location;
use idbridge_core::state::token_store::Keychain;
use idbridge_core::sys::clock::SystemClock;
use idbridge_core::{Idbridge, Paths};

/// The core as the tray and its windows use it: `IDBRIDGE_HOME` or the system's folders, the OS keychain,
/// the system clock, and `~/.aws/credentials` (or `AWS_SHARED_CREDENTIALS_FILE`) for profiles that keep
/// keys there. None when no config folder can be found.
pub fn open_core() -> Option<Idbridge> {
    let paths = Paths::resolve(std::env::var_os("IDBRIDGE_HOME").map(PathBuf::from))?;
    let shared = location(std::env::var_os("AWS_SHARED_CREDENTIALS_FILE"), dirs::home_dir());
    Some(
        Idbridge::new(paths, Arc::new(Keychain), Arc::new(SystemClock), Duration::from_secs(30))
            .with_shared_credentials_file(shared),
    )
}
