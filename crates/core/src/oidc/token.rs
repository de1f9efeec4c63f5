//! The token endpoint after sign-in: refresh (with rotation), revocation (RFC 7009), and the ID token
//! check every grant's answer goes through.

use openidconnect::core::{CoreIdToken, CoreTokenResponse};
use openidconnect::{Nonce, OAuth2TokenResponse, RefreshToken, RequestTokenError};

use super::id_token::IdClaims;
use super::{Oidc, OidcError, Redeemed, TokenSet, to_chrono};
use crate::sys::http::HttpError;
use crate::sys::sanitize;
use crate::sys::secret::Secret;

impl Oidc {
    /// Trades a refresh token for new tokens. With rotation the answer carries a new refresh token that
    /// the caller must store before anything else — even when the ID token that came with it fails its
    /// checks or is missing (OIDC Core §12.2 allows that): so the answer is split in two.
    pub async fn refresh(&self, refresh_token: &Secret) -> Result<Redeemed, OidcError> {
        let rt = RefreshToken::new(refresh_token.expose().to_string());
        let response =
            self.client.exchange_refresh_token(&rt).request_async(&self.http).await.map_err(|e| match e {
                RequestTokenError::ServerResponse(r) => {
                    let code = r.error().to_string();
                    if matches!(code.as_str(), "invalid_grant" | "unauthorized_client" | "invalid_client") {
                        OidcError::RefreshRejected { code }
                    } else {
                        OidcError::protocol(&code, r.error_description().map(String::as_str))
                    }
                }
                // a client error with no body at all: seen for a reused rotated token (which then revokes
                // its successor too), so retrying cannot help
                RequestTokenError::Request(HttpError::EmptyError { status }) if (400..500).contains(&status) => {
                    OidcError::RefreshRejected { code: format!("HTTP {status} with an empty body") }
                }
                other => self.transport_error(other),
            })?;
        // some IdPs do not rotate: keep using the one we have
        let kept =
            response.refresh_token().map(|r| Secret::new(r.secret().clone())).or_else(|| Some(refresh_token.clone()));
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
        Err(OidcError::protocol(
            body["error"].as_str().unwrap_or(&format!("HTTP {status}")),
            body["error_description"].as_str(),
        ))
    }

    pub(super) fn verify(
        &self,
        response: &CoreTokenResponse,
        old_refresh: Option<&Secret>,
    ) -> Result<TokenSet, OidcError> {
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
        id_token.claims(&verifier, check_nonce).map_err(|e| OidcError::IdTokenRejected {
            issuer: self.issuer.clone(),
            reason: sanitize::field(&e.to_string()),
        })?;
        let raw = id_token.to_string();
        let claims = IdClaims::decode(&raw).map_err(|reason| OidcError::IdTokenRejected {
            issuer: self.issuer.clone(),
            reason: sanitize::field(&reason),
        })?;
        let refresh_token =
            response.refresh_token().map(|r| Secret::new(r.secret().clone())).or_else(|| old_refresh.cloned());
        let access_token = self.checked_access_token(response)?;
        Ok(TokenSet { id_token: Secret::new(raw), refresh_token, claims, access_token })
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

    pub(super) fn transport_error<T: openidconnect::ErrorResponse + 'static>(
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
                            serde_json::from_slice::<serde_json::Value>(&body)
                                .ok()
                                .as_ref()
                                .and_then(|v| v[&at].as_str())
                                .unwrap_or("?"),
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
