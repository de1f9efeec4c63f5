//! OpenID Connect through the `openidconnect` crate: discovery, the device authorization grant
//! (RFC 8628), refresh, and the ID token check (JWKS signature, `iss` exactly, `aud`, `exp`).
//!
//! Quirks checked against the crate: it reads the JSON `error` of any non-200 answer (Auth0 sends
//! authorization_pending as 403 and slow_down as 429), adds 5 s to the interval on slow_down, backs off on
//! network errors, and stops on the device code's own expiry.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use openidconnect::core::{
    CoreAuthDisplay, CoreClaimName, CoreClaimType, CoreClient, CoreClientAuthMethod, CoreDeviceAuthorizationResponse,
    CoreGrantType, CoreIdToken, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJweKeyManagementAlgorithm,
    CoreResponseMode, CoreResponseType, CoreSubjectIdentifierType, CoreTokenResponse,
};
use openidconnect::{
    AdditionalProviderMetadata, ClientId, DeviceAuthorizationUrl, DeviceCodeErrorResponseType, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, IssuerUrl, JsonWebKeySet, Nonce, OAuth2TokenResponse, ProviderMetadata, RefreshToken,
    RequestTokenError, RevocationUrl, Scope, TokenUrl,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::clock::Clock;
use crate::config::{Flow, Provider};
use crate::http::{CappedHttp, HttpError};
use crate::sanitize;
use crate::id_token::IdClaims;
use crate::secret::Secret;

#[derive(Clone, Debug, Deserialize, Serialize)]
struct DeviceEndpoint {
    device_authorization_endpoint: Option<DeviceAuthorizationUrl>,
    /// RFC 7009, announced by some IdPs (Auth0: /oauth/revoke; oidc-provider when enabled).
    #[serde(default)]
    revocation_endpoint: Option<RevocationUrl>,
    /// RFC 9207: the IdP puts `iss` in its authorization responses.
    #[serde(default)]
    authorization_response_iss_parameter_supported: Option<bool>,
}
impl AdditionalProviderMetadata for DeviceEndpoint {}

type Metadata = ProviderMetadata<
    DeviceEndpoint,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;
/// The client as discovery leaves it; the device flow adds its endpoint on a copy when it runs.
pub(crate) type Client =
    CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet, EndpointMaybeSet>;
type DeviceClient = CoreClient<EndpointSet, EndpointSet, EndpointNotSet, EndpointNotSet, EndpointSet, EndpointMaybeSet>;

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
    #[error("the identity provider sent an unusable {field} ({url}): only https:// (http:// on a loopback address) can be opened")]
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

    /// An error from the IdP's own words, made safe to show (see [`crate::sanitize`]).
    fn protocol(code: &str, description: Option<&str>) -> Self {
        Self::Protocol { code: sanitize::field(code), description: description.map(sanitize::field) }
    }

    fn from_http(url: &str, e: HttpError) -> Self {
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
}

/// A discovered provider, ready for device flow and refresh.
#[derive(Clone)]
pub struct Oidc {
    pub(crate) client: Client,
    device_url: Option<DeviceAuthorizationUrl>,
    revocation: Option<RevocationUrl>,
    pub(crate) http: CappedHttp,
    pub(crate) issuer: String,
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
    pub jwks_uri: String,
    pub scopes_supported: Vec<String>,
}

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The capped client of [`crate::http`]: no redirects, https only, 1 MB answers, `timeout` per exchange.
/// A failed build is an error: a default client would have no timeouts at all.
pub fn http_client(timeout: Duration) -> Result<CappedHttp, OidcError> {
    CappedHttp::new(timeout).map_err(|e| OidcError::HttpClient { source: Box::new(e) })
}

impl Oidc {
    /// Fetches `<issuer>/.well-known/openid-configuration`, checks that the document's issuer is exactly
    /// the configured one and that every endpoint it announces is https (http on loopback), then the JWKS.
    pub async fn discover(provider: &Provider, http: CappedHttp, clock: Arc<dyn Clock>) -> Result<Self, OidcError> {
        let issuer = provider.issuer.clone();
        let failed = |detail: String| OidcError::Discovery { issuer: sanitize::field(&issuer), detail };
        let issuer_url = IssuerUrl::new(issuer.clone()).map_err(|e| failed(e.to_string()))?;
        let url = issuer_url.join(".well-known/openid-configuration").map_err(|e| failed(e.to_string()))?;
        let request = http.reqwest().get(url.clone()).header("accept", "application/json").build().map_err(|e| failed(e.to_string()))?;
        let (status, body) = http.send_json(request).await.map_err(|e| OidcError::from_http(url.as_str(), e))?;
        if status != 200 {
            return Err(OidcError::BadAnswer { url: sanitize::field(url.as_str()), detail: format!("HTTP {status}"), transient: status >= 500 });
        }
        // serde's message names the place in the document, never a value
        let metadata: Metadata = serde_json::from_slice(&body).map_err(|e| failed(format!("not a discovery document: {e}")))?;
        if metadata.issuer() != &issuer_url {
            return Err(OidcError::IssuerMismatch { configured: sanitize::field(&issuer), announced: sanitize::field(metadata.issuer().as_str()) });
        }
        let override_url = |v: &Option<String>| v.as_deref().map(|u| u.parse::<url::Url>()).transpose().map_err(|e| failed(e.to_string()));
        // optional here: only the device flow needs it (checked below)
        let device = match override_url(&provider.device_authorization_endpoint)? {
            Some(u) => Some(DeviceAuthorizationUrl::from_url(u)),
            None => metadata.additional_metadata().device_authorization_endpoint.clone(),
        };
        let token = match override_url(&provider.token_endpoint)? {
            Some(u) => Some(TokenUrl::from_url(u)),
            None => metadata.token_endpoint().cloned(),
        };
        let announced: [(&'static str, Option<&url::Url>); 6] = [
            ("device_authorization_endpoint", device.as_ref().map(|d| d.url())),
            ("token_endpoint", token.as_ref().map(|t| t.url())),
            ("jwks_uri", Some(metadata.jwks_uri().url())),
            ("authorization_endpoint", Some(metadata.authorization_endpoint().url())),
            ("userinfo_endpoint", metadata.userinfo_endpoint().map(|u| u.url())),
            ("revocation_endpoint", metadata.additional_metadata().revocation_endpoint.as_ref().map(|r| r.url())),
        ];
        for (field, url) in announced {
            if let Some(url) = url.filter(|u| !crate::http::is_allowed_url(u)) {
                return Err(OidcError::InsecureEndpoint { issuer: sanitize::field(&issuer), field, url: sanitize::field(url.as_str()) });
            }
        }
        let token = token.ok_or_else(|| failed("no token_endpoint: set token_endpoint under [providers.NAME] in config.toml".into()))?;
        let jwks_url = metadata.jwks_uri().url().as_str().to_string();
        let jwks = JsonWebKeySet::fetch_async(metadata.jwks_uri(), &http).await.map_err(|e| match e {
            openidconnect::DiscoveryError::Request(h) => OidcError::from_http(&jwks_url, h),
            other => failed(format!("jwks_uri: {}", sanitize::field(&other.to_string()))),
        })?;
        if device.is_none() && provider.flow == Flow::Device {
            return Err(OidcError::NoDeviceEndpoint { issuer: sanitize::field(&issuer) });
        }
        let discovered = Discovered {
            issuer: issuer.clone(),
            device_authorization_endpoint: device.as_ref().map(|d| d.to_string()).unwrap_or_default(),
            authorization_endpoint: metadata.authorization_endpoint().to_string(),
            authorization_response_iss_parameter_supported: metadata
                .additional_metadata()
                .authorization_response_iss_parameter_supported
                .unwrap_or(false),
            token_endpoint: Some(token.to_string()),
            jwks_uri: jwks_url,
            scopes_supported: metadata
                .scopes_supported()
                .map(|s| s.iter().map(|s| sanitize::field(s)).collect())
                .unwrap_or_default(),
        };
        let revocation = metadata.additional_metadata().revocation_endpoint.clone();
        let client = CoreClient::from_provider_metadata(metadata.set_jwks(jwks), ClientId::new(provider.client_id.clone()), None)
            .set_token_uri(token);
        Ok(Self { client, device_url: device, revocation, http, issuer, clock, discovered })
    }

    fn device_client(&self) -> Result<DeviceClient, OidcError> {
        let url = self.device_url.clone().ok_or_else(|| OidcError::NoDeviceEndpoint { issuer: sanitize::field(&self.issuer) })?;
        Ok(self.client.clone().set_device_authorization_url(url))
    }

    /// Step 1 of the device flow: ask for a device code and the user code to show.
    pub async fn start_device_flow(&self, provider: &Provider) -> Result<DeviceAuthorization, OidcError> {
        let client = self.device_client()?;
        let mut req = client.exchange_device_code();
        for scope in &provider.scopes {
            req = req.add_scope(Scope::new(scope.clone()));
        }
        for (k, v) in &provider.params {
            req = req.add_extra_param(k.clone(), v.clone());
        }
        let details: CoreDeviceAuthorizationResponse = req.request_async(&self.http).await.map_err(|e| match e {
            // a failure here names the device endpoint, not the token endpoint the other requests go to
            RequestTokenError::Request(h) => OidcError::from_http(self.device_url.as_ref().map_or(&self.issuer, |u| u.as_str()), h),
            other => self.token_error(other),
        })?;
        DeviceAuthorization::check(details, self.clock.now())
    }

    /// Step 2: poll until the person approves, denies, or the code expires. Consumes the authorization so
    /// a device code that succeeded is never polled again.
    pub async fn finish_device_flow<S, F>(&self, auth: DeviceAuthorization, sleep: S) -> Result<TokenSet, OidcError>
    where
        S: Fn(Duration) -> F + 'static,
        F: Future<Output = ()>,
    {
        let clock = self.clock.clone();
        let response = self
            .device_client()?
            .exchange_device_access_token(&auth.details)
            .set_time_fn(move || to_chrono(clock.now()))
            .request_async(&self.http, sleep, Some(auth.details.expires_in()))
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(r) => match r.error() {
                    DeviceCodeErrorResponseType::AccessDenied => OidcError::AccessDenied,
                    DeviceCodeErrorResponseType::ExpiredToken => OidcError::DeviceCodeExpired,
                    other => OidcError::protocol(other.as_ref(), r.error_description().map(String::as_str)),
                },
                other => self.transport_error(other),
            })?;
        self.verify(&response, None)
    }

    /// Trades a refresh token for new tokens. With rotation the answer carries a new refresh token that
    /// the caller must store before anything else — even when the ID token that came with it fails its
    /// checks or is missing (OIDC Core §12.2 allows that): so the answer is split in two.
    pub async fn refresh(&self, refresh_token: &Secret) -> Result<Redeemed, OidcError> {
        let rt = RefreshToken::new(refresh_token.expose().to_string());
        let response = self
            .client
            .exchange_refresh_token(&rt)
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(r) => {
                    let code = r.error().to_string();
                    if matches!(code.as_str(), "invalid_grant" | "unauthorized_client" | "invalid_client") {
                        OidcError::RefreshRejected { code }
                    } else {
                        OidcError::protocol(&code, r.error_description().map(String::as_str))
                    }
                }
                other => self.transport_error(other),
            })?;
        // some IdPs do not rotate: keep using the one we have
        let kept = response.refresh_token().map(|r| Secret::new(r.secret().clone())).or_else(|| Some(refresh_token.clone()));
        Ok(Redeemed { refresh_token: kept, tokens: self.verify(&response, Some(refresh_token)) })
    }

    /// RFC 7009: tells the IdP to forget the refresh token (and, at most IdPs, its whole grant).
    /// `Ok(false)` when the IdP announces no revocation endpoint.
    ///
    /// Written out rather than through `oauth2`'s `revoke_token`, which refuses any http:// endpoint,
    /// loopback included; here the same https-or-loopback rule as for the issuer applies.
    pub async fn revoke(&self, refresh_token: &Secret) -> Result<bool, OidcError> {
        let Some(url) = self.revocation.as_ref().map(|u| u.url().clone()) else { return Ok(false) };
        if crate::config::check_issuer(url.as_str()).is_err() {
            return Err(OidcError::Protocol {
                code: "unsafe revocation_endpoint".into(),
                description: Some("the IdP announced a revocation endpoint that is not https".into()),
            });
        }
        let client_id = self.client.client_id().as_str();
        let form = [("token", refresh_token.expose()), ("token_type_hint", "refresh_token"), ("client_id", client_id)];
        let request = self
            .http
            .reqwest()
            .post(url.clone())
            .form(&form)
            .build()
            .map_err(|e| OidcError::HttpClient { source: Box::new(e) })?;
        // capped like every IdP answer; a 200 may have no body at all
        let (status, body) = self.http.send_json(request).await.map_err(|e| OidcError::from_http(url.as_str(), e))?;
        if (200..300).contains(&status) {
            return Ok(true);
        }
        // RFC 7009 §2.2.1: an error answer is an OAuth error object
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        Err(OidcError::protocol(body["error"].as_str().unwrap_or(&format!("HTTP {status}")), body["error_description"].as_str()))
    }

    fn verify(&self, response: &CoreTokenResponse, old_refresh: Option<&Secret>) -> Result<TokenSet, OidcError> {
        // the device and refresh grants carry no nonce
        self.verify_with_nonce(response, old_refresh, None)
    }

    /// Checks the ID token (signature, `iss`, `aud`, `exp`, and `nonce` when one was sent) and takes the tokens.
    pub(crate) fn verify_with_nonce(
        &self,
        response: &CoreTokenResponse,
        old_refresh: Option<&Secret>,
        nonce: Option<&Nonce>,
    ) -> Result<TokenSet, OidcError> {
        let id_token: &CoreIdToken = response.extra_fields().id_token().ok_or(OidcError::NoIdToken)?;
        let clock = self.clock.clone();
        let verifier = self.client.id_token_verifier().set_time_fn(move || to_chrono(clock.now()));
        let check_nonce = |got: Option<&Nonce>| match nonce {
            None => Ok(()),
            Some(want) if got.is_some_and(|g| g.secret() == want.secret()) => Ok(()),
            Some(_) => Err("the ID token's nonce is not the one this sign-in sent".to_string()),
        };
        id_token
            .claims(&verifier, check_nonce)
            .map_err(|e| OidcError::IdTokenRejected { issuer: self.issuer.clone(), reason: sanitize::field(&e.to_string()) })?;
        let raw = id_token.to_string();
        let claims = IdClaims::decode(&raw)
            .map_err(|reason| OidcError::IdTokenRejected { issuer: self.issuer.clone(), reason: sanitize::field(&reason) })?;
        let refresh_token = response
            .refresh_token()
            .map(|r| Secret::new(r.secret().clone()))
            .or_else(|| old_refresh.cloned());
        Ok(TokenSet { id_token: Secret::new(raw), refresh_token, claims })
    }

    pub(crate) fn token_error<T: openidconnect::ErrorResponse + 'static>(
        &self,
        e: RequestTokenError<HttpError, T>,
    ) -> OidcError {
        match e {
            RequestTokenError::ServerResponse(r) => {
                let v = serde_json::to_value(&r).unwrap_or_default();
                OidcError::protocol(v["error"].as_str().unwrap_or("error"), v["error_description"].as_str())
            }
            other => self.transport_error(other),
        }
    }

    fn transport_error<T: openidconnect::ErrorResponse + 'static>(
        &self,
        e: RequestTokenError<HttpError, T>,
    ) -> OidcError {
        match e {
            RequestTokenError::Request(h) => {
                let url = self.discovered.token_endpoint.clone().unwrap_or_else(|| self.issuer.clone());
                OidcError::from_http(&url, h)
            }
            // the body is not shown: a half-parsed success could hold tokens
            RequestTokenError::Parse(p, body) => {
                let at = p.path().to_string();
                match at.as_str() {
                    // not even a URL: say which field, and show it (a URL, never a token)
                    "verification_uri" | "verification_uri_complete" => OidcError::BadVerificationUri {
                        field: if at == "verification_uri" { "verification_uri" } else { "verification_uri_complete" },
                        url: sanitize::field(
                            serde_json::from_slice::<serde_json::Value>(&body).ok().as_ref().and_then(|v| v[&at].as_str()).unwrap_or("?"),
                        ),
                    },
                    _ => OidcError::protocol("unparseable answer", Some(&format!("at `{at}`"))),
                }
            }
            RequestTokenError::Other(s) => OidcError::protocol("error", Some(&s)),
            RequestTokenError::ServerResponse(r) => OidcError::protocol(&r.to_string(), None),
        }
    }
}

pub use crate::device::DeviceAuthorization;

fn to_chrono(t: OffsetDateTime) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(t.unix_timestamp(), t.nanosecond()).unwrap_or_default()
}
