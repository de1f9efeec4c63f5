//! idbridge's tray app: a thin shell over idbridge-core. Sign-in from the menu, background refresh,
//! notifications, Open Console, and Settings; the same config, keychain items and credential files as
//! the `idbridge` CLI, so either can be used at any time.
//!
//! One binary, three roles: the tray (`tray/`: a model/update/view loop), and two window processes
//! started by it on demand (`windows/`: `--window settings`, `--window signin --provider NAME`). They
//! share only the strings (`i18n`), the line protocol between them (`ipc`) and the app icon.
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod app_icon;
pub mod i18n;
mod ipc;
pub mod tray;
mod watch;
mod windows;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use idbridge_core::app::redeem_helper::HELPER_ARG;
use idbridge_core::aws::shared_credentials::location;
use idbridge_core::state::token_store::Keychain;
use idbridge_core::sys::clock::SystemClock;
use idbridge_core::sys::detached::HelperCommand;
use idbridge_core::{Idbridge, Paths};
use tauri::{Manager, RunEvent, Runtime};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use crate::i18n::{Arg, Tr};
use crate::tray::model::{self, MenuId, Model, Msg};
use crate::tray::{menu, runtime};
use crate::windows::{WindowState, doctor, import, settings, signin};

/// What this process is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Role {
    Tray {
        open_settings: bool,
    },
    Settings,
    SignIn {
        provider: String,
    },
    /// The refresh helper the tray starts so that killing the tray cannot cut a rotation
    /// (`idbridge_core::app::redeem_helper`): no window, no toolkit.
    Redeem {
        provider: String,
    },
}

fn role(args: &[String]) -> Result<Role, String> {
    let value = |flag: &str| args.windows(2).find(|w| w[0] == flag).map(|w| w[1].clone());
    if args.get(1).map(String::as_str) == Some(HELPER_ARG) {
        return match args.get(2) {
            Some(p) if idbridge_core::config::is_valid_name(p) => Ok(Role::Redeem { provider: p.clone() }),
            _ => Err(format!("{HELPER_ARG} needs a provider name")),
        };
    }
    match value("--window").as_deref() {
        None => Ok(Role::Tray { open_settings: args.iter().any(|a| a == "--settings") }),
        Some("settings") => Ok(Role::Settings),
        Some("signin") => match value("--provider") {
            Some(p) if idbridge_core::config::is_valid_name(&p) => Ok(Role::SignIn { provider: p }),
            _ => Err("--window signin needs --provider NAME".into()),
        },
        Some(other) => Err(format!("unknown window {other:?} (settings or signin)")),
    }
}

/// The tray's handle to its loop, for the single-instance callback.
struct Inbox(UnboundedSender<Msg>);

pub fn run() {
    let home = std::env::var_os("IDBRIDGE_HOME").map(PathBuf::from);
    let Some(paths) = Paths::resolve(home) else {
        eprintln!("idbridge-app: cannot find a config directory: set IDBRIDGE_HOME");
        std::process::exit(1);
    };
    let shared = location(std::env::var_os("AWS_SHARED_CREDENTIALS_FILE"), dirs::home_dir());
    let mut core = Idbridge::new(paths, Arc::new(Keychain), Arc::new(SystemClock), Duration::from_secs(30))
        .with_shared_credentials_file(shared);
    let args: Vec<String> = std::env::args().collect();
    let role = match role(&args) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("idbridge-app: {e}");
            std::process::exit(2);
        }
    };
    let is_tray = matches!(role, Role::Tray { .. });
    // the tray's refreshes redeem in a helper: this binary again, in the role above
    if let (true, Ok(program)) = (is_tray, std::env::current_exe()) {
        core = core.with_redeem_helper(HelperCommand { program, args: vec![HELPER_ARG.into()] });
    }
    let core = Arc::new(core);
    // libappindicator gives panels the GLib application name as the tray item's title (tray-icon sets
    // none, and offers no way to): Xfce's panel shows it as the tooltip. GLib keeps the first name it is
    // given, so this comes before the toolkit starts.
    #[cfg(target_os = "linux")]
    if is_tray {
        glib::set_application_name("idbridge");
    }
    #[cfg(unix)]
    if is_tray {
        let tray_core = core.clone();
        hold_signals(core.shield.clone(), move || tray::endpoint::withdraw(&tray_core));
    }
    // off only to measure the tray's footprint without it (bench/tray_footprint.py)
    let endpoint = std::env::var_os("IDBRIDGE_TRAY_ENDPOINT").is_none_or(|v| v != "off");
    let builder = match role {
        Role::Tray { open_settings } => build_tray(tauri::Builder::default(), core, open_settings, endpoint),
        Role::Settings => build_window(tauri::Builder::default(), core, None),
        Role::SignIn { provider } => build_window(tauri::Builder::default(), core, Some(provider)),
        Role::Redeem { provider } => std::process::exit(serve_redemption(core, &provider)),
    };
    match builder.build(tauri::generate_context!()) {
        Ok(app) => app.run(move |_, event| {
            // the tray lives on without windows; a window process ends with its window
            if let RunEvent::ExitRequested { api, code: None, .. } = event
                && is_tray
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

/// The helper role: one redemption, stored before the process ends (also on SIGTERM); the exit code.
fn serve_redemption(core: Arc<Idbridge>, provider: &str) -> i32 {
    #[cfg(unix)]
    hold_signals(core.shield.clone(), || {});
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
        return 1;
    };
    let served = runtime.block_on(core.serve_redemption(provider));
    runtime.block_on(core.shield.idle(idbridge_core::app::rotation::REDEEM_TIMEOUT + Duration::from_secs(30)));
    i32::from(served.is_err())
}

/// SIGTERM (the session ends, `systemctl --user stop`), SIGINT or SIGHUP while the tray redeems a refresh
/// token: no new redemption starts, the one in flight is stored, then the process ends as the signal asks.
/// `at_exit` runs just before (the tray withdraws its endpoint file).
/// (On Windows the tray has no console: it ends through Quit, which waits for the rotation the same way.)
#[cfg(unix)]
fn hold_signals(shield: Arc<idbridge_core::sys::shield::Shield>, at_exit: impl FnOnce() + Send + 'static) {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = match signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) {
        Ok(s) => s,
        Err(e) => {
            return eprintln!("idbridge-app: cannot handle signals ({e}); a refresh cut by one may need a new sign-in");
        }
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            shield.close(Duration::from_secs(30));
            at_exit();
            let _ = signal_hook::low_level::emulate_default_handler(signal);
            std::process::exit(128 + signal);
        }
    });
}

/// The tray app: everything but the runtime, so a test can build it on another runtime.
pub fn build_tray<R: Runtime>(
    builder: tauri::Builder<R>,
    core: Arc<Idbridge>,
    open_settings: bool,
    endpoint: bool,
) -> tauri::Builder<R> {
    let (tx, rx) = unbounded_channel();
    let setup_tx = tx.clone();
    builder
        .manage(Inbox(tx))
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            // a second launch opens Settings in the running one
            if let Some(inbox) = app.try_state::<Inbox>() {
                let _ = inbox.0.send(Msg::SecondLaunch);
            }
        }))
        .plugin(tauri_plugin_clipboard_manager::init())
        .setup(move |app| {
            // a menu-bar app: no Dock icon, no app menu
            #[cfg(target_os = "macos")]
            app.set_activation_policy(tauri::ActivationPolicy::Accessory);
            let handle = app.handle().clone();
            let tr = Arc::new(Tr::new());
            let first = model::view::view(&Model::default(), core.now(), &tr);
            menu::create(&handle, &first, setup_tx.clone())?;
            eprintln!("idbridge-app: tray ready");
            if open_settings {
                let _ = setup_tx.send(Msg::Menu(MenuId::Settings));
            }
            if let Some(watch) = tray::follow::start(&core.paths, setup_tx.clone()) {
                app.manage(watch);
            }
            if endpoint {
                tray::endpoint::start(core.clone());
            }
            let main_loop = runtime::Loop::new(handle, core, tr, setup_tx, first);
            tauri::async_runtime::spawn(main_loop.run(rx));
            Ok(())
        })
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
        .plugin(tauri_plugin_autostart::init(tauri_plugin_autostart::MacosLauncher::LaunchAgent, None))
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
        assert_eq!(role(&args("")), Ok(Role::Tray { open_settings: false }));
        assert_eq!(role(&args("--settings")), Ok(Role::Tray { open_settings: true }));
        assert_eq!(role(&args("--window settings")), Ok(Role::Settings));
        assert_eq!(role(&args("--window signin --provider auth0")), Ok(Role::SignIn { provider: "auth0".into() }));
        assert!(role(&args("--window signin")).is_err());
        assert!(role(&args("--window signin --provider ../x")).is_err());
        assert!(role(&args("--window other")).is_err());
        assert_eq!(role(&args("__redeem auth0")), Ok(Role::Redeem { provider: "auth0".into() }));
        assert!(role(&args("__redeem ../x")).is_err());
    }
}
