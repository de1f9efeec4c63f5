//! The error of every use case: one line a person can act on, and a stable code for UIs to branch on.

use crate::aws::console::ConsoleError;
use crate::aws::sts::StsError;
use crate::config::ConfigError;
use crate::oidc::OidcError;
use crate::state::credential_file::CredentialFileError;
use crate::state::token_store::TokenStoreError;
use crate::sys::lock::LockError;

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
    #[error(transparent)]
    SharedCredentials(#[from] crate::aws::shared_credentials::SharedCredentialsError),
    /// Only a person can help: the next step is a sign-in.
    #[error("sign-in needed for provider '{provider}' ({reason}): run `idbridge login {hint}`")]
    SignInNeeded { provider: String, reason: String, hint: String },
    /// The IdP renews the refresh token but not the ID token (OIDC Core §12.2), and the one from the
    /// sign-in is used up: only a sign-in helps.
    #[error("{provider} gives no new ID token when renewing; sign in again (idbridge login --provider {provider})")]
    NoNewIdToken { provider: String },
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
    /// What the refresh helper process met, as it reported it (`app::redeem_helper`): its code,
    /// sentence and whether trying again later may work travel, its source does not.
    #[error("{message}")]
    Reported { code: ErrorCode, message: String, transient: bool },
}

/// A stable, machine-readable reason: for `{code, message}` across IPC, scripts (`--json`), failure
/// records and the tray's sentences. Serialised in snake_case; a code this version does not know (a
/// record written by a newer one) reads as [`ErrorCode::Unknown`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    UnsafeFile,
    Config,
    AccessDenied,
    ExpiredToken,
    IdTokenRejected,
    IssuerMismatch,
    IdpUnreachable,
    IdpError,
    StsUnreachable,
    StsRefused,
    KeychainUnavailable,
    KeychainLocked,
    KeychainError,
    FileError,
    ConsoleError,
    LockTimeout,
    SignInNeeded,
    Timeout,
    Internal,
    #[serde(other)]
    Unknown,
}

impl ErrorCode {
    /// Every code, [`ErrorCode::Unknown`] last.
    pub const ALL: [Self; 20] = [
        Self::UnsafeFile,
        Self::Config,
        Self::AccessDenied,
        Self::ExpiredToken,
        Self::IdTokenRejected,
        Self::IssuerMismatch,
        Self::IdpUnreachable,
        Self::IdpError,
        Self::StsUnreachable,
        Self::StsRefused,
        Self::KeychainUnavailable,
        Self::KeychainLocked,
        Self::KeychainError,
        Self::FileError,
        Self::ConsoleError,
        Self::LockTimeout,
        Self::SignInNeeded,
        Self::Timeout,
        Self::Internal,
        Self::Unknown,
    ];

    /// The snake_case name, as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UnsafeFile => "unsafe_file",
            Self::Config => "config",
            Self::AccessDenied => "access_denied",
            Self::ExpiredToken => "expired_token",
            Self::IdTokenRejected => "id_token_rejected",
            Self::IssuerMismatch => "issuer_mismatch",
            Self::IdpUnreachable => "idp_unreachable",
            Self::IdpError => "idp_error",
            Self::StsUnreachable => "sts_unreachable",
            Self::StsRefused => "sts_refused",
            Self::KeychainUnavailable => "keychain_unavailable",
            Self::KeychainLocked => "keychain_locked",
            Self::KeychainError => "keychain_error",
            Self::FileError => "file_error",
            Self::ConsoleError => "console_error",
            Self::LockTimeout => "lock_timeout",
            Self::SignInNeeded => "sign_in_needed",
            Self::Timeout => "timeout",
            Self::Internal => "internal",
            Self::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Error {
    /// A stable machine-readable code (for `{code, message}` across IPC and for scripts).
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Config(ConfigError::Unsafe { .. }) => ErrorCode::UnsafeFile,
            Self::Config(_) => ErrorCode::Config,
            Self::Oidc(OidcError::AccessDenied) => ErrorCode::AccessDenied,
            Self::Oidc(OidcError::DeviceCodeExpired) => ErrorCode::ExpiredToken,
            // the access token in the ID token's role: the same fix (the IdP's keys, issuer, audience, clock)
            Self::Oidc(OidcError::IdTokenRejected { .. } | OidcError::AccessTokenRejected { .. }) => {
                ErrorCode::IdTokenRejected
            }
            Self::Oidc(OidcError::IssuerMismatch { .. }) => ErrorCode::IssuerMismatch,
            Self::Oidc(e) if e.is_transient() => ErrorCode::IdpUnreachable,
            Self::Oidc(_) => ErrorCode::IdpError,
            Self::Sts { source, .. } if source.is_transient() => ErrorCode::StsUnreachable,
            Self::Sts { .. } => ErrorCode::StsRefused,
            Self::TokenStore(TokenStoreError::Unavailable { .. }) => ErrorCode::KeychainUnavailable,
            Self::TokenStore(TokenStoreError::Locked { .. }) => ErrorCode::KeychainLocked,
            Self::TokenStore(_) => ErrorCode::KeychainError,
            Self::CredentialFile(CredentialFileError::Unsafe(_)) => ErrorCode::UnsafeFile,
            Self::CredentialFile(_) => ErrorCode::FileError,
            Self::Console(_) => ErrorCode::ConsoleError,
            Self::SharedCredentials(_) => ErrorCode::FileError,
            Self::Lock(LockError::Timeout { .. }) => ErrorCode::LockTimeout,
            // the lock file cannot be made (a read-only or full state dir): waiting does not fix that
            Self::Lock(LockError::Open { .. }) => ErrorCode::FileError,
            Self::SignInNeeded { .. } | Self::NoNewIdToken { .. } | Self::RotationNotStored { .. } => {
                ErrorCode::SignInNeeded
            }
            Self::Timeout { .. } | Self::NotStarted { .. } => ErrorCode::Timeout,
            Self::Internal { .. } => ErrorCode::Internal,
            Self::Reported { code, .. } => *code,
        }
    }

    /// Why the console sign-in failed ([`ConsoleError::kind`]), for a front end's sentence.
    pub fn console_kind(&self) -> Option<&'static str> {
        match self {
            Self::Console(e) => Some(e.kind()),
            _ => None,
        }
    }

    /// Worth retrying later without a person.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Oidc(e) => e.is_transient(),
            Self::Sts { source, .. } => source.is_transient(),
            Self::Lock(LockError::Timeout { .. }) | Self::Timeout { .. } | Self::NotStarted { .. } => true,
            Self::Reported { transient, .. } => *transient,
            _ => false,
        }
    }

    /// The process exit code for this error ([`exit`]).
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::SignInNeeded { .. } | Self::NoNewIdToken { .. } | Self::RotationNotStored { .. } => {
                exit::SIGN_IN_NEEDED
            }
            Self::Reported { code: ErrorCode::SignInNeeded, .. } => exit::SIGN_IN_NEEDED,
            Self::Config(_) | Self::Reported { code: ErrorCode::Config, .. } => exit::CONFIG,
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
    /// `env --server`: the tray app is not running, or the one that published its endpoint has ended.
    pub const NO_TRAY: u8 = 6;
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::time::Duration;

    use super::*;
    use crate::oidc::BoxError;

    /// One error for every arm of [`Error::code`]: together they give every code but `Unknown`
    /// (the tray's sentences and the failure records rely on [`ErrorCode::ALL`]).
    #[test]
    fn every_code_is_given_by_some_error_and_round_trips() {
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
                source: StsError::Refused {
                    action: "a",
                    role_arn: "r".into(),
                    code: "c".into(),
                    message: "m".into(),
                    status: 403,
                },
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
        let all: std::collections::BTreeSet<_> =
            ErrorCode::ALL.into_iter().filter(|c| *c != ErrorCode::Unknown).collect();
        assert_eq!(given, all);
        assert_eq!(ErrorCode::ALL.len(), all.len() + 1, "no duplicates in ALL");
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), code);
        }
        assert_eq!(serde_json::from_str::<ErrorCode>("\"from_a_newer_version\"").unwrap(), ErrorCode::Unknown);
    }
}
