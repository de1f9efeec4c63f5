//! OpenID Connect through the `openidconnect` crate: discovery, the device authorization grant
//! (RFC 8628), refresh, and the ID token check (JWKS signature, `iss` exactly, `aud`, `exp`).
//!
//! Quirks checked against the crate: it reads the JSON `error` of any non-200 answer (Auth0 sends
//! authorization_pending as 403 and slow_down as 429), adds 5 s to the interval on slow_down, backs off on
//! network errors, and stops on the device code's own expiry.

use std::sync::Arc;
use std::time::Duration;

use openidconnect::core::CoreClient;
use openidconnect::{DeviceAuthorizationUrl, EndpointMaybeSet, EndpointNotSet, EndpointSet, RevocationUrl};
use time::OffsetDateTime;

use crate::oidc::id_token::IdClaims;
use crate::sys::clock::Clock;
use crate::sys::http::{CappedHttp, HttpError};
use crate::sys::sanitize;
use crate::sys::secret::Secret;

mod access_token;
pub mod authcode;
pub mod device;
mod discovery;
pub mod id_token;
pub mod loopback;
mod token;

pub use device::DeviceAuthorization;

/// The client as discovery leaves it; the device flow adds its endpoint on a copy when it runs.
pub(crate) type Client =
    CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet, EndpointMaybeSet>;
pub(crate) type DeviceClient =
    CoreClient<EndpointSet, EndpointSet, EndpointNotSet, EndpointNotSet, EndpointSet, EndpointMaybeSet>;

#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("cannot reach the identity provider at {url}")]
    Unreachable { url: String, source: BoxError },
    #[error("the identity provider at {url} did not answer within {seconds} s")]
    TimedOut { url: String, seconds: u64 },
    #[error("cannot set up an HTTP client")]
    HttpClient { source: BoxError },
    /// The IdP answered, but not with what the protocol expects (HTML error page, garbage, too large).
    #[error("the identity provider at {url} gave an unusable answer: {detail}")]
    BadAnswer { url: String, detail: String, transient: bool },
    #[error("OIDC discovery at {issuer} failed: {detail}")]
    Discovery { issuer: String, detail: String },
    #[error(
        "the issuer in config.toml ({configured}) differs from the one the IdP announces ({announced}); \
         they must be identical, including any trailing '/' (AWS compares them exactly)"
    )]
    IssuerMismatch { configured: String, announced: String },
    #[error(
        "{issuer} announces no device_authorization_endpoint in its discovery document: if the IdP offers the \
         device flow elsewhere, set device_authorization_endpoint under [providers.NAME] in config.toml; or set \
         flow = \"browser\""
    )]
    NoDeviceEndpoint { issuer: String },
    #[error("{issuer} announces {field} = {url}: only https:// (http:// only on a loopback address) is allowed")]
    InsecureEndpoint { issuer: String, field: &'static str, url: String },
    #[error(
        "the identity provider sent an unusable {field} ({url}): only https:// (http:// on a loopback address) can be opened"
    )]
    BadVerificationUri { field: &'static str, url: String },
    #[error("sign-in was denied at the identity provider (access_denied)")]
    AccessDenied,
    #[error("the sign-in code expired before it was approved; run the sign-in again and approve within the time shown")]
    DeviceCodeExpired,
    /// The browser came back with an authorization response that cannot be used.
    #[error("the answer the browser brought back from the identity provider was refused: {reason}")]
    Callback { reason: String },
    #[error("the identity provider no longer accepts the refresh token ({code}); a sign-in is needed")]
    RefreshRejected { code: String },
    #[error("the identity provider answered {code}{}", .description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    Protocol { code: String, description: Option<String> },
    #[error("the identity provider returned no ID token (is \"openid\" among the scopes?)")]
    NoIdToken,
    #[error("the ID token from {issuer} was rejected: {reason}")]
    IdTokenRejected { issuer: String, reason: String },
    #[error("the access token from {issuer} was rejected and not sent to AWS: {reason}")]
    AccessTokenRejected { issuer: String, reason: String },
}

impl OidcError {
    /// Worth trying again later without a person (network, server trouble).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Unreachable { .. } | Self::TimedOut { .. } => true,
            Self::BadAnswer { transient, .. } => *transient,
            _ => false,
        }
    }

    /// An error from the IdP's own words, made safe to show (see [`crate::sys::sanitize`]).
    pub(crate) fn protocol(code: &str, description: Option<&str>) -> Self {
        Self::Protocol { code: sanitize::field(code), description: description.map(sanitize::field) }
    }

    pub(crate) fn from_http(url: &str, e: HttpError) -> Self {
        let url = sanitize::field(url);
        match e {
            HttpError::TimedOut { seconds } => Self::TimedOut { url, seconds },
            e @ HttpError::Transport { .. } => Self::Unreachable { url, source: Box::new(e) },
            other => Self::BadAnswer { url, transient: other.is_transient(), detail: other.to_string() },
        }
    }
}

/// What a redemption brought: the refresh token to keep from now on, and the verified tokens or why
/// the ID token was refused.
#[derive(Debug)]
pub struct Redeemed {
    pub refresh_token: Option<Secret>,
    pub tokens: Result<TokenSet, OidcError>,
}

/// Tokens straight from the token endpoint, ID token already verified.
#[derive(Debug, Clone)]
pub struct TokenSet {
    pub id_token: Secret,
    pub refresh_token: Option<Secret>,
    pub claims: IdClaims,
    /// The access token, checked like the ID token, for a provider that sends it to STS.
    pub access_token: Option<Secret>,
}

impl TokenSet {
    /// What STS receives: the checked access token where the provider sends it, else the ID token.
    pub fn web_identity_token(&self) -> &Secret {
        self.access_token.as_ref().unwrap_or(&self.id_token)
    }
}

/// A discovered provider, ready for device flow and refresh.
#[derive(Clone)]
pub struct Oidc {
    pub(crate) client: Client,
    device_url: Option<DeviceAuthorizationUrl>,
    revocation: Option<RevocationUrl>,
    pub(crate) http: CappedHttp,
    pub(crate) issuer: String,
    /// `Some(aud)` when STS receives the access token, which must then carry this audience.
    access_token_audience: Option<String>,
    pub(crate) clock: Arc<dyn Clock>,
    pub discovered: Discovered,
}

/// What discovery found, for a person checking a provider's settings ("Test" in the app).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Discovered {
    pub issuer: String,
    /// Empty when the IdP has none (only possible for a provider with flow = "browser").
    pub device_authorization_endpoint: String,
    pub authorization_endpoint: String,
    /// RFC 9207: authorization responses carry `iss`, which must then be checked.
    pub authorization_response_iss_parameter_supported: bool,
    pub token_endpoint: Option<String>,
    /// RFC 7009's endpoint, when the IdP announces one.
    pub revocation_endpoint: Option<String>,
    pub jwks_uri: String,
    pub scopes_supported: Vec<String>,
}

/// The scopes to ask for besides `openid`, which `openidconnect` adds to every request itself: each once,
/// in the configured order (a strict IdP refuses `openid openid`).
pub(crate) fn extra_scopes(provider: &crate::config::Provider) -> Vec<openidconnect::Scope> {
    let mut seen = std::collections::BTreeSet::new();
    provider
        .scopes
        .iter()
        .filter(|s| s.as_str() != "openid" && seen.insert(s.as_str()))
        .map(|s| openidconnect::Scope::new(s.clone()))
        .collect()
}

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The capped client of [`crate::sys::http`]: no redirects, https only, 1 MB answers, `timeout` per exchange.
/// A failed build is an error: a default client would have no timeouts at all.
pub fn http_client(timeout: Duration) -> Result<CappedHttp, OidcError> {
    CappedHttp::new(timeout).map_err(|e| OidcError::HttpClient { source: Box::new(e) })
}

pub(crate) fn to_chrono(t: OffsetDateTime) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(t.unix_timestamp(), t.nanosecond()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_scope_is_asked_for_once_and_openid_is_left_to_the_crate() {
        let mut provider: crate::config::Provider =
            toml::from_str("issuer = \"https://i/\"\nclient_id = \"c\"").expect("a provider");
        provider.scopes = ["openid", "offline_access", "openid", "email", "offline_access"].map(String::from).into();
        let got: Vec<_> = super::extra_scopes(&provider).iter().map(|s| s.to_string()).collect();
        assert_eq!(got, ["offline_access", "email"]);
    }
}
