//! Getting credentials without a person: the credential_process use case and the refresh under it.
//!
//! Order matters with refresh-token rotation and with sign-out:
//! - one refresher per profile (profile lock), then every keychain and credential-file write of a
//!   provider under that provider's lock, always taken in this order (profile, then provider), so a
//!   sign-out, which takes the provider lock, can never be undone by a refresh that started before it;
//! - state is re-read after each lock (another process may have refreshed, failed or signed out);
//! - a refresh token is sent only when the time left can finish the exchange, and from sending it to
//!   storing its successor nothing may stop us: that stretch runs as its own task (dropping the caller's
//!   future does not cancel it) under the [`crate::shield::Shield`] (signals wait for it), and the
//!   keychain write has no timeout.

use std::time::{Duration, Instant};

use crate::app::Idbridge;
use crate::config::{Config, Profile, Provider};
use crate::credentials::{self, StoredCredentials};
use crate::error::{Error, Result};
use crate::failures::{self, FailureRecord};
use crate::freshness::{self, Binding, Need};
use crate::id_token::IdClaims;
use crate::oidc::{OidcError, TokenSet};
use crate::secret::Secret;
use crate::sts;
use crate::token_store::{PreparedSave, StoredTokens};

/// A stored ID token is used for STS only if it stays valid at least this long (the STS call and
/// clock skew must fit in).
pub const ID_TOKEN_MARGIN: time::Duration = time::Duration::minutes(2);
/// Kept back from the budget for storing the new tokens after a redemption (a keychain round trip).
pub const STORE_RESERVE: Duration = Duration::from_millis(500);
/// A redemption is not started with less time than this for the IdP to answer.
pub const MIN_REDEEM: Duration = Duration::from_millis(1000);

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

/// The profile's credential file, if it was made for what the config says now.
struct Current {
    file: Option<StoredCredentials>,
    failure: Option<FailureRecord>,
}

impl Idbridge {
    /// credential_process: credentials fresh enough for the AWS SDKs, refreshed if needed, all before
    /// `deadline`. Only one process refreshes a profile at a time; the others wait and serve its result.
    /// If the refresh fails (or failed moments ago) while the old credentials still work, those are
    /// served with a warning.
    pub async fn credential_process(&self, profile_name: &str, deadline: Instant) -> Result<Served> {
        self.obtain(profile_name, Need::Serve, deadline).await
    }

    /// The profile's credentials with more than `min_remaining` left (at most half their lifetime),
    /// refreshed once across every process if they have less. The tray's scheduler calls this.
    pub async fn ensure_fresh(&self, profile_name: &str, min_remaining: time::Duration, deadline: Instant) -> Result<Served> {
        self.obtain(profile_name, Need::Lead(min_remaining), deadline).await
    }

    /// New credentials whatever the current ones have left ("Refresh now").
    pub async fn renew(&self, profile_name: &str, deadline: Instant) -> Result<Served> {
        self.obtain(profile_name, Need::Renew, deadline).await
    }

    async fn obtain(&self, profile_name: &str, need: Need, deadline: Instant) -> Result<Served> {
        let config = self.load_config()?;
        let (profile, provider) = self.profile_and_provider(&config, profile_name)?;
        let binding = Binding::of(&profile.provider, provider, profile);
        let now = self.clock.now();
        let current = self.current(profile_name, &binding);
        if let Some(served) = self.without_refresh(profile_name, &profile.provider, &current, need, now)? {
            return Ok(served);
        }
        let lock = self.paths.lock_file("profile", profile_name);
        let guard = match blocking_lock(lock, remaining(deadline)).await {
            Ok(g) => g,
            Err(e) => return self.fallback(current.file, e),
        };
        // whoever held the lock may have refreshed, failed or signed out: look again
        let current = self.current(profile_name, &binding);
        if let Some(served) = self.without_refresh(profile_name, &profile.provider, &current, need, self.clock.now())? {
            return Ok(served);
        }
        let outcome = self.refresh_locked(&config, profile_name, deadline).await;
        let failure_file = self.paths.failure_file(profile_name);
        let result = match outcome {
            Ok(json) => Ok(Served::fresh(json)),
            Err(e) => {
                failures::record(&failure_file, current.failure.as_ref(), &e, self.clock.now());
                self.fallback(current.file, e)
            }
        };
        drop(guard);
        result
    }

    fn current(&self, profile_name: &str, binding: &Binding) -> Current {
        let file = credentials::read_file(&self.paths.credential_file(profile_name))
            .ok()
            .flatten()
            .filter(|_| freshness::read_binding(&self.paths.meta_file(profile_name)).as_ref() == Some(binding));
        Current { file, failure: failures::read(&self.paths.failure_file(profile_name)) }
    }

    /// Serves what is there when that is the right answer: fresh credentials, or still-valid ones while
    /// the last failure's back-off runs. Fails fast while a needed sign-in is remembered.
    fn without_refresh(
        &self,
        profile_name: &str,
        provider_name: &str,
        current: &Current,
        need: Need,
        now: time::OffsetDateTime,
    ) -> Result<Option<Served>> {
        if let Some(f) = current.file.as_ref().filter(|f| need.is_met(f, now)) {
            if !freshness::checked_since_config_changed(&self.paths, profile_name) {
                freshness::mark_checked(&self.paths.meta_file(profile_name));
            }
            return Ok(Some(Served::fresh(f.bytes.clone())));
        }
        let Some(failure) = current.failure.as_ref().filter(|r| r.backing_off(now) && need != Need::Renew) else {
            return Ok(None);
        };
        match current.file.as_ref().filter(|f| f.credentials.is_valid(now)) {
            Some(f) => Ok(Some(self.stale(f, &failure.message, code_of(&failure.code)))),
            None if failure.is_sign_in_needed() => Err(Error::sign_in_needed(
                provider_name,
                "the last refresh found that the IdP no longer accepts the sign-in",
                Some(profile_name),
            )),
            None => Ok(None),
        }
    }

    fn stale(&self, f: &StoredCredentials, why: &str, code: &'static str) -> Served {
        let left = (f.credentials.expiration - self.clock.now()).whole_minutes();
        Served {
            json: f.bytes.clone(),
            warning: Some(format!("{why} (serving the current credentials, {left} min left)")),
            warning_code: Some(code),
        }
    }

    /// Serve still-valid old credentials when a refresh failed, rather than failing the AWS command.
    fn fallback(&self, current: Option<StoredCredentials>, error: Error) -> Result<Served> {
        match current.filter(|f| f.credentials.is_valid(self.clock.now())) {
            Some(f) => Ok(self.stale(&f, &crate::error::one_line(&error), error.code())),
            None => Err(error),
        }
    }

    /// New role credentials for one profile, written to its file; returns the file's bytes. Takes the
    /// provider lock; the caller holds the profile lock (or accepts a duplicate STS call).
    pub(crate) async fn refresh_locked(&self, config: &Config, profile_name: &str, deadline: Instant) -> Result<Vec<u8>> {
        let (profile, provider) = self.profile_and_provider(config, profile_name)?;
        let _provider_guard = blocking_lock(self.paths.lock_file("provider", &profile.provider), remaining(deadline)).await?;
        let (token, claims) = self.id_token(&profile.provider, provider, None, Some(profile_name), deadline).await?;
        let assumed = match self.assume(profile_name, profile, &token, &claims, deadline).await {
            Err(Error::Sts { source, .. }) if source.wants_fresh_token() => {
                let (token, claims) =
                    self.id_token(&profile.provider, provider, Some(&token), Some(profile_name), deadline).await?;
                self.assume(profile_name, profile, &token, &claims, deadline).await?
            }
            other => other?,
        };
        self.write_credentials(profile_name, profile, provider, &assumed.credentials)
    }

    /// Writes the credential file, then its binding, and forgets the last failure. Provider lock held.
    pub(crate) fn write_credentials(
        &self,
        profile_name: &str,
        profile: &Profile,
        provider: &Provider,
        creds: &credentials::Credentials,
    ) -> Result<Vec<u8>> {
        let bytes = credentials::write_file(&self.paths.credential_file(profile_name), creds)?;
        let meta = self.paths.meta_file(profile_name);
        freshness::write_binding(&meta, &Binding::of(&profile.provider, provider, profile))
            .map_err(|source| credentials::CredentialFileError::Write { path: meta, source })?;
        failures::clear(&self.paths.failure_file(profile_name));
        Ok(bytes)
    }

    pub(crate) async fn assume(
        &self,
        profile_name: &str,
        profile: &Profile,
        token: &Secret,
        claims: &IdClaims,
        deadline: Instant,
    ) -> Result<sts::AssumedRole> {
        let session = claims.session_name(profile.session_name_claim.as_deref());
        let timeout = self.http_timeout.min(remaining(deadline));
        if timeout.is_zero() {
            return Err(Error::Timeout { what: format!("getting credentials for profile '{profile_name}'"), seconds: 0 });
        }
        self.sts
            .assume_role_with_web_identity(profile, token, &session, timeout)
            .await
            .map_err(|source| Error::Sts { profile: profile_name.to_string(), source })
    }

    /// A usable ID token for the provider without a person: the stored one while it is valid (and not
    /// the one STS just refused), else one from the refresh token. The provider lock is held.
    async fn id_token(
        &self,
        name: &str,
        provider: &Provider,
        refused: Option<&Secret>,
        profile: Option<&str>,
        deadline: Instant,
    ) -> Result<(Secret, IdClaims)> {
        let tokens = self.signed_in_tokens(name, provider, profile).await?;
        if refused != Some(&tokens.id_token)
            && let Some(c) = IdClaims::decode(tokens.id_token.expose())
                .ok()
                .filter(|c| c.valid_for(self.clock.now(), ID_TOKEN_MARGIN))
        {
            return Ok((tokens.id_token, c));
        }
        let refresh_token = tokens.refresh_token.ok_or_else(|| {
            Error::sign_in_needed(name, "the ID token expired and the IdP gave no refresh token (is offline_access among the scopes?)", profile)
        })?;
        let set = self.redeem(name, provider, refresh_token, deadline).await.map_err(|e| match e {
            Error::Oidc(OidcError::RefreshRejected { code }) => {
                Error::sign_in_needed(name, format!("the IdP refused the refresh token: {code}"), profile)
            }
            other => other,
        })?;
        Ok((set.id_token, set.claims))
    }

    /// Trades the refresh token for new tokens and stores them, as one stretch that nothing stops once
    /// the token is sent. Provider lock held.
    async fn redeem(&self, name: &str, provider: &Provider, refresh_token: Secret, deadline: Instant) -> Result<TokenSet> {
        let connect_timeout = self.http_timeout.min(remaining(deadline));
        let endpoint = self.idp.connect(provider, connect_timeout).await?;
        let prepared = self.prepare_save(name, remaining(deadline) / 4).await;
        let budget = self.http_timeout.min(remaining(deadline).saturating_sub(STORE_RESERVE));
        if budget < MIN_REDEEM {
            return Err(Error::Timeout { what: format!("refreshing the sign-in of '{name}' (not started: too little time left)"), seconds: 0 });
        }
        let shielded = self.shield.enter();
        let store = self.store.clone();
        let (name, issuer, client_id) = (name.to_string(), provider.issuer.clone(), provider.client_id.clone());
        let task = tokio::spawn(async move {
            let set = endpoint.refresh(&refresh_token, budget).await?;
            // store first, then everything else; no timeout: giving up here would lose the sign-in
            let tokens = StoredTokens { issuer, client_id, refresh_token: set.refresh_token.clone(), id_token: set.id_token.clone() };
            crate::app::blocking(move || match prepared {
                // a session that went bad meanwhile gets a second chance through a fresh one
                Some(p) => p.save(&tokens).or_else(|_| store.save(&name, &tokens)),
                None => store.save(&name, &tokens),
            })
            .await?;
            drop(shielded);
            Ok::<_, Error>(set)
        });
        task.await.map_err(|e| Error::Timeout { what: format!("refreshing the sign-in ({e})"), seconds: 0 })?
    }
}

impl Idbridge {
    /// The keychain session for the save after a redemption, opened before it (bounded: this is not
    /// yet the critical stretch, and without it the plain save still works).
    async fn prepare_save(&self, name: &str, within: Duration) -> Option<Box<dyn PreparedSave>> {
        let (store, name) = (self.store.clone(), name.to_string());
        let task = tokio::task::spawn_blocking(move || store.prepare(&name));
        tokio::time::timeout(within, task).await.ok()?.ok()?
    }
}

fn code_of(code: &str) -> &'static str {
    // codes come from Error::code(); a record from another version maps to the generic one
    crate::error::CODES.iter().copied().find(|c| *c == code).unwrap_or("error")
}

pub(crate) fn remaining(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}

pub(crate) async fn blocking_lock(path: std::path::PathBuf, timeout: Duration) -> Result<crate::lock::LockGuard> {
    tokio::task::spawn_blocking(move || crate::lock::lock_exclusive(&path, timeout))
        .await
        .map_err(|e| Error::Timeout { what: format!("waiting for a lock ({e})"), seconds: timeout.as_secs() })?
        .map_err(Error::from)
}
