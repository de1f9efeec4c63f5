//! Getting credentials without a person: the credential_process use case and the refresh under it.
//!
//! Order matters with refresh-token rotation and with sign-out:
//! - one refresher per profile (profile lock), then every keychain and credential-file write of a
//!   provider under that provider's lock, always taken in this order (profile, then provider), so a
//!   sign-out, which takes the provider lock, can never be undone by a refresh that started before it;
//! - state is re-read after each lock (another process may have refreshed, failed or signed out);
//! - a refresh token is sent only when the time left can finish the exchange, and from sending it to
//!   storing its successor nothing may stop us: that stretch runs as its own task (dropping the caller's
//!   future does not cancel it) under the [`crate::sys::shield::Shield`] (signals wait for it), and the
//!   keychain write has no timeout.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::app::Idbridge;
use crate::app::error::{Error, ErrorCode, Result};
use crate::app::failures::{self, FailureRecord};
use crate::aws::credentials::Credentials;
use crate::aws::sts;
use crate::config::{Config, Profile, Provider};
use crate::oidc::OidcError;
use crate::oidc::id_token::IdClaims;
use crate::state::LockKind;
use crate::state::credential_file::{self, CredentialFileError, StoredCredentials};
use crate::state::destinations::Endpoint;
use crate::state::freshness::{self, Binding, Need};
use crate::state::token_store::StoredTokens;
use crate::sys::file_identity::FileIdentity;
use crate::sys::lock::LockGuard;
use crate::sys::sanitize;
use crate::sys::secret::Secret;

/// A stored ID token is used for STS only if it stays valid at least this long (the STS call and
/// clock skew must fit in).
pub const ID_TOKEN_MARGIN: time::Duration = time::Duration::minutes(2);

/// What credential_process prints, and a warning for stderr when it had to fall back.
#[derive(Debug)]
pub struct Served {
    /// The credential file's bytes: exactly what credential_process prints.
    pub json: Vec<u8>,
    /// The same, parsed.
    pub credentials: Credentials,
    pub warning: Option<Warning>,
}

/// Why older credentials were served: the refresh failed (or failed moments ago) for this reason.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    pub code: ErrorCode,
    /// One line for a person, with the time left.
    pub message: String,
}

impl Served {
    fn fresh(file: StoredCredentials) -> Self {
        Self { json: file.bytes, credentials: file.credentials, warning: None }
    }
}

/// One request for a profile's credentials, against the config as it was read.
struct Want<'a> {
    profile: &'a str,
    provider: &'a str,
    binding: Binding,
    need: Need,
    /// The session length config asks for: the lifetime when a file's own is unknown.
    duration: time::Duration,
    config: Option<&'a FileIdentity>,
}

impl Want<'_> {
    fn is_met(&self, file: &StoredCredentials, now: time::OffsetDateTime) -> bool {
        self.need.is_met_with(file, now, self.duration)
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
    pub async fn ensure_fresh(
        &self,
        profile_name: &str,
        min_remaining: time::Duration,
        deadline: Instant,
    ) -> Result<Served> {
        self.obtain(profile_name, Need::Lead(min_remaining), deadline).await
    }

    /// New credentials whatever the current ones have left ("Refresh now").
    pub async fn renew(&self, profile_name: &str, deadline: Instant) -> Result<Served> {
        self.obtain(profile_name, Need::Renew, deadline).await
    }

    async fn obtain(&self, profile_name: &str, need: Need, deadline: Instant) -> Result<Served> {
        // the name becomes a file name: check it before any file is touched
        crate::config::check_name(profile_name)?;
        let config = self.load_config()?;
        let (profile, provider) = self.profile_and_provider(&config, profile_name)?;
        let want = Want {
            profile: profile_name,
            provider: &profile.provider,
            binding: Binding::of(&profile.provider, provider, profile),
            need,
            duration: time::Duration::seconds(profile.duration_seconds.into()),
            config: config.source.as_ref(),
        };
        // an unsafe file (symlink, FIFO, open mode, someone else's) is an error, not a reason to refresh
        credential_file::read_usable(&self.paths.credential_file(profile_name))?;
        let current = self.current(&want);
        if let Some(served) = self.without_refresh(&want, &current)? {
            return Ok(served);
        }
        let lock = self.paths.lock_file(LockKind::Profile, profile_name);
        let guard = match blocking_lock(lock, remaining(deadline)).await {
            Ok(g) => g,
            Err(e) => return self.fallback(&want, e),
        };
        // whoever held the lock may have refreshed, failed or signed out: look again
        let current = self.current(&want);
        if let Some(served) = self.without_refresh(&want, &current)? {
            return Ok(served);
        }
        let result = match self.refresh_locked(&config, &want, deadline).await {
            Ok(file) => Ok(Served::fresh(file)),
            Err(e) => {
                // signed out meanwhile is not a failure to remember
                let signed_out = e.code() == ErrorCode::SignInNeeded
                    && matches!(self.load_tokens(&profile.provider).await, Ok(None));
                if !signed_out {
                    failures::record(
                        &self.paths.failure_file(profile_name),
                        current.failure.as_ref(),
                        &want.binding,
                        &e,
                        self.clock.now(),
                    );
                }
                self.fallback(&want, e)
            }
        };
        drop(guard);
        result
    }

    /// The profile's credential file if it was made for what the config says, and its last failure if
    /// that was recorded for the same binding.
    fn current(&self, want: &Want<'_>) -> Current {
        let bound = freshness::read_binding(&self.paths.meta_file(want.profile)).as_ref() == Some(&want.binding);
        let file =
            credential_file::read_file(&self.paths.credential_file(want.profile)).ok().flatten().filter(|_| bound);
        let failure = failures::read(&self.paths.failure_file(want.profile))
            .filter(|f| f.binding.as_ref() == Some(&want.binding));
        Current { file, failure }
    }

    /// Serves what is there when that is the right answer: fresh credentials, or still-valid ones while
    /// the last failure's back-off runs. Fails fast while a needed sign-in is remembered.
    fn without_refresh(&self, want: &Want<'_>, current: &Current) -> Result<Option<Served>> {
        let now = self.clock.now();
        if let Some(f) = current.file.as_ref().filter(|f| want.is_met(f, now)) {
            freshness::mark_checked(&self.paths.meta_file(want.profile), &want.binding, want.config);
            return Ok(Some(Served::fresh(f.clone())));
        }
        let Some(failure) = current.failure.as_ref().filter(|r| r.backing_off(now) && want.need != Need::Renew) else {
            return Ok(None);
        };
        match current.file.as_ref().filter(|f| f.credentials.is_valid(now)) {
            Some(f) => Ok(Some(self.stale(f, &failure.message, failure.code))),
            None if failure.is_sign_in_needed() => {
                Err(Error::sign_in_needed(want.provider, failure.message.clone(), Some(want.profile)))
            }
            None => Ok(None),
        }
    }

    fn stale(&self, f: &StoredCredentials, why: &str, code: ErrorCode) -> Served {
        let left = (f.credentials.expiration - self.clock.now()).whole_minutes();
        let message = format!("{why} (serving the current credentials, {left} min left)");
        Served { warning: Some(Warning { code, message }), ..Served::fresh(f.clone()) }
    }

    /// Serve still-valid credentials when a refresh failed, rather than failing the AWS command. Read
    /// again: a sign-out may have removed them meanwhile.
    fn fallback(&self, want: &Want<'_>, error: Error) -> Result<Served> {
        match self.current(want).file.filter(|f| f.credentials.is_valid(self.clock.now())) {
            Some(f) => Ok(self.stale(&f, &sanitize::one_line(&error), error.code())),
            None => Err(error),
        }
    }

    /// New role credentials for one profile, written to its file. Takes the provider lock; the caller
    /// holds the profile lock.
    async fn refresh_locked(&self, config: &Config, want: &Want<'_>, deadline: Instant) -> Result<StoredCredentials> {
        let (profile, provider) = self.profile_and_provider(config, want.profile)?;
        if profile.source_profile.is_some() {
            return self.refresh_chained(config, want.profile, deadline).await;
        }
        // shared with a rotation in flight, which keeps it until the new token is stored even if this
        // caller gives up first
        let provider_guard = Arc::new(provider_lock(&self.paths, &profile.provider, remaining(deadline)).await?);
        // a sign-in may have written fresh credentials while we waited
        if let Some(f) = self.current(want).file.filter(|f| want.is_met(f, self.clock.now())) {
            return Ok(f);
        }
        let name = (want.profile, profile);
        let (token, claims) = self.id_token(&profile.provider, provider, None, name, deadline, &provider_guard).await?;
        let assumed = match self.assume(want.profile, profile, &token, &claims, deadline).await {
            Err(Error::Sts { source, .. }) if source.wants_fresh_token() => {
                let (token, claims) =
                    self.id_token(&profile.provider, provider, Some(&token), name, deadline, &provider_guard).await?;
                self.assume(want.profile, profile, &token, &claims, deadline).await?
            }
            other => other?,
        };
        self.write_credentials(want.profile, profile, provider, &assumed.credentials, config.source.as_ref())
    }

    /// Writes the credential file, then its meta file, and forgets the last failure. Provider lock held.
    pub(crate) fn write_credentials(
        &self,
        profile_name: &str,
        profile: &Profile,
        provider: &Provider,
        creds: &Credentials,
        config: Option<&FileIdentity>,
    ) -> Result<StoredCredentials> {
        // first: a profile's keys are never renewed in one file and left stale in the other
        self.share_keys(profile_name, profile, creds)?;
        let bytes = credential_file::write_file(&self.paths.credential_file(profile_name), creds)?;
        let meta = self.paths.meta_file(profile_name);
        freshness::write_meta(&meta, &Binding::of(&profile.provider, provider, profile), config)
            .map_err(|source| CredentialFileError::Write { path: meta, source })?;
        failures::clear(&self.paths.failure_file(profile_name));
        Ok(StoredCredentials { bytes, credentials: creds.clone(), written: Some(self.clock.now()) })
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
            return Err(Error::Timeout {
                what: format!("getting credentials for profile '{profile_name}'"),
                seconds: 0,
            });
        }
        self.ports
            .sts
            .assume_role_with_web_identity(profile, token, &session, timeout)
            .await
            .map_err(|source| Error::Sts { profile: profile_name.to_string(), source })
    }

    /// A usable ID token for the provider without a person, for `target`'s STS endpoint: the stored one
    /// while it is valid (and not the one STS just refused), else one from the refresh token. The
    /// provider lock is held.
    async fn id_token(
        &self,
        name: &str,
        provider: &Provider,
        refused: Option<&Secret>,
        (profile_name, target): (&str, &Profile),
        deadline: Instant,
        provider_guard: &Arc<LockGuard>,
    ) -> Result<(Secret, IdClaims)> {
        let profile = Some(profile_name);
        let tokens = self.signed_in_tokens(name, provider, profile).await?;
        crate::app::trust::check_profile(&tokens, name, (profile_name, target), Endpoint::Sts)?;
        if let Some(usable) = self.stored_web_token(provider, &tokens, refused) {
            return Ok(usable);
        }
        if tokens.refresh_token.is_none() {
            let why = "the ID token expired and the IdP gave no refresh token (is offline_access among the scopes?)";
            return Err(Error::sign_in_needed(name, why, profile));
        }
        let set = self.redeem(name, provider, tokens, deadline, provider_guard.clone()).await.map_err(|e| match e {
            Error::Oidc(OidcError::RefreshRejected { code }) => {
                Error::sign_in_needed(name, format!("the IdP refused the refresh token: {code}"), profile)
            }
            // the rotated refresh token is stored, but it will never bring an ID token (OIDC Core §12.2)
            Error::Oidc(OidcError::NoIdToken) => {
                self.note_id_token_on_refresh(name, false);
                Error::NoNewIdToken { provider: name.to_string() }
            }
            other => other,
        })?;
        self.note_id_token_on_refresh(name, true);
        match (provider.sends_access_token(), set.access_token) {
            (false, _) => Ok((set.id_token, set.claims)),
            (true, Some(at)) => Ok((at, set.claims)),
            // never the ID token in its place: STS would be given what the person did not choose
            (true, None) => Err(Error::Internal { what: format!("the refresh of '{name}' brought no access token") }),
        }
    }

    /// The stored token STS gets (the ID token, or the access token where the provider sends that) with
    /// the ID token's claims for the session name: while it has [`ID_TOKEN_MARGIN`] left and is not the
    /// one STS just refused. The access token was checked like the ID token before it was stored.
    fn stored_web_token(
        &self,
        provider: &Provider,
        tokens: &StoredTokens,
        refused: Option<&Secret>,
    ) -> Option<(Secret, IdClaims)> {
        let claims = IdClaims::decode(tokens.id_token.expose()).ok()?;
        let (token, expires_at) = if provider.sends_access_token() {
            // none stored: signed in before the provider chose it, so the next redemption brings one
            let at = tokens.access_token.clone()?;
            let expires_at = IdClaims::decode(at.expose()).ok()?.expires_at;
            (at, expires_at)
        } else {
            (tokens.id_token.clone(), claims.expires_at)
        };
        (refused != Some(&token) && expires_at - self.clock.now() > ID_TOKEN_MARGIN).then_some((token, claims))
    }
}

pub(crate) fn remaining(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}

/// The provider lock, and then, on Windows, a rotation still in flight waited for: there a refresh helper
/// whose caller was killed holds the provider's rotation lock alone until it has stored the successor
/// (`sys::detached`). Any failure to take it counts as a rotation in flight (a scanner holding the file
/// open must not let this process read the token being redeemed). On Unix the helper holds the provider
/// lock itself, and nobody takes the rotation lock.
pub(crate) async fn provider_lock(
    paths: &crate::state::paths::Paths,
    provider: &str,
    timeout: Duration,
) -> Result<LockGuard> {
    let started = Instant::now();
    let guard = blocking_lock(paths.lock_file(LockKind::Provider, provider), timeout).await?;
    if cfg!(windows) {
        let left = timeout.saturating_sub(started.elapsed());
        drop(blocking_lock(paths.lock_file(LockKind::Rotation, provider), left).await?);
    }
    Ok(guard)
}

pub(crate) async fn blocking_lock(path: std::path::PathBuf, timeout: Duration) -> Result<crate::sys::lock::LockGuard> {
    tokio::task::spawn_blocking(move || crate::sys::lock::lock_exclusive(&path, timeout))
        .await
        .map_err(|e| Error::Timeout { what: format!("waiting for a lock ({e})"), seconds: timeout.as_secs() })?
        .map_err(Error::from)
}
