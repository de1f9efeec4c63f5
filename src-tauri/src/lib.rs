//! idbridge's window helper: Settings (`--window settings`) and the sign-in window (`--window signin
//! --provider NAME`), each a process of its own that the tray (`crates/tray`, the `idbridge-app`
//! executable, which links no web engine) starts on demand and ends with its stdin. This is the only
//! executable that carries Tauri and WebKit. Started without `--window` (an app launcher or installer
//! shortcut that names it), it hands over to the tray beside it.
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod windows;

use std::sync::Arc;

use idbridge_core::Idbridge;
#[cfg(target_os = "linux")]
use idbridge_desktop::app_icon;
use idbridge_desktop::binaries;
use idbridge_desktop::{i18n, ipc, watch};
use tauri::{Manager, Runtime};

use crate::i18n::Arg;
use crate::windows::{WindowState, doctor, import, settings, signin};

/// What this process is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Role {
    Settings,
    SignIn {
        provider: String,
    },
    /// No `--window`: the tray's role, handed over to it.
    Tray,
}

fn role(args: &[String]) -> Result<Role, String> {
    let value = |flag: &str| args.windows(2).find(|w| w[0] == flag).map(|w| w[1].clone());
    match value("--window").as_deref() {
        None if args.iter().any(|a| a == "--window") => Err("--window needs settings or signin".into()),
        None => Ok(Role::Tray),
        Some("settings") => Ok(Role::Settings),
        Some("signin") => match value("--provider") {
            Some(p) if idbridge_core::config::is_valid_name(&p) => Ok(Role::SignIn { provider: p }),
            _ => Err("--window signin needs --provider NAME".into()),
        },
        Some(other) => Err(format!("unknown window {other:?} (settings or signin)")),
    }
}

pub fn run() {
    let args: Vec<String> = std::env::args().collect();
    let role = match role(&args) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("idbridge-app-window: {e}");
            std::process::exit(2);
        }
    };
    if role == Role::Tray {
        start_tray(&args[1..]);
    }
    let Some(core) = idbridge_desktop::open_core() else {
        eprintln!("idbridge-app-window: cannot find a config directory: set IDBRIDGE_HOME");
        std::process::exit(1);
    };
    let provider = match role {
        Role::SignIn { provider } => Some(provider),
        _ => None,
    };
    match build_window(tauri::Builder::default(), Arc::new(core), provider).build(tauri::generate_context!()) {
        // a window process ends with its window
        Ok(app) => app.run(|_, _| {}),
        Err(e) => {
            eprintln!("idbridge-app-window: cannot start: {e}");
            std::process::exit(1);
        }
    }
}

/// Starts the tray beside this executable and ends: on Unix in this very process, on Windows as a
/// process of its own (this one would otherwise stay for as long as the tray runs).
fn start_tray(args: &[String]) -> ! {
    let e = match binaries::sibling(binaries::TRAY) {
        #[cfg(unix)]
        Ok(tray) => binaries::hand_over(&tray, args),
        #[cfg(not(unix))]
        Ok(tray) => {
            match idbridge_core::sys::process::without_console(&mut std::process::Command::new(tray)).args(args).spawn()
            {
                Ok(_) => std::process::exit(0),
                Err(e) => e,
            }
        }
        Err(e) => e,
    };
    eprintln!("idbridge-app-window: cannot start the tray app: {e}");
    std::process::exit(1);
}

/// A window process: Settings, or the sign-in for `provider`.
pub fn build_window<R: Runtime>(
    builder: tauri::Builder<R>,
    core: Arc<Idbridge>,
    provider: Option<String>,
) -> tauri::Builder<R> {
    builder
        .manage(WindowState::new(core))
        .manage(signin::Slot::default())
        .plugin(tauri_plugin_clipboard_manager::init())
        .invoke_handler(tauri::generate_handler![
            windows::ui_strings,
            windows::close_window,
            windows::retitle,
            windows::page_ready,
            windows::fit_window,
            windows::copy_text,
            signin::signin_state,
            signin::cancel_signin,
            signin::retry_signin,
            signin::open_browser_again,
            settings::get_settings,
            settings::save_provider,
            settings::save_profile,
            settings::delete_entry,
            settings::save_app_settings,
            settings::set_autostart,
            settings::test_provider,
            settings::request_sign_in,
            doctor::check_setup,
            doctor::use_with_aws_cli,
            windows::setup::setup_steps,
            windows::broken::open_config,
            import::preview_import,
            import::apply_import,
        ])
        .setup(move |app| {
            let handle = app.handle().clone();
            let (focus, end) = (handle.clone(), handle.clone());
            ipc::follow_tray(move || windows::raise(&focus), move || end.exit(0));
            match provider {
                Some(p) => {
                    windows::open(&handle, "signin", &[("provider", Arg::from(&p))])?;
                    signin::start(&handle, p);
                }
                None => {
                    windows::open(&handle, "settings", &[])?;
                    let state = handle.state::<WindowState>();
                    let config = state.core.paths.config_file.clone();
                    windows::follow::start(&handle, config, state.written.clone());
                    windows::setup::follow(&handle, state.core.paths.state_dir.clone());
                }
            }
            Ok(())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        std::iter::once("idbridge-app").chain(s.split_whitespace()).map(String::from).collect()
    }

    #[test]
    fn the_command_line_picks_the_role() {
        assert_eq!(role(&args("")), Ok(Role::Tray));
        assert_eq!(role(&args("--settings")), Ok(Role::Tray));
        assert_eq!(role(&args("--window settings")), Ok(Role::Settings));
        assert!(role(&args("--window")).is_err());
        assert_eq!(role(&args("--window signin --provider auth0")), Ok(Role::SignIn { provider: "auth0".into() }));
        assert!(role(&args("--window signin")).is_err());
        assert!(role(&args("--window signin --provider ../x")).is_err());
        assert!(role(&args("--window other")).is_err());
    }
}
