//! Redeeming a refresh token: the one stretch where stopping loses the sign-in. With rotation and reuse
//! detection the old token is dead once the IdP has answered, so from the moment it is sent until its
//! successor is in the keychain:
//! - the stretch runs as its own task, holding the provider lock and the shield, so neither a caller
//!   that gives up (its deadline, a dropped future) nor a signal cuts it, and no other process can
//!   redeem the old token or sign out in between;
//! - the IdP gets its own time to answer ([`REDEEM_TIMEOUT`]), not what is left of the caller's budget:
//!   a caller that cannot wait serves what it has, and the process stays until the store is done;
//! - the new refresh token is stored before the ID token that came with it is trusted, so an ID token
//!   that fails its checks (or is missing, which OIDC Core §12.2 allows) does not lose it;
//! - the keychain session is opened before sending, so the write after the answer is one call; it has
//!   no timeout, giving up on it would lose the sign-in too.
//!
//! A task cannot outlive SIGKILL: where a binary wired a helper (`app::redeem_helper`), the stretch runs
//! in a helper process of its own (whose own `Idbridge` has none, so it runs it here), and here only
//! when none can be started.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::app::Idbridge;
use crate::app::error::{Error, Result};
use crate::app::refresh::remaining;
use crate::config::Provider;
use crate::oidc::TokenSet;
use crate::state::token_store::{PreparedSave, StoredTokens};
use crate::sys::lock::LockGuard;

/// How long the IdP may take to answer a redemption once the token is on its way.
pub const REDEEM_TIMEOUT: Duration = Duration::from_secs(15);
/// A redemption is not started with less of the caller's budget left than this.
pub const MIN_REDEEM: Duration = Duration::from_millis(1000);

impl Idbridge {
    /// Trades the stored refresh token for new tokens and stores them. `current` are the tokens read
    /// under the provider lock, which `provider_guard` holds.
    pub(crate) async fn redeem(
        &self,
        name: &str,
        provider: &Provider,
        current: StoredTokens,
        deadline: Instant,
        provider_guard: Arc<LockGuard>,
    ) -> Result<TokenSet> {
        let Some(refresh_token) = current.refresh_token.clone() else {
            return Err(Error::sign_in_needed(name, "no refresh token is stored", None));
        };
        if let Some(done) = self.redeem_in_helper(name, &current, deadline, &provider_guard).await {
            return done;
        }
        let endpoint = self.ports.idp.connect(provider, self.http_timeout.min(remaining(deadline))).await?;
        // the refresh token goes only where it went at sign-in: a config or discovery change that points
        // the token endpoint elsewhere must not carry it there (app::trust)
        let destinations = crate::app::trust::check_token_endpoint(&current, name, endpoint.discovered(), None)?;
        let prepared = self.prepare_save(name, remaining(deadline) / 4).await;
        let left = remaining(deadline);
        if left < MIN_REDEEM {
            return Err(Error::NotStarted {
                what: format!("refreshing the sign-in of '{name}'"),
                left_ms: left.as_millis() as u64,
            });
        }
        let Some(shielded) = self.shield.enter() else {
            return Err(Error::Internal {
                what: format!("idbridge is stopping: the sign-in of '{name}' was not refreshed"),
            });
        };
        let store = self.store.clone();
        let name = name.to_string();
        let task = tokio::spawn(async move {
            let redeemed = endpoint.refresh(&refresh_token, REDEEM_TIMEOUT).await?;
            // tokens that failed their checks (or are missing) are not stored: the old ones stay
            let (id_token, access_token) = match &redeemed.tokens {
                Ok(t) => (t.id_token.clone(), t.access_token.clone()),
                Err(_) => (current.id_token.clone(), current.access_token.clone()),
            };
            let tokens = StoredTokens {
                refresh_token: redeemed.refresh_token.clone(),
                id_token,
                access_token,
                destinations: Some(destinations),
                ..current
            };
            let stored = crate::app::blocking(move || match prepared {
                // a session that went bad meanwhile gets a second chance through a fresh one
                Some(p) => p.save(&tokens).or_else(|_| store.save(&name, &tokens)),
                None => store.save(&name, &tokens),
            })
            .await;
            drop(shielded);
            drop(provider_guard);
            stored.map_err(|source| Error::RotationNotStored { source })?;
            Ok::<_, Error>(redeemed.tokens?)
        });
        match tokio::time::timeout(remaining(deadline), task).await {
            Ok(joined) => {
                joined.map_err(|e| Error::Internal { what: format!("the refresh task ended abnormally: {e}") })?
            }
            Err(_) => Err(Error::Timeout {
                what: "the identity provider's answer to a refresh (idbridge stores it before it exits)".into(),
                seconds: self.http_timeout.as_secs(),
            }),
        }
    }

    /// The keychain session for the save after a redemption, opened before it (bounded: this is not
    /// yet the critical stretch, and without it the plain save still works).
    async fn prepare_save(&self, name: &str, within: Duration) -> Option<Box<dyn PreparedSave>> {
        let (store, name) = (self.store.clone(), name.to_string());
        let task = tokio::task::spawn_blocking(move || store.prepare(&name));
        tokio::time::timeout(within, task).await.ok()?.ok()?
    }
}
