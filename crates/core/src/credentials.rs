//! AWS credentials in the credential_process format (Version 1), and the per-profile file that holds them.
//!
//! The file is byte for byte what `credential_process` prints, so serving a fresh one is a read and a
//! write of the same bytes. It is written to a temporary file, fsync'd and renamed (a reader sees the old
//! or the new file, never half of one), 0600 in a 0700 directory.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::secret::Secret;

/// A credential_process answer is about 2 KB; anything far bigger is not ours and is not read whole.
pub const FILE_CAP: u64 = 64 * 1024;

#[derive(Debug, Clone, PartialEq)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: Secret,
    pub expiration: OffsetDateTime,
}

#[derive(Debug, thiserror::Error)]
pub enum CredentialFileError {
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path} is not credential_process JSON ({reason}); it will be replaced on the next refresh")]
    Corrupt { path: PathBuf, reason: String },
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Wire {
    version: u8,
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
    expiration: String,
}

impl Credentials {
    /// The credential_process JSON: Version 1, Expiration in UTC with a trailing Z and whole seconds.
    pub fn to_process_json(&self) -> String {
        let json = serde_json::json!({
            "Version": 1,
            "AccessKeyId": self.access_key_id,
            "SecretAccessKey": self.secret_access_key.expose(),
            "SessionToken": self.session_token.expose(),
            "Expiration": format_expiration(self.expiration),
        });
        json.to_string()
    }

    pub fn from_process_json(bytes: &[u8]) -> Result<Self, String> {
        let w: Wire = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        if w.version != 1 {
            return Err(format!("Version is {}, expected 1", w.version));
        }
        let expiration = OffsetDateTime::parse(&w.expiration, &Rfc3339).map_err(|e| format!("Expiration: {e}"))?;
        Ok(Self {
            access_key_id: w.access_key_id,
            secret_access_key: Secret::new(w.secret_access_key),
            session_token: Secret::new(w.session_token),
            expiration,
        })
    }

    /// Still accepted by AWS (a fallback when a refresh fails).
    pub fn is_valid(&self, now: OffsetDateTime) -> bool {
        self.expiration - now > time::Duration::seconds(60)
    }
}

pub fn format_expiration(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// A credential file's bytes and what they say; `None` when there is no file.
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

pub fn read_file(path: &Path) -> Result<Option<StoredCredentials>, CredentialFileError> {
    use std::io::Read;
    let read_err = |source| CredentialFileError::Read { path: path.to_owned(), source };
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(read_err(source)),
    };
    let written = file.metadata().and_then(|m| m.modified()).ok().map(OffsetDateTime::from);
    let mut bytes = Vec::new();
    file.take(FILE_CAP + 1).read_to_end(&mut bytes).map_err(read_err)?;
    if bytes.len() as u64 > FILE_CAP {
        let reason = format!("larger than {} KB", FILE_CAP / 1024);
        return Err(CredentialFileError::Corrupt { path: path.to_owned(), reason });
    }
    let credentials = Credentials::from_process_json(&bytes)
        .map_err(|reason| CredentialFileError::Corrupt { path: path.to_owned(), reason })?;
    Ok(Some(StoredCredentials { bytes, credentials, written }))
}

pub fn write_file(path: &Path, credentials: &Credentials) -> Result<Vec<u8>, CredentialFileError> {
    let bytes = credentials.to_process_json().into_bytes();
    write_private_atomically(path, &bytes).map_err(|source| CredentialFileError::Write { path: path.to_owned(), source })?;
    Ok(bytes)
}

/// Creates `dir` (and parents) readable by the owner only.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // an existing directory keeps its mode with create(): tighten it
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
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
    tmp.1.write_all(bytes)?;
    tmp.1.sync_all()?;
    std::fs::rename(&tmp.0, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp.0);
    })?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
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
        let nanos = OffsetDateTime::now_utc().nanosecond();
        let p = dir.join(format!(".tmp-{pid}-{nanos}-{attempt}"));
        match options.open(&p) {
            Ok(f) => return Ok((p, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("could not create a temporary file"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn sample() -> Credentials {
        Credentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: Secret::new("s3cr3t"),
            session_token: Secret::new("tok3n"),
            expiration: datetime!(2026-11-24 10:00:00.75 +09:00),
        }
    }

    #[test]
    fn process_json_is_version_1_with_utc_z_whole_seconds() {
        let json: serde_json::Value = serde_json::from_str(&sample().to_process_json()).unwrap();
        assert_eq!(json["Version"], 1);
        assert_eq!(json["Expiration"], "2026-11-24T01:00:00Z");
        assert_eq!(json["SecretAccessKey"], "s3cr3t");
        let back = Credentials::from_process_json(sample().to_process_json().as_bytes()).unwrap();
        assert_eq!(back.expiration, datetime!(2026-11-24 01:00:00 UTC));
    }

    #[test]
    fn validity_keeps_a_minute_of_margin() {
        let c = sample();
        assert!(c.is_valid(c.expiration - time::Duration::minutes(5)));
        assert!(!c.is_valid(c.expiration - time::Duration::seconds(30)));
    }

    #[test]
    fn debug_never_shows_the_secret_parts() {
        let dbg = format!("{:?}", sample());
        assert!(!dbg.contains("s3cr3t") && !dbg.contains("tok3n"), "{dbg}");
    }

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
        let path = dir.path().join("x.json");
        std::fs::write(&path, br#"{"Version":2}"#).unwrap();
        let e = read_file(&path).err().unwrap().to_string();
        assert!(e.contains("is not credential_process JSON"), "{e}");
        assert!(read_file(&dir.path().join("absent.json")).unwrap().is_none());
    }
}
