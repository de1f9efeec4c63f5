//! `~/.aws/credentials` for tools that read only that file (`shared_credentials_file = true`): the
//! profiles' session keys in one marked block that idbridge owns; every byte outside it stays as the
//! person wrote it. The file is replaced whole (0600), through a symlink, under a lock between idbridge
//! processes, and written only when the block changes.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::aws::config_file::{block_bounds, header, sections};
use crate::aws::credentials::{Credentials, format_expiration};
use crate::sys::lock::{LockError, lock_exclusive};

pub const BEGIN: &str =
    "# >>> idbridge session keys (shared_credentials_file = true; renewed and removed by idbridge) >>>";
pub const END: &str = "# <<< idbridge session keys <<<";

/// Writers of other profiles finish within milliseconds; longer means a stuck process.
const LOCK_WAIT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum SharedCredentialsError {
    #[error(
        "{path} has idbridge's session-key markers out of order, unpaired or more than once: fix or remove the marker lines by hand"
    )]
    BrokenBlock { path: PathBuf },
    #[error(
        "{path} already has a [{profile}] section of your own: remove it, or set shared_credentials_file = false for profile '{profile}'"
    )]
    TakenOutside { path: PathBuf, profile: String },
    #[error("STS returned keys for profile '{profile}' that cannot be written to an INI file")]
    UnsafeValue { profile: String },
    #[error("cannot {action} {path}: {source}")]
    Io { action: &'static str, path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Lock(#[from] LockError),
}

/// Puts (`Some`) or removes (`None`) the section of each named profile in the credentials file at `path`.
/// `lock` orders idbridge's writers. Returns whether the file changed.
pub fn update(
    path: &Path,
    lock: &Path,
    changes: &[(&str, Option<&Credentials>)],
) -> Result<bool, SharedCredentialsError> {
    // the common case changes nothing (a profile without the option, a sign-out without a block): no lock
    let text = read(path)?;
    if apply(&text, path, changes)? == text {
        return Ok(false);
    }
    let _guard = lock_exclusive(lock, LOCK_WAIT)?;
    let text = read(path)?;
    let new = apply(&text, path, changes)?;
    if new == text {
        return Ok(false);
    }
    let io = |action, source| SharedCredentialsError::Io { action, path: path.to_owned(), source };
    // a dotfiles setup may link ~/.aws/credentials elsewhere: write the target, keep the link
    let target = crate::sys::safe_fs::resolve_link(path).map_err(|e| io("follow the link", e))?;
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(|e| io("create the directory of", e))?;
    }
    crate::sys::atomic::write_atomically(&target, new.as_bytes(), 0o600).map_err(|e| io("write", e))?;
    Ok(true)
}

/// `$AWS_SHARED_CREDENTIALS_FILE` if set and not empty, else `~/.aws/credentials` (the caller reads both).
pub fn location(variable: Option<std::ffi::OsString>, home: Option<PathBuf>) -> Option<PathBuf> {
    match variable.filter(|v| !v.is_empty()) {
        Some(v) => Some(PathBuf::from(v)),
        None => Some(home?.join(".aws").join("credentials")),
    }
}

/// Read on every renewal (to take out the keys of a profile that dropped the option): a FIFO or a huge
/// file in its place must not hang or flood it.
fn read(path: &Path) -> Result<String, SharedCredentialsError> {
    crate::sys::safe_fs::read_outside_text(path, crate::aws::config_file::AWS_FILE_MAX)
        .map(Option::unwrap_or_default)
        .map_err(|source| SharedCredentialsError::Io { action: "read", path: path.to_owned(), source })
}

/// `text` with the changes made inside the block (created at the end, removed once empty).
pub fn apply(
    text: &str,
    path: &Path,
    changes: &[(&str, Option<&Credentials>)],
) -> Result<String, SharedCredentialsError> {
    let bounds =
        block_bounds(text, BEGIN, END).map_err(|_| SharedCredentialsError::BrokenBlock { path: path.into() })?;
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let (mut before, inside, after) = match bounds {
        Some((b, e)) => (lines[..b].concat(), &lines[b + 1..e], lines[e + 1..].concat()),
        None => (text.to_string(), &[][..], String::new()),
    };
    let mut managed = sections(inside, header);
    for (name, creds) in changes {
        match creds {
            Some(c) => {
                // a second [name] makes botocore refuse the whole file
                if before.lines().chain(after.lines()).filter_map(header).any(|h| h == *name) {
                    return Err(SharedCredentialsError::TakenOutside { path: path.into(), profile: name.to_string() });
                }
                managed.insert(name.to_string(), section(name, c)?);
            }
            None => {
                managed.remove(*name);
            }
        }
    }
    if managed.is_empty() {
        return Ok(format!("{before}{after}"));
    }
    if !before.is_empty() && !before.ends_with('\n') {
        before.push('\n');
    }
    let body: String = managed.into_values().collect();
    Ok(format!("{before}{BEGIN}\n{body}{END}\n{after}"))
}

fn section(name: &str, c: &Credentials) -> Result<String, SharedCredentialsError> {
    let (key, secret, token) = (&c.access_key_id, c.secret_access_key.expose(), c.session_token.expose());
    // STS is outside: a newline or a bracket in a value would add lines or sections to the file
    let safe = |v: &str| !v.is_empty() && v.bytes().all(|b| b.is_ascii_graphic() && b != b'[' && b != b']');
    if ![key.as_str(), secret, token].into_iter().all(safe) {
        return Err(SharedCredentialsError::UnsafeValue { profile: name.to_string() });
    }
    Ok(format!(
        "[{name}]\n# expires {}\naws_access_key_id = {key}\naws_secret_access_key = {secret}\naws_session_token = {token}\n",
        format_expiration(c.expiration)
    ))
}

/// The text without the block (so that static-key checks leave idbridge's own session keys out).
pub fn outside_block(text: &str) -> String {
    match block_bounds(text, BEGIN, END) {
        Ok(Some((b, e))) => {
            let lines: Vec<&str> = text.split_inclusive('\n').collect();
            lines[..b].concat() + &lines[e + 1..].concat()
        }
        _ => text.to_string(),
    }
}

#[cfg(test)]
#[path = "shared_credentials_tests.rs"]
mod tests;
