//! The use cases both front ends share, over narrow dependencies (paths, token store, clock) that each
//! binary wires once: status, sign-out and the console here; refresh and sign-in in their own modules.

use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;

use crate::clock::Clock;
use crate::config::{Config, Profile, Provider};
use crate::credentials::{self, Credentials};
use crate::endpoints::{AwsSts, IdentityProvider, OidcEndpoints, SecurityTokenService};
use crate::error::{Error, Result};
use crate::failures::FailureRecord;
use crate::paths::Paths;
use crate::secret::Secret;
use crate::shield::Shield;
use crate::token_store::{StoredTokens, TokenStore, TokenStoreError};

pub struct Idbridge {
    pub paths: Paths,
    pub(crate) store: Arc<dyn TokenStore>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) idp: Arc<dyn IdentityProvider>,
    pub(crate) sts: Arc<dyn SecurityTokenService>,
    /// Marks a refresh-token rotation in flight; front ends hold signals and quitting while it is active.
    pub shield: Arc<Shield>,
    /// Upper bound for one HTTP exchange with the IdP, STS or the federation endpoint.
    pub(crate) http_timeout: Duration,
}

/// Where a profile stands, as `status` and the tray show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileState {
    /// The keychain holds no tokens for the provider.
    SignedOut,
    /// Only a sign-in helps: the IdP refused the refresh token, or the provider's issuer or client changed.
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
        let idp = Arc::new(OidcEndpoints { clock: clock.clone() });
        Self { paths, store, clock, idp, sts: Arc::new(AwsSts), shield: Shield::new(), http_timeout }
    }

    /// Other IdP and STS implementations (in-process tests wire fakes here).
    pub fn with_endpoints(mut self, idp: Arc<dyn IdentityProvider>, sts: Arc<dyn SecurityTokenService>) -> Self {
        self.idp = idp;
        self.sts = sts;
        self
    }

    pub fn load_config(&self) -> Result<Config> {
        Ok(Config::load(&self.paths.config_file)?)
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    pub(crate) fn oidc_http(&self) -> Result<openidconnect::reqwest::Client> {
        Ok(crate::oidc::http_client(self.http_timeout)?)
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

    /// Tokens that belong to this provider's current issuer and client, or why a sign-in is needed.
    pub(crate) async fn signed_in_tokens(
        &self,
        name: &str,
        provider: &Provider,
        profile: Option<&str>,
    ) -> Result<StoredTokens> {
        match self.load_tokens(name).await? {
            None => Err(Error::sign_in_needed(name, "not signed in", profile)),
            Some(t) if t.issuer != provider.issuer || t.client_id != provider.client_id => Err(Error::sign_in_needed(
                name,
                "the provider's issuer or client_id changed since the last sign-in",
                profile,
            )),
            Some(t) => Ok(t),
        }
    }

    /// Discovery only, to check a provider's settings.
    pub async fn discover(&self, provider: &Provider) -> Result<crate::oidc::Discovered> {
        Ok(crate::oidc::Oidc::discover(provider, self.oidc_http()?, self.clock.clone()).await?.discovered)
    }

    /// The keychain holds tokens for this provider's current issuer and client. Blocking (keychain).
    pub fn is_signed_in(&self, name: &str, provider: &Provider) -> Result<bool> {
        Ok(self
            .store
            .load(name)?
            .is_some_and(|t| t.issuer == provider.issuer && t.client_id == provider.client_id))
    }

    /// A console sign-in URL for the profile (a credential: show it only to the person).
    pub async fn console_url(&self, profile_name: &str, destination: Option<&str>) -> Result<Secret> {
        let config = self.load_config()?;
        let profile = config.profile(profile_name, &self.paths.config_file)?.clone();
        let credentials = self.credentials_for_console(&config, profile_name).await?;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(self.http_timeout)
            .build()
            .map_err(|e| crate::oidc::OidcError::HttpClient { source: Box::new(e) })?;
        let dest = crate::console::destination(&profile, destination);
        Ok(crate::console::signin_url(&profile, &credentials, &dest, &http).await?)
    }

    async fn credentials_for_console(&self, _config: &Config, profile_name: &str) -> Result<Credentials> {
        // the console session cannot outlive the credentials: take the same fresh ones the CLI hands out
        let deadline = std::time::Instant::now() + self.http_timeout * 2;
        let served = self.credential_process(profile_name, deadline).await?;
        Credentials::from_process_json(&served.json).map_err(|reason| {
            credentials::CredentialFileError::Corrupt { path: self.paths.credential_file(profile_name), reason }.into()
        })
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
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(TokenStoreError::Other { source: Box::new(e) }))
}
