//! Files written whole or not at all: a temporary file in the same directory, fsync'd and renamed, so a
//! reader (or a crash) sees the old or the new file, never half of one.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Creates `dir` (and parents) readable by the owner only; refuses a symlink or someone else's directory.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    super::safe_fs::create_private_dir(dir).map_err(|e| match e {
        super::safe_fs::SafeFsError::Io { source, .. } => source,
        unsafe_dir => std::io::Error::new(std::io::ErrorKind::PermissionDenied, unsafe_dir.to_string()),
    })
}

/// Temp file in the same directory (0600 from creation), fsync, rename over `path`, fsync the directory.
pub fn write_private_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    create_private_dir(path.parent().unwrap_or(Path::new(".")))?;
    write_atomically(path, bytes, 0o600)
}

/// Replaces `path` whole with `bytes` (a reader sees the old or the new file, never half of one).
/// The directory must exist; the file gets `mode`.
pub fn write_atomically(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile_in(dir, mode)?;
    // a full disk fails the write or the sync: leave no half-written temp file behind
    tmp.1.write_all(bytes).and_then(|()| tmp.1.sync_all()).and_then(|()| rename(&tmp.0, path)).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp.0);
    })?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// `std::fs::rename`, retried for a moment on Windows when the target is held: a reader of the old file
/// (another `credential_process` call), a virus scanner or the indexer can hold it briefly, and Windows
/// (or Wine, without POSIX rename semantics) then refuses the replacement with "access denied".
fn rename(from: &Path, to: &Path) -> std::io::Result<()> {
    #[cfg(windows)]
    for wait_ms in [1u64, 2, 5, 10, 20, 50, 100, 200] {
        match std::fs::rename(from, to) {
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                std::thread::sleep(std::time::Duration::from_millis(wait_ms))
            }
            other => return other,
        }
    }
    std::fs::rename(from, to)
}

fn tempfile_in(dir: &Path, mode: u32) -> std::io::Result<(PathBuf, std::fs::File)> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    #[cfg(not(unix))]
    let _ = mode;
    let pid = std::process::id();
    for attempt in 0..100u32 {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        let p = dir.join(format!(".tmp-{pid}-{nanos}-{attempt}"));
        match options.open(&p) {
            Ok(f) => return Ok((p, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("could not create a temporary file"))
}
