//! Signing a person in with the device flow, then preparing every profile of that provider.
//!
//! Split in two so a front end can show the user code (and offer Cancel) between the steps: dropping a
//! [`PendingSignIn`] or the future of [`Idbridge::finish_sign_in`] abandons the sign-in.

use std::sync::Arc;
use std::time::{Duration, Instant};

use time::OffsetDateTime;

use crate::app::Idbridge;
use crate::app::error::{Error, Result};
use crate::app::failures;
use crate::app::ports::{IdpSession, Sleep};
use crate::app::refresh::provider_lock;
use crate::config::{Config, Provider};
use crate::oidc::{DeviceAuthorization, Discovered, TokenSet};
use crate::state::freshness::Binding;
use crate::state::token_store::StoredTokens;

/// A sign-in waits this long for a refresh or sign-out in another process to finish.
pub const SIGN_IN_LOCK_WAIT: Duration = Duration::from_secs(60);

pub struct PendingSignIn {
    provider_name: String,
    provider: Provider,
    idp: Arc<dyn IdpSession>,
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
    /// Until when renewal works without the person, when that ends with the ID token (see `renewal`).
    pub renews_until: Option<(OffsetDateTime, crate::app::renewal::Limit)>,
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
        let idp = self.connect(&provider).await?;
        let authorization = idp.start_device_flow(&provider).await?;
        Ok(PendingSignIn { provider_name: provider_name.to_string(), provider, idp, authorization })
    }

    /// Waits for the approval, stores the tokens in the keychain, then fetches credentials for every
    /// profile of the provider. A profile that fails does not stop the others; the report says which.
    pub async fn finish_sign_in(&self, config: &Config, pending: PendingSignIn, sleep: Sleep) -> Result<SignInReport> {
        let PendingSignIn { provider_name, provider, idp, authorization } = pending;
        let set = idp.finish_device_flow(authorization, sleep).await?;
        self.complete_sign_in(config, provider_name, &provider, idp.discovered(), &set).await
    }

    /// After either flow: stores the tokens, then fetches credentials for every profile of the provider;
    /// chained profiles (`source_profile`) last, once the provider lock is let go (their refresh takes
    /// their source's profile lock, which comes before the provider lock).
    pub(crate) async fn complete_sign_in(
        &self,
        config: &Config,
        provider_name: String,
        provider: &Provider,
        discovered: &Discovered,
        set: &TokenSet,
    ) -> Result<SignInReport> {
        let (chained, direct): (Vec<_>, Vec<_>) =
            config.profiles_of(&provider_name).partition(|(_, p)| p.source_profile.is_some());
        // the provider lock orders this sign-in with refreshes and sign-outs in other processes
        let guard = provider_lock(&self.paths, &provider_name, SIGN_IN_LOCK_WAIT).await?;
        let tokens = StoredTokens {
            issuer: provider.issuer.clone(),
            client_id: provider.client_id.clone(),
            refresh_token: set.refresh_token.clone(),
            id_token: set.id_token.clone(),
            access_token: set.access_token.clone(),
            // what the person signs in for now is where these tokens may go (app::trust)
            destinations: Some(crate::app::trust::destinations_of(config, &provider_name, discovered)),
        };
        let renews_until = self.renewal_limit(&provider_name, &tokens);
        self.save_tokens(&provider_name, tokens).await?;
        let mut profiles = Vec::new();
        for (name, profile) in direct {
            failures::clear(&self.paths.failure_file(name));
            let result = async {
                let deadline = Instant::now() + self.http_timeout;
                let assumed = self.assume(name, profile, set.web_identity_token(), &set.claims, deadline).await?;
                self.write_credentials(name, profile, provider, &assumed.credentials, config.source.as_ref())?;
                Ok::<_, Error>(assumed.credentials.expiration)
            }
            .await;
            if let Err(e) = &result {
                failures::record(
                    &self.paths.failure_file(name),
                    None,
                    &Binding::of(&provider_name, provider, profile),
                    e,
                    self.clock.now(),
                );
            }
            profiles.push(ProfileOutcome { profile: name.clone(), result });
        }
        drop(guard);
        for (name, _) in chained {
            failures::clear(&self.paths.failure_file(name));
            let result =
                self.renew(name, Instant::now() + self.http_timeout * 2).await.map(|s| s.credentials.expiration);
            profiles.push(ProfileOutcome { profile: name.clone(), result });
        }
        Ok(SignInReport {
            provider: provider_name,
            who: crate::sys::sanitize::field(set.claims.display_name()),
            profiles,
            renews_until,
        })
    }
}
