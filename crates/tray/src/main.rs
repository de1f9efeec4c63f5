//! idbridge's tray app: a thin shell over idbridge-core. Sign-in from the menu, background refresh,
//! notifications, Open Console, and Settings; the same config, keychain items and credential files as
//! the `idbridge` CLI, so either can be used at any time.
//!
//! This executable links no web engine: it runs all day, so its idle memory is what people see. One
//! loop owns the model (`model`: update and view, pure), performs its effects (`runtime`), renders the
//! menu and icon on the main thread (`shell`, `menu`, `icons`), schedules refreshes (`scheduler`), shows
//! notifications (`notifier`), hosts the credential endpoint (`endpoint`), starts the window helper
//! (`children`: Settings and sign-in, Tauri and WebKit), follows files other processes change (`follow`)
//! and keeps to one instance (`instance`).
#![cfg_attr(test, allow(clippy::unwrap_used))]
// no console window on Windows release builds
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod children;
mod core_adapter;
mod endpoint;
mod follow;
mod icons;
mod instance;
mod menu;
mod model;
mod notifier;
mod runtime;
mod scheduler;
mod shell;

use std::sync::Arc;
use std::time::Duration;

use idbridge_core::Idbridge;
use idbridge_core::app::redeem_helper::HELPER_ARG;
use idbridge_core::sys::detached::HelperCommand;
use idbridge_desktop::binaries;
use idbridge_desktop::{app_icon, i18n, ipc, watch};
use tokio::sync::mpsc::unbounded_channel;

use crate::i18n::Tr;
use crate::model::{MenuId, Model, Msg};

/// What this process is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Role {
    Tray {
        open_settings: bool,
    },
    /// `--window …`: the window helper's role, handed over to it (an older autostart entry, a test).
    Window,
    /// The refresh helper the tray starts so that killing the tray cannot cut a rotation
    /// (`idbridge_core::app::redeem_helper`): no window, no toolkit.
    Redeem {
        provider: String,
    },
}

fn role(args: &[String]) -> Result<Role, String> {
    if args.get(1).map(String::as_str) == Some(HELPER_ARG) {
        return match args.get(2) {
            Some(p) if idbridge_core::config::is_valid_name(p) => Ok(Role::Redeem { provider: p.clone() }),
            _ => Err(format!("{HELPER_ARG} needs a provider name")),
        };
    }
    if args.iter().any(|a| a == "--window") {
        return Ok(Role::Window);
    }
    Ok(Role::Tray { open_settings: args.iter().any(|a| a == "--settings") })
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let role = role(&args).unwrap_or_else(|e| {
        eprintln!("idbridge-app: {e}");
        std::process::exit(2);
    });
    if role == Role::Window {
        let e = match binaries::sibling(binaries::WINDOW) {
            Ok(helper) => binaries::hand_over(&helper, &args[1..]),
            Err(e) => e,
        };
        eprintln!("idbridge-app: cannot open the window: {e}");
        std::process::exit(1);
    }
    let Some(mut core) = idbridge_desktop::open_core() else {
        eprintln!("idbridge-app: cannot find a config directory: set IDBRIDGE_HOME");
        std::process::exit(1);
    };
    match role {
        Role::Redeem { provider } => std::process::exit(serve_redemption(Arc::new(core), &provider)),
        Role::Tray { open_settings } => {
            // the tray's refreshes redeem in a helper: this executable again, in the role above
            if let Ok(program) = std::env::current_exe() {
                core = core.with_redeem_helper(HelperCommand { program, args: vec![HELPER_ARG.into()] });
            }
            run_tray(Arc::new(core), open_settings)
        }
        Role::Window => unreachable!("handed over above"),
    }
}

fn run_tray(core: Arc<Idbridge>, open_settings: bool) -> ! {
    let single = match instance::claim(&core.paths) {
        Ok(instance::Claim::First(i)) => Some(i),
        Ok(instance::Claim::Running) => {
            // a second launch opens Settings in the running one
            std::process::exit(match instance::tell_running(&core.paths) {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("idbridge-app: {e}");
                    1
                }
            })
        }
        Err(e) => {
            eprintln!("idbridge-app: cannot tell whether idbridge already runs ({e}); starting anyway");
            None
        }
    };
    // a second launch is answered from now on (its request waits in the channel until the loop runs), so
    // one made while this tray is still starting does not time out
    let (tx, rx) = unbounded_channel();
    if let Some(single) = single {
        let second = tx.clone();
        single.serve(move || drop(second.send(Msg::SecondLaunch)));
    }
    // libappindicator gives panels the GLib application name as the tray item's title (tray-icon sets
    // none): Xfce's panel shows it as the tooltip. GLib keeps the first name it is given, so this comes
    // before the toolkit starts.
    #[cfg(target_os = "linux")]
    glib::set_application_name("idbridge");
    #[cfg(unix)]
    {
        let at_exit_core = core.clone();
        hold_signals(core.shield.clone(), move || {
            endpoint::withdraw(&at_exit_core);
            instance::withdraw(&at_exit_core.paths);
        });
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(r) => Box::leak(Box::new(r)),
        Err(e) => {
            eprintln!("idbridge-app: cannot start: {e}");
            std::process::exit(1);
        }
    };
    // the main thread spawns onto the runtime from here on (the tray lives until the process ends)
    std::mem::forget(runtime.enter());
    let (event_loop, ui) = shell::event_loop();
    menu::forward_clicks(tx.clone());
    let tr = Arc::new(Tr::new());
    let first = model::view::view(&Model::default(), core.now(), &tr);
    // off only to measure the tray's footprint without it (bench/tray_footprint.py)
    let endpoint_on = std::env::var_os("IDBRIDGE_TRAY_ENDPOINT").is_none_or(|v| v != "off");
    let shown = first.clone();
    let reopen = tx.clone();
    let started = move || {
        if open_settings {
            let _ = tx.send(Msg::Menu(MenuId::Settings));
        }
        let watch = follow::start(&core.paths, tx.clone());
        if endpoint_on {
            endpoint::start(core.clone());
        }
        tokio::spawn(runtime::Loop::new(ui, core, tr, tx, shown).run(rx));
        watch
    };
    shell::run(event_loop, first, started, move || drop(reopen.send(Msg::SecondLaunch)))
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
/// `at_exit` runs just before (the tray withdraws its endpoint and instance files).
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
        assert_eq!(role(&args("--window settings")), Ok(Role::Window));
        assert_eq!(role(&args("--window signin --provider auth0")), Ok(Role::Window));
        assert_eq!(role(&args("__redeem auth0")), Ok(Role::Redeem { provider: "auth0".into() }));
        assert!(role(&args("__redeem ../x")).is_err());
        assert!(role(&args("__redeem")).is_err());
    }
}
