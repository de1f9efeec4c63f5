//! What the app knows between events: the core, the last config, per-profile refresh tracks, which
//! providers are signed in. Locks are std mutexes held for a few field accesses, never across an await.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use idbridge_core::config::Config;
use idbridge_core::credentials;
use idbridge_core::Idbridge;
use time::OffsetDateTime;

use crate::i18n::Lang;
use crate::scheduler::{Policy, Said, Track};

pub struct AppState {
    pub core: Arc<Idbridge>,
    inner: Mutex<Inner>,
    /// Wakes the background loop early (sign-in done, config saved, Refresh now).
    pub wake: tokio::sync::Notify,
    pub signin: Mutex<Option<crate::signin::SignInTask>>,
}

#[derive(Default)]
pub struct Inner {
    pub config: Option<Config>,
    pub config_error: Option<String>,
    pub tracks: BTreeMap<String, Track>,
    /// provider → the keychain holds its tokens.
    pub signed_in: BTreeMap<String, bool>,
    pub refreshing: HashSet<String>,
    pub said: Said,
    pub lang: Option<Lang>,
}

/// One profile as the menu shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileView {
    pub name: String,
    pub provider: String,
    pub role: String,
    pub expiration: Option<OffsetDateTime>,
    pub track: Track,
    pub refreshing: bool,
    pub provider_signed_in: bool,
}

impl AppState {
    pub fn new(core: Arc<Idbridge>) -> Self {
        Self { core, inner: Mutex::new(Inner::default()), wake: tokio::sync::Notify::new(), signin: Mutex::new(None) }
    }

    /// A poisoned lock only means a panic elsewhere; the data is still the best we have.
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Re-reads config.toml (cheap; it is small) so edits by hand or by the CLI show up.
    pub fn reload_config(&self) {
        let loaded = self.core.load_config();
        let mut inner = self.lock();
        match loaded {
            Ok(c) => {
                inner.lang = Some(Lang::pick(c.app.language.as_deref()));
                inner.config = Some(c);
                inner.config_error = None;
            }
            Err(e) => {
                inner.config_error = Some(e.to_string());
                inner.lang.get_or_insert_with(|| Lang::pick(None));
            }
        }
    }

    pub fn lang(&self) -> Lang {
        self.lock().lang.unwrap_or_else(|| Lang::pick(None))
    }

    /// The refresh and notify leads for one profile (the refresh lead scales with its session length).
    pub fn policy(&self, profile: &str) -> Policy {
        let inner = self.lock();
        let app = inner.config.as_ref().map(|c| c.app.clone()).unwrap_or_default();
        let duration = inner
            .config
            .as_ref()
            .and_then(|c| c.profiles.get(profile))
            .map_or(idbridge_core::config::DEFAULT_DURATION_SECONDS, |p| p.duration_seconds);
        Policy {
            refresh_lead: app.refresh_lead(duration),
            notify_lead: time::Duration::minutes(app.notify_before_expiry_minutes.into()),
        }
    }

    pub fn profiles(&self) -> Vec<ProfileView> {
        let inner = self.lock();
        let Some(config) = &inner.config else { return Vec::new() };
        config
            .profiles
            .iter()
            .map(|(name, p)| ProfileView {
                name: name.clone(),
                provider: p.provider.clone(),
                role: p.role_arn.rsplit('/').next().unwrap_or(&p.role_arn).to_string(),
                expiration: credentials::read_file(&self.core.paths.credential_file(name))
                    .ok()
                    .flatten()
                    .map(|f| f.credentials.expiration),
                track: inner.tracks.get(name).cloned().unwrap_or_default(),
                refreshing: inner.refreshing.contains(name),
                provider_signed_in: inner.signed_in.get(&p.provider).copied().unwrap_or(false),
            })
            .collect()
    }

    pub fn providers(&self) -> Vec<(String, bool)> {
        let inner = self.lock();
        let Some(config) = &inner.config else { return Vec::new() };
        config.providers.keys().map(|p| (p.clone(), inner.signed_in.get(p).copied().unwrap_or(false))).collect()
    }

    /// Asks the keychain which providers hold tokens (blocking: call off the UI thread).
    pub fn refresh_signed_in(&self) {
        let providers = self.lock().config.as_ref().map(|c| c.providers.clone()).unwrap_or_default();
        let found = providers
            .iter()
            .map(|(name, p)| (name.clone(), self.core.is_signed_in(name, p).unwrap_or(false)))
            .collect();
        self.lock().signed_in = found;
    }
}
