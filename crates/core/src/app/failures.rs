//! Failure memory: the last failed refresh of each profile, kept in the state dir so the CLI and the
//! tray share it. While its back-off runs, credential_process serves still-valid credentials at once
//! (with a warning) instead of making every AWS call wait for the same failure again; `status` and the
//! tray show it. A success or a new sign-in removes it.

use std::path::Path;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::app::error::{Error, ErrorCode};
use crate::state::freshness::Binding;
use crate::sys::{atomic, safe_fs, sanitize};

/// The first back-off after a failure; it doubles with each failure in a row up to [`MAX_BACKOFF`].
pub const FIRST_BACKOFF: time::Duration = time::Duration::seconds(30);
pub const MAX_BACKOFF: time::Duration = time::Duration::minutes(10);
/// A record is a few hundred bytes; a message longer than this is cut.
const MESSAGE_CAP: usize = 400;
const FILE_CAP: u64 = 8 * 1024;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailureRecord {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// [`Error::code`], e.g. `sts_unreachable` or `sign_in_needed`.
    pub code: ErrorCode,
    /// One line for a person; never holds a secret (errors never do).
    pub message: String,
    /// Failures in a row.
    pub consecutive: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub retry_after: OffsetDateTime,
    /// What the profile was configured as: a record made for another provider or role (a config
    /// since fixed) does not hold back the next attempt.
    #[serde(default)]
    pub binding: Option<Binding>,
}

impl FailureRecord {
    pub fn backing_off(&self, now: OffsetDateTime) -> bool {
        now < self.retry_after && self.at <= now
    }

    pub fn is_sign_in_needed(&self) -> bool {
        self.code == ErrorCode::SignInNeeded
    }
}

pub fn backoff(consecutive: u32) -> time::Duration {
    let doublings = consecutive.saturating_sub(1).min(10);
    (FIRST_BACKOFF * 2_i32.pow(doublings)).min(MAX_BACKOFF)
}

/// The record, or `None` if there is none or it is not one of ours.
pub fn read(path: &Path) -> Option<FailureRecord> {
    // no symlink followed, no FIFO waited on, only a private file of ours (crate::sys::safe_fs)
    let bytes = safe_fs::read(path, safe_fs::Privacy::Secret, FILE_CAP).ok()??;
    serde_json::from_slice(&bytes).ok()
}

/// Records `error` after `previous` (the record read before the attempt) and returns the new record.
/// Writing is best effort: a full disk must not turn a failed refresh into a different error.
pub fn record(
    path: &Path,
    previous: Option<&FailureRecord>,
    binding: &Binding,
    error: &Error,
    now: OffsetDateTime,
) -> FailureRecord {
    let consecutive = previous.map_or(0, |p| p.consecutive).saturating_add(1);
    let mut message = sanitize::one_line(error);
    if message.len() > MESSAGE_CAP {
        let cut = (0..=MESSAGE_CAP).rev().find(|i| message.is_char_boundary(*i)).unwrap_or(0);
        message.truncate(cut);
        message.push('…');
    }
    let rec = FailureRecord {
        at: now,
        code: error.code(),
        message,
        consecutive,
        retry_after: now + backoff(consecutive),
        binding: Some(binding.clone()),
    };
    if let Ok(bytes) = serde_json::to_vec(&rec) {
        let _ = atomic::write_private_atomically(path, &bytes);
    }
    rec
}

pub fn clear(path: &Path) {
    let _ = std::fs::remove_file(path);
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1), time::Duration::seconds(30));
        assert_eq!(backoff(2), time::Duration::seconds(60));
        assert_eq!(backoff(5), time::Duration::minutes(8));
        assert_eq!(backoff(6), MAX_BACKOFF);
        assert_eq!(backoff(u32::MAX), MAX_BACKOFF);
    }

    #[test]
    fn records_round_trip_and_garbage_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("failures/dev.json");
        let now = datetime!(2026-11-25 10:00 UTC);
        let e = Error::Timeout { what: "refreshing".into(), seconds: 4 };
        let b = crate::state::freshness::Binding {
            provider: "p".into(),
            issuer: "i".into(),
            client_id: "c".into(),
            role_arn: "r".into(),
        };
        let first = record(&path, None, &b, &e, now);
        assert_eq!(read(&path).unwrap(), first);
        assert!(first.backing_off(now + time::Duration::seconds(29)));
        assert!(!first.backing_off(now + time::Duration::seconds(30)));
        let second = record(&path, Some(&first), &b, &e, now);
        assert_eq!((second.consecutive, second.retry_after - now), (2, time::Duration::seconds(60)));
        std::fs::write(&path, b"\x1b[2J not json").unwrap();
        assert_eq!(read(&path), None);
        clear(&path);
        assert!(!path.exists());
    }
}
