//! When a profile's credential file may be handed out without a refresh, and whether it still belongs
//! to what config.toml says.
//!
//! Fresh enough: botocore refreshes 15 minutes before Expiration, so credentials handed out should have
//! more than that left — but a 15-minute session never has. The threshold is therefore the smaller of
//! 15 minutes and a third of the lifetime the credentials were issued with, so every session length
//! from 900 s to 43 200 s gets exactly one refresh per lifetime, however many callers there are.
//!
//! Belongs to config: each credential file has a small meta file naming the provider, issuer, client
//! and role it was made for, and the identity (device, inode, size, mtime, ctime) of the config.toml it
//! was checked against — taken before that config was read. The warm path must not parse the config:
//! it compares that identity with config.toml's as it is now, and any change (an edit during a
//! refresh, a file swapped in with an older mtime, a symlink pointed elsewhere) sends it the full way.

use std::path::Path;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::config::{Profile, Provider};
use crate::state::credential_file::{self, StoredCredentials};
use crate::state::paths::Paths;
use crate::sys::file_identity::FileIdentity;

/// botocore's advisory refresh window.
pub const BOTOCORE_ADVISORY: time::Duration = time::Duration::minutes(15);

/// How much validity credentials must have left to be served as they are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Need {
    /// credential_process: min(15 min, lifetime / 3).
    Serve,
    /// The tray's lead time, capped at two thirds of the lifetime so a lead too long for the session
    /// cannot loop (config allows at most half a session, plus the scheduler's jitter of a tenth).
    Lead(time::Duration),
    /// Refresh whatever is left ("Refresh now").
    Renew,
}

impl Need {
    /// `lifetime`: Expiration minus the time the file was written; `None` if unknown.
    pub fn threshold(self, lifetime: Option<time::Duration>) -> Option<time::Duration> {
        let lifetime = lifetime.filter(|l| l.is_positive());
        match self {
            Need::Serve => Some(lifetime.map_or(BOTOCORE_ADVISORY, |l| BOTOCORE_ADVISORY.min(l / 3))),
            Need::Lead(lead) => Some(lifetime.map_or(lead, |l| lead.min(l * 2 / 3))),
            Need::Renew => None,
        }
    }

    pub fn is_met(self, file: &StoredCredentials, now: OffsetDateTime) -> bool {
        let left = file.credentials.expiration - now;
        self.threshold(file.lifetime()).is_some_and(|t| left > t)
    }

    /// As [`Need::is_met`], with `duration` as the lifetime when the file's own is unknown (its time
    /// makes no sense), so a short session does not fall back to the 15-minute rule and loop.
    pub fn is_met_with(self, file: &StoredCredentials, now: OffsetDateTime, duration: time::Duration) -> bool {
        let left = file.credentials.expiration - now;
        self.threshold(file.lifetime().or(Some(duration))).is_some_and(|t| left > t)
    }
}

/// What a credential file was made for. Not secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Binding {
    pub provider: String,
    pub issuer: String,
    pub client_id: String,
    pub role_arn: String,
}

impl Binding {
    pub fn of(provider_name: &str, provider: &Provider, profile: &Profile) -> Self {
        Self {
            provider: provider_name.to_string(),
            issuer: provider.issuer.clone(),
            client_id: provider.client_id.clone(),
            role_arn: profile.role_arn.clone(),
        }
    }
}

/// The meta file: the binding, and the config.toml it was checked against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    #[serde(flatten)]
    pub binding: Binding,
    pub config: Option<FileIdentity>,
}

/// Meta files are tiny; anything bigger is not ours.
const META_CAP: u64 = 4096;

pub fn read_meta(path: &Path) -> Option<Meta> {
    // no symlink followed, no FIFO waited on, only a private file of ours (crate::sys::safe_fs)
    let bytes = crate::sys::safe_fs::read(path, crate::sys::safe_fs::Privacy::Secret, META_CAP).ok()??;
    serde_json::from_slice(&bytes).ok()
}

pub fn read_binding(path: &Path) -> Option<Binding> {
    read_meta(path).map(|m| m.binding)
}

/// Written after the credential file: a crash in between leaves an old binding, which costs one
/// refresh, never a file served for the wrong role. `config`: the identity of the config.toml the
/// binding was checked against, taken before it was read.
pub fn write_meta(path: &Path, binding: &Binding, config: Option<&FileIdentity>) -> std::io::Result<()> {
    let meta = Meta { binding: binding.clone(), config: config.cloned() };
    let bytes = serde_json::to_vec(&meta).map_err(std::io::Error::other)?;
    crate::sys::atomic::write_private_atomically(path, &bytes)
}

/// Records that the binding was checked against this config (when that is news).
pub fn mark_checked(path: &Path, binding: &Binding, config: Option<&FileIdentity>) {
    if read_meta(path).is_some_and(|m| m.config.as_ref() != config && config.is_some()) {
        let _ = write_meta(path, binding, config);
    }
}

/// The warm path of credential_process: the file's bytes if they are fresh and config.toml is exactly
/// the one they were checked against. `None` means: take the full path.
pub fn serve_warm(paths: &Paths, profile: &str, now: OffsetDateTime) -> Option<Vec<u8>> {
    let file = credential_file::read_file(&paths.credential_file(profile)).ok()??;
    if !Need::Serve.is_met(&file, now) {
        return None;
    }
    let checked = read_meta(&paths.meta_file(profile))?.config?;
    (FileIdentity::of(&paths.config_file)? == checked).then_some(file.bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;

    #[test]
    fn the_serve_threshold_scales_with_short_sessions() {
        let t = |secs: i64| Need::Serve.threshold(Some(Duration::seconds(secs))).unwrap();
        assert_eq!(t(900), Duration::seconds(300));
        assert_eq!(t(1800), Duration::seconds(600));
        assert_eq!(t(3600), Duration::minutes(15));
        assert_eq!(t(43200), Duration::minutes(15));
        assert_eq!(Need::Serve.threshold(None).unwrap(), Duration::minutes(15));
        for secs in [900, 1200, 3600, 43200] {
            assert!(t(secs) < Duration::seconds(secs), "fresh right after a refresh: no loop");
        }
    }

    #[test]
    fn a_lead_longer_than_the_session_cannot_loop() {
        let lead = Need::Lead(Duration::minutes(20));
        assert_eq!(lead.threshold(Some(Duration::seconds(900))).unwrap(), Duration::seconds(600));
        assert_eq!(lead.threshold(Some(Duration::hours(1))).unwrap(), Duration::minutes(20));
        assert_eq!(Need::Renew.threshold(Some(Duration::hours(1))), None);
    }
}
