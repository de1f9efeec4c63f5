//! What a window process (Settings, Sign in) and the tray say to each other. A child prints one JSON
//! message per line on its stdout; the tray writes `focus` to the child's stdin to raise it, and
//! closing that stdin (the tray ended) ends the child. Lines are untrusted text: anything that is not
//! one of these messages is ignored.

use std::io::{BufRead, Write};

use idbridge_core::ErrorCode;
use serde::{Deserialize, Serialize};

/// The tray's line that raises a window.
pub const FOCUS: &str = "focus";
/// Set for a window process the tray started: it then ends when the tray does.
pub const OF_TRAY: &str = "IDBRIDGE_WINDOW_OF_TRAY";

/// A window process's message to the tray.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "message", rename_all = "snake_case")]
pub enum ToTray {
    /// Settings wrote config.toml.
    ConfigSaved,
    /// Settings asked for a sign-in ("Sign in now").
    SignIn { provider: String },
    /// A sign-in finished.
    SignedIn(SignedIn),
}

/// The outcome the sign-in process reports: no token, no key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignedIn {
    pub provider: String,
    pub who: String,
    pub ready: Vec<String>,
    /// (profile, error code, details)
    pub failed: Vec<(String, ErrorCode, String)>,
}

/// A child's line as a message; `None` for anything else (a toolkit warning, a forged name).
pub fn parse(line: &str) -> Option<ToTray> {
    let message: ToTray = serde_json::from_str(line).ok()?;
    match &message {
        ToTray::SignIn { provider } | ToTray::SignedIn(SignedIn { provider, .. })
            if !idbridge_core::config::is_valid_name(provider) =>
        {
            None
        }
        _ => Some(message),
    }
}

/// In a window process: tell the tray something (one line on stdout).
pub fn tell_tray(message: &ToTray) {
    let Ok(line) = serde_json::to_string(message) else { return };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}").and_then(|()| out.flush());
}

/// In a window process: raise the window when the tray says `focus`; end when the tray ends.
pub fn follow_tray(on_focus: impl Fn() + Send + 'static, on_end: impl FnOnce() + Send + 'static) {
    if std::env::var_os(OF_TRAY).is_none() {
        return;
    }
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines().map_while(Result::ok) {
            if line == FOCUS {
                on_focus();
            }
        }
        on_end();
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_from_a_window_become_messages_and_nothing_else() {
        let round_trip = |m: ToTray| parse(&serde_json::to_string(&m).unwrap());
        assert_eq!(round_trip(ToTray::ConfigSaved), Some(ToTray::ConfigSaved));
        let sign_in = ToTray::SignIn { provider: "auth0".into() };
        assert_eq!(round_trip(sign_in.clone()), Some(sign_in));
        assert_eq!(round_trip(ToTray::SignIn { provider: "../x".into() }), None);
        let report = SignedIn {
            provider: "auth0".into(),
            who: "a@b".into(),
            ready: vec!["dev".into()],
            failed: vec![("prod".into(), ErrorCode::StsRefused, "AccessDenied".into())],
        };
        assert_eq!(round_trip(ToTray::SignedIn(report.clone())), Some(ToTray::SignedIn(report)));
        assert_eq!(parse(r#"{"message":"config_saved"}"#), Some(ToTray::ConfigSaved));
        for junk in
            ["config-saved", "{not json", "Gtk-WARNING something", r#"{"message":"quit"}"#, r#"{"message":"sign_in"}"#]
        {
            assert_eq!(parse(junk), None, "{junk}");
        }
    }
}
