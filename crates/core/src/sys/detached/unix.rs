//! The helper on Unix: the caller's flock handed over as its stdin, a socket pair as the channel.

use std::io::{self, Read, Write};
use std::net::Shutdown;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{File, HelperCommand, OsString};
use crate::sys::lock::{LockError, LockGuard};

/// The private line between caller and helper (a socket pair: one request, one reply).
pub struct Channel(UnixStream);

/// Starts `helper` with `extra` arguments in its own process group, `lock` as its stdin (it holds it from
/// its first instruction: nothing to wait for, so `_ready_by` is not used). The child is reaped by a
/// thread of its own, so a caller that stops waiting leaves no zombie behind.
pub fn spawn(helper: &HelperCommand, extra: &[OsString], lock: File, _ready_by: Instant) -> io::Result<Channel> {
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

/// The helper's side: the provider lock its caller handed over, its stdin (checked to be that lock, held).
pub fn take_over(provider_lock: &Path, _rotation_lock: &Path) -> Result<LockGuard, LockError> {
    let stdin = io::stdin().as_fd().try_clone_to_owned();
    let stdin = stdin.map_err(|source| LockError::Open { path: provider_lock.to_owned(), source })?;
    LockGuard::adopt(File::from(stdin), provider_lock)
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
