//! What the tray (`crates/tray`, no web engine) and its window helper (`src-tauri`, Tauri and WebKit)
//! share: the strings (`i18n`), the line protocol between them (`ipc`), the app icon as a file, the file
//! watcher, and how each finds the other's executable (`binaries`). No toolkit here.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod app_icon;
pub mod binaries;
pub mod i18n;
pub mod ipc;
pub mod watch;
