//! The per-profile credential file: byte for byte what `credential_process` prints, so serving a fresh
//! one is a read and a write of the same bytes. Written whole (sys::atomic), 0600 in a 0700 directory.

use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use crate::aws::credentials::Credentials;
use crate::sys::atomic::write_private_atomically;
use crate::sys::safe_fs::{self, Privacy, SafeFsError};

/// A credential_process answer is about 2 KB; anything far bigger is not ours and is not read whole.
pub const FILE_CAP: u64 = 64 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum CredentialFileError {
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path} is not credential_process JSON ({reason}); it will be replaced on the next refresh")]
    Corrupt { path: PathBuf, reason: String },
    /// A symlink, FIFO, foreign or open file or directory: refused, with what to fix.
    #[error(transparent)]
    Unsafe(SafeFsError),
}

/// A credential file's bytes and what they say.
#[derive(Debug, Clone)]
pub struct StoredCredentials {
    pub bytes: Vec<u8>,
    pub credentials: Credentials,
    /// When the file was written, which is when the credentials were issued (it is never touched after).
    pub written: Option<OffsetDateTime>,
}

impl StoredCredentials {
    /// The validity the credentials were issued with; `None` if the file's time makes no sense.
    pub fn lifetime(&self) -> Option<time::Duration> {
        let written = self.written?;
        let lifetime = self.credentials.expiration - written;
        (lifetime.is_positive() && lifetime <= time::Duration::hours(36)).then_some(lifetime)
    }
}

/// Reads a profile's file through [`safe_fs`]: no symlink followed, no FIFO waited on, only a
/// 0600 file of ours in a 0700 directory of ours, at most [`FILE_CAP`].
pub fn read_file(path: &Path) -> Result<Option<StoredCredentials>, CredentialFileError> {
    let (bytes, meta) = match safe_fs::read_with_metadata(path, Privacy::Secret, FILE_CAP) {
        Ok(Some(found)) => found,
        Ok(None) => return Ok(None),
        Err(SafeFsError::Io { path, source }) => return Err(CredentialFileError::Read { path, source }),
        Err(e) => return Err(CredentialFileError::Unsafe(e)),
    };
    let written = meta.modified().ok().map(OffsetDateTime::from);
    let credentials = Credentials::from_process_json(&bytes)
        .map_err(|reason| CredentialFileError::Corrupt { path: path.to_owned(), reason })?;
    Ok(Some(StoredCredentials { bytes, credentials, written }))
}

/// The file if it can be served: `None` when absent, unreadable or corrupt (a refresh replaces it), an
/// error when it is unsafe (a refresh must not silently work around a planted file or an open directory).
pub fn read_usable(path: &Path) -> Result<Option<StoredCredentials>, CredentialFileError> {
    match read_file(path) {
        Err(e @ CredentialFileError::Unsafe(_)) => Err(e),
        other => Ok(other.ok().flatten()),
    }
}

pub fn write_file(path: &Path, credentials: &Credentials) -> Result<Vec<u8>, CredentialFileError> {
    let bytes = credentials.to_process_json().into_bytes();
    write_private_atomically(path, &bytes)
        .map_err(|source| CredentialFileError::Write { path: path.to_owned(), source })?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::atomic::create_private_dir;

    #[cfg(unix)]
    use crate::aws::credentials::sample;

    #[cfg(unix)] // modes
    #[test]
    fn files_are_private_and_replaced_whole() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/credentials/dev.json");
        write_file(&path, &sample()).unwrap();
        let mut second = sample();
        second.access_key_id = "ASIASECOND".into();
        let bytes = write_file(&path, &second).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), bytes);
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        let dir_mode = std::fs::metadata(path.parent().unwrap()).unwrap().permissions().mode();
        assert_eq!(dir_mode & 0o777, 0o700);
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temp file is left behind");
        assert_eq!(read_file(&path).unwrap().unwrap().credentials.access_key_id, "ASIASECOND");
    }

    #[test]
    fn a_corrupt_file_is_reported_not_served() {
        let dir = tempfile::tempdir().unwrap();
        create_private_dir(&dir.path().join("credentials")).unwrap();
        let path = dir.path().join("credentials/x.json");
        std::fs::write(&path, br#"{"Version":2}"#).unwrap();
        #[cfg(unix)]
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
        let e = read_file(&path).err().unwrap().to_string();
        assert!(e.contains("is not credential_process JSON"), "{e}");
        assert!(read_file(&dir.path().join("credentials/absent.json")).unwrap().is_none());
    }
}
