//! OpenID Connect Discovery: the provider's metadata and keys, checked before anything is sent to it.

use std::sync::Arc;

use openidconnect::core::{
    CoreAuthDisplay, CoreClaimName, CoreClaimType, CoreClient, CoreClientAuthMethod, CoreGrantType, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJweKeyManagementAlgorithm, CoreResponseMode, CoreResponseType,
    CoreSubjectIdentifierType,
};
use openidconnect::{
    AdditionalProviderMetadata, ClientId, DeviceAuthorizationUrl, IssuerUrl, JsonWebKeySet, ProviderMetadata,
    RevocationUrl, TokenUrl,
};
use serde::{Deserialize, Serialize};

use super::{Discovered, Oidc, OidcError};
use crate::config::{Flow, Provider};
use crate::sys::clock::Clock;
use crate::sys::http::{CappedHttp, is_allowed_url};
use crate::sys::sanitize;

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

/// The endpoints a sign-in or refresh goes to: config.toml's overrides, else what the IdP announces.
struct Endpoints {
    /// Only the device flow needs it (checked by the caller).
    device: Option<DeviceAuthorizationUrl>,
    token: Option<TokenUrl>,
}

impl Oidc {
    /// Fetches `<issuer>/.well-known/openid-configuration`, checks that the document's issuer is exactly
    /// the configured one and that every endpoint it announces is https (http on loopback), then the JWKS.
    pub async fn discover(provider: &Provider, http: CappedHttp, clock: Arc<dyn Clock>) -> Result<Self, OidcError> {
        let issuer = provider.issuer.clone();
        let failed = |detail: String| OidcError::Discovery { issuer: sanitize::field(&issuer), detail };
        let (issuer_url, metadata) = fetch_metadata(&issuer, &http).await?;
        if metadata.issuer() != &issuer_url {
            return Err(OidcError::IssuerMismatch {
                configured: sanitize::field(&issuer),
                announced: sanitize::field(metadata.issuer().as_str()),
            });
        }
        let Endpoints { device, token } = endpoints(provider, &metadata).map_err(failed)?;
        check_announced(&issuer, &metadata, &device, &token)?;
        let token = token.ok_or_else(|| {
            failed("no token_endpoint: set token_endpoint under [providers.NAME] in config.toml".into())
        })?;
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
            revocation_endpoint: metadata
                .additional_metadata()
                .revocation_endpoint
                .as_ref()
                .map(|r| r.url().to_string()),
            jwks_uri: jwks_url,
            scopes_supported: metadata
                .scopes_supported()
                .map(|s| s.iter().map(|s| sanitize::field(s)).collect())
                .unwrap_or_default(),
        };
        let revocation = metadata.additional_metadata().revocation_endpoint.clone();
        let client = CoreClient::from_provider_metadata(
            metadata.set_jwks(jwks),
            ClientId::new(provider.client_id.clone()),
            None,
        )
        .set_token_uri(token);
        let access_token_audience = provider.sends_access_token().then(|| provider.access_token_audience().to_string());
        Ok(Self { client, device_url: device, revocation, http, issuer, access_token_audience, clock, discovered })
    }
}

/// The discovery document, parsed; an answer that is not one is reported by its status and type.
async fn fetch_metadata(issuer: &str, http: &CappedHttp) -> Result<(IssuerUrl, Metadata), OidcError> {
    let failed = |detail: String| OidcError::Discovery { issuer: sanitize::field(issuer), detail };
    let issuer_url = IssuerUrl::new(issuer.to_string()).map_err(|e| failed(e.to_string()))?;
    let url = issuer_url.join(".well-known/openid-configuration").map_err(|e| failed(e.to_string()))?;
    let request = http
        .reqwest()
        .get(url.clone())
        .header("accept", "application/json")
        .build()
        .map_err(|e| failed(e.to_string()))?;
    let (status, body) = http.send_json(request).await.map_err(|e| OidcError::from_http(url.as_str(), e))?;
    if status != 200 {
        return Err(OidcError::BadAnswer {
            url: sanitize::field(url.as_str()),
            detail: format!("HTTP {status}"),
            transient: status >= 500,
        });
    }
    // serde's message names the place in the document, never a value
    let metadata = serde_json::from_slice(&body).map_err(|e| failed(format!("not a discovery document: {e}")))?;
    Ok((issuer_url, metadata))
}

/// config.toml's endpoint overrides, else the document's.
fn endpoints(provider: &Provider, metadata: &Metadata) -> Result<Endpoints, String> {
    let override_url =
        |v: &Option<String>| v.as_deref().map(|u| u.parse::<url::Url>()).transpose().map_err(|e| e.to_string());
    let device = match override_url(&provider.device_authorization_endpoint)? {
        Some(u) => Some(DeviceAuthorizationUrl::from_url(u)),
        None => metadata.additional_metadata().device_authorization_endpoint.clone(),
    };
    let token = match override_url(&provider.token_endpoint)? {
        Some(u) => Some(TokenUrl::from_url(u)),
        None => metadata.token_endpoint().cloned(),
    };
    Ok(Endpoints { device, token })
}

/// Every endpoint the IdP announces (or config names) is https, or http on a loopback address.
fn check_announced(
    issuer: &str,
    metadata: &Metadata,
    device: &Option<DeviceAuthorizationUrl>,
    token: &Option<TokenUrl>,
) -> Result<(), OidcError> {
    let announced: [(&'static str, Option<&url::Url>); 6] = [
        ("device_authorization_endpoint", device.as_ref().map(|d| d.url())),
        ("token_endpoint", token.as_ref().map(|t| t.url())),
        ("jwks_uri", Some(metadata.jwks_uri().url())),
        ("authorization_endpoint", Some(metadata.authorization_endpoint().url())),
        ("userinfo_endpoint", metadata.userinfo_endpoint().map(|u| u.url())),
        ("revocation_endpoint", metadata.additional_metadata().revocation_endpoint.as_ref().map(|r| r.url())),
    ];
    match announced.into_iter().find_map(|(field, url)| url.filter(|u| !is_allowed_url(u)).map(|u| (field, u))) {
        Some((field, url)) => Err(OidcError::InsecureEndpoint {
            issuer: sanitize::field(issuer),
            field,
            url: sanitize::field(url.as_str()),
        }),
        None => Ok(()),
    }
}
