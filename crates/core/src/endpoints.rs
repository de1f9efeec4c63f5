//! The services a refresh talks to without a person (the IdP's discovery, token and revocation
//! endpoints; STS), behind narrow traits: the binaries wire the real ones, in-process tests wire fakes
//! that rotate, refuse, hang or count calls.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use crate::clock::Clock;
use crate::config::{Profile, Provider};
use crate::oidc::{Oidc, OidcError, Redeemed};
use crate::secret::Secret;
use crate::sts::{self, AssumedRole, StsError};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An OpenID Provider as refresh and sign-out need it.
pub trait IdentityProvider: Send + Sync {
    /// Discovery and keys: nothing secret is sent, so this may be cut off at any time.
    fn connect<'a>(&'a self, provider: &'a Provider, timeout: Duration) -> BoxFuture<'a, Result<Arc<dyn TokenEndpoint>, OidcError>>;
}

pub trait TokenEndpoint: Send + Sync {
    /// Redeems a refresh token. With rotation the old token is dead as soon as the IdP has answered,
    /// so the caller must store what comes back before anything else.
    fn refresh<'a>(&'a self, refresh_token: &'a Secret, timeout: Duration) -> BoxFuture<'a, Result<Redeemed, OidcError>>;
    /// RFC 7009. `Ok(false)`: the IdP offers no revocation endpoint.
    fn revoke<'a>(&'a self, refresh_token: &'a Secret, timeout: Duration) -> BoxFuture<'a, Result<bool, OidcError>>;
}

pub trait SecurityTokenService: Send + Sync {
    fn assume_role_with_web_identity<'a>(
        &'a self,
        profile: &'a Profile,
        id_token: &'a Secret,
        session_name: &'a str,
        timeout: Duration,
    ) -> BoxFuture<'a, Result<AssumedRole, StsError>>;
}

/// The real IdP through `openidconnect`.
pub struct OidcEndpoints {
    pub clock: Arc<dyn Clock>,
}

impl IdentityProvider for OidcEndpoints {
    fn connect<'a>(&'a self, provider: &'a Provider, timeout: Duration) -> BoxFuture<'a, Result<Arc<dyn TokenEndpoint>, OidcError>> {
        Box::pin(async move {
            let http = crate::oidc::http_client(timeout)?;
            let issuer = provider.issuer.clone();
            let oidc = tokio::time::timeout(timeout, Oidc::discover(provider, http, self.clock.clone()))
                .await
                .map_err(|_| OidcError::TimedOut { url: issuer, seconds: timeout.as_secs() })??;
            Ok(Arc::new(oidc) as Arc<dyn TokenEndpoint>)
        })
    }
}

impl TokenEndpoint for Oidc {
    fn refresh<'a>(&'a self, refresh_token: &'a Secret, timeout: Duration) -> BoxFuture<'a, Result<Redeemed, OidcError>> {
        Box::pin(async move {
            tokio::time::timeout(timeout, Oidc::refresh(self, refresh_token))
                .await
                .map_err(|_| OidcError::TimedOut { url: self.discovered.issuer.clone(), seconds: timeout.as_secs() })?
        })
    }

    fn revoke<'a>(&'a self, refresh_token: &'a Secret, timeout: Duration) -> BoxFuture<'a, Result<bool, OidcError>> {
        Box::pin(async move {
            tokio::time::timeout(timeout, Oidc::revoke(self, refresh_token))
                .await
                .map_err(|_| OidcError::TimedOut { url: self.discovered.issuer.clone(), seconds: timeout.as_secs() })?
        })
    }
}

/// The real STS through aws-sdk-sts.
pub struct AwsSts;

impl SecurityTokenService for AwsSts {
    fn assume_role_with_web_identity<'a>(
        &'a self,
        profile: &'a Profile,
        id_token: &'a Secret,
        session_name: &'a str,
        timeout: Duration,
    ) -> BoxFuture<'a, Result<AssumedRole, StsError>> {
        Box::pin(sts::assume_role_with_web_identity(profile, id_token, session_name, timeout))
    }
}
