//! The Settings and sign-in windows run as processes of their own (`idbridge-app --window …`): WebKit's
//! processes and memory leave with them, so the tray returns to its idle footprint. A child talks to
//! the tray in lines on its stdout; the tray writes `focus` to its stdin to raise it, and closing that
//! stdin (the tray ended) ends the child. The loop owns the handles: no statics, no second reaper.

use std::io::{BufRead, Write};
use std::process::{Child, ChildStdin, Command, Stdio};

use tokio::sync::mpsc::UnboundedSender;

use crate::model::{Msg, SignedIn, WindowKind};

/// Lines a window process prints for the tray.
pub const SAVED: &str = "config-saved";
pub const SIGN_IN: &str = "sign-in ";
pub const SIGNED_IN: &str = "signed-in ";
pub const FOCUS: &str = "focus";
/// Set for a window process the tray started: it then ends when the tray does.
pub const OF_TRAY: &str = "IDBRIDGE_WINDOW_OF_TRAY";

pub struct WindowChild {
    child: Child,
    stdin: Option<ChildStdin>,
}

impl WindowChild {
    pub fn spawn(kind: WindowKind, extra: &[&str], tx: UnboundedSender<Msg>) -> std::io::Result<Self> {
        let exe = std::env::current_exe()?;
        let name = match kind {
            WindowKind::Settings => "settings",
            WindowKind::SignIn => "signin",
        };
        let mut child = Command::new(exe)
            .args(["--window", name])
            .args(extra)
            .env(OF_TRAY, "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdin = child.stdin.take();
        if let Some(out) = child.stdout.take() {
            std::thread::spawn(move || {
                for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
                    if let Some(msg) = parse_line(&line) {
                        let _ = tx.send(msg);
                    }
                }
                let _ = tx.send(Msg::WindowClosed(kind));
            });
        }
        Ok(Self { child, stdin })
    }

    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    pub fn focus(&mut self) {
        if let Some(stdin) = self.stdin.as_mut() {
            let _ = writeln!(stdin, "{FOCUS}").and_then(|()| stdin.flush());
        }
    }

    /// Closing stdin asks the window to end; then it is reaped.
    pub fn close(mut self) {
        drop(self.stdin.take());
        std::thread::spawn(move || {
            let _ = self.child.wait();
        });
    }
}

/// What a window process's line means for the tray; anything else is ignored (it is untrusted text).
pub fn parse_line(line: &str) -> Option<Msg> {
    if line == SAVED {
        Some(Msg::SettingsSaved)
    } else if let Some(provider) = line.strip_prefix(SIGN_IN) {
        idbridge_core::config::is_valid_name(provider).then(|| Msg::SignInRequested(provider.to_string()))
    } else if let Some(json) = line.strip_prefix(SIGNED_IN) {
        serde_json::from_str::<SignedIn>(json).ok().map(Msg::SignedIn)
    } else {
        None
    }
}

/// In a window process: tell the tray something (one line on stdout).
pub fn tell_tray(line: &str) {
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
        assert_eq!(parse_line("config-saved"), Some(Msg::SettingsSaved));
        assert_eq!(parse_line("sign-in auth0"), Some(Msg::SignInRequested("auth0".into())));
        assert_eq!(parse_line("sign-in ../x"), None);
        let report = SignedIn { provider: "auth0".into(), who: "a@b".into(), ready: vec!["dev".into()], failed: vec![] };
        let line = format!("{SIGNED_IN}{}", serde_json::to_string(&report).unwrap());
        assert_eq!(parse_line(&line), Some(Msg::SignedIn(report)));
        assert_eq!(parse_line("signed-in {not json"), None);
        assert_eq!(parse_line("Gtk-WARNING something"), None);
    }
}
