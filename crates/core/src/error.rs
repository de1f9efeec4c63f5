//! The error of every use case: one line a person can act on, and a stable code for UIs to branch on.

use crate::config::ConfigError;
use crate::console::ConsoleError;
use crate::credentials::CredentialFileError;
use crate::lock::LockError;
use crate::oidc::OidcError;
use crate::sts::StsError;
use crate::token_store::TokenStoreError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Oidc(#[from] OidcError),
    #[error("profile '{profile}': {source}")]
    Sts { profile: String, source: StsError },
    #[error(transparent)]
    TokenStore(#[from] TokenStoreError),
    #[error(transparent)]
    CredentialFile(#[from] CredentialFileError),
    #[error(transparent)]
    Console(#[from] ConsoleError),
    #[error(transparent)]
    Lock(#[from] LockError),
    /// Only a person can help: the next step is a sign-in.
    #[error("sign-in needed for provider '{provider}' ({reason}): run `idbridge login {hint}`")]
    SignInNeeded { provider: String, reason: String, hint: String },
    #[error("{what} did not finish within {seconds} s")]
    Timeout { what: String, seconds: u64 },
    #[error("{what} was not started: only {left_ms} ms of the time allowed were left")]
    NotStarted { what: String, left_ms: u64 },
    /// The IdP rotated the refresh token and the keychain refused the new one: the old one is dead.
    #[error(
        "the identity provider issued a new refresh token but the keychain did not store it, so the sign-in is \
         probably lost: make sure the keychain is unlocked, then run `idbridge login`"
    )]
    RotationNotStored { source: TokenStoreError },
    #[error("internal error: {what}")]
    Internal { what: String },
}

/// Every code [`Error::code`] gives.
pub const CODES: [&str; 19] = [
    "unsafe_file", "config", "access_denied", "expired_token", "id_token_rejected", "issuer_mismatch",
    "idp_unreachable", "idp_error", "sts_unreachable", "sts_refused", "keychain_unavailable", "keychain_locked",
    "keychain_error", "file_error", "console_error", "lock_timeout", "sign_in_needed", "timeout", "internal",
];

impl Error {
    /// A stable machine-readable code (for `{code, message}` across IPC and for scripts).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Config(ConfigError::Unsafe { .. }) => "unsafe_file",
            Self::Config(_) => "config",
            Self::Oidc(OidcError::AccessDenied) => "access_denied",
            Self::Oidc(OidcError::DeviceCodeExpired) => "expired_token",
            Self::Oidc(OidcError::IdTokenRejected { .. }) => "id_token_rejected",
            Self::Oidc(OidcError::IssuerMismatch { .. }) => "issuer_mismatch",
            Self::Oidc(e) if e.is_transient() => "idp_unreachable",
            Self::Oidc(_) => "idp_error",
            Self::Sts { source, .. } if source.is_transient() => "sts_unreachable",
            Self::Sts { .. } => "sts_refused",
            Self::TokenStore(TokenStoreError::Unavailable { .. }) => "keychain_unavailable",
            Self::TokenStore(TokenStoreError::Locked { .. }) => "keychain_locked",
            Self::TokenStore(_) => "keychain_error",
            Self::CredentialFile(CredentialFileError::Unsafe(_)) => "unsafe_file",
            Self::CredentialFile(_) => "file_error",
            Self::Console(_) => "console_error",
            Self::Lock(LockError::Timeout { .. }) => "lock_timeout",
            // the lock file cannot be made (a read-only or full state dir): waiting does not fix that
            Self::Lock(LockError::Open { .. }) => "file_error",
            Self::SignInNeeded { .. } | Self::RotationNotStored { .. } => "sign_in_needed",
            Self::Timeout { .. } | Self::NotStarted { .. } => "timeout",
            Self::Internal { .. } => "internal",
        }
    }

    /// Worth retrying later without a person.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Oidc(e) => e.is_transient(),
            Self::Sts { source, .. } => source.is_transient(),
            Self::Lock(LockError::Timeout { .. }) | Self::Timeout { .. } | Self::NotStarted { .. } => true,
            _ => false,
        }
    }

    /// The process exit code for this error ([`exit`]).
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::SignInNeeded { .. } | Self::RotationNotStored { .. } => exit::SIGN_IN_NEEDED,
            Self::Config(_) => exit::CONFIG,
            e if e.is_transient() => exit::TEMPORARY,
            _ => exit::ERROR,
        }
    }

    pub fn sign_in_needed(provider: &str, reason: impl Into<String>, profile: Option<&str>) -> Self {
        let hint = match profile {
            Some(p) => format!("--profile {p}"),
            None => format!("--provider {provider}"),
        };
        Self::SignInNeeded { provider: provider.to_string(), reason: reason.into(), hint }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Documented exit codes of the `idbridge` CLI, so scripts can branch.
pub mod exit {
    pub const SUCCESS: u8 = 0;
    /// Anything not listed below.
    pub const ERROR: u8 = 1;
    /// Wrong command-line arguments (clap's own code).
    pub const USAGE: u8 = 2;
    /// Only a person can help: run `idbridge login`.
    pub const SIGN_IN_NEEDED: u8 = 3;
    /// config.toml is missing or wrong.
    pub const CONFIG: u8 = 4;
    /// The IdP or STS could not be reached, or time ran out: trying again later may work.
    pub const TEMPORARY: u8 = 5;
}

/// An error and its causes on one line ("a: b: c"), leaving out a cause whose text the line already
/// holds (some messages quote their source).
pub fn one_line(error: &(dyn std::error::Error + 'static)) -> String {
    let mut line = error.to_string();
    let mut cause = error.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !text.is_empty() && !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        cause = c.source();
    }
    line
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::time::Duration;

    use super::*;
    use crate::token_store::BoxError;

    /// One error for every arm of [`Error::code`]: each code is in [`CODES`] (records and the tray's
    /// sentences rely on that list), and the list has nothing else.
    #[test]
    fn codes_lists_exactly_what_code_gives() {
        let p = || PathBuf::from("/x");
        let src = || -> BoxError { "x".into() };
        let io = || std::io::Error::other("x");
        let errors = [
            Error::Config(ConfigError::Unsafe { path: p(), problem: "x".into() }),
            Error::Config(ConfigError::Missing { path: p() }),
            Error::Oidc(OidcError::AccessDenied),
            Error::Oidc(OidcError::DeviceCodeExpired),
            Error::Oidc(OidcError::IdTokenRejected { issuer: "i".into(), reason: "r".into() }),
            Error::Oidc(OidcError::IssuerMismatch { configured: "a".into(), announced: "b".into() }),
            Error::Oidc(OidcError::TimedOut { url: "u".into(), seconds: 1 }),
            Error::Oidc(OidcError::NoIdToken),
            Error::Sts { profile: "p".into(), source: StsError::TimedOut { endpoint: "e".into(), seconds: 1 } },
            Error::Sts {
                profile: "p".into(),
                source: StsError::Refused { action: "a", role_arn: "r".into(), code: "c".into(), message: "m".into(), status: 403 },
            },
            Error::TokenStore(TokenStoreError::Unavailable { source: src() }),
            Error::TokenStore(TokenStoreError::Locked { source: src() }),
            Error::TokenStore(TokenStoreError::Other { source: src() }),
            Error::CredentialFile(CredentialFileError::Write { path: p(), source: io() }),
            Error::Console(ConsoleError::NoToken { endpoint: "e".into() }),
            Error::Lock(LockError::Timeout { path: p(), waited: Duration::from_secs(1) }),
            Error::Lock(LockError::Open { path: p(), source: io() }),
            Error::sign_in_needed("p", "r", None),
            Error::Timeout { what: "w".into(), seconds: 1 },
            Error::Internal { what: "w".into() },
        ];
        let given: std::collections::BTreeSet<_> = errors.iter().map(Error::code).collect();
        for code in &given {
            assert!(CODES.contains(code), "{code} is missing from CODES");
        }
        let listed: std::collections::BTreeSet<_> = CODES.iter().copied().collect();
        let unused: Vec<_> = listed.difference(&given).collect();
        assert!(unused.is_empty(), "CODES lists codes no error gives: {unused:?}");
        assert_eq!(listed.len(), CODES.len(), "no duplicates");
    }
}
