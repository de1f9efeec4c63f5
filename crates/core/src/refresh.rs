//! Getting credentials without a person: the credential_process use case and the refresh under it.
//!
//! Order matters with refresh-token rotation: one redeemer per provider (file lock), tokens re-read after
//! the lock is taken (another process may have just rotated them), and the new refresh token stored
//! before anything else happens.

use std::time::{Duration, Instant};

use crate::app::Idbridge;
use crate::config::{Config, Profile, Provider};
use crate::credentials::{self, StoredCredentials};
use crate::error::{Error, Result};
use crate::id_token::IdClaims;
use crate::oidc::{Oidc, OidcError};
use crate::secret::Secret;
use crate::sts;
use crate::token_store::StoredTokens;

/// A stored ID token is used for STS only if it stays valid at least this long (the STS call and
/// clock skew must fit in).
pub const ID_TOKEN_MARGIN: time::Duration = time::Duration::minutes(2);

/// What credential_process prints, and a warning for stderr when it had to fall back.
#[derive(Debug)]
pub struct Served {
    pub json: Vec<u8>,
    pub warning: Option<String>,
    /// The code of the error behind `warning` ([`Error::code`]), e.g. "sign_in_needed".
    pub warning_code: Option<&'static str>,
}

impl Served {
    fn fresh(json: Vec<u8>) -> Self {
        Self { json, warning: None, warning_code: None }
    }
}

impl Idbridge {
    /// credential_process: the profile's credentials with more than 15 minutes left, refreshing them if
    /// needed, all before `deadline`. Only one process refreshes a profile at a time; the others wait and
    /// serve its result. If the refresh fails while the old credentials still work, those are served
    /// with a warning.
    pub async fn credential_process(&self, profile_name: &str, deadline: Instant) -> Result<Served> {
        self.ensure_fresh(profile_name, credentials::MIN_REMAINING, deadline).await
    }

    /// The profile's credentials with more than `min_remaining` left, refreshed (once, across every
    /// process) if they have less. The tray app's scheduler calls this with its own lead time.
    pub async fn ensure_fresh(&self, profile_name: &str, min_remaining: time::Duration, deadline: Instant) -> Result<Served> {
        let path = self.paths.credential_file(profile_name);
        let fresh = |f: &StoredCredentials| f.credentials.expiration - self.clock.now() > min_remaining;
        let current = credentials::read_file(&path).ok().flatten();
        if let Some(f) = current.as_ref().filter(|f| fresh(f)) {
            return Ok(Served::fresh(f.bytes.clone()));
        }
        let lock_path = self.paths.lock_file("profile", profile_name);
        let waited = blocking_lock(lock_path, remaining(deadline)).await;
        // whoever held the lock may have refreshed: look again before doing it ourselves
        let current = credentials::read_file(&path).ok().flatten().or(current);
        if let Some(f) = current.as_ref().filter(|f| fresh(f)) {
            return Ok(Served::fresh(f.bytes.clone()));
        }
        let outcome = match waited {
            Ok(_guard) => {
                let config = self.load_config()?;
                self.profile_and_provider(&config, profile_name)?;
                let seconds = remaining(deadline).as_secs().max(1);
                match tokio::time::timeout(remaining(deadline), self.refresh_profile(&config, profile_name)).await {
                    Ok(r) => r,
                    Err(_) => Err(Error::Timeout { what: format!("refreshing profile '{profile_name}'"), seconds }),
                }
            }
            Err(e) => Err(e),
        };
        match outcome {
            Ok(json) => Ok(Served::fresh(json)),
            Err(e) => self.fallback(current, e),
        }
    }

    /// Serve still-valid old credentials when a refresh failed, rather than failing the AWS command.
    fn fallback(&self, current: Option<StoredCredentials>, error: Error) -> Result<Served> {
        match current.filter(|f| f.credentials.is_valid(self.clock.now())) {
            Some(f) => {
                let left = (f.credentials.expiration - self.clock.now()).whole_minutes();
                Ok(Served {
                    json: f.bytes,
                    warning: Some(format!("{error} (serving the current credentials, {left} min left)")),
                    warning_code: Some(error.code()),
                })
            }
            None => Err(error),
        }
    }

    /// New role credentials for one profile, written to its file; returns the file's bytes.
    pub async fn refresh_profile(&self, config: &Config, profile_name: &str) -> Result<Vec<u8>> {
        let (profile, provider) = self.profile_and_provider(config, profile_name)?;
        if profile.source_profile.is_some() {
            return self.refresh_chained(config, profile_name).await;
        }
        let (token, claims) = self.id_token(&profile.provider, provider, None, Some(profile_name)).await?;
        let assumed = match self.assume(profile_name, profile, &token, &claims).await {
            Err(Error::Sts { source, .. }) if source.wants_fresh_token() => {
                let (token, claims) = self.id_token(&profile.provider, provider, Some(&token), Some(profile_name)).await?;
                self.assume(profile_name, profile, &token, &claims).await?
            }
            other => other?,
        };
        Ok(credentials::write_file(&self.paths.credential_file(profile_name), &assumed.credentials)?)
    }

    pub(crate) async fn assume(
        &self,
        profile_name: &str,
        profile: &Profile,
        token: &Secret,
        claims: &IdClaims,
    ) -> Result<sts::AssumedRole> {
        let session = claims.session_name(profile.session_name_claim.as_deref());
        sts::assume_role_with_web_identity(profile, token, &session, self.http_timeout)
            .await
            .map_err(|source| Error::Sts { profile: profile_name.to_string(), source })
    }

    /// A usable ID token for the provider without a person: the stored one while it is valid (and not
    /// the one STS just refused), else one from the refresh token.
    pub(crate) async fn id_token(
        &self,
        name: &str,
        provider: &Provider,
        refused: Option<&Secret>,
        profile: Option<&str>,
    ) -> Result<(Secret, IdClaims)> {
        let usable = |t: &StoredTokens| -> Option<IdClaims> {
            if refused == Some(&t.id_token) {
                return None;
            }
            IdClaims::decode(t.id_token.expose()).ok().filter(|c| c.valid_for(self.clock.now(), ID_TOKEN_MARGIN))
        };
        let tokens = self.signed_in_tokens(name, provider, profile).await?;
        if let Some(c) = usable(&tokens) {
            return Ok((tokens.id_token, c));
        }
        let _guard = blocking_lock(self.paths.lock_file("provider", name), self.http_timeout).await?;
        let tokens = self.signed_in_tokens(name, provider, profile).await?;
        if let Some(c) = usable(&tokens) {
            return Ok((tokens.id_token, c));
        }
        let refresh_token = tokens.refresh_token.ok_or_else(|| {
            Error::sign_in_needed(name, "the ID token expired and the IdP gave no refresh token (is offline_access among the scopes?)", profile)
        })?;
        let oidc = Oidc::discover(provider, self.oidc_http(), self.clock.clone()).await?;
        let set = oidc.refresh(&refresh_token).await.map_err(|e| match e {
            OidcError::RefreshRejected { code } => {
                Error::sign_in_needed(name, format!("the IdP refused the refresh token: {code}"), profile)
            }
            other => other.into(),
        })?;
        self.save_tokens(name, StoredTokens {
            issuer: provider.issuer.clone(),
            client_id: provider.client_id.clone(),
            refresh_token: set.refresh_token.clone(),
            id_token: set.id_token.clone(),
        })
        .await?;
        Ok((set.id_token, set.claims))
    }
}

fn remaining(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}

async fn blocking_lock(path: std::path::PathBuf, timeout: Duration) -> Result<crate::lock::LockGuard> {
    tokio::task::spawn_blocking(move || crate::lock::lock_exclusive(&path, timeout))
        .await
        .map_err(|e| Error::Timeout { what: format!("waiting for a lock ({e})"), seconds: timeout.as_secs() })?
        .map_err(Error::from)
}
