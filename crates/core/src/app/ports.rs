//! The outside services the use cases talk to, each behind one narrow trait: the identity provider
//! (discovery, device flow, authorization code, refresh, revocation), STS (web identity and role
//! chaining) and the console's federation endpoint. The binaries wire the real ones ([`Ports::real`]);
//! in-process tests wire fakes that rotate, refuse, hang or count calls (`app::testing`).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use crate::aws::console::{self, ConsoleError};
use crate::aws::credentials::Credentials;
use crate::aws::sts::{self, AssumedRole, StsError};
use crate::config::{Profile, Provider};
use crate::oidc::authcode::AuthorizationRequest;
use crate::oidc::loopback::Callback;
use crate::oidc::{DeviceAuthorization, Discovered, Oidc, OidcError, Redeemed, TokenSet};
use crate::sys::clock::Clock;
use crate::sys::secret::Secret;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
/// How the device flow waits between polls (a test's is instant).
pub type Sleep = Arc<dyn Fn(Duration) -> BoxFuture<'static, ()> + Send + Sync>;

/// An OpenID Provider before discovery.
pub trait IdentityProvider: Send + Sync {
    /// Discovery and keys: nothing secret is sent, so this may be cut off at any time.
    fn connect<'a>(
        &'a self,
        provider: &'a Provider,
        timeout: Duration,
    ) -> BoxFuture<'a, Result<Arc<dyn IdpSession>, OidcError>>;
}

/// A discovered provider: every grant idbridge uses.
pub trait IdpSession: Send + Sync {
    fn discovered(&self) -> &Discovered;
    /// RFC 8628 §3.1–3.2: the code to show and the page to open.
    fn start_device_flow<'a>(&'a self, provider: &'a Provider)
    -> BoxFuture<'a, Result<DeviceAuthorization, OidcError>>;
    /// RFC 8628 §3.4–3.5: polls until the person approves, denies, or the code expires.
    fn finish_device_flow(&self, auth: DeviceAuthorization, sleep: Sleep)
    -> BoxFuture<'_, Result<TokenSet, OidcError>>;
    /// The authorization code grant's first leg, redirecting to `redirect_uri`.
    fn authorization_request(&self, provider: &Provider, redirect_uri: &str)
    -> Result<AuthorizationRequest, OidcError>;
    /// Checks the browser's answer and trades its code for verified tokens.
    fn redeem_code<'a>(
        &'a self,
        request: &'a AuthorizationRequest,
        callback: &'a Callback,
    ) -> BoxFuture<'a, Result<TokenSet, OidcError>>;
    /// Redeems a refresh token. With rotation the old token is dead as soon as the IdP has answered,
    /// so the caller must store what comes back before anything else.
    fn refresh<'a>(
        &'a self,
        refresh_token: &'a Secret,
        timeout: Duration,
    ) -> BoxFuture<'a, Result<Redeemed, OidcError>>;
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
    /// Role chaining: signed with the source profile's credentials.
    fn assume_role<'a>(
        &'a self,
        profile: &'a Profile,
        source: &'a Credentials,
        session_name: &'a str,
        timeout: Duration,
    ) -> BoxFuture<'a, Result<AssumedRole, StsError>>;
}

/// The console's federation endpoint (getSigninToken).
pub trait Federation: Send + Sync {
    fn signin_token<'a>(
        &'a self,
        endpoint: &'a str,
        credentials: &'a Credentials,
        timeout: Duration,
    ) -> BoxFuture<'a, Result<Secret, ConsoleError>>;
}

/// One of each, as a binary or a test wires them.
#[derive(Clone)]
pub struct Ports {
    pub idp: Arc<dyn IdentityProvider>,
    pub sts: Arc<dyn SecurityTokenService>,
    pub federation: Arc<dyn Federation>,
}

impl Ports {
    /// The real services over HTTPS.
    pub fn real(clock: Arc<dyn Clock>) -> Self {
        Self { idp: Arc::new(OidcEndpoints { clock }), sts: Arc::new(AwsSts), federation: Arc::new(AwsFederation) }
    }
}

/// The real IdP through `openidconnect`.
pub struct OidcEndpoints {
    pub clock: Arc<dyn Clock>,
}

impl IdentityProvider for OidcEndpoints {
    fn connect<'a>(
        &'a self,
        provider: &'a Provider,
        timeout: Duration,
    ) -> BoxFuture<'a, Result<Arc<dyn IdpSession>, OidcError>> {
        Box::pin(async move {
            let http = crate::oidc::http_client(timeout)?;
            let oidc = bounded(timeout, &provider.issuer, Oidc::discover(provider, http, self.clock.clone())).await?;
            Ok(Arc::new(oidc) as Arc<dyn IdpSession>)
        })
    }
}

/// `f`, or a timeout error that names `url`.
async fn bounded<T>(
    timeout: Duration,
    url: &str,
    f: impl Future<Output = Result<T, OidcError>>,
) -> Result<T, OidcError> {
    tokio::time::timeout(timeout, f)
        .await
        .map_err(|_| OidcError::TimedOut { url: crate::sys::sanitize::field(url), seconds: timeout.as_secs() })?
}

impl IdpSession for Oidc {
    fn discovered(&self) -> &Discovered {
        &self.discovered
    }

    fn start_device_flow<'a>(
        &'a self,
        provider: &'a Provider,
    ) -> BoxFuture<'a, Result<DeviceAuthorization, OidcError>> {
        Box::pin(Oidc::start_device_flow(self, provider))
    }

    fn finish_device_flow(
        &self,
        auth: DeviceAuthorization,
        sleep: Sleep,
    ) -> BoxFuture<'_, Result<TokenSet, OidcError>> {
        Box::pin(Oidc::finish_device_flow(self, auth, move |d| sleep(d)))
    }

    fn authorization_request(
        &self,
        provider: &Provider,
        redirect_uri: &str,
    ) -> Result<AuthorizationRequest, OidcError> {
        Oidc::authorization_request(self, provider, redirect_uri)
    }

    fn redeem_code<'a>(
        &'a self,
        request: &'a AuthorizationRequest,
        callback: &'a Callback,
    ) -> BoxFuture<'a, Result<TokenSet, OidcError>> {
        Box::pin(Oidc::redeem_code(self, request, callback))
    }

    fn refresh<'a>(
        &'a self,
        refresh_token: &'a Secret,
        timeout: Duration,
    ) -> BoxFuture<'a, Result<Redeemed, OidcError>> {
        Box::pin(bounded(timeout, &self.discovered.issuer, Oidc::refresh(self, refresh_token)))
    }

    fn revoke<'a>(&'a self, refresh_token: &'a Secret, timeout: Duration) -> BoxFuture<'a, Result<bool, OidcError>> {
        Box::pin(bounded(timeout, &self.discovered.issuer, Oidc::revoke(self, refresh_token)))
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

    fn assume_role<'a>(
        &'a self,
        profile: &'a Profile,
        source: &'a Credentials,
        session_name: &'a str,
        timeout: Duration,
    ) -> BoxFuture<'a, Result<AssumedRole, StsError>> {
        Box::pin(sts::assume_role(profile, source, session_name, timeout))
    }
}

/// A SigninToken answer is ~1 KB: at most this much of whatever comes is read.
const FEDERATION_MAX_BODY: usize = 64 * 1024;

/// The real federation endpoint, through the same capped, redirect-free HTTP client as the IdP.
pub struct AwsFederation;

impl Federation for AwsFederation {
    fn signin_token<'a>(
        &'a self,
        endpoint: &'a str,
        credentials: &'a Credentials,
        timeout: Duration,
    ) -> BoxFuture<'a, Result<Secret, ConsoleError>> {
        Box::pin(async move {
            let http = crate::sys::http::CappedHttp::new(timeout)
                .map_err(|e| ConsoleError::Unreachable {
                    endpoint: crate::sys::sanitize::field(endpoint),
                    detail: e.without_url().to_string(),
                })?
                .with_max_body(FEDERATION_MAX_BODY);
            console::signin_token(endpoint, credentials, &http).await
        })
    }
}

/// The device flow's wait between polls, on the real clock.
pub fn real_sleep() -> Sleep {
    Arc::new(|d| Box::pin(tokio::time::sleep(d)))
}
