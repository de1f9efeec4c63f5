//! A helper process that outlives its caller: started in its own process group (a terminal's Ctrl-C, a
//! kill of the caller's group and the caller's own SIGKILL do not reach it), holding a lock the caller
//! hands over, and talking to the caller over one private channel. The redemption of a refresh token
//! runs in one, so that killing the caller cannot lose the sign-in.
//!
//! The lock travels as the helper's stdin and the channel is its stdout: std maps those two into the
//! child after fork, so no other process started meanwhile (the tray starts windows and browsers) can
//! inherit the lock by accident. stderr is discarded: a helper that outlives its caller must not keep
//! the caller's pipes open (the AWS CLI and Go's exec wait for them to close).
//!
//! Unix only (flock locks belong to the open file, which the child shares). On Windows a lock taken
//! with LockFileEx does not outlive the process that took it, so [`spawn`] says `Unsupported` and the
//! caller redeems in its own process as before.

use std::ffi::OsString;
use std::fs::File;
use std::path::PathBuf;

/// How to start the helper: a program and the arguments before the caller's own.
#[derive(Debug, Clone)]
pub struct HelperCommand {
    pub program: PathBuf,
    pub args: Vec<OsString>,
}

#[cfg(unix)]
pub use unix::{Channel, handed_over_lock, spawn};

#[cfg(windows)]
pub use windows::{Channel, handed_over_lock, spawn};

#[cfg(unix)]
mod unix {
    use std::io::{self, Read, Write};
    use std::net::Shutdown;
    use std::os::fd::{AsFd, OwnedFd};
    use std::os::unix::net::UnixStream;
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    use super::{File, HelperCommand, OsString};

    /// The private line between caller and helper (a socket pair: one request, one reply).
    pub struct Channel(UnixStream);

    /// Starts `helper` with `extra` arguments in its own process group, `lock` as its stdin. The child
    /// is reaped by a thread of its own, so a caller that stops waiting leaves no zombie behind.
    pub fn spawn(helper: &HelperCommand, extra: &[OsString], lock: File) -> io::Result<Channel> {
        let (ours, theirs) = UnixStream::pair()?;
        let mut child = Command::new(&helper.program)
            .args(&helper.args)
            .args(extra)
            .stdin(lock)
            .stdout(OwnedFd::from(theirs))
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()?;
        std::thread::spawn(move || child.wait());
        Ok(Channel(ours))
    }

    /// The helper's side: the lock its caller handed over, its stdin.
    pub fn handed_over_lock() -> io::Result<File> {
        Ok(File::from(io::stdin().as_fd().try_clone_to_owned()?))
    }

    /// One line (a reply) read from `read` until `deadline`, at most `cap` bytes; `Ok(None)` when the other
    /// side closed first.
    fn read_line(
        read: &mut impl Read,
        set_timeout: &mut impl FnMut(Duration) -> io::Result<()>,
        deadline: Instant,
        cap: usize,
    ) -> io::Result<Option<Vec<u8>>> {
        let mut line = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(io::ErrorKind::TimedOut.into());
            }
            set_timeout(left)?;
            let n = match read.read(&mut buf) {
                Ok(0) => return Ok(None),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock) => return Err(io::ErrorKind::TimedOut.into()),
                Err(e) => return Err(e),
            };
            line.extend_from_slice(&buf[..n]);
            if let Some(end) = line.iter().position(|b| *b == b'\n') {
                line.truncate(end);
                return Ok(Some(line));
            }
            if line.len() > cap {
                return Err(io::Error::new(io::ErrorKind::InvalidData, "the helper's reply is too long"));
            }
        }
    }

    impl Channel {
        /// The helper's side: its stdout.
        pub fn of_stdout() -> io::Result<Self> {
            Ok(Self(UnixStream::from(io::stdout().as_fd().try_clone_to_owned()?)))
        }

        /// Sends the whole request and closes the sending half.
        pub fn send(&mut self, request: &[u8]) -> io::Result<()> {
            self.0.write_all(request)?;
            self.0.shutdown(Shutdown::Write)
        }

        /// Everything the caller sent, up to its closing (at most `cap` bytes).
        pub fn receive_all(&mut self, cap: usize) -> io::Result<Vec<u8>> {
            let mut all = Vec::new();
            (&mut self.0).take(cap as u64 + 1).read_to_end(&mut all)?;
            if all.len() > cap {
                return Err(io::Error::new(io::ErrorKind::InvalidData, "the request is too long"));
            }
            Ok(all)
        }

        /// One reply line, waiting until `deadline`; `Ok(None)` if the helper ended without one.
        pub fn reply(&mut self, deadline: Instant, cap: usize) -> io::Result<Option<Vec<u8>>> {
            let stream = self.0.try_clone()?;
            read_line(&mut self.0, &mut |t| stream.set_read_timeout(Some(t)), deadline, cap)
        }

        /// The helper's answer, one line.
        pub fn answer(&mut self, line: &[u8]) -> io::Result<()> {
            self.0.write_all(line)?;
            self.0.write_all(b"\n")
        }
    }
}

#[cfg(windows)]
mod windows {
    use std::io;
    use std::time::Instant;

    use super::{File, HelperCommand, OsString};

    /// No helper on Windows (see the module's note): never made.
    pub enum Channel {}

    pub fn spawn(_helper: &HelperCommand, _extra: &[OsString], _lock: File) -> io::Result<Channel> {
        Err(io::ErrorKind::Unsupported.into())
    }

    pub fn handed_over_lock() -> io::Result<File> {
        Err(io::ErrorKind::Unsupported.into())
    }

    impl Channel {
        pub fn of_stdout() -> io::Result<Self> {
            Err(io::ErrorKind::Unsupported.into())
        }
        pub fn send(&mut self, _request: &[u8]) -> io::Result<()> {
            match *self {}
        }
        pub fn receive_all(&mut self, _cap: usize) -> io::Result<Vec<u8>> {
            match *self {}
        }
        pub fn reply(&mut self, _deadline: Instant, _cap: usize) -> io::Result<Option<Vec<u8>>> {
            match *self {}
        }
        pub fn answer(&mut self, _line: &[u8]) -> io::Result<()> {
            match *self {}
        }
    }
}
