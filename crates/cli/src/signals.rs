//! Ctrl-C and SIGTERM while a refresh token is being redeemed: the signal waits until the successor is
//! in the keychain (the core's shield), then ends the process the way the signal would have. Outside
//! that stretch a signal acts at once, as if no handler were installed. A second Ctrl-C stops at once.
//! One implementation per system: POSIX signals, and Windows console control events (Ctrl-C,
//! Ctrl-Break, and the console window closing, the user logging off or the machine shutting down).

#[cfg(unix)]
pub use unix::hold_during_rotation;
#[cfg(windows)]
pub use windows::hold_during_rotation;

#[cfg(unix)]
mod unix {
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
        let wanted: Vec<i32> =
            [SIGINT, SIGTERM, SIGHUP].into_iter().filter(|s| ignored & (1u64 << (s - 1)) == 0).collect();
        let mut signals = match signal_hook::iterator::Signals::new(wanted) {
            Ok(s) => s,
            Err(e) => {
                eprintln!(
                    "idbridge: warning: cannot handle signals ({e}); an interrupted refresh may need a new sign-in"
                );
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
}

#[cfg(windows)]
mod windows {
    use std::sync::{Arc, OnceLock};
    use std::time::Duration;

    use idbridge_core::sys::shield::Shield;
    use windows_sys::Win32::Foundation::{FALSE, TRUE};
    use windows_sys::Win32::System::Console::{
        CTRL_BREAK_EVENT, CTRL_C_EVENT, CTRL_CLOSE_EVENT, CTRL_LOGOFF_EVENT, CTRL_SHUTDOWN_EVENT, SetConsoleCtrlHandler,
    };
    use windows_sys::core::BOOL;

    /// The handler runs on a thread Windows starts for it and can take no argument: the shield is
    /// reached through this, set once before the handler is installed.
    static SHIELD: OnceLock<Arc<Shield>> = OnceLock::new();
    /// Windows ends a process 5 s after a console close, log-off or shutdown event whatever its
    /// handler does: the rotation gets what fits before that.
    const CLOSE_WAIT: Duration = Duration::from_millis(4500);
    /// What cmd.exe and PowerShell report for a program ended by Ctrl-C (STATUS_CONTROL_C_EXIT).
    const CONTROL_C_EXIT: i32 = 0xC000_013A_u32 as i32;

    pub fn hold_during_rotation(shield: Arc<Shield>) {
        shield.set_on_release(Box::new(die_of));
        if SHIELD.set(shield).is_err() {
            return;
        }
        // SAFETY: registers a plain function with exactly the signature PHANDLER_ROUTINE has; a fn item
        // lives as long as the process, and the handler touches only the `SHIELD` set above.
        #[allow(unsafe_code)]
        let installed = unsafe { SetConsoleCtrlHandler(Some(on_console_event), TRUE) };
        if installed == FALSE {
            eprintln!("idbridge: warning: cannot handle Ctrl-C; an interrupted refresh may need a new sign-in");
        }
    }

    extern "system" fn on_console_event(event: u32) -> BOOL {
        let Some(shield) = SHIELD.get() else { return FALSE };
        match event {
            CTRL_C_EVENT | CTRL_BREAK_EVENT => {
                if shield.defer(event as i32, die_of) {
                    eprintln!(
                        "idbridge: storing the new sign-in token before stopping (a moment); \
                         press Ctrl-C again to stop at once, which may cost the sign-in"
                    );
                }
                TRUE
            }
            CTRL_CLOSE_EVENT | CTRL_LOGOFF_EVENT | CTRL_SHUTDOWN_EVENT => {
                // no new redemption starts; the one in flight gets the time Windows allows
                shield.close(CLOSE_WAIT);
                std::process::exit(CONTROL_C_EXIT)
            }
            _ => FALSE,
        }
    }

    fn die_of(_event: i32) {
        std::process::exit(CONTROL_C_EXIT);
    }
}
