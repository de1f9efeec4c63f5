//! Per-profile and per-provider file locks (flock through std's `File::lock`), so that of many processes
//! at once exactly one refreshes and the others wait for its result. The kernel drops the lock when its
//! holder dies, so a killed process never blocks anyone.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("cannot open lock file {path}: {source}")]
    Open { path: PathBuf, source: std::io::Error },
    #[error("gave up after {waited:?} waiting for another idbridge process holding {path}")]
    Timeout { path: PathBuf, waited: Duration },
}

/// Held until dropped.
#[derive(Debug)]
pub struct LockGuard {
    _file: File,
}

impl LockGuard {
    /// The same lock for a helper process to hold (`sys::detached`): it stays taken until both this
    /// guard and the helper's copy are gone.
    pub fn share(&self) -> std::io::Result<File> {
        self._file.try_clone()
    }

    /// A lock handed over by the process that started this one, as `file`: taken only if it is the file
    /// at `path` and that file is locked (a helper started by hand, without it, must not act as if).
    #[cfg(unix)]
    pub fn adopt(file: File, path: &Path) -> Result<Self, LockError> {
        use std::os::unix::fs::MetadataExt;
        let refuse = |why: &str| LockError::Open {
            path: path.to_owned(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidInput, why.to_string()),
        };
        let (given, named) = (file.metadata(), std::fs::symlink_metadata(path));
        let same = matches!((given, named), (Ok(g), Ok(n)) if g.dev() == n.dev() && g.ino() == n.ino());
        if !same {
            return Err(refuse("the handed-over lock is not this lock file"));
        }
        let probe = crate::sys::safe_fs::open_lock(path).map_err(|_| refuse("cannot open the lock file"))?;
        match probe.try_lock() {
            Err(std::fs::TryLockError::WouldBlock) => Ok(Self { _file: file }),
            _ => Err(refuse("the handed-over lock is not held")),
        }
    }
}

/// Takes the exclusive lock on `path`, waiting at most `timeout`.
///
/// flock has no timeout of its own: a helper thread blocks on it and hands the locked file over. If we
/// stop waiting first, the thread drops the file as soon as it gets the lock, releasing it again.
pub fn lock_exclusive(path: &Path, timeout: Duration) -> Result<LockGuard, LockError> {
    if let Some(dir) = path.parent() {
        crate::sys::atomic::create_private_dir(dir)
            .map_err(|source| LockError::Open { path: path.to_owned(), source })?;
    }
    // no symlink followed, no FIFO waited on (a planted link must not make us create or lock another file)
    let file = crate::sys::safe_fs::open_lock(path).map_err(|e| match e {
        crate::sys::safe_fs::SafeFsError::Io { source, .. } => LockError::Open { path: path.to_owned(), source },
        unsafe_file => LockError::Open {
            path: path.to_owned(),
            source: std::io::Error::new(std::io::ErrorKind::PermissionDenied, unsafe_file.to_string()),
        },
    })?;
    match file.try_lock() {
        Ok(()) => return Ok(LockGuard { _file: file }),
        // asked not to wait (the tray's single instance): no thread left blocked on a lock held for hours
        Err(std::fs::TryLockError::WouldBlock) if timeout.is_zero() => {
            return Err(LockError::Timeout { path: path.to_owned(), waited: timeout });
        }
        Err(std::fs::TryLockError::WouldBlock) => {}
        Err(std::fs::TryLockError::Error(source)) => return Err(LockError::Open { path: path.to_owned(), source }),
    }
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let result = file.lock().map(|()| file);
        let _ = tx.send(result);
    });
    match rx.recv_timeout(timeout) {
        Ok(Ok(file)) => Ok(LockGuard { _file: file }),
        Ok(Err(source)) => Err(LockError::Open { path: path.to_owned(), source }),
        Err(_) => Err(LockError::Timeout { path: path.to_owned(), waited: timeout }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_taker_waits_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("locks/profile-dev.lock");
        let first = lock_exclusive(&path, Duration::from_secs(1)).unwrap();
        let e = lock_exclusive(&path, Duration::from_millis(50)).unwrap_err();
        assert!(matches!(e, LockError::Timeout { .. }), "{e}");
        let e = lock_exclusive(&path, Duration::ZERO).unwrap_err();
        assert!(matches!(e, LockError::Timeout { .. }), "without waiting: {e}");
        assert!(e.to_string().contains("profile-dev.lock"));

        let (tx, rx) = std::sync::mpsc::channel();
        let p2 = path.clone();
        let waiter = std::thread::spawn(move || {
            let g = lock_exclusive(&p2, Duration::from_secs(10));
            tx.send(()).unwrap();
            g.map(|_| ())
        });
        assert!(rx.recv_timeout(Duration::from_millis(100)).is_err(), "must still be waiting");
        drop(first);
        rx.recv_timeout(Duration::from_secs(10)).expect("got the lock after release");
        waiter.join().unwrap().unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn only_the_held_lock_file_itself_is_adopted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("locks/provider-a.lock");
        let held = lock_exclusive(&path, Duration::from_secs(1)).unwrap();
        let other = std::fs::File::create(dir.path().join("other")).unwrap();
        assert!(LockGuard::adopt(other, &path).is_err(), "another file");
        let adopted = LockGuard::adopt(held.share().unwrap(), &path).unwrap();
        drop(held);
        // the adopted copy keeps the lock taken after the original guard is gone
        assert!(lock_exclusive(&path, Duration::from_millis(50)).is_err());
        drop(adopted);
        let free = lock_exclusive(&path, Duration::from_secs(1)).unwrap();
        assert!(LockGuard::adopt(free.share().unwrap(), &path).is_ok());
        let unheld = crate::sys::safe_fs::open_lock(&path).unwrap();
        drop(free);
        assert!(LockGuard::adopt(unheld, &path).is_err(), "not locked");
    }
}
