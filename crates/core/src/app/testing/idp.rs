//! The fake IdP: device and browser sign-in, and refresh-token rotation with reuse detection.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use time::OffsetDateTime;

use crate::app::ports::{BoxFuture, IdentityProvider, IdpSession, Sleep};
use crate::config::Provider;
use crate::oidc::authcode::{AuthorizationRequest, check_callback};
use crate::oidc::id_token::IdClaims;
use crate::oidc::loopback::Callback;
use crate::oidc::{DeviceAuthorization, Discovered, OidcError, Redeemed, TokenSet};
use crate::sys::clock::Clock;
use crate::sys::secret::Secret;

use super::{Hook, ISSUER, jwt};

pub struct FakeIdp {
    /// The refresh token the IdP currently accepts; `None` once the grant is revoked.
    pub live: Mutex<Option<String>>,
    pub refreshes: AtomicUsize,
    pub revokes: AtomicUsize,
    pub id_token_lifetime: Mutex<time::Duration>,
    /// Runs after the rotation happened at the IdP, before the answer reaches idbridge.
    pub after_rotation: Mutex<Option<Hook>>,
    pub clock: Mutex<Option<Arc<dyn Clock>>>,
    /// Rotate, but answer with this instead of a good ID token (one that fails its checks, or none).
    pub bad_id_token: Mutex<Option<fn() -> OidcError>>,
    pub sign_ins: AtomicUsize,
    pub approval: Mutex<Approval>,
    /// Fails the next discovery with this.
    pub refuse_discovery: Mutex<Option<OidcError>>,
    pub discovered: Discovered,
    /// Also hand out an access token (sub `at-alice`) valid this long, as an IdP with JWT access tokens.
    pub access_token_lifetime: Mutex<Option<time::Duration>>,
}

impl Default for FakeIdp {
    fn default() -> Self {
        Self {
            live: Mutex::default(),
            refreshes: AtomicUsize::default(),
            revokes: AtomicUsize::default(),
            id_token_lifetime: Mutex::new(time::Duration::hours(1)),
            after_rotation: Mutex::default(),
            clock: Mutex::default(),
            bad_id_token: Mutex::default(),
            sign_ins: AtomicUsize::default(),
            approval: Mutex::default(),
            refuse_discovery: Mutex::default(),
            discovered: discovered(),
            access_token_lifetime: Mutex::default(),
        }
    }
}

impl FakeIdp {
    pub fn live_token(&self) -> Option<String> {
        self.live.lock().unwrap().clone()
    }
}

/// What a sign-in at the fake IdP does once the person acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Approval {
    #[default]
    Approve,
    Deny,
}

impl FakeIdp {
    fn now(&self) -> OffsetDateTime {
        self.clock.lock().unwrap().as_ref().map_or_else(OffsetDateTime::now_utc, |c| c.now())
    }

    /// A fresh grant: the first refresh token of a new sign-in, and its tokens.
    fn grant(&self) -> TokenSet {
        let rt = format!("rt-signin-{}", self.sign_ins.fetch_add(1, Ordering::SeqCst) + 1);
        *self.live.lock().unwrap() = Some(rt.clone());
        let id = jwt("alice", self.now() + *self.id_token_lifetime.lock().unwrap());
        TokenSet {
            claims: IdClaims::decode(&id).unwrap(),
            id_token: Secret::new(id),
            refresh_token: Some(Secret::new(rt)),
            access_token: self.access_token(),
        }
    }

    fn access_token(&self) -> Option<Secret> {
        let lifetime = (*self.access_token_lifetime.lock().unwrap())?;
        Some(Secret::new(jwt("at-alice", self.now() + lifetime)))
    }
}

pub fn discovered() -> Discovered {
    Discovered {
        issuer: ISSUER.into(),
        device_authorization_endpoint: format!("{ISSUER}device"),
        authorization_endpoint: format!("{ISSUER}authorize"),
        authorization_response_iss_parameter_supported: true,
        token_endpoint: Some(format!("{ISSUER}token")),
        revocation_endpoint: Some(format!("{ISSUER}revoke")),
        jwks_uri: format!("{ISSUER}jwks"),
        scopes_supported: vec!["openid".into(), "offline_access".into()],
    }
}

impl IdentityProvider for Arc<FakeIdp> {
    fn connect<'a>(&'a self, _: &'a Provider, _: Duration) -> BoxFuture<'a, Result<Arc<dyn IdpSession>, OidcError>> {
        let me = self.clone();
        Box::pin(async move {
            if let Some(e) = me.refuse_discovery.lock().unwrap().take() {
                return Err(e);
            }
            Ok(Arc::new(me) as Arc<dyn IdpSession>)
        })
    }
}

impl IdpSession for Arc<FakeIdp> {
    fn discovered(&self) -> &Discovered {
        &self.discovered
    }

    fn start_device_flow<'a>(&'a self, _: &'a Provider) -> BoxFuture<'a, Result<DeviceAuthorization, OidcError>> {
        Box::pin(async move {
            let details = serde_json::from_value(serde_json::json!({
                "device_code": "device-code-1", "user_code": "WDJB-MJHT", "verification_uri": format!("{ISSUER}device"),
                "expires_in": 600, "interval": 5,
            }))
            .unwrap();
            DeviceAuthorization::check(details, self.now())
        })
    }

    fn finish_device_flow(&self, _: DeviceAuthorization, sleep: Sleep) -> BoxFuture<'_, Result<TokenSet, OidcError>> {
        Box::pin(async move {
            // one "authorization_pending" before the person acts
            sleep(Duration::from_secs(5)).await;
            match *self.approval.lock().unwrap() {
                Approval::Approve => Ok(self.grant()),
                Approval::Deny => Err(OidcError::AccessDenied),
            }
        })
    }

    fn authorization_request(&self, _: &Provider, redirect_uri: &str) -> Result<AuthorizationRequest, OidcError> {
        let state = format!("state-{}", self.sign_ins.load(Ordering::SeqCst));
        Ok(AuthorizationRequest::made_up(
            &format!("{ISSUER}authorize?redirect_uri={redirect_uri}&state={state}"),
            &state,
        ))
    }

    fn redeem_code<'a>(
        &'a self,
        request: &'a AuthorizationRequest,
        callback: &'a Callback,
    ) -> BoxFuture<'a, Result<TokenSet, OidcError>> {
        Box::pin(async move {
            let code = check_callback(callback, request.state.secret(), &self.discovered)?;
            if code != "code-1" {
                return Err(OidcError::Protocol { code: "invalid_grant".into(), description: None });
            }
            Ok(self.grant())
        })
    }

    fn refresh<'a>(&'a self, rt: &'a Secret, _: Duration) -> BoxFuture<'a, Result<Redeemed, OidcError>> {
        Box::pin(async move {
            let n = self.refreshes.fetch_add(1, Ordering::SeqCst) + 1;
            let next = format!("rt-{n}");
            {
                let mut live = self.live.lock().unwrap();
                if live.as_deref() != Some(rt.expose()) {
                    // reuse of a rotated token revokes the whole grant
                    *live = None;
                    return Err(OidcError::RefreshRejected { code: "invalid_grant".into() });
                }
                *live = Some(next.clone());
            }
            let hook = self.after_rotation.lock().unwrap().as_ref().map(|h| h());
            if let Some(h) = hook {
                h.await;
            }
            let now = self.clock.lock().unwrap().as_ref().map_or_else(OffsetDateTime::now_utc, |c| c.now());
            let id = jwt("alice", now + *self.id_token_lifetime.lock().unwrap());
            let bad = *self.bad_id_token.lock().unwrap();
            let tokens = if let Some(bad) = bad {
                Err(bad())
            } else {
                IdClaims::decode(&id)
                    .map(|claims| TokenSet {
                        id_token: Secret::new(id),
                        refresh_token: Some(Secret::new(next.clone())),
                        claims,
                        access_token: self.access_token(),
                    })
                    .map_err(|reason| OidcError::IdTokenRejected { issuer: ISSUER.into(), reason })
            };
            Ok(Redeemed { refresh_token: Some(Secret::new(next)), tokens })
        })
    }

    fn revoke<'a>(&'a self, _: &'a Secret, _: Duration) -> BoxFuture<'a, Result<bool, OidcError>> {
        Box::pin(async move {
            self.revokes.fetch_add(1, Ordering::SeqCst);
            *self.live.lock().unwrap() = None;
            Ok(true)
        })
    }
}
