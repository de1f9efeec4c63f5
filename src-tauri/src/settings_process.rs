//! Settings runs in a process of its own (`idbridge-app --window settings`), started when the person
//! opens it and gone when they close it: WebKit's processes and memory leave with it, so the tray app
//! returns to its idle footprint. The window process tells the tray on its stdout when it saved
//! config.toml, and the tray picks the change up at once.

use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;

use tauri::{AppHandle, Manager, Runtime};

use crate::state::AppState;

/// The line the Settings process prints after each save.
pub const SAVED: &str = "config-saved";
/// Set for a Settings process the tray started: it then ends when the tray does (its stdin closes).
const OF_TRAY: &str = "IDBRIDGE_SETTINGS_OF_TRAY";

static CHILD: Mutex<Option<Child>> = Mutex::new(None);

/// Starts the Settings process unless it is already running.
pub fn open<R: Runtime>(app: &AppHandle<R>) {
    let mut slot = CHILD.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(child) = slot.as_mut()
        && matches!(child.try_wait(), Ok(None))
    {
        return; // already open
    }
    let spawned = std::env::current_exe().and_then(|exe| {
        // stdin stays open while we hold the child: when the tray ends, the Settings window ends too
        Command::new(exe).args(["--window", "settings"]).env(OF_TRAY, "1").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn()
    });
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => return eprintln!("idbridge-app: cannot start the Settings window: {e}"),
    };
    if let Some(out) = child.stdout.take() {
        let app = app.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
                if line == SAVED {
                    let state = app.state::<AppState>();
                    state.reload_config();
                    state.wake.notify_one();
                    crate::tray::update(&app);
                }
            }
            // the window closed: reap the process
            if let Some(mut c) = CHILD.lock().unwrap_or_else(|e| e.into_inner()).take() {
                let _ = c.wait();
            }
        });
    }
    *slot = Some(child);
}

/// In the Settings process: end with the tray that started it (its end closes our stdin).
pub fn follow_tray<R: Runtime>(app: &AppHandle<R>) {
    if std::env::var_os(OF_TRAY).is_none() {
        return;
    }
    let app = app.clone();
    std::thread::spawn(move || {
        let mut sink = Vec::new();
        let _ = std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut sink);
        app.exit(0);
    });
}

/// In the Settings process: tell the tray that config.toml changed.
pub fn announce_saved() {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{SAVED}").and_then(|()| out.flush());
}
