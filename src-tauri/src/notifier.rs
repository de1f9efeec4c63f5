//! Desktop notifications (notify-rust over D-Bus). A missing notification service stops nothing: it is
//! logged once and the app goes on.

use std::sync::atomic::{AtomicBool, Ordering};

static REPORTED_UNAVAILABLE: AtomicBool = AtomicBool::new(false);

/// Shows a notification without blocking the caller (the D-Bus call runs on a blocking thread).
pub fn notify(summary: String, body: String) {
    // bodies carry IdP/STS error text: no markup or control characters reach the daemon
    let (summary, body) = (idbridge_core::sanitize::line(&summary, 200), idbridge_core::sanitize::notification(&body));
    eprintln!("idbridge-app: notify: {summary}");
    tauri::async_runtime::spawn_blocking(move || {
        let result = notify_rust::Notification::new()
            .appname("idbridge")
            .summary(&summary)
            .body(&body)
            .icon("dialog-password")
            .show();
        if let Err(e) = result
            && !REPORTED_UNAVAILABLE.swap(true, Ordering::Relaxed)
        {
            eprintln!("idbridge-app: desktop notifications are unavailable ({e}); continuing without them");
        }
    });
}
