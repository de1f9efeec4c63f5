//! Desktop notifications over D-Bus (notify-rust): the app's icon, plain text, and action buttons when
//! the server offers them (a click comes back to the loop as a message). A missing notification
//! service stops nothing: it is logged once and the app goes on.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use tokio::sync::mpsc::UnboundedSender;

use crate::model::Msg;
use crate::model::view::NoteText;

/// The app's identifier (tauri.conf.json): macOS shows notifications under the bundle that has it, and
/// Windows under the Start-menu shortcut whose AppUserModelID it is (the .msi and NSIS installers make
/// that shortcut).
#[cfg_attr(not(any(target_os = "macos", windows)), allow(dead_code))] // read by the test elsewhere
pub const APP_ID: &str = "dev.idbridge.tray";

pub struct Notifier {
    icon: Option<PathBuf>,
    capabilities: Arc<OnceLock<Vec<String>>>,
    reported_unavailable: Arc<AtomicBool>,
}

impl Default for Notifier {
    fn default() -> Self {
        Self::new()
    }
}

impl Notifier {
    pub fn new() -> Self {
        #[cfg(target_os = "macos")]
        if let Err(e) = notify_rust::set_application(APP_ID) {
            eprintln!("idbridge-app: notifications will show under another app's name ({e})");
        }
        Self { icon: crate::app_icon::file(), capabilities: Arc::default(), reported_unavailable: Arc::default() }
    }

    /// Shows a notification without blocking the caller (D-Bus calls run on a blocking thread, which
    /// also waits for a click on an action button).
    pub fn show(&self, mut note: NoteText, tx: UnboundedSender<Msg>) {
        // bodies carry IdP/STS error text: no control characters or escapes reach the daemon
        note.title = idbridge_core::sys::sanitize::line(&note.title, 200);
        note.body = idbridge_core::sys::sanitize::notification(&note.body);
        eprintln!("idbridge-app: notify: {}", note.title);
        let icon = self.icon.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| "dialog-information".into());
        let (caps, reported) = (self.capabilities.clone(), self.reported_unavailable.clone());
        tokio::task::spawn_blocking(move || {
            let caps = caps.get_or_init(capabilities);
            let actions = caps.iter().any(|c| c == "actions") && !note.actions.is_empty();
            // servers with body-markup would read '<' and '&' as markup: the text is plain
            let body = if caps.iter().any(|c| c == "body-markup") { escape(&note.body) } else { note.body.clone() };
            let mut n = notify_rust::Notification::new();
            n.appname("idbridge").summary(&note.title).body(&body).icon(&icon);
            #[cfg(windows)]
            n.app_id(APP_ID);
            if actions {
                for (id, label) in &note.actions {
                    n.action(id, label);
                }
            }
            match n.show() {
                Ok(handle) if actions => handle.wait_for_action(|action| {
                    if note.actions.iter().any(|(id, _)| id == action) {
                        let _ = tx.send(Msg::NotificationAction(action.to_string()));
                    }
                }),
                Ok(_) => {}
                Err(e) => {
                    if !reported.swap(true, Ordering::Relaxed) {
                        eprintln!("idbridge-app: desktop notifications are unavailable ({e}); continuing without them");
                    }
                }
            }
        });
    }
}

/// What the notification server offers (actions, body markup): asked over D-Bus where there is one.
/// macOS and Windows show actions and plain text as the app gives them, and notify-rust has no such call.
#[cfg(all(unix, not(target_os = "macos")))]
fn capabilities() -> Vec<String> {
    notify_rust::get_capabilities().unwrap_or_default()
}

#[cfg(not(all(unix, not(target_os = "macos"))))]
fn capabilities() -> Vec<String> {
    Vec::new()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_notification_identity_is_the_bundles() {
        let conf: serde_json::Value = serde_json::from_str(include_str!("../../../src-tauri/tauri.conf.json")).unwrap();
        assert_eq!(conf["identifier"], super::APP_ID);
    }
}
