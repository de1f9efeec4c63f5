//! The use cases both front ends share, over narrow dependencies (paths, token store, clock) that each
//! binary wires once: status, sign-out and the console here; refresh and sign-in in their own modules.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;

use crate::app::error::{Error, Result};
use crate::app::failures::FailureRecord;
use crate::app::ports::Ports;
use crate::config::{Config, Profile, Provider};
use crate::state::paths::Paths;
use crate::state::token_store::{StoredTokens, TokenStore, TokenStoreError};
use crate::sys::clock::Clock;
use crate::sys::shield::Shield;

pub mod aws_setup;
pub mod browser_signin;
mod chain;
mod console;
pub mod doctor;
pub mod endpoint;
pub mod error;
pub mod failures;
pub mod logout;
pub mod ports;
pub mod prompt;
pub mod redeem_helper;
pub mod refresh;
pub mod renewal;
pub mod rotation;
mod shared_keys;
pub mod signin;
mod status;
mod trust;

#[cfg(test)]
mod edge_tests;
#[cfg(test)]
mod flow_tests;
#[cfg(test)]
mod refresh_tests;
#[cfg(test)]
mod testing;
#[cfg(test)]
mod trust_tests;

pub struct Idbridge {
    pub paths: Paths,
    pub(crate) store: Arc<dyn TokenStore>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) ports: Ports,
    /// Marks a refresh-token rotation in flight; front ends hold signals and quitting while it is active.
    pub shield: Arc<Shield>,
    /// Upper bound for one HTTP exchange with the IdP, STS or the federation endpoint.
    pub(crate) http_timeout: Duration,
    /// How to start the process that redeems refresh tokens out of a killer's reach; `None`: in-process.
    pub(crate) redeem_helper: Option<crate::sys::detached::HelperCommand>,
    /// `$AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`, for `shared_credentials_file = true`.
    pub(crate) shared_credentials_file: Option<PathBuf>,
}

/// Where a profile stands, as `status` and the tray show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileState {
    /// The keychain holds no tokens for the provider (or only a leftover of another issuer or client).
    SignedOut,
    /// Only a sign-in helps: the IdP refused the refresh token, or its endpoints moved since the sign-in.
    SignInNeeded,
    /// Valid credentials with time left.
    Ready,
    /// Signed in, but no valid credentials yet: the next use fetches them.
    Expired,
    /// The last refresh failed for a reason a sign-in would not fix (see `last_failure`).
    RefreshFailing,
    /// The keychain could not be asked.
    KeychainUnavailable,
}

/// What `status` reports for one profile.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProfileStatus {
    pub profile: String,
    pub provider: String,
    pub role_arn: String,
    pub region: String,
    pub state: ProfileState,
    /// The keychain holds tokens for the provider; `None` when the keychain could not be asked.
    pub signed_in: Option<bool>,
    /// Who is signed in (email, else subject), from the stored ID token.
    pub identity: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub expiration: Option<OffsetDateTime>,
    /// Seconds of validity left (negative once expired).
    pub expires_in_seconds: Option<i64>,
    pub last_failure: Option<FailureRecord>,
    pub problem: Option<String>,
}

impl Idbridge {
    pub fn new(paths: Paths, store: Arc<dyn TokenStore>, clock: Arc<dyn Clock>, http_timeout: Duration) -> Self {
        let ports = Ports::real(clock.clone());
        Self {
            paths,
            store,
            clock,
            ports,
            shield: Shield::new(),
            http_timeout,
            redeem_helper: None,
            shared_credentials_file: None,
        }
    }

    /// Where profiles with `shared_credentials_file = true` keep their keys (the caller resolves
    /// `$AWS_SHARED_CREDENTIALS_FILE`: the core reads no environment).
    pub fn with_shared_credentials_file(mut self, path: Option<PathBuf>) -> Self {
        self.shared_credentials_file = path;
        self
    }

    /// Other implementations of the outside services (in-process tests wire fakes here).
    pub fn with_ports(mut self, ports: Ports) -> Self {
        self.ports = ports;
        self
    }

    pub fn load_config(&self) -> Result<Config> {
        Ok(Config::load(&self.paths.config_file)?)
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// Keychain access is blocking (D-Bus round trips): keep it off the async workers.
    pub(crate) async fn load_tokens(&self, provider: &str) -> Result<Option<StoredTokens>> {
        let (store, name) = (self.store.clone(), provider.to_string());
        Ok(blocking(move || store.load(&name)).await?)
    }

    pub(crate) async fn save_tokens(&self, provider: &str, tokens: StoredTokens) -> Result<()> {
        let (store, name) = (self.store.clone(), provider.to_string());
        Ok(blocking(move || store.save(&name, &tokens)).await?)
    }

    /// Tokens that belong to this provider's current issuer and client, or why a sign-in is needed. A
    /// leftover of another issuer or client (another config under the same name) is no sign-in at all:
    /// "not signed in", as with no item; the next sign-in replaces it, a sign-out removes it.
    pub(crate) async fn signed_in_tokens(
        &self,
        name: &str,
        provider: &Provider,
        profile: Option<&str>,
    ) -> Result<StoredTokens> {
        match self.load_tokens(name).await? {
            Some(t) if t.belongs_to(provider) => Ok(t),
            _ => Err(Error::sign_in_needed(name, "not signed in", profile)),
        }
    }

    /// The provider, discovered (for a sign-in: the person waits, so only the HTTP timeout bounds it).
    pub(crate) async fn connect(&self, provider: &Provider) -> Result<Arc<dyn ports::IdpSession>> {
        Ok(self.ports.idp.connect(provider, self.http_timeout).await?)
    }

    /// Discovery only, to check a provider's settings.
    pub async fn discover(&self, provider: &Provider) -> Result<crate::oidc::Discovered> {
        Ok(self.connect(provider).await?.discovered().clone())
    }

    /// The keychain holds tokens for this provider's current issuer and client. Blocking (keychain).
    pub fn is_signed_in(&self, name: &str, provider: &Provider) -> Result<bool> {
        Ok(self.store.load(name)?.is_some_and(|t| t.belongs_to(provider)))
    }

    pub(crate) fn profile_and_provider<'c>(
        &self,
        config: &'c Config,
        profile_name: &str,
    ) -> Result<(&'c Profile, &'c Provider)> {
        let profile = config.profile(profile_name, &self.paths.config_file)?;
        let provider = config.provider(&profile.provider, &self.paths.config_file)?;
        Ok((profile, provider))
    }
}

pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> std::result::Result<T, TokenStoreError> + Send + 'static,
) -> std::result::Result<T, TokenStoreError> {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|e| Err(TokenStoreError::Other { source: Box::new(e) }))
}
