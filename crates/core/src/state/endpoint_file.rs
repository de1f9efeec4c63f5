//! The tray's credential endpoint, for `idbridge env --server`: its port, its process and the key the
//! route tokens come from, in a private file (0600 in a 0700 directory) written whole while the tray
//! runs and removed when it ends. A file left by a tray that died is recognised and refused.

use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::sys::{atomic, safe_fs, secret::Secret};

/// A few dozen bytes are written: anything larger is not ours.
const FILE_CAP: u64 = 4 * 1024;
/// A live tray accepts at once; this only bounds a machine under load.
const PROBE_TIMEOUT: Duration = Duration::from_millis(500);

/// What the tray publishes.
#[derive(Debug)]
pub struct Published {
    pub port: u16,
    pub pid: u32,
    pub key: Secret,
}

#[derive(Serialize, Deserialize)]
struct Wire {
    port: u16,
    pid: u32,
    key: String,
}

#[derive(Debug, thiserror::Error)]
pub enum EndpointFileError {
    #[error("the idbridge tray app is not running (start it, or use `idbridge exec --server`)")]
    NotRunning,
    #[error(
        "the idbridge tray app that served credentials (process {pid}) has ended: start it again, or use `idbridge exec --server`"
    )]
    Stale { pid: u32 },
    #[error("{path} is not a file the tray app wrote; remove it and start the tray app again")]
    Invalid { path: String },
    #[error(transparent)]
    Unsafe(#[from] safe_fs::SafeFsError),
}

/// Writes the file (the tray, once its endpoint listens).
pub fn publish(path: &Path, published: &Published) -> std::io::Result<()> {
    let wire = Wire { port: published.port, pid: published.pid, key: published.key.expose().to_string() };
    let bytes = serde_json::to_vec(&wire).map_err(std::io::Error::other)?;
    atomic::write_private_atomically(path, &bytes)
}

/// Removes the file if it is still `pid`'s (a second tray that started since keeps its own).
pub fn withdraw(path: &Path, pid: u32) {
    if read_file(path).is_ok_and(|p| p.pid == pid) {
        let _ = std::fs::remove_file(path);
    }
}

/// The running tray's endpoint: the file must be ours, its process alive and its port answering.
pub fn find(path: &Path) -> Result<Published, EndpointFileError> {
    let published = read_file(path)?;
    let port_answers =
        || TcpStream::connect_timeout(&SocketAddr::from((Ipv4Addr::LOCALHOST, published.port)), PROBE_TIMEOUT).is_ok();
    if !alive(published.pid) || !port_answers() {
        return Err(EndpointFileError::Stale { pid: published.pid });
    }
    Ok(published)
}

fn read_file(path: &Path) -> Result<Published, EndpointFileError> {
    let bytes = safe_fs::read(path, safe_fs::Privacy::Secret, FILE_CAP)?.ok_or(EndpointFileError::NotRunning)?;
    let invalid = || EndpointFileError::Invalid { path: path.display().to_string() };
    let wire: Wire = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    if wire.port == 0 || wire.key.len() < 32 || !wire.key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(invalid());
    }
    Ok(Published { port: wire.port, pid: wire.pid, key: Secret::new(wire.key) })
}

/// Whether process `pid` exists: known on Linux (/proc); elsewhere the port probe decides alone. (Not a
/// runtime probe for /proc: a Windows program under Wine sees Linux's /proc, whose pids are not its own.)
#[cfg(target_os = "linux")]
fn alive(pid: u32) -> bool {
    Path::new("/proc").join(pid.to_string()).exists()
}

#[cfg(not(target_os = "linux"))]
fn alive(_pid: u32) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tray").join("endpoint.json");
        (dir, path)
    }

    #[test]
    fn a_live_endpoint_is_found_and_withdrawn_only_by_its_own_process() {
        let (_dir, path) = file();
        assert!(matches!(find(&path), Err(EndpointFileError::NotRunning)));
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let key = Secret::random(32).unwrap();
        publish(&path, &Published { port, pid: std::process::id(), key: key.clone() }).unwrap();
        let found = find(&path).unwrap();
        assert_eq!((found.port, found.key.expose()), (port, key.expose()));
        withdraw(&path, std::process::id() + 1);
        assert!(path.exists(), "another tray's file stays");
        withdraw(&path, std::process::id());
        assert!(matches!(find(&path), Err(EndpointFileError::NotRunning)));
    }

    #[test]
    fn a_dead_trays_file_and_a_foreign_file_are_refused() {
        let (_dir, path) = file();
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener); // the tray died: nothing listens there any more
        let key = Secret::random(32).unwrap();
        publish(&path, &Published { port, pid: std::process::id(), key }).unwrap();
        assert!(matches!(find(&path), Err(EndpointFileError::Stale { .. })));
        atomic::write_private_atomically(&path, b"{\"port\":1,\"pid\":1,\"key\":\"short\"}").unwrap();
        assert!(matches!(find(&path), Err(EndpointFileError::Invalid { .. })));
    }
}
