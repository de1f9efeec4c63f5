//! The use cases both front ends share, over narrow dependencies (paths, token store, clock) that each
//! binary wires once: status, sign-out and the console here; refresh and sign-in in their own modules.

use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;

use crate::clock::Clock;
use crate::config::{Config, Profile, Provider};
use crate::credentials::{self, Credentials};
use crate::error::{Error, Result};
use crate::paths::Paths;
use crate::secret::Secret;
use crate::token_store::{StoredTokens, TokenStore, TokenStoreError};

pub struct Idbridge {
    pub paths: Paths,
    pub(crate) store: Arc<dyn TokenStore>,
    pub(crate) clock: Arc<dyn Clock>,
    /// Upper bound for one HTTP exchange with the IdP, STS or the federation endpoint.
    pub(crate) http_timeout: Duration,
}

/// What `status` reports for one profile.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProfileStatus {
    pub profile: String,
    pub provider: String,
    pub role_arn: String,
    pub region: String,
    /// The keychain holds tokens for the provider; `None` when the keychain could not be asked.
    pub signed_in: Option<bool>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub expiration: Option<OffsetDateTime>,
    /// Seconds of validity left (negative once expired).
    pub expires_in_seconds: Option<i64>,
    pub problem: Option<String>,
}

impl Idbridge {
    pub fn new(paths: Paths, store: Arc<dyn TokenStore>, clock: Arc<dyn Clock>, http_timeout: Duration) -> Self {
        Self { paths, store, clock, http_timeout }
    }

    pub fn load_config(&self) -> Result<Config> {
        Ok(Config::load(&self.paths.config_file)?)
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    pub(crate) fn oidc_http(&self) -> crate::http::CappedHttp {
        crate::oidc::http_client(self.http_timeout)
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
        Ok(crate::oidc::Oidc::discover(provider, self.oidc_http(), self.clock.clone()).await?.discovered)
    }

    /// The keychain holds tokens for this provider's current issuer and client. Blocking (keychain).
    pub fn is_signed_in(&self, name: &str, provider: &Provider) -> Result<bool> {
        Ok(self
            .store
            .load(name)?
            .is_some_and(|t| t.issuer == provider.issuer && t.client_id == provider.client_id))
    }

    pub fn status(&self) -> Result<Vec<ProfileStatus>> {
        let config = self.load_config()?;
        let now = self.clock.now();
        let mut signed_in: std::collections::BTreeMap<&str, std::result::Result<bool, String>> = Default::default();
        let mut out = Vec::new();
        for (name, profile) in &config.profiles {
            let provider = &config.providers[&profile.provider];
            let state = signed_in
                .entry(profile.provider.as_str())
                .or_insert_with(|| self.is_signed_in(&profile.provider, provider).map_err(|e| e.to_string()));
            let file = credentials::read_file(&self.paths.credential_file(name));
            let expiration = file.as_ref().ok().and_then(|f| f.as_ref()).map(|f| f.credentials.expiration);
            let problem = match (&state, &file) {
                (Err(e), _) => Some(e.clone()),
                (_, Err(e)) => Some(e.to_string()),
                _ => None,
            };
            out.push(ProfileStatus {
                profile: name.clone(),
                provider: profile.provider.clone(),
                role_arn: profile.role_arn.clone(),
                region: profile.region.clone(),
                signed_in: state.as_ref().ok().copied(),
                expiration,
                expires_in_seconds: expiration.map(|e| (e - now).whole_seconds()),
                problem,
            });
        }
        Ok(out)
    }

    /// Forgets a provider: its keychain item and the credential files of its profiles. Returns the
    /// profiles whose files were removed.
    pub fn logout(&self, provider: &str) -> Result<Vec<String>> {
        let config = self.load_config()?;
        config.provider(provider, &self.paths.config_file)?;
        let mut removed = Vec::new();
        for (name, _) in config.profiles_of(provider) {
            let path = self.paths.credential_file(name);
            match std::fs::remove_file(&path) {
                Ok(()) => removed.push(name.clone()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => return Err(credentials::CredentialFileError::Write { path, source }.into()),
            }
        }
        self.store.delete(provider)?;
        Ok(removed)
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
            .unwrap_or_default();
        let dest = crate::console::destination(&profile, destination);
        Ok(crate::console::signin_url(&profile, &credentials, &dest, &http).await?)
    }

    async fn credentials_for_console(&self, config: &Config, profile_name: &str) -> Result<Credentials> {
        let path = self.paths.credential_file(profile_name);
        // the console session cannot outlive the credentials: take the same fresh ones the CLI hands out
        if let Some(f) = credentials::read_file(&path).ok().flatten()
            && f.credentials.is_fresh(self.clock.now())
        {
            return Ok(f.credentials);
        }
        let bytes = self.refresh_profile(config, profile_name).await?;
        Credentials::from_process_json(&bytes)
            .map_err(|reason| credentials::CredentialFileError::Corrupt { path, reason }.into())
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
        .unwrap_or_else(|e| Err(TokenStoreError::Other { detail: format!("keychain task failed: {e}") }))
}
