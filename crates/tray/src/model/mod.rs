//! The tray app's state and the only code that changes it: `update(model, msg, now) -> effects`, pure
//! and unit-tested (Elm architecture). Menu clicks, timer ticks, refresh results, the sign-in and
//! Settings processes all arrive as [`Msg`]; what should happen outside comes back as [`Effect`]s that
//! the loop in `runtime.rs` performs, feeding their results back as messages.

mod update;
pub mod view;

#[cfg(test)]
mod failure_tests;
#[cfg(test)]
mod menu_tests;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use idbridge_core::ErrorCode;
use time::{Duration, OffsetDateTime, UtcOffset};

use crate::i18n::Lang;
pub use crate::ipc::SignedIn;
use crate::scheduler::{Policy, Said, Track};

pub use update::{next_wake, update};

/// What the core says about the config, the keychain and each profile (see `core_adapter.rs`).
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub config: ConfigLoad,
    pub lang: Lang,
    pub providers: Vec<ProviderSnap>,
    pub profiles: Vec<ProfileSnap>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ConfigLoad {
    Ok,
    /// No config file yet: first run.
    Missing,
    Invalid(Failure),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProviderSnap {
    pub name: String,
    /// `None`: the keychain could not be asked.
    pub signed_in: Option<bool>,
    pub identity: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProfileSnap {
    pub name: String,
    pub provider: String,
    pub role: String,
    pub region: String,
    pub expiration: Option<OffsetDateTime>,
    pub state: ProfileState,
    pub failure: Option<Failure>,
    /// When to refresh and warn (the refresh lead scales with the profile's session length).
    pub policy: Policy,
}

/// Where a profile stands: the core's own type, the one `idbridge status` reports.
pub use idbridge_core::ProfileState;

/// Why something failed: the core's error code (for the human sentence) and its message (Details).
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub at: OffsetDateTime,
    pub code: ErrorCode,
    pub details: String,
    /// The console's reason ([`idbridge_core::Error::console_kind`]), when the console failed.
    pub why: Option<&'static str>,
}

impl Failure {
    pub fn new(at: OffsetDateTime, code: ErrorCode, details: impl Into<String>) -> Self {
        Self { at, code, details: details.into(), why: None }
    }

    /// What the state of a profile is after this failure.
    pub fn state(&self) -> ProfileState {
        match self.code {
            ErrorCode::SignInNeeded => ProfileState::SignInNeeded,
            ErrorCode::KeychainUnavailable | ErrorCode::KeychainLocked => ProfileState::KeychainUnavailable,
            _ => ProfileState::RefreshFailing,
        }
    }
}

/// What this process learned about a profile from its own refreshes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Local {
    pub track: Track,
    pub refreshing: bool,
    pub failure: Option<Failure>,
    /// The credentials' expiry when the failure happened: a new one means someone (the CLI) renewed them.
    pub expiration_at_failure: Option<OffsetDateTime>,
}

#[derive(Debug, Default)]
pub struct Model {
    pub snapshot: Option<Snapshot>,
    pub local: BTreeMap<String, Local>,
    /// Per provider, bumped by each sign-in and sign-out: a refresh started before carries an older
    /// number and its outcome is ignored (it must not write "sign-in needed" over a fresh sign-out).
    pub generation: BTreeMap<String, u64>,
    /// Who signed in, learnt from this app's sign-ins (until the core records it).
    pub identities: BTreeMap<String, String>,
    /// The provider whose sign-in window is open.
    pub signing_in: Option<String>,
    pub loading: bool,
    /// A snapshot was asked for while one was being taken: take another once it is in.
    pub load_again: bool,
    pub setup_offered: bool,
    pub said: Said,
    pub utc_offset: Option<UtcOffset>,
}

/// A menu item's meaning, also used as notification action ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MenuId {
    SetUp,
    Settings,
    Quit,
    Retry,
    SignIn(String),
    SignOut(String),
    Console(String),
    Refresh(String),
    Copy(String),
}

impl MenuId {
    pub fn to_id(&self) -> String {
        match self {
            Self::SetUp => "setup".into(),
            Self::Settings => "settings".into(),
            Self::Quit => "quit".into(),
            Self::Retry => "retry".into(),
            Self::SignIn(p) => format!("signin:{p}"),
            Self::SignOut(p) => format!("signout:{p}"),
            Self::Console(p) => format!("console:{p}"),
            Self::Refresh(p) => format!("refresh:{p}"),
            Self::Copy(p) => format!("copy:{p}"),
        }
    }

    pub fn parse(id: &str) -> Option<Self> {
        let (verb, arg) = id.split_once(':').unwrap_or((id, ""));
        let arg = arg.to_string();
        Some(match (verb, arg.is_empty()) {
            ("setup", true) => Self::SetUp,
            ("settings", true) => Self::Settings,
            ("quit", true) => Self::Quit,
            ("retry", true) => Self::Retry,
            ("signin", false) => Self::SignIn(arg),
            ("signout", false) => Self::SignOut(arg),
            ("console", false) => Self::Console(arg),
            ("refresh", false) => Self::Refresh(arg),
            ("copy", false) => Self::Copy(arg),
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowKind {
    Settings,
    SignIn,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Started,
    Tick {
        utc_offset: Option<UtcOffset>,
    },
    Loaded(Snapshot),
    Menu(MenuId),
    /// `Ok(None)`: fresh credentials; `Ok(Some)`: old ones still served, with why the refresh failed.
    RefreshDone {
        profile: String,
        generation: u64,
        outcome: Result<Option<Failure>, Failure>,
    },
    SignedIn(SignedIn),
    SignOutDone {
        provider: String,
        result: Result<bool, Failure>,
    },
    ConsoleDone {
        profile: String,
        result: Result<(), Failure>,
    },
    /// The Settings window asked for a sign-in ("Sign in now").
    SignInRequested(String),
    SettingsSaved,
    /// The state directory or config.toml changed on disk (the CLI, an editor, our own refresh).
    FilesChanged,
    WindowClosed(WindowKind),
    NotificationAction(String),
    SecondLaunch,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Load,
    /// `min_remaining: None`: renew now, whatever is left ("Refresh now", "Retry now").
    Refresh {
        profile: String,
        min_remaining: Option<Duration>,
        generation: u64,
    },
    Console {
        profile: String,
    },
    StartSignIn {
        provider: String,
    },
    ShowSignIn,
    SignOut {
        provider: String,
    },
    OpenSettings,
    Notify(Note),
    Copy(String),
    Quit,
}

/// A notification, as data; `view::render_notes` turns the ones of one update into one text.
#[derive(Debug, Clone, PartialEq)]
pub enum Note {
    SignedIn { provider: String, who: String, ready: usize, failed: Vec<(String, ErrorCode)> },
    SignInNeeded { provider: String, code: ErrorCode },
    NotRenewed { profile: String, code: ErrorCode },
    Expiring { profile: String, minutes: i64, sign_in: Option<String> },
    Expired { profile: String, sign_in: Option<String> },
    ConsoleFailed { profile: String, code: ErrorCode, why: Option<&'static str> },
    SignOutFailed { provider: String, code: ErrorCode },
}

/// A profile as the person should see it: the core's state, corrected by what this app saw since.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown<'a> {
    pub snap: &'a ProfileSnap,
    pub state: ProfileState,
    pub failure: Option<&'a Failure>,
    pub refreshing: bool,
}

impl Model {
    pub fn lang(&self) -> Lang {
        self.snapshot.as_ref().map(|s| s.lang).unwrap_or_default()
    }

    pub fn generation(&self, provider: &str) -> u64 {
        self.generation.get(provider).copied().unwrap_or(0)
    }

    pub fn profiles(&self) -> Vec<Shown<'_>> {
        let Some(snap) = &self.snapshot else { return Vec::new() };
        snap.profiles.iter().map(|p| self.shown(p)).collect()
    }

    pub fn shown<'a>(&'a self, p: &'a ProfileSnap) -> Shown<'a> {
        let local = self.local.get(&p.name);
        let refreshing = local.is_some_and(|l| l.refreshing);
        let own = local.and_then(|l| l.failure.as_ref());
        let (state, failure) = match (p.state, own) {
            // signed out wins over anything a refresh said before it
            (ProfileState::SignedOut | ProfileState::KeychainUnavailable, _) => (p.state, p.failure.as_ref()),
            (_, Some(f)) if p.failure.as_ref().is_none_or(|c| c.at <= f.at) => (f.state(), Some(f)),
            _ => (p.state, p.failure.as_ref()),
        };
        Shown { snap: p, state, failure, refreshing }
    }

    pub fn provider(&self, name: &str) -> Option<&ProviderSnap> {
        self.snapshot.as_ref()?.providers.iter().find(|p| p.name == name)
    }

    /// A provider only a sign-in can help: no tokens, or a profile whose refresh token was refused.
    pub fn needs_sign_in(&self, provider: &str) -> bool {
        self.provider(provider).is_some_and(|p| p.signed_in == Some(false))
            || self.profiles().iter().any(|s| s.snap.provider == provider && s.state == ProfileState::SignInNeeded)
    }

    pub fn identity(&self, provider: &str) -> Option<&str> {
        self.provider(provider)
            .and_then(|p| p.identity.as_deref())
            .or(self.identities.get(provider).map(String::as_str))
    }
}
