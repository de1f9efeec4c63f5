//! Signing out of a provider: local removal under the provider's lock (so a refresh that started before
//! cannot put anything back), then revocation at the IdP (RFC 7009) so the refresh token dies there too.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::app::Idbridge;
use crate::app::error::{Error, Result};
use crate::app::refresh::provider_lock;
use crate::config::{Config, Provider};
use crate::state::credential_file::CredentialFileError;
use crate::state::destinations::Endpoint;
use crate::state::token_store::StoredTokens;

/// How long a sign-out waits for a refresh in flight to finish.
pub const LOGOUT_LOCK_WAIT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Revocation {
    /// The IdP confirmed it forgot the refresh token.
    Revoked,
    /// The IdP announces no revocation endpoint: the token lives until it expires there.
    NotOffered,
    /// Nothing to revoke (no refresh token was stored).
    NoToken,
    /// Local removal happened, revocation did not.
    Failed { reason: String },
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct LogoutReport {
    pub provider: String,
    /// Profiles whose credential files were removed (this provider's, and files of profiles no longer
    /// in the config).
    pub removed: Vec<String>,
    /// The keychain held tokens for the provider.
    pub had_tokens: bool,
    pub revocation: Revocation,
}

impl Idbridge {
    /// Forgets a provider: its keychain item, the credential files (with their meta and failure
    /// records) of its profiles and of profiles that left the config, and stray temporary files.
    pub async fn logout(&self, provider_name: &str) -> Result<LogoutReport> {
        let config = self.load_config()?;
        let provider = config.provider(provider_name, &self.paths.config_file)?.clone();
        let lock = provider_lock(&self.paths, provider_name, LOGOUT_LOCK_WAIT).await?;
        // a keychain that cannot be read must not keep the files: remove them, then report the keychain
        let tokens = self.load_tokens(provider_name).await;
        let (removed, names) = self.remove_files(&config, provider_name)?;
        let had_tokens = {
            let (store, name) = (self.store.clone(), provider_name.to_string());
            crate::app::blocking(move || store.delete(&name)).await?
        };
        // after the keychain: a credentials file the person broke must not keep them signed in
        self.unshare_keys(&names)?;
        drop(lock);
        // a leftover of another issuer or client goes with the item; its refresh token is not ours to send
        let tokens = tokens?.filter(|t| t.belongs_to(&provider));
        let revocation = match tokens {
            Some(t) if t.refresh_token.is_some() => self.revoke(provider_name, &provider, &t).await,
            _ => Revocation::NoToken,
        };
        Ok(LogoutReport { provider: provider_name.to_string(), removed, had_tokens, revocation })
    }

    /// RFC 7009 at the IdP, with the refresh token sent only to the revocation endpoint of the sign-in.
    async fn revoke(&self, provider_name: &str, provider: &Provider, tokens: &StoredTokens) -> Revocation {
        let Some(rt) = &tokens.refresh_token else { return Revocation::NoToken };
        let deadline = Instant::now() + self.http_timeout;
        let result = async {
            let endpoint = self.ports.idp.connect(provider, self.http_timeout).await?;
            if let (Some(recorded), Some(now)) = (&tokens.destinations, &endpoint.discovered().revocation_endpoint)
                && let Err(moved) = recorded.check(Endpoint::Revocation, now)
            {
                return Ok(Err(moved.describe(provider_name) + "; the refresh token was not sent there"));
            }
            endpoint.revoke(rt, crate::app::refresh::remaining(deadline)).await.map(Ok)
        }
        .await;
        match result {
            Ok(Ok(true)) => Revocation::Revoked,
            Ok(Ok(false)) => Revocation::NotOffered,
            Ok(Err(reason)) => Revocation::Failed { reason },
            Err(e) => Revocation::Failed { reason: crate::sys::sanitize::one_line(&e) },
        }
    }

    /// Provider lock held. The profiles whose files were removed, and every profile looked at.
    fn remove_files(&self, config: &Config, provider_name: &str) -> Result<(Vec<String>, Vec<String>)> {
        let mut removed = Vec::new();
        let orphans =
            profile_files(&self.paths.credentials_dir()).into_iter().filter(|name| !config.profiles.contains_key(name));
        let own = config.profiles_of(provider_name).map(|(n, _)| n.clone());
        let names: Vec<String> = own.chain(orphans).collect();
        for name in names.iter().cloned() {
            for path in [self.paths.meta_file(&name), self.paths.failure_file(&name)] {
                remove(&path)?;
            }
            if remove(&self.paths.credential_file(&name))? {
                removed.push(name);
            }
        }
        for dir in
            [self.paths.credentials_dir(), self.paths.state_dir.join("meta"), self.paths.state_dir.join("failures")]
        {
            remove_stray_temp_files(&dir);
        }
        removed.sort();
        removed.dedup();
        Ok((removed, names))
    }
}

/// `true` if there was a file.
fn remove(path: &Path) -> Result<bool> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(source) => Err(Error::CredentialFile(CredentialFileError::Write { path: path.to_owned(), source })),
    }
}

/// Profile names that have a credential file.
fn profile_files(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|n| n.strip_suffix(".json").map(str::to_string))
        .filter(|n| crate::config::is_valid_name(n))
        .collect()
}

/// Temporary files of writers that died before their rename hold live credentials: remove those whose
/// process is gone (the name carries the writer's pid; a live writer's file is left alone).
pub fn remove_stray_temp_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix(".tmp-")).and_then(|r| r.split('-').next()) else {
            continue;
        };
        // without /proc (not Linux) liveness is unknown: keep the file
        let alive = !Path::new("/proc/self").exists()
            || pid
                .parse::<u32>()
                .is_ok_and(|p| p == std::process::id() || Path::new("/proc").join(p.to_string()).exists());
        if !alive {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_temp_files_of_dead_writers_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let dead = dir.path().join(".tmp-4194304999-1-0");
        let live = dir.path().join(format!(".tmp-{}-1-0", std::process::id()));
        let other = dir.path().join("dev.json");
        for p in [&dead, &live, &other] {
            std::fs::write(p, b"{}").unwrap();
        }
        remove_stray_temp_files(dir.path());
        assert!(!dead.exists());
        assert!(live.exists() && other.exists());
    }
}
