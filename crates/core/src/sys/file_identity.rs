//! Which file, exactly (following symlinks): device, inode, size and both times, so that any edit or
//! swap, even one that keeps the mtime, is seen.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// Which config.toml, exactly (following symlinks): any edit or swap changes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileIdentity {
    dev: u64,
    ino: u64,
    size: u64,
    mtime_ns: i128,
    ctime_ns: i128,
}

impl FileIdentity {
    pub fn of(path: &Path) -> Option<Self> {
        let m = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let ns = |s: i64, n: i64| i128::from(s) * 1_000_000_000 + i128::from(n);
            Some(Self {
                dev: m.dev(),
                ino: m.ino(),
                size: m.size(),
                mtime_ns: ns(m.mtime(), m.mtime_nsec()),
                ctime_ns: ns(m.ctime(), m.ctime_nsec()),
            })
        }
        // the volume and file index need an open handle (unstable in std): size and both times, in
        // 100 ns units, with the creation time changing when a file is swapped in by a rename
        #[cfg(windows)]
        {
            use std::os::windows::fs::MetadataExt;
            let (written, created) = (i128::from(m.last_write_time()), i128::from(m.creation_time()));
            Some(Self { dev: 0, ino: 0, size: m.file_size(), mtime_ns: written * 100, ctime_ns: created * 100 })
        }
        #[cfg(not(any(unix, windows)))]
        {
            let since = m.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?;
            Some(Self { dev: 0, ino: 0, size: m.len(), mtime_ns: since.as_nanos() as i128, ctime_ns: 0 })
        }
    }
}
