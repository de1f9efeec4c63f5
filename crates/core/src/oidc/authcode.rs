//! The authorization code grant with PKCE (S256), `state` and `nonce` (RFC 6749, RFC 7636), for a
//! redirect to a loopback listener (RFC 8252), the response's `iss` checked (RFC 9207).

use openidconnect::core::{CoreAuthPrompt, CoreAuthenticationFlow};
use openidconnect::{AuthorizationCode, CsrfToken, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl};

use super::loopback::Callback;
use super::{Discovered, Oidc, OidcError, TokenSet};
use crate::config::Provider;

/// An authorization request in flight: the page to open, and what the answer must match.
pub struct AuthorizationRequest {
    /// The page to open. It holds no secret (the PKCE challenge is public), only this sign-in's state.
    pub url: String,
    redirect: RedirectUrl,
    pub(crate) state: CsrfToken,
    pub(crate) nonce: Nonce,
    verifier: PkceCodeVerifier,
}

impl AuthorizationRequest {
    /// A request made elsewhere (an in-process fake IdP).
    #[cfg(test)]
    pub(crate) fn made_up(url: &str, state: &str) -> Self {
        Self {
            url: url.into(),
            redirect: RedirectUrl::new("http://127.0.0.1/callback".into()).expect("a URL"),
            state: CsrfToken::new(state.into()),
            nonce: Nonce::new("n".into()),
            verifier: PkceCodeVerifier::new("v".repeat(43)),
        }
    }
}

impl std::fmt::Debug for AuthorizationRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthorizationRequest").finish_non_exhaustive()
    }
}

impl Oidc {
    /// The authorization URL for `provider`'s scopes and parameters, redirecting to `redirect_uri`.
    pub fn authorization_request(
        &self,
        provider: &Provider,
        redirect_uri: &str,
    ) -> Result<AuthorizationRequest, OidcError> {
        let redirect =
            RedirectUrl::new(redirect_uri.to_string()).map_err(|e| OidcError::Callback { reason: e.to_string() })?;
        let client = self.client.clone().set_redirect_uri(redirect.clone());
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .set_pkce_challenge(challenge);
        request = request.add_scopes(super::extra_scopes(provider));
        // OIDC Core §11: offline_access is granted only with prompt=consent (Auth0 ignores it)
        if provider.scopes.iter().any(|s| s == "offline_access") && !provider.params.contains_key("prompt") {
            request = request.add_prompt(CoreAuthPrompt::Consent);
        }
        for (k, v) in &provider.params {
            request = request.add_extra_param(k.clone(), v.clone());
        }
        let (url, state, nonce) = request.url();
        Ok(AuthorizationRequest { url: url.to_string(), redirect, state, nonce, verifier })
    }

    /// Checks the browser's answer against the request and trades its code for verified tokens.
    pub async fn redeem_code(
        &self,
        request: &AuthorizationRequest,
        callback: &Callback,
    ) -> Result<TokenSet, OidcError> {
        let code = check_callback(callback, request.state.secret(), &self.discovered)?;
        let response = self
            .client
            .clone()
            .set_redirect_uri(request.redirect.clone())
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(PkceCodeVerifier::new(request.verifier.secret().clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| self.token_error(e))?;
        self.verify_with_nonce(&response, None, Some(&request.nonce))
    }
}

/// Whether a request at the loopback is this sign-in's answer at all: its `state`, and (RFC 9207) the
/// issuer's `iss`. What fails here is a stray request, refused without ending the sign-in.
pub(crate) fn is_for_this_sign_in(cb: &Callback, state: &str, discovered: &Discovered) -> Result<(), &'static str> {
    match check_origin(cb, state, discovered) {
        Ok(()) => Ok(()),
        Err(Origin::Issuer) => Err("a wrong iss"),
        Err(Origin::State) => Err("a wrong state"),
    }
}

enum Origin {
    Issuer,
    State,
}

impl From<Origin> for OidcError {
    fn from(o: Origin) -> Self {
        let reason = match o {
            Origin::Issuer => {
                "it names another issuer than this sign-in's, or none where this IdP always sends one \
                               (RFC 9207: a mix-up of identity providers)"
            }
            Origin::State => {
                "its `state` is not this sign-in's (an old browser tab, or a forged request); start the sign-in again"
            }
        };
        OidcError::Callback { reason: reason.into() }
    }
}

fn check_origin(cb: &Callback, state: &str, discovered: &Discovered) -> Result<(), Origin> {
    match cb.get("iss") {
        Ok(Some(iss)) if iss == discovered.issuer => {}
        Ok(None) if !discovered.authorization_response_iss_parameter_supported => {}
        _ => return Err(Origin::Issuer),
    }
    match cb.get("state") {
        Ok(Some(s)) if s == state => Ok(()),
        _ => Err(Origin::State),
    }
}

/// The authorization response: an error from the IdP, or a code with this sign-in's `state` and (RFC
/// 9207) the issuer's `iss`. Returns the code.
pub(crate) fn check_callback(cb: &Callback, state: &str, discovered: &Discovered) -> Result<String, OidcError> {
    let bad = |reason: String| OidcError::Callback { reason };
    let get = |name: &str| cb.get(name).map_err(bad);
    check_origin(cb, state, discovered)?;
    if let Some(error) = get("error")? {
        let description = get("error_description")?.map(|d| d.chars().take(200).collect());
        return Err(match error {
            "access_denied" => OidcError::AccessDenied,
            other => OidcError::Protocol { code: other.chars().take(64).collect(), description },
        });
    }
    match get("code")? {
        Some(code) if !code.is_empty() => Ok(code.to_string()),
        _ => Err(bad("it carries no authorization `code`".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn discovered(iss_supported: bool) -> Discovered {
        Discovered {
            issuer: "https://idp.example.com/".into(),
            device_authorization_endpoint: String::new(),
            authorization_endpoint: "https://idp.example.com/auth".into(),
            authorization_response_iss_parameter_supported: iss_supported,
            token_endpoint: None,
            revocation_endpoint: None,
            jwks_uri: "https://idp.example.com/jwks".into(),
            scopes_supported: vec![],
        }
    }

    fn cb(params: &[(&str, &str)]) -> Callback {
        Callback {
            params: params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            language: crate::config::Language::En,
        }
    }

    #[test]
    fn the_response_must_be_for_this_sign_in_from_this_issuer() {
        let d = discovered(true);
        let iss = ("iss", "https://idp.example.com/");
        assert_eq!(check_callback(&cb(&[("code", "c"), ("state", "s"), iss]), "s", &d).unwrap(), "c");
        let e = check_callback(&cb(&[("code", "c"), ("state", "x"), iss]), "s", &d).unwrap_err().to_string();
        assert!(e.contains("`state` is not this sign-in's"), "{e}");
        let e = check_callback(&cb(&[("code", "c"), ("state", "s")]), "s", &d).unwrap_err().to_string();
        assert!(e.contains("mix-up"), "{e}");
        // what the listener refuses without ending the sign-in
        assert_eq!(is_for_this_sign_in(&cb(&[("state", "x"), iss]), "s", &d), Err("a wrong state"));
        assert_eq!(is_for_this_sign_in(&cb(&[("state", "s"), ("iss", "https://evil/")]), "s", &d), Err("a wrong iss"));
        assert_eq!(is_for_this_sign_in(&cb(&[("state", "s"), iss, ("error", "access_denied")]), "s", &d), Ok(()));
        assert!(check_callback(&cb(&[("code", "c"), ("state", "s")]), "s", &discovered(false)).is_ok());
        let e = check_callback(&cb(&[("code", "c"), ("state", "s"), ("iss", "https://evil/")]), "s", &d).unwrap_err();
        assert!(e.to_string().contains("mix-up"), "{e}");
        let e = check_callback(&cb(&[("state", "s"), iss]), "s", &d).unwrap_err().to_string();
        assert!(e.contains("no authorization `code`"), "{e}");
        let e = check_callback(&cb(&[("error", "access_denied"), ("state", "s"), iss]), "s", &d).unwrap_err();
        assert!(matches!(e, OidcError::AccessDenied));
    }
}
