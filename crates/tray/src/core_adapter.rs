//! The tray's one door to the core's status and sign-out: `Idbridge::status()` (the recorded state of
//! each profile, its last failure and who is signed in, shared with the CLI) and `logout` (which takes
//! the provider's lock, so a refresh in flight cannot undo it), turned into the model's terms.

use idbridge_core::app::logout::Revocation;
use idbridge_core::config::ConfigError;
use idbridge_core::{Error, Idbridge};
use time::OffsetDateTime;

use crate::model::{ConfigLoad, Failure, ProfileSnap, ProviderSnap, Snapshot};
use crate::scheduler::Policy;

/// A core error as the model keeps it: code for the human sentence, the message for Details.
pub fn failure(e: &Error, now: OffsetDateTime) -> Failure {
    Failure { why: e.console_kind(), ..Failure::new(now, e.code(), e.to_string()) }
}

/// Config, keychain, credential files and failure memory as one snapshot. Blocking (keychain): run it
/// off the loop.
pub fn snapshot(core: &Idbridge) -> Snapshot {
    let now = core.now();
    let invalid = |load| Snapshot { config: load, lang: crate::i18n::pick(None), providers: vec![], profiles: vec![] };
    let config = match core.load_config() {
        Ok(c) => c,
        Err(Error::Config(ConfigError::Missing { .. })) => return invalid(ConfigLoad::Missing),
        Err(e) => return invalid(ConfigLoad::Invalid(failure(&e, now))),
    };
    let status = match core.status() {
        Ok(s) => s,
        Err(e) => return invalid(ConfigLoad::Invalid(failure(&e, now))),
    };
    let providers = config
        .providers
        .iter()
        .map(|(name, p)| {
            let mine: Vec<_> = status.iter().filter(|s| &s.provider == name).collect();
            let signed_in = match mine.first() {
                Some(s) => s.signed_in,
                None => core.is_signed_in(name, p).ok(),
            };
            ProviderSnap { name: name.clone(), signed_in, identity: mine.iter().find_map(|s| s.identity.clone()) }
        })
        .collect();
    let notify_lead = time::Duration::minutes(config.app.notify_before_expiry_minutes.into());
    let profiles = status
        .into_iter()
        .map(|s| {
            let duration = config
                .profiles
                .get(&s.profile)
                .map_or(idbridge_core::config::DEFAULT_DURATION_SECONDS, |p| p.duration_seconds);
            ProfileSnap {
                role: s.role_arn.rsplit('/').next().unwrap_or(&s.role_arn).to_string(),
                policy: Policy { refresh_lead: config.app.refresh_lead(duration), notify_lead },
                state: s.state,
                failure: s.last_failure.map(|f| Failure::new(f.at, f.code, f.message)),
                name: s.profile,
                provider: s.provider,
                region: s.region,
                expiration: s.expiration,
            }
        })
        .collect();
    Snapshot { config: ConfigLoad::Ok, lang: crate::i18n::pick(config.app.language), providers, profiles }
}

/// Signs out through the core. `Ok(true)` when the IdP also revoked the refresh token.
pub async fn sign_out(core: &Idbridge, provider: &str) -> Result<bool, Failure> {
    match core.logout(provider).await {
        Ok(report) => Ok(report.revocation == Revocation::Revoked),
        Err(e) => Err(failure(&e, core.now())),
    }
}

/// Opens the profile's console in the browser (or Firefox container) its settings name, else the
/// system's browser: the same path as `idbridge console`.
pub async fn open_console(core: &Idbridge, profile: &str) -> Result<(), Failure> {
    let opener = |url: &str| webbrowser::open(url);
    core.open_console(profile, None, opener).await.map_err(|e| failure(&e, core.now()))
}
