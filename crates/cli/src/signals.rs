//! Ctrl-C and SIGTERM while a refresh token is being redeemed: the signal waits until the successor is
//! in the keychain (the core's shield), then ends the process the way the signal would have. Outside
//! that stretch a signal acts at once, as if no handler were installed.

use std::sync::Arc;

use idbridge_core::shield::Shield;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

/// Installs the handler thread. If it cannot be installed the default handling stays (and a rotation
/// can be cut as before); that is reported, not fatal.
pub fn hold_during_rotation(shield: Arc<Shield>) {
    shield.set_on_release(Box::new(die_of));
    let mut signals = match signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("idbridge: warning: cannot handle signals ({e}); an interrupted refresh may need a new sign-in");
            return;
        }
    };
    std::thread::spawn(move || {
        for signal in signals.forever() {
            shield.defer(signal, die_of);
        }
    });
}

/// Ends the process as `signal` would have (the parent sees the signal, e.g. 130 in a shell for Ctrl-C).
fn die_of(signal: i32) {
    let _ = signal_hook::low_level::emulate_default_handler(signal);
    std::process::exit(128 + signal);
}
