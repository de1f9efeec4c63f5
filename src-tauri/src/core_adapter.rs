//! The tray's one door to the core's status and sign-out. Issue 7 gives `Idbridge::status()` a
//! recorded per-profile state, failure and identity, and `logout` a report; until it lands this file
//! derives the same from the keychain and the credential files, so switching is a change here only.

use idbridge_core::config::ConfigError;
use idbridge_core::{Error, Idbridge};
use time::OffsetDateTime;

use crate::i18n::Lang;
use crate::model::{ConfigLoad, Failure, ProfileSnap, ProfileState, ProviderSnap, Snapshot};
use crate::scheduler::Policy;

/// A core error as the model keeps it: code for the human sentence, the message for Details.
pub fn failure(e: &Error, now: OffsetDateTime) -> Failure {
    Failure::new(now, e.code(), e.to_string())
}

/// Config, keychain and credential files as one snapshot. Blocking (keychain): run it off the loop.
pub fn snapshot(core: &Idbridge) -> Snapshot {
    let now = core.now();
    let config = match core.load_config() {
        Ok(c) => c,
        Err(e) => {
            let load = match &e {
                Error::Config(ConfigError::Missing { .. }) => ConfigLoad::Missing,
                _ => ConfigLoad::Invalid(failure(&e, now)),
            };
            return Snapshot { config: load, lang: Lang::pick(None), policy: Policy::DEFAULT, providers: vec![], profiles: vec![] };
        }
    };
    let providers: Vec<ProviderSnap> = config
        .providers
        .iter()
        .map(|(name, p)| ProviderSnap { name: name.clone(), signed_in: core.is_signed_in(name, p).ok(), identity: None })
        .collect();
    let profiles = config
        .profiles
        .iter()
        .map(|(name, p)| {
            let signed_in = providers.iter().find(|s| s.name == p.provider).and_then(|s| s.signed_in);
            let file = idbridge_core::credentials::read_file(&core.paths.credential_file(name));
            let expiration = file.as_ref().ok().and_then(|f| f.as_ref()).map(|f| f.credentials.expiration);
            let (state, failure) = match (signed_in, &file) {
                (None, _) => (ProfileState::KeychainUnavailable, None),
                (Some(false), _) => (ProfileState::SignedOut, None),
                (Some(true), Err(e)) => (ProfileState::RefreshFailing, Some(Failure::new(now, "file_error", e.to_string()))),
                (Some(true), _) if expiration.is_some_and(|e| e > now) => (ProfileState::Ready, None),
                (Some(true), _) => (ProfileState::Expired, None),
            };
            ProfileSnap {
                name: name.clone(),
                provider: p.provider.clone(),
                role: p.role_arn.rsplit('/').next().unwrap_or(&p.role_arn).to_string(),
                region: p.region.clone(),
                expiration,
                state,
                failure,
            }
        })
        .collect();
    Snapshot {
        config: ConfigLoad::Ok,
        lang: Lang::pick(config.app.language.as_deref()),
        policy: Policy::from_settings(&config.app),
        providers,
        profiles,
    }
}

/// Signs out through the core (which holds the provider's lock, so a refresh in flight cannot undo it).
/// `Ok(true)` when the IdP also revoked the refresh token.
pub fn sign_out(core: &Idbridge, provider: &str) -> Result<bool, Failure> {
    core.logout(provider).map(|_removed| false).map_err(|e| failure(&e, core.now()))
}
