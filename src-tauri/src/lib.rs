//! idbridge's tray app: a thin shell over idbridge-core. Sign-in from the menu, background refresh,
//! notifications, Open Console, and a Settings window; the same config, keychain items and credential
//! files as the `idbridge` CLI, so either can be used at any time.
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod actions;
mod background;
pub mod i18n;
mod notifier;
pub mod scheduler;
mod settings;
mod settings_process;
mod signin;
mod state;
pub mod tray;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use idbridge_core::clock::SystemClock;
use idbridge_core::token_store::Keychain;
use idbridge_core::{Idbridge, Paths};
use serde::Serialize;
use tauri::{Manager, RunEvent, Runtime};

use crate::state::AppState;

/// An error as the web view sees it: a stable code to branch on, one line for the person, and the
/// form field it belongs to when there is one.
#[derive(Debug, Clone, Serialize)]
pub struct UiError {
    pub code: String,
    pub message: String,
    pub field: Option<String>,
}

impl UiError {
    pub fn new(code: &str, message: &str) -> Self {
        Self { code: code.into(), message: idbridge_core::sanitize::message(message), field: None }
    }
    pub fn field(code: &str, field: &str, message: &str) -> Self {
        Self { code: code.into(), message: idbridge_core::sanitize::message(message), field: Some(field.into()) }
    }
    fn from_edit(e: idbridge_core::config_edit::EditError) -> Self {
        match e {
            idbridge_core::config_edit::EditError::Config(c) => Self::from(&idbridge_core::Error::from(c)),
            other => Self::new("config", &other.to_string()),
        }
    }
}

impl From<&idbridge_core::Error> for UiError {
    fn from(e: &idbridge_core::Error) -> Self {
        use idbridge_core::config::ConfigError;
        match e {
            // "profiles.dev.role_arn: an IAM role ARN ..." → field role_arn, the expectation as the message
            idbridge_core::Error::Config(ConfigError::Invalid { key, expected, .. }) => {
                Self::field("invalid", key.rsplit('.').next().unwrap_or(key), expected)
            }
            other => Self::new(other.code(), &other.to_string()),
        }
    }
}

pub fn run() {
    let home = std::env::var_os("IDBRIDGE_HOME").map(PathBuf::from);
    let Some(paths) = Paths::resolve(home) else {
        eprintln!("idbridge-app: cannot find a config directory: set IDBRIDGE_HOME");
        std::process::exit(1);
    };
    let core = Idbridge::new(paths, Arc::new(Keychain), Arc::new(SystemClock), Duration::from_secs(30));
    let args: Vec<String> = std::env::args().collect();
    let window_only = args.windows(2).any(|w| w[0] == "--window" && w[1] == "settings");
    let builder = if window_only { build_settings_process(tauri::Builder::default()) } else { build(tauri::Builder::default()) };
    match builder.manage(AppState::new(Arc::new(core))).build(tauri::generate_context!()) {
        Ok(app) => app.run(move |_, event| {
            // closing the last window must not quit the tray app (it does end the Settings process)
            if let RunEvent::ExitRequested { api, code: None, .. } = event
                && !window_only
            {
                api.prevent_exit();
            }
        }),
        Err(e) => {
            eprintln!("idbridge-app: cannot start: {e}");
            std::process::exit(1);
        }
    }
}

fn commands<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.invoke_handler(tauri::generate_handler![
        signin::signin_state,
        signin::cancel_signin,
        settings::ui_language,
        settings::get_settings,
        settings::save_provider,
        settings::save_profile,
        settings::delete_entry,
        settings::save_app_settings,
        settings::set_autostart,
        settings::test_provider,
    ])
}

/// The Settings window alone, in its own process (see `settings_process`).
pub fn build_settings_process<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    commands(builder.plugin(tauri_plugin_autostart::init(tauri_plugin_autostart::MacosLauncher::LaunchAgent, None)))
        .setup(|app| {
            let handle = app.handle().clone();
            handle.state::<AppState>().reload_config();
            settings_process::follow_tray(&handle);
            actions::open_window(&handle, "settings");
            Ok(())
        })
}

/// The tray app: everything but the runtime, so a test can build it on another runtime.
pub fn build<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    let builder = builder
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            // a second launch opens Settings in the running one
            settings_process::open(app);
        }))
        .plugin(tauri_plugin_autostart::init(tauri_plugin_autostart::MacosLauncher::LaunchAgent, None))
        .plugin(tauri_plugin_clipboard_manager::init());
    commands(builder)
        .on_window_event(|window, event| {
            if window.label() == "signin" && matches!(event, tauri::WindowEvent::Destroyed) {
                // closing the sign-in window cancels a sign-in still waiting
                let state = window.state::<AppState>();
                if let Some(task) = state.signin.lock().unwrap_or_else(|e| e.into_inner()).take() {
                    task.abort();
                }
            }
        })
        .setup(|app| {
            let handle = app.handle().clone();
            let state = handle.state::<AppState>();
            state.reload_config();
            tray::create(&handle)?;
            eprintln!("idbridge-app: tray ready");
            if std::env::args().any(|a| a == "--settings") {
                settings_process::open(&handle);
            }
            tauri::async_runtime::spawn(background::run(handle));
            Ok(())
        })
}
