//! One tray per idbridge home, and a second launch opens Settings in it. The running tray holds a lock
//! file (the OS drops it when the process dies, however it dies) and listens on a loopback port whose
//! number and key it publishes in a private file (0600 in a 0700 directory), the same way as the
//! credential endpoint. A second launch that cannot take the lock connects there, says the key and
//! ends: on every system, without a bus or a named pipe.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use idbridge_core::Paths;
use idbridge_core::state::endpoint_file::{self, Published};
use idbridge_core::sys::lock::{LockError, LockGuard, lock_exclusive};
use idbridge_core::sys::secret::Secret;

/// A running tray answers at once; a starting one publishes within this.
const FIND_WAIT: Duration = Duration::from_secs(5);
/// A caller that says nothing is dropped after this.
const READ_TIMEOUT: Duration = Duration::from_secs(2);
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
    /// Calls `second_launch` for each caller that says the key, on a thread of its own.
    pub fn serve(self, second_launch: impl Fn() + Send + 'static) {
        std::thread::spawn(move || {
            let _hold = self._lock;
            for stream in self.listener.incoming().flatten() {
                if answer(stream, &self.key) {
                    second_launch();
                }
            }
        });
    }
}

/// Removes the file if it is this process's (Quit, a signal); a tray killed outright leaves it, and a
/// second launch then finds its port dead and the lock free.
pub fn withdraw(paths: &Paths) {
    endpoint_file::withdraw(&paths.tray_instance_file(), std::process::id());
}

/// One caller: its first line must be the key; it hears "ok" once the tray has taken it.
fn answer(stream: TcpStream, key: &Secret) -> bool {
    let _ = stream.set_read_timeout(Some(READ_TIMEOUT));
    let Ok(reader) = stream.try_clone() else { return false };
    let mut line = String::new();
    if BufReader::new(reader.take(LINE_CAP)).read_line(&mut line).is_err() || !key.matches(line.trim_end().as_bytes()) {
        return false;
    }
    let _ = (&stream).write_all(b"ok\n");
    true
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
