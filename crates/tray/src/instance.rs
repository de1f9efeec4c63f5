//! One tray per idbridge home, and a second launch opens Settings in it. The running tray holds a lock
//! file (the OS drops it when the process dies, however it dies) and listens on a loopback port whose
//! number and key it publishes in a private file (0600 in a 0700 directory), the same way as the
//! credential endpoint. A second launch that cannot take the lock connects there, says the key and
//! ends: on every system, without a bus or a named pipe.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use idbridge_core::Paths;
use idbridge_core::state::endpoint_file::{self, Published};
use idbridge_core::sys::lock::{LockError, LockGuard, lock_exclusive};
use idbridge_core::sys::secret::Secret;

/// A running tray answers at once; a starting one publishes within this.
const FIND_WAIT: Duration = Duration::from_secs(5);
/// A caller is heard for this long in all.
const READ_TIMEOUT: Duration = Duration::from_secs(2);
/// Callers heard at once (a second launch is one; more at once is not a person).
const MAX_CALLERS: usize = 4;
/// The key line and "ok": anything longer is not ours.
const LINE_CAP: u64 = 256;

pub enum Claim {
    First(Instance),
    Running,
}

/// The first tray's hold: the lock and the listening port.
pub struct Instance {
    _lock: LockGuard,
    listener: TcpListener,
    key: Secret,
}

pub fn claim(paths: &Paths) -> std::io::Result<Claim> {
    let lock = match lock_exclusive(&paths.tray_lock(), Duration::ZERO) {
        Ok(lock) => lock,
        Err(LockError::Timeout { .. }) => return Ok(Claim::Running),
        Err(LockError::Open { source, .. }) => return Err(source),
    };
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    let key = Secret::random(32)?;
    let file = paths.tray_instance_file();
    let published = Published { port: listener.local_addr()?.port(), pid: std::process::id(), key: key.clone() };
    endpoint_file::publish(&file, &published)?;
    Ok(Claim::First(Instance { _lock: lock, listener, key }))
}

impl Instance {
    /// Calls `second_launch` for each caller that says the key. Each caller is heard on a thread of its own
    /// for at most [`READ_TIMEOUT`] in all, so a program that connects and dribbles bytes holds up nobody;
    /// beyond [`MAX_CALLERS`] at once, callers are turned away.
    pub fn serve(self, second_launch: impl Fn() + Send + Sync + 'static) {
        let Instance { _lock: lock, listener, key } = self;
        let (key, second_launch) = (Arc::new(key), Arc::new(second_launch));
        let busy = Arc::new(AtomicUsize::new(0));
        std::thread::spawn(move || {
            let _hold = lock;
            for stream in listener.incoming().flatten() {
                if busy.fetch_add(1, Ordering::SeqCst) >= MAX_CALLERS {
                    busy.fetch_sub(1, Ordering::SeqCst);
                    continue;
                }
                let (key, second_launch, busy) = (key.clone(), second_launch.clone(), busy.clone());
                std::thread::spawn(move || {
                    if answer(&stream, &key) {
                        second_launch();
                    }
                    busy.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
    }
}

/// Removes the file if it is this process's (Quit, a signal); a tray killed outright leaves it, and a
/// second launch then finds its port dead and the lock free.
pub fn withdraw(paths: &Paths) {
    endpoint_file::withdraw(&paths.tray_instance_file(), std::process::id());
}

/// One caller: its first line must be the key, within the time allowed; it hears "ok" once the tray has
/// taken it.
fn answer(stream: &TcpStream, key: &Secret) -> bool {
    let Some(line) = first_line(stream, Instant::now() + READ_TIMEOUT) else { return false };
    if !key.matches(line.as_bytes()) {
        return false;
    }
    let _ = (&*stream).write_all(b"ok\n");
    true
}

/// The bytes before the first newline, if it comes before `deadline` and within [`LINE_CAP`].
fn first_line(stream: &TcpStream, deadline: Instant) -> Option<String> {
    let (mut line, mut chunk) = (Vec::new(), [0u8; 64]);
    loop {
        let left = deadline.checked_duration_since(Instant::now()).filter(|d| !d.is_zero())?;
        stream.set_read_timeout(Some(left)).ok()?;
        let n = (&*stream).read(&mut chunk).ok().filter(|n| *n > 0)?;
        line.extend_from_slice(&chunk[..n]);
        if let Some(end) = line.iter().position(|b| *b == b'\n') {
            line.truncate(end);
            return String::from_utf8(line).ok();
        }
        if line.len() as u64 > LINE_CAP {
            return None;
        }
    }
}

/// The second launch: asks the running tray to open Settings. The tray may still be starting (it holds
/// the lock before it publishes), so its file is looked for a few seconds.
pub fn tell_running(paths: &Paths) -> Result<(), String> {
    let file = paths.tray_instance_file();
    let deadline = Instant::now() + FIND_WAIT;
    let published = loop {
        match endpoint_file::find(&file) {
            Ok(p) => break p,
            Err(e) if Instant::now() >= deadline => {
                return Err(format!("idbridge is already running, but does not answer ({e})"));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    };
    let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, published.port)).map_err(|e| e.to_string())?;
    let _ = stream.set_read_timeout(Some(READ_TIMEOUT));
    writeln!(stream, "{}", published.key.expose()).map_err(|e| e.to_string())?;
    let mut reply = String::new();
    let _ = BufReader::new((&stream).take(LINE_CAP)).read_line(&mut reply);
    if reply.trim_end() == "ok" {
        Ok(())
    } else {
        Err("idbridge is already running, but did not take the request".into())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc::channel;

    use super::*;

    fn paths() -> (tempfile::TempDir, Paths) {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::in_home(dir.path());
        (dir, paths)
    }

    #[test]
    fn the_second_claim_finds_the_first_and_reaches_it() {
        let (_dir, paths) = paths();
        let Claim::First(first) = claim(&paths).unwrap() else { panic!("the first claim is the first") };
        assert!(matches!(claim(&paths).unwrap(), Claim::Running));
        let (tx, rx) = channel();
        first.serve(move || tx.send(()).unwrap());
        tell_running(&paths).unwrap();
        rx.recv_timeout(Duration::from_secs(5)).expect("the running tray heard the second launch");
    }

    #[test]
    fn a_caller_without_the_key_is_not_a_second_launch() {
        let (_dir, paths) = paths();
        let Claim::First(first) = claim(&paths).unwrap() else { panic!() };
        let port = endpoint_file::find(&paths.tray_instance_file()).unwrap().port;
        let (tx, rx) = channel();
        first.serve(move || tx.send(()).unwrap());
        for garbage in ["wrong key\n".to_string(), "x".repeat(10_000), String::new()] {
            let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).unwrap();
            let _ = s.write_all(garbage.as_bytes());
            let _ = s.shutdown(std::net::Shutdown::Write);
            let mut reply = String::new();
            let _ = s.read_to_string(&mut reply);
            assert_eq!(reply, "", "no answer to {:.20}", garbage);
        }
        assert!(rx.recv_timeout(Duration::from_millis(200)).is_err());
    }

    #[test]
    fn a_caller_that_dribbles_bytes_holds_up_no_second_launch() {
        let (_dir, paths) = paths();
        let Claim::First(first) = claim(&paths).unwrap() else { panic!() };
        let port = endpoint_file::find(&paths.tray_instance_file()).unwrap().port;
        let (tx, rx) = channel();
        first.serve(move || tx.send(()).unwrap());
        let mut slow = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).unwrap();
        slow.write_all(b"x").unwrap();
        let started = Instant::now();
        tell_running(&paths).unwrap();
        rx.recv_timeout(Duration::from_secs(5)).unwrap();
        assert!(
            started.elapsed() < READ_TIMEOUT,
            "answered while the slow caller still talks: {:?}",
            started.elapsed()
        );
    }

    #[test]
    fn quitting_withdraws_the_file() {
        let (_dir, paths) = paths();
        let Claim::First(_first) = claim(&paths).unwrap() else { panic!() };
        withdraw(&paths);
        assert!(!paths.tray_instance_file().exists());
    }

    #[test]
    fn a_dead_trays_file_is_not_a_running_tray() {
        let (_dir, paths) = paths();
        let Claim::First(first) = claim(&paths).unwrap() else { panic!() };
        drop(first); // the process died: its lock and port are gone, its file is left
        assert!(paths.tray_instance_file().exists());
        assert!(matches!(claim(&paths).unwrap(), Claim::First(_)), "the lock is free again");
    }
}
