//! Signing a person in with the device flow, then preparing every profile of that provider.
//!
//! Split in two so a front end can show the user code (and offer Cancel) between the steps: dropping a
//! [`PendingSignIn`] or the future of [`Idbridge::finish_sign_in`] abandons the sign-in.

use std::future::Future;
use std::time::Duration;

use time::OffsetDateTime;

use crate::app::Idbridge;
use crate::config::{Config, Provider};
use crate::credentials;
use crate::error::{Error, Result};
use crate::oidc::{DeviceAuthorization, Oidc, TokenSet};
use crate::token_store::StoredTokens;

pub struct PendingSignIn {
    provider_name: String,
    provider: Provider,
    oidc: Oidc,
    pub authorization: DeviceAuthorization,
}

/// The outcome for one profile after a sign-in.
#[derive(Debug)]
pub struct ProfileOutcome {
    pub profile: String,
    pub result: Result<OffsetDateTime>,
}

#[derive(Debug)]
pub struct SignInReport {
    pub provider: String,
    /// Email if the IdP sent one, else the subject.
    pub who: String,
    pub profiles: Vec<ProfileOutcome>,
}

impl SignInReport {
    pub fn failures(&self) -> impl Iterator<Item = &ProfileOutcome> {
        self.profiles.iter().filter(|p| p.result.is_err())
    }
}

impl Idbridge {
    /// Discovery and device authorization: returns the code to show and the URL to open.
    pub async fn start_sign_in(&self, config: &Config, provider_name: &str) -> Result<PendingSignIn> {
        let provider = config.provider(provider_name, &self.paths.config_file)?.clone();
        let oidc = Oidc::discover(&provider, self.oidc_http(), self.clock.clone()).await?;
        let authorization = oidc.start_device_flow(&provider).await?;
        Ok(PendingSignIn { provider_name: provider_name.to_string(), provider, oidc, authorization })
    }

    /// Waits for the approval, stores the tokens in the keychain, then fetches credentials for every
    /// profile of the provider. A profile that fails does not stop the others; the report says which.
    pub async fn finish_sign_in<S, F>(&self, config: &Config, pending: PendingSignIn, sleep: S) -> Result<SignInReport>
    where
        S: Fn(Duration) -> F + 'static,
        F: Future<Output = ()>,
    {
        let PendingSignIn { provider_name, provider, oidc, authorization } = pending;
        let set = oidc.finish_device_flow(authorization, sleep).await?;
        self.store_sign_in(&provider_name, &provider, &set).await?;
        Ok(self.prepare_profiles(config, provider_name, &set).await)
    }

    /// The tokens of a sign-in go to the keychain before anything else happens.
    pub(crate) async fn store_sign_in(&self, provider_name: &str, provider: &Provider, set: &TokenSet) -> Result<()> {
        self.save_tokens(provider_name, StoredTokens {
            issuer: provider.issuer.clone(),
            client_id: provider.client_id.clone(),
            refresh_token: set.refresh_token.clone(),
            id_token: set.id_token.clone(),
        })
        .await
    }

    /// Credentials for every profile of the provider. A profile that fails does not stop the others.
    pub(crate) async fn prepare_profiles(&self, config: &Config, provider_name: String, set: &TokenSet) -> SignInReport {
        let mut profiles = Vec::new();
        // chained profiles after the others: they start from their source's fresh credentials
        let (chained, direct): (Vec<_>, Vec<_>) = config.profiles_of(&provider_name).partition(|(_, p)| p.source_profile.is_some());
        for (name, profile) in direct {
            let result = async {
                let assumed = self.assume(name, profile, &set.id_token, &set.claims).await?;
                credentials::write_file(&self.paths.credential_file(name), &assumed.credentials)?;
                Ok::<_, Error>(assumed.credentials.expiration)
            }
            .await;
            profiles.push(ProfileOutcome { profile: name.clone(), result });
        }
        for (name, _) in chained {
            let result = self.refresh_profile(config, name).await.and_then(|bytes| {
                credentials::Credentials::from_process_json(&bytes)
                    .map(|c| c.expiration)
                    .map_err(|reason| credentials::CredentialFileError::Corrupt { path: self.paths.credential_file(name), reason }.into())
            });
            profiles.push(ProfileOutcome { profile: name.clone(), result });
        }
        SignInReport { provider: provider_name, who: set.claims.display_name().to_string(), profiles }
    }
}
