//! The helper on Windows: its stdin and stdout pipes are the channel, and it holds the provider's rotation
//! lock of its own (see the module note of `sys::detached`), which it announces with [`READY`] before the
//! caller sends anything.
//!
//! std starts children with every inheritable handle: the CLI marks its standard handles not
//! inheritable before it can start a helper (idbridge's cli/src/inherit.rs), so a helper does not keep
//! a killed caller's stdout open and the AWS CLI or Go's exec sees its end at once.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::windows::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use super::{File, HelperCommand, OsString};
use crate::sys::lock::{LockError, LockGuard, lock_exclusive};

/// The helper's first line: it holds the rotation lock.
const READY: &[u8] = b"ready";
/// A line from the helper longer than this is not from the helper.
const MAX_LINE: usize = 1024 * 1024;
/// How long the helper waits for the request once it said [`READY`] (the caller sends at once).
const REQUEST_WAIT: Duration = Duration::from_secs(5);
/// Lines before [`READY`] that are let through (none from idbridge; a test harness says hello first).
const MAX_LINES_BEFORE_READY: usize = 8;

/// (winbase.h) no console window; Ctrl-C and Ctrl-Break of the caller's console group do not reach it;
/// out of the caller's job, where the job allows it (a tool that ends its job would end the helper too).
const CREATE_NEW_PROCESS_GROUP: u32 = 0x0000_0200;
const CREATE_BREAKAWAY_FROM_JOB: u32 = 0x0100_0000;
const CREATE_NO_WINDOW: u32 = 0x0800_0000;

/// The private line between caller and helper: one request, one reply.
pub struct Channel {
    /// The caller's request (the helper's stdin) or the helper's answer (its stdout); closed after use.
    to: Option<Box<dyn Write + Send>>,
    /// The caller's side: the helper's lines, read by a thread of their own (a pipe read has no timeout).
    lines: Option<Receiver<io::Result<Vec<u8>>>>,
}

/// Starts `helper` with `extra` arguments and waits until `ready_by` for it to hold the rotation lock.
/// An error (not started, not ready in time) means no request was sent: the caller redeems itself, and
/// a helper that gets ready later reads an empty request and ends. `_lock` stays with the caller.
pub fn spawn(helper: &HelperCommand, extra: &[OsString], _lock: File, ready_by: Instant) -> io::Result<Channel> {
    let mut command = Command::new(&helper.program);
    command.args(&helper.args).args(extra).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null());
    let flags = CREATE_NO_WINDOW | CREATE_NEW_PROCESS_GROUP;
    let mut child = match command.creation_flags(flags | CREATE_BREAKAWAY_FROM_JOB).spawn() {
        Ok(child) => child,
        // a job that forbids breaking away refuses the flag (access denied): the helper stays in it
        Err(_) => command.creation_flags(flags).spawn()?,
    };
    let to = child.stdin.take().map(|w| Box::new(w) as Box<dyn Write + Send>);
    let stdout = child.stdout.take().ok_or_else(|| io::Error::other("the helper has no stdout"))?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut stdout = BufReader::new(stdout);
        while let Some(line) = read_line(&mut stdout).transpose() {
            let failed = line.is_err();
            if tx.send(line).is_err() || failed {
                break;
            }
        }
    });
    std::thread::spawn(move || child.wait());
    let mut channel = Channel { to, lines: Some(rx) };
    for _ in 0..=MAX_LINES_BEFORE_READY {
        match channel.next_line(ready_by)? {
            Some(line) if line == READY => return Ok(channel),
            Some(_) => continue,
            None => break,
        }
    }
    Err(io::Error::other("the helper did not take the rotation lock"))
}

/// One line without its end, at most [`MAX_LINE`] bytes; `Ok(None)` at the end of the stream.
fn read_line(read: &mut impl BufRead) -> io::Result<Option<Vec<u8>>> {
    let mut line = Vec::new();
    read.take(MAX_LINE as u64 + 1).read_until(b'\n', &mut line)?;
    match line.pop() {
        None => Ok(None),
        Some(b'\n') => Ok(Some(line)),
        Some(_) if line.len() >= MAX_LINE => Err(io::Error::new(io::ErrorKind::InvalidData, "a line too long")),
        // the helper ended in the middle of a line: no answer
        Some(_) => Ok(None),
    }
}

/// The helper's side: the rotation lock, taken at once (the caller holds the provider lock, and whoever
/// held the rotation lock before was waited for by it), then [`READY`] on stdout.
pub fn take_over(_provider_lock: &Path, rotation_lock: &Path) -> Result<LockGuard, LockError> {
    let guard = lock_exclusive(rotation_lock, Duration::ZERO)?;
    Channel::of_stdout()
        .and_then(|mut to_caller| to_caller.answer(READY))
        .map_err(|source| LockError::Open { path: rotation_lock.to_owned(), source })?;
    Ok(guard)
}

impl Channel {
    /// The helper's side: its stdout (answers) and stdin (the request).
    pub fn of_stdout() -> io::Result<Self> {
        Ok(Self { to: Some(Box::new(io::stdout())), lines: None })
    }

    /// Sends the whole request and closes the sending half.
    pub fn send(&mut self, request: &[u8]) -> io::Result<()> {
        let mut to = self.to.take().ok_or(io::ErrorKind::BrokenPipe)?;
        to.write_all(request)?;
        to.flush()
    }

    /// Everything the caller sent, up to its closing (at most `cap` bytes); empty if it sent nothing. The
    /// caller sends as soon as it reads [`READY`]: a helper started by hand, whose stdin is a console, gives
    /// up after [`REQUEST_WAIT`] rather than keep the rotation lock (the process ends, and the read with it).
    pub fn receive_all(&mut self, cap: usize) -> io::Result<Vec<u8>> {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut all = Vec::new();
            let read = match io::stdin().lock().take(cap as u64 + 1).read_to_end(&mut all) {
                // a caller gone before it wrote: the pipe is broken, which is no request either
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(Vec::new()),
                other => other.map(|_| all),
            };
            let _ = tx.send(read);
        });
        let all = rx.recv_timeout(REQUEST_WAIT).map_err(|_| io::Error::from(io::ErrorKind::TimedOut))??;
        if all.len() > cap {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "the request is too long"));
        }
        Ok(all)
    }

    /// The next line from the helper, waiting until `deadline`; `Ok(None)` if it ended first.
    fn next_line(&mut self, deadline: Instant) -> io::Result<Option<Vec<u8>>> {
        let lines = self.lines.as_ref().ok_or(io::ErrorKind::Unsupported)?;
        match lines.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) => line.map(Some),
            Err(RecvTimeoutError::Timeout) => Err(io::ErrorKind::TimedOut.into()),
            Err(RecvTimeoutError::Disconnected) => Ok(None),
        }
    }

    /// One reply line, waiting until `deadline`; `Ok(None)` if the helper ended without one.
    pub fn reply(&mut self, deadline: Instant, cap: usize) -> io::Result<Option<Vec<u8>>> {
        match self.next_line(deadline)? {
            Some(line) if line.len() > cap => Err(io::Error::new(io::ErrorKind::InvalidData, "the reply is too long")),
            line => Ok(line),
        }
    }

    /// The helper's answer, one line.
    pub fn answer(&mut self, line: &[u8]) -> io::Result<()> {
        let to = self.to.as_mut().ok_or(io::ErrorKind::BrokenPipe)?;
        to.write_all(line)?;
        to.write_all(b"\n")?;
        to.flush()
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    /// This test binary started as the helper, with the name of the test below and a folder.
    fn helper() -> HelperCommand {
        let name = "sys::detached::windows::tests::helper_role";
        let args = [name, "--exact", "--include-ignored", "-q", "--test-threads=1"];
        HelperCommand { program: std::env::current_exe().unwrap(), args: args.iter().map(OsString::from).collect() }
    }

    /// The helper as `__redeem` behaves: the rotation lock, the request, the store (which takes a while,
    /// as an IdP does), the lock let go, one answer. It writes down how it ended, in `ended`.
    #[test]
    #[ignore = "the helper process of the tests below, which start this binary with its name"]
    fn helper_role() {
        let dir = PathBuf::from(std::env::args_os().last().unwrap());
        let ended = (|| {
            let guard = take_over(&dir.join("provider.lock"), &dir.join("rotation.lock")).map_err(|_| "not ready")?;
            let mut channel = Channel::of_stdout().map_err(|_| "no channel")?;
            let request = channel.receive_all(1024).map_err(|_| "no request")?;
            if request.is_empty() {
                return Err("an empty request"); // the caller went before it sent anything
            }
            std::thread::sleep(Duration::from_millis(300));
            std::fs::write(dir.join("stored"), &request).unwrap();
            drop(guard);
            let _ = channel.answer(b"stored");
            Ok("stored")
        })();
        std::fs::write(dir.join("ended"), ended.unwrap_or_else(|e| e)).unwrap();
    }

    fn caller() -> (tempfile::TempDir, LockGuard) {
        let dir = tempfile::tempdir().unwrap();
        let provider = lock_exclusive(&dir.path().join("provider.lock"), Duration::ZERO).unwrap();
        (dir, provider)
    }

    fn soon() -> Instant {
        Instant::now() + Duration::from_secs(30)
    }

    #[test]
    fn a_caller_that_waits_gets_the_helpers_answer() {
        let (dir, provider) = caller();
        let mut channel = spawn(&helper(), &[dir.path().into()], provider.share().unwrap(), soon()).expect("ready");
        channel.send(b"tokens-1").unwrap();
        assert_eq!(channel.reply(soon(), 64).unwrap().as_deref(), Some(&b"stored"[..]));
        assert_eq!(std::fs::read(dir.path().join("stored")).unwrap(), b"tokens-1");
    }

    #[test]
    fn a_caller_gone_after_the_hand_over_leaves_the_next_one_waiting_for_the_store() {
        let (dir, provider) = caller();
        let mut channel = spawn(&helper(), &[dir.path().into()], provider.share().unwrap(), soon()).expect("ready");
        channel.send(b"tokens-2").unwrap();
        // killed: the OS closes its handles, so its lock and its ends of the pipes go
        drop((channel, provider));
        let _next = lock_exclusive(&dir.path().join("provider.lock"), Duration::from_secs(30)).unwrap();
        drop(lock_exclusive(&dir.path().join("rotation.lock"), Duration::from_secs(30)).unwrap());
        let stored = std::fs::read(dir.path().join("stored"));
        assert_eq!(stored.ok().as_deref(), Some(&b"tokens-2"[..]), "the next caller went on before the store");
    }

    #[test]
    fn a_helper_that_cannot_take_the_rotation_lock_is_never_ready() {
        let (dir, provider) = caller();
        let _held = lock_exclusive(&dir.path().join("rotation.lock"), Duration::ZERO).unwrap();
        let spawned = spawn(&helper(), &[dir.path().into()], provider.share().unwrap(), soon());
        assert!(spawned.is_err(), "ready without the lock");
        assert!(!dir.path().join("stored").exists());
    }

    #[test]
    fn a_helper_not_ready_in_time_is_sent_nothing_and_redeems_nothing() {
        let (dir, provider) = caller();
        let spawned = spawn(&helper(), &[dir.path().into()], provider.share().unwrap(), Instant::now());
        assert!(spawned.is_err(), "ready with no time to get ready");
        // it finds the caller's ends of its pipes closed, and ends without redeeming
        let ended = dir.path().join("ended");
        let started = Instant::now();
        while !ended.exists() && started.elapsed() < Duration::from_secs(30) {
            std::thread::sleep(Duration::from_millis(20)); // (a file another process makes: no signal to wait on)
        }
        let ended = std::fs::read_to_string(ended).expect("the helper ended");
        assert_ne!(ended, "stored", "a helper given nothing redeemed something");
        assert!(!dir.path().join("stored").exists());
    }

    #[test]
    fn lines_are_capped_and_a_cut_off_line_is_no_answer() {
        let long = vec![b'x'; MAX_LINE + 10];
        assert!(read_line(&mut &long[..]).is_err());
        assert_eq!(read_line(&mut &b"half"[..]).unwrap(), None);
        assert_eq!(read_line(&mut &b"ready\nmore"[..]).unwrap().as_deref(), Some(&b"ready"[..]));
        assert_eq!(read_line(&mut &b""[..]).unwrap(), None);
    }
}
