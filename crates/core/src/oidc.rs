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
    EndpointNotSet, EndpointSet, IssuerUrl, Nonce, OAuth2TokenResponse, ProviderMetadata, RefreshToken,
    RequestTokenError, RevocationUrl, Scope,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::clock::Clock;
use crate::config::Provider;
use crate::id_token::IdClaims;
use crate::secret::Secret;

#[derive(Clone, Debug, Deserialize, Serialize)]
struct DeviceEndpoint {
    device_authorization_endpoint: Option<DeviceAuthorizationUrl>,
    /// RFC 7009, announced by some IdPs (Auth0: /oauth/revoke; oidc-provider when enabled).
    #[serde(default)]
    revocation_endpoint: Option<RevocationUrl>,
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
type Client = CoreClient<EndpointSet, EndpointSet, EndpointNotSet, EndpointNotSet, EndpointMaybeSet, EndpointMaybeSet>;

#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("cannot reach the identity provider at {url}")]
    Unreachable { url: String, source: BoxError },
    #[error("the identity provider at {url} did not answer within {seconds} s")]
    TimedOut { url: String, seconds: u64 },
    #[error("cannot set up an HTTP client")]
    HttpClient { source: BoxError },
    #[error("OIDC discovery at {issuer} failed: {detail}")]
    Discovery { issuer: String, detail: String },
    #[error(
        "the issuer in config.toml ({configured}) differs from the one the IdP announces ({announced}); \
         they must be identical, including any trailing '/' (AWS compares them exactly)"
    )]
    IssuerMismatch { configured: String, announced: String },
    #[error("{issuer} offers no device authorization endpoint: enable the Device Code grant for this client at the IdP")]
    NoDeviceEndpoint { issuer: String },
    #[error("sign-in was denied at the identity provider (access_denied)")]
    AccessDenied,
    #[error("the sign-in code expired before it was approved; run the sign-in again and approve within the time shown")]
    DeviceCodeExpired,
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
        matches!(self, Self::Unreachable { .. } | Self::TimedOut { .. })
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
    client: Client,
    revocation: Option<RevocationUrl>,
    http: openidconnect::reqwest::Client,
    issuer: String,
    clock: Arc<dyn Clock>,
    pub discovered: Discovered,
}

/// What discovery found, for a person checking a provider's settings ("Test" in the app).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Discovered {
    pub issuer: String,
    pub device_authorization_endpoint: String,
    pub token_endpoint: Option<String>,
    pub jwks_uri: String,
    pub scopes_supported: Vec<String>,
}

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A client that never follows redirects and gives up after `timeout`. A failed build is an error: a
/// default client would have no timeouts at all.
pub fn http_client(timeout: Duration) -> Result<openidconnect::reqwest::Client, OidcError> {
    openidconnect::reqwest::Client::builder()
        // following redirects would let a token endpoint send our grant elsewhere (SSRF)
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .timeout(timeout)
        .user_agent(concat!("idbridge/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| OidcError::HttpClient { source: Box::new(e) })
}

impl Oidc {
    /// Fetches `<issuer>/.well-known/openid-configuration` and the JWKS, and checks that the document's
    /// issuer is exactly the configured one.
    pub async fn discover(
        provider: &Provider,
        http: openidconnect::reqwest::Client,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, OidcError> {
        let issuer = provider.issuer.clone();
        let issuer_url = IssuerUrl::new(issuer.clone())
            .map_err(|e| OidcError::Discovery { issuer: issuer.clone(), detail: e.to_string() })?;
        let metadata = Metadata::discover_async(issuer_url, &http).await.map_err(|e| {
            use openidconnect::DiscoveryError as D;
            match e {
                D::Request(r) => OidcError::Unreachable { url: issuer.clone(), source: Box::new(r) },
                D::Validation(v) if v.contains("unexpected issuer URI") => OidcError::IssuerMismatch {
                    configured: issuer.clone(),
                    announced: v.split('`').nth(1).unwrap_or("?").to_string(),
                },
                D::Response(status, _, detail) => OidcError::Discovery {
                    issuer: issuer.clone(),
                    detail: format!("HTTP {status}: {detail}"),
                },
                other => OidcError::Discovery { issuer: issuer.clone(), detail: other.to_string() },
            }
        })?;
        let device = metadata
            .additional_metadata()
            .device_authorization_endpoint
            .clone()
            .ok_or_else(|| OidcError::NoDeviceEndpoint { issuer: issuer.clone() })?;
        let discovered = Discovered {
            issuer: issuer.clone(),
            device_authorization_endpoint: device.to_string(),
            token_endpoint: metadata.token_endpoint().map(|u| u.to_string()),
            jwks_uri: metadata.jwks_uri().to_string(),
            scopes_supported: metadata
                .scopes_supported()
                .map(|s| s.iter().map(|s| s.to_string()).collect())
                .unwrap_or_default(),
        };
        let revocation = metadata.additional_metadata().revocation_endpoint.clone();
        let client = CoreClient::from_provider_metadata(metadata, ClientId::new(provider.client_id.clone()), None)
            .set_device_authorization_url(device);
        Ok(Self { client, revocation, http, issuer, clock, discovered })
    }

    /// Step 1 of the device flow: ask for a device code and the user code to show.
    pub async fn start_device_flow(&self, provider: &Provider) -> Result<DeviceAuthorization, OidcError> {
        let mut req = self.client.exchange_device_code();
        for scope in &provider.scopes {
            req = req.add_scope(Scope::new(scope.clone()));
        }
        for (k, v) in &provider.params {
            req = req.add_extra_param(k.clone(), v.clone());
        }
        let details: CoreDeviceAuthorizationResponse = req.request_async(&self.http).await.map_err(|e| self.token_error(e))?;
        let expires_at = self.clock.now() + details.expires_in();
        Ok(DeviceAuthorization { details, expires_at })
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
            .client
            .exchange_device_access_token(&auth.details)
            .map_err(|e| OidcError::Discovery { issuer: self.issuer.clone(), detail: e.to_string() })?
            .set_time_fn(move || to_chrono(clock.now()))
            .request_async(&self.http, sleep, None)
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(r) => match r.error() {
                    DeviceCodeErrorResponseType::AccessDenied => OidcError::AccessDenied,
                    DeviceCodeErrorResponseType::ExpiredToken => OidcError::DeviceCodeExpired,
                    other => OidcError::Protocol {
                        code: other.to_string(),
                        description: r.error_description().cloned(),
                    },
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
            .map_err(|e| OidcError::Discovery { issuer: self.issuer.clone(), detail: e.to_string() })?
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(r) => {
                    let code = r.error().to_string();
                    if matches!(code.as_str(), "invalid_grant" | "unauthorized_client" | "invalid_client") {
                        OidcError::RefreshRejected { code }
                    } else {
                        OidcError::Protocol { code, description: r.error_description().cloned() }
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
        let response = self
            .http
            .post(url)
            .form(&form)
            .send()
            .await
            .map_err(|e| OidcError::Unreachable { url: self.issuer.clone(), source: Box::new(e) })?;
        let status = response.status();
        if status.is_success() {
            return Ok(true);
        }
        // RFC 7009 §2.2.1: an error answer is an OAuth error object
        let body: serde_json::Value = response.json().await.unwrap_or_default();
        Err(OidcError::Protocol {
            code: body["error"].as_str().map_or_else(|| format!("HTTP {status}"), str::to_string),
            description: body["error_description"].as_str().map(str::to_string),
        })
    }

    fn verify(&self, response: &CoreTokenResponse, old_refresh: Option<&Secret>) -> Result<TokenSet, OidcError> {
        let id_token: &CoreIdToken = response.extra_fields().id_token().ok_or(OidcError::NoIdToken)?;
        let clock = self.clock.clone();
        let verifier = self.client.id_token_verifier().set_time_fn(move || to_chrono(clock.now()));
        // the device and refresh grants carry no nonce
        id_token
            .claims(&verifier, |_: Option<&Nonce>| Ok(()))
            .map_err(|e| OidcError::IdTokenRejected { issuer: self.issuer.clone(), reason: e.to_string() })?;
        let raw = id_token.to_string();
        let claims = IdClaims::decode(&raw)
            .map_err(|reason| OidcError::IdTokenRejected { issuer: self.issuer.clone(), reason })?;
        let refresh_token = response
            .refresh_token()
            .map(|r| Secret::new(r.secret().clone()))
            .or_else(|| old_refresh.cloned());
        Ok(TokenSet { id_token: Secret::new(raw), refresh_token, claims })
    }

    fn token_error<RE: std::error::Error + Send + Sync + 'static, T: openidconnect::ErrorResponse + 'static>(
        &self,
        e: RequestTokenError<RE, T>,
    ) -> OidcError {
        match e {
            RequestTokenError::ServerResponse(r) => {
                let v = serde_json::to_value(&r).unwrap_or_default();
                OidcError::Protocol {
                    code: v["error"].as_str().unwrap_or("error").to_string(),
                    description: v["error_description"].as_str().map(str::to_string),
                }
            }
            other => self.transport_error(other),
        }
    }

    fn transport_error<RE: std::error::Error + Send + Sync + 'static, T: openidconnect::ErrorResponse + 'static>(
        &self,
        e: RequestTokenError<RE, T>,
    ) -> OidcError {
        match e {
            RequestTokenError::Request(r) => OidcError::Unreachable { url: self.issuer.clone(), source: Box::new(r) },
            // the body is not shown: a half-parsed success could hold tokens
            RequestTokenError::Parse(p, _) => OidcError::Protocol {
                code: "unparseable answer".into(),
                description: Some(format!("at {}", p.path())),
            },
            RequestTokenError::Other(s) => OidcError::Protocol { code: "error".into(), description: Some(s) },
            RequestTokenError::ServerResponse(r) => OidcError::Protocol { code: r.to_string(), description: None },
        }
    }
}

/// A device authorization in progress: what the person must see, and the code to poll with.
pub struct DeviceAuthorization {
    details: CoreDeviceAuthorizationResponse,
    pub expires_at: OffsetDateTime,
}

impl DeviceAuthorization {
    /// The code the person compares with what the browser shows (the device flow does not bind the code
    /// to this machine, so the comparison is what stops a phished approval).
    pub fn user_code(&self) -> &str {
        self.details.user_code().secret()
    }
    pub fn verification_uri(&self) -> &str {
        self.details.verification_uri().as_str()
    }
    /// The URL with the user code filled in, when the IdP offers one.
    pub fn verification_uri_complete(&self) -> Option<&str> {
        self.details.verification_uri_complete().map(|u| u.secret().as_str())
    }
    pub fn interval(&self) -> Duration {
        self.details.interval()
    }
}

impl std::fmt::Debug for DeviceAuthorization {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceAuthorization")
            .field("user_code", &self.user_code())
            .field("verification_uri", &self.verification_uri())
            .field("device_code", &"[redacted]")
            .finish()
    }
}

fn to_chrono(t: OffsetDateTime) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(t.unix_timestamp(), t.nanosecond()).unwrap_or_default()
}
