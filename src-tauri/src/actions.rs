//! What each menu item does. Every action runs off the UI thread and reports failures as a
//! notification; nothing here may panic.

use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};
use tauri_plugin_clipboard_manager::ClipboardExt;

use crate::i18n::t;
use crate::notifier::notify;
use crate::state::AppState;

pub fn on_menu<R: Runtime>(app: &AppHandle<R>, id: &str) {
    let (verb, arg) = id.split_once(':').unwrap_or((id, ""));
    let app = app.clone();
    let arg = arg.to_string();
    match verb {
        "quit" => {
            // a refresh-token rotation in flight must reach the keychain before the process ends
            tauri::async_runtime::spawn_blocking(move || {
                app.state::<AppState>().core.shield.close(std::time::Duration::from_secs(30));
                app.exit(0);
            });
        }
        "settings" => crate::settings_process::open(&app),
        "signin" => crate::signin::start(&app, arg),
        "signout" => {
            tauri::async_runtime::spawn(async move {
                let state = app.state::<AppState>();
                // the core takes the provider lock: a refresh in flight finishes first and cannot undo this
                if let Err(e) = state.core.logout(&arg).await {
                    notify(t(state.lang(), "error_title").into(), e.to_string());
                }
                state.lock().tracks.clear();
                let handle = app.clone();
                let _ = tauri::async_runtime::spawn_blocking(move || handle.state::<AppState>().refresh_signed_in()).await;
                crate::tray::update(&app);
            });
        }
        "console" => {
            tauri::async_runtime::spawn(async move {
                let state = app.state::<AppState>();
                // the URL is a credential: it goes to the browser and nowhere else
                let opened = match state.core.console_url(&arg, None).await {
                    Ok(url) => webbrowser::open(url.expose()).map_err(|e| format!("cannot open a browser: {e}")),
                    Err(e) => Err(e.to_string()),
                };
                if let Err(message) = opened {
                    notify(t(state.lang(), "error_title").into(), message);
                }
                state.wake.notify_one();
            });
        }
        "refresh" => {
            tauri::async_runtime::spawn(async move {
                let policy = app.state::<AppState>().policy(&arg);
                crate::background::refresh(&app, &arg, policy, true).await;
                crate::tray::update(&app);
            });
        }
        "copy" => {
            if let Err(e) = app.clipboard().write_text(arg) {
                eprintln!("idbridge-app: cannot copy to the clipboard: {e}");
            }
        }
        _ => {}
    }
}

/// Shows the window if it is open, else creates it. Closing destroys it, so an idle app holds no web view.
pub fn open_window<R: Runtime>(app: &AppHandle<R>, label: &str) {
    if let Some(w) = app.get_webview_window(label) {
        let _ = w.show().and_then(|()| w.set_focus());
        return;
    }
    let (title, width, height) = match label {
        "signin" => ("idbridge — Sign in", 420.0, 440.0),
        _ => ("idbridge — Settings", 760.0, 640.0),
    };
    let built = WebviewWindowBuilder::new(app, label, WebviewUrl::App(format!("{label}.html").into()))
        .title(title)
        .inner_size(width, height)
        .resizable(label != "signin")
        .center()
        .build();
    if let Err(e) = built {
        eprintln!("idbridge-app: cannot open the {label} window: {e}");
    }
}

pub fn close_window<R: Runtime>(app: &AppHandle<R>, label: &str) {
    if let Some(w) = app.get_webview_window(label) {
        let _ = w.close();
    }
}
