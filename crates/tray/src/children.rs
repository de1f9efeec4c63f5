//! The Settings and sign-in windows run as processes of their own: the window helper beside the tray
//! (`idbridge-app-window --window …`, the only executable that links WebKit). Its processes and memory
//! leave with the window, so the tray returns to its idle footprint. They talk to the
//! tray through `ipc`. The loop owns the handles: no statics, no second reaper.

use std::io::{BufRead, Write};
use std::process::{Child, ChildStdin, Command, Stdio};

use tokio::sync::mpsc::UnboundedSender;

use crate::ipc::{self, ToTray};
use crate::model::{Msg, WindowKind};

pub struct WindowChild {
    child: Child,
    stdin: Option<ChildStdin>,
}

impl WindowChild {
    pub fn spawn(kind: WindowKind, extra: &[&str], tx: UnboundedSender<Msg>) -> std::io::Result<Self> {
        let exe = idbridge_desktop::binaries::sibling(idbridge_desktop::binaries::WINDOW)?;
        let name = match kind {
            WindowKind::Settings => "settings",
            WindowKind::SignIn => "signin",
        };
        let mut child = idbridge_core::sys::process::without_console(&mut Command::new(exe))
            .args(["--window", name])
            .args(extra)
            .env(ipc::OF_TRAY, "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdin = child.stdin.take();
        if let Some(out) = child.stdout.take() {
            std::thread::spawn(move || {
                for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
                    if let Some(message) = ipc::parse(&line) {
                        let _ = tx.send(to_msg(message));
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
            let _ = writeln!(stdin, "{}", ipc::FOCUS).and_then(|()| stdin.flush());
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

/// A message from a window as the loop's message.
fn to_msg(message: ToTray) -> Msg {
    match message {
        ToTray::ConfigSaved => Msg::SettingsSaved,
        ToTray::SignIn { provider } => Msg::SignInRequested(provider),
        ToTray::SignedIn(report) => Msg::SignedIn(report),
    }
}
