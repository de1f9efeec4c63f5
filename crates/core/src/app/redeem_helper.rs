//! A redemption that SIGKILL cannot interrupt: the refresh token is redeemed and its successor stored by
//! a helper process (`idbridge __redeem PROVIDER`, or the tray binary in the same mode) in its own
//! process group, holding the provider lock its caller hands over (`sys::detached`). The caller sends
//! the tokens it read under that lock over the private channel (never argv or the environment), then
//! waits for one typed reply until its deadline. A caller killed meanwhile leaves the helper to finish
//! and store; the next caller waits on the lock and finds the stored successor.
//!
//! The helper runs the very redemption a caller runs in-process (`Idbridge::redeem`, wired without a
//! helper): the token
//! endpoint is checked against the stored destinations before anything is sent, the keychain session is
//! opened first, and signals are held by the helper's own shield.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::app::Idbridge;
use crate::app::error::{Error, ErrorCode, Result};
use crate::app::refresh::remaining;
use crate::app::rotation::MIN_REDEEM;
use crate::oidc::id_token::IdClaims;
use crate::oidc::{OidcError, TokenSet};
use crate::state::LockKind;
use crate::state::token_store::StoredTokens;
use crate::sys::detached::{self, Channel, HelperCommand};
use crate::sys::lock::LockGuard;
use crate::sys::secret::Secret;

/// The argument that starts a binary as the refresh helper.
pub const HELPER_ARG: &str = "__redeem";
/// A request or reply is a few KB (tokens); anything much larger is not from us.
const CAP: usize = 256 * 1024;
/// How long a helper may take to start and say it holds its lock (Windows; on Unix it holds it at once).
const HELPER_READY_WAIT: Duration = Duration::from_secs(2);

/// What the caller hands over.
#[derive(Serialize, Deserialize)]
struct Request {
    /// The stored tokens as the keychain holds them.
    tokens: String,
    /// What is left of the caller's budget: the helper starts no redemption with less than
    /// [`MIN_REDEEM`].
    left_ms: u64,
}

/// The helper's one reply: what the in-process redemption returns, typed.
#[derive(Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
enum Outcome {
    /// Stored; the ID token (and the access token, where the provider sends it to STS) came with the
    /// answer and passed its checks.
    Redeemed {
        id_token: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        access_token: Option<String>,
    },
    /// The IdP refused the refresh token (`OidcError::RefreshRejected`).
    Refused {
        code: String,
    },
    /// Stored, but the answer had no ID token (`OidcError::NoIdToken`).
    NoIdToken,
    Failed {
        code: ErrorCode,
        message: String,
        transient: bool,
    },
}

impl From<Result<TokenSet>> for Outcome {
    fn from(result: Result<TokenSet>) -> Self {
        match result {
            Ok(set) => Self::Redeemed {
                id_token: set.id_token.expose().to_string(),
                access_token: set.access_token.map(|t| t.expose().to_string()),
            },
            Err(Error::Oidc(OidcError::RefreshRejected { code })) => Self::Refused { code },
            Err(Error::Oidc(OidcError::NoIdToken)) => Self::NoIdToken,
            Err(e) => Self::Failed { code: e.code(), message: e.to_string(), transient: e.is_transient() },
        }
    }
}

impl Outcome {
    fn into_result(self) -> Result<TokenSet> {
        match self {
            Self::Redeemed { id_token, access_token } => {
                let claims = IdClaims::decode(&id_token)
                    .map_err(|why| Error::Internal { what: format!("the refresh helper's ID token: {why}") })?;
                Ok(TokenSet {
                    id_token: Secret::new(id_token),
                    refresh_token: None,
                    claims,
                    access_token: access_token.map(Secret::new),
                })
            }
            Self::Refused { code } => Err(OidcError::RefreshRejected { code }.into()),
            Self::NoIdToken => Err(OidcError::NoIdToken.into()),
            Self::Failed { code, message, transient } => Err(Error::Reported { code, message, transient }),
        }
    }
}

fn internal(what: impl std::fmt::Display) -> Error {
    Error::Internal { what: format!("the refresh helper: {what}") }
}

impl Idbridge {
    /// Refresh tokens are redeemed by a helper process started with `helper` (the binary itself, with
    /// [`HELPER_ARG`]). Without it (in-process tests, or a system with no helper) they are redeemed in
    /// this process.
    pub fn with_redeem_helper(mut self, helper: HelperCommand) -> Self {
        self.redeem_helper = Some(helper);
        self
    }

    /// The caller's side. `None` when no helper could be started: the caller redeems in-process.
    pub(crate) async fn redeem_in_helper(
        &self,
        name: &str,
        current: &StoredTokens,
        deadline: Instant,
        provider_guard: &LockGuard,
    ) -> Option<Result<TokenSet>> {
        let helper = self.redeem_helper.as_ref()?;
        let left = remaining(deadline);
        if left < MIN_REDEEM {
            let what = format!("refreshing the sign-in of '{name}'");
            return Some(Err(Error::NotStarted { what, left_ms: left.as_millis() as u64 }));
        }
        let lock = provider_guard.share().ok()?;
        // a helper not ready by then is given nothing, and this process redeems with the time left
        let ready_by = Instant::now() + HELPER_READY_WAIT.min(left / 2);
        let (helper, extra, tokens) = (helper.clone(), [name.into()], current.to_wire());
        // starting it and waiting for it to be ready block (on Windows up to `ready_by`): off the runtime
        let reply = tokio::task::spawn_blocking(move || {
            let mut channel = detached::spawn(&helper, &extra, lock, ready_by).ok()?;
            let request = Request { tokens, left_ms: remaining(deadline).as_millis() as u64 };
            let request = serde_json::to_vec(&request).unwrap_or_default();
            Some(channel.send(&request).and_then(|()| channel.reply(deadline, CAP)))
        })
        .await
        .transpose()?;
        Some(match reply {
            Ok(Ok(Some(line))) => serde_json::from_slice::<Outcome>(&line)
                .map_err(|e| internal(format!("unreadable reply ({e})")))
                .and_then(Outcome::into_result),
            Ok(Ok(None)) => Err(internal("it ended without an answer")),
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::TimedOut => Err(Error::Timeout {
                what: "the identity provider's answer to a refresh (idbridge stores it in the background)".into(),
                seconds: self.http_timeout.as_secs(),
            }),
            Ok(Err(e)) => Err(internal(e)),
            Err(e) => Err(internal(e)),
        })
    }

    /// The helper's side (`__redeem PROVIDER`): the lock from stdin, the request from the channel, one
    /// reply. A request that never comes (the caller died first) sends nothing anywhere.
    pub async fn serve_redemption(&self, name: &str) -> Result<()> {
        crate::config::check_name(name)?;
        let (provider, rotation) = (LockKind::Provider, LockKind::Rotation);
        let guard = detached::take_over(&self.paths.lock_file(provider, name), &self.paths.lock_file(rotation, name))?;
        let mut channel = Channel::of_stdout().map_err(internal)?;
        let (mut channel, request) = tokio::task::spawn_blocking(move || {
            let request = channel.receive_all(CAP);
            (channel, request)
        })
        .await
        .map_err(internal)?;
        let request: Request = serde_json::from_slice(&request.map_err(internal)?)
            .map_err(|e| internal(format!("unreadable request ({e})")))?;
        let result = self.redeem_requested(name, request, Arc::new(guard)).await;
        let reply = serde_json::to_vec(&Outcome::from(result)).unwrap_or_default();
        // a caller that stopped waiting reads nothing: the successor is stored all the same
        let _ = channel.answer(&reply);
        Ok(())
    }

    async fn redeem_requested(&self, name: &str, request: Request, guard: Arc<LockGuard>) -> Result<TokenSet> {
        let config = self.load_config()?;
        let provider = config.provider(name, &self.paths.config_file)?;
        let tokens = StoredTokens::from_wire(&request.tokens).map_err(|e| internal(format!("the tokens ({e})")))?;
        if !tokens.belongs_to(provider) {
            return Err(Error::sign_in_needed(name, "the provider's issuer or client_id changed", None));
        }
        let deadline = Instant::now() + Duration::from_millis(request.left_ms);
        self.redeem(name, provider, tokens, deadline, guard).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::error::exit;

    fn round_trip(result: Result<TokenSet>) -> Result<TokenSet> {
        let line = serde_json::to_vec(&Outcome::from(result)).unwrap();
        assert!(!line.contains(&b'\n'), "one line");
        serde_json::from_slice::<Outcome>(&line).unwrap().into_result()
    }

    #[test]
    fn the_helpers_reply_keeps_what_the_caller_branches_on() {
        let refused = round_trip(Err(OidcError::RefreshRejected { code: "invalid_grant".into() }.into()));
        assert!(matches!(refused, Err(Error::Oidc(OidcError::RefreshRejected { code })) if code == "invalid_grant"));
        assert!(matches!(round_trip(Err(OidcError::NoIdToken.into())), Err(Error::Oidc(OidcError::NoIdToken))));
        let cases = [
            (Error::sign_in_needed("p", "moved", None), ErrorCode::SignInNeeded, exit::SIGN_IN_NEEDED),
            (Error::NotStarted { what: "w".into(), left_ms: 3 }, ErrorCode::Timeout, exit::TEMPORARY),
            (Error::Internal { what: "w".into() }, ErrorCode::Internal, exit::ERROR),
        ];
        for (e, code, exit) in cases {
            let message = e.to_string();
            let back = round_trip(Err(e)).unwrap_err();
            assert_eq!((back.code(), back.exit_code(), back.to_string()), (code, exit, message));
        }
    }

    #[test]
    fn a_reply_that_is_no_id_token_is_an_error_not_a_token() {
        let e = Outcome::Redeemed { id_token: "not-a-jwt".into(), access_token: None }.into_result().unwrap_err();
        assert_eq!(e.code(), ErrorCode::Internal);
    }

    #[test]
    fn the_checked_access_token_comes_back_with_the_id_token() {
        let id = crate::app::testing::jwt("alice", time::OffsetDateTime::now_utc());
        let set = TokenSet {
            claims: IdClaims::decode(&id).unwrap(),
            id_token: Secret::new(id),
            refresh_token: None,
            access_token: Some(Secret::new("eyJ.at.sig")),
        };
        let back = round_trip(Ok(set)).unwrap();
        assert_eq!(back.web_identity_token().expose(), "eyJ.at.sig");
        // a reply from a helper that knows no access token still reads
        let old: Outcome = serde_json::from_str(r#"{"outcome":"redeemed","id_token":"a.e30.c"}"#).unwrap();
        assert!(matches!(old, Outcome::Redeemed { access_token: None, .. }));
    }
}
