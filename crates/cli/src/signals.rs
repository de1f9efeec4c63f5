//! Ctrl-C and SIGTERM while a refresh token is being redeemed: the signal waits until the successor is
//! in the keychain (the core's shield), then ends the process the way the signal would have. Outside
//! that stretch a signal acts at once, as if no handler were installed.

use std::sync::Arc;

use idbridge_core::sys::shield::Shield;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

/// Installs the handler thread. If it cannot be installed the default handling stays (and a rotation
/// can be cut as before); that is reported, not fatal.
pub fn hold_during_rotation(shield: Arc<Shield>) {
    shield.set_on_release(Box::new(die_of));
    // a signal the caller ignores (nohup, a background job of a script) stays ignored, also for
    // what `exec` starts: a handler would be reset to the default action by execve
    let ignored = ignored_signals();
    let wanted: Vec<i32> = [SIGINT, SIGTERM, SIGHUP].into_iter().filter(|s| ignored & (1u64 << (s - 1)) == 0).collect();
    let mut signals = match signal_hook::iterator::Signals::new(wanted) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("idbridge: warning: cannot handle signals ({e}); an interrupted refresh may need a new sign-in");
            return;
        }
    };
    std::thread::spawn(move || {
        for signal in signals.forever() {
            if shield.defer(signal, die_of) {
                eprintln!(
                    "idbridge: storing the new sign-in token before stopping (a moment); \
                     press Ctrl-C again to stop at once, which may cost the sign-in"
                );
            }
        }
    });
}

/// Ends the process as `signal` would have (the parent sees the signal, e.g. 130 in a shell for Ctrl-C).
fn die_of(signal: i32) {
    let _ = signal_hook::low_level::emulate_default_handler(signal);
    std::process::exit(128 + signal);
}

/// The mask of ignored signals (bit N-1 for signal N), from /proc on Linux; none elsewhere.
fn ignored_signals() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find_map(|l| l.strip_prefix("SigIgn:").map(|v| v.trim().to_string())))
        .and_then(|v| u64::from_str_radix(&v, 16).ok())
        .unwrap_or(0)
}
