//! Browser sign-in for providers with `flow = "browser"`: authorization code with PKCE (S256), `state`
//! and `nonce`, redirected to a loopback listener (RFC 8252), the `iss` of the response checked (RFC
//! 9207). Afterwards the same keychain and profile steps as the device flow.
//!
//! Like the device flow it comes in two steps so a front end can open the browser (and offer Cancel) in
//! between; dropping a [`PendingBrowserSignIn`] or the future of the second step closes the listener.

use std::time::Duration;

use openidconnect::core::{CoreAuthPrompt, CoreAuthenticationFlow};
use openidconnect::{AuthorizationCode, CsrfToken, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope};

use crate::app::Idbridge;
use crate::config::{Config, Provider};
use crate::error::{Error, Result};
use crate::loopback::{self, Callback, Loopback};
use crate::oidc::{Oidc, OidcError, TokenSet};
use crate::signin::SignInReport;

/// How long a person has to finish at the IdP unless the front end says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

pub struct PendingBrowserSignIn {
    provider_name: String,
    provider: Provider,
    oidc: Oidc,
    client: crate::oidc::Client,
    loopback: Loopback,
    state: CsrfToken,
    nonce: Nonce,
    verifier: PkceCodeVerifier,
    /// The page to open. It holds no secret (the PKCE challenge is public), only this sign-in's state.
    pub authorize_url: String,
    /// "en"/"ja" from config; `None`: the browser's Accept-Language decides the page's language.
    language: Option<String>,
}

impl std::fmt::Debug for PendingBrowserSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingBrowserSignIn").field("provider", &self.provider_name).finish_non_exhaustive()
    }
}

impl Idbridge {
    /// Discovery, a loopback listener on a random port, and the authorization URL to open.
    pub async fn start_browser_sign_in(&self, config: &Config, provider_name: &str) -> Result<PendingBrowserSignIn> {
        let provider = config.provider(provider_name, &self.paths.config_file)?.clone();
        let oidc = Oidc::discover(&provider, self.oidc_http()?, self.clock.clone()).await?;
        let loopback = Loopback::bind()
            .await
            .map_err(|e| OidcError::Callback { reason: format!("cannot listen on 127.0.0.1 for the browser's answer: {e}") })?;
        let redirect = RedirectUrl::new(loopback.redirect_uri.clone())
            .map_err(|e| OidcError::Callback { reason: e.to_string() })?;
        let client = oidc.client.clone().set_redirect_uri(redirect);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .set_pkce_challenge(challenge);
        for scope in provider.scopes.iter().filter(|s| s.as_str() != "openid") {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        // OIDC Core §11: offline_access is granted only with prompt=consent (Auth0 ignores it)
        if provider.scopes.iter().any(|s| s == "offline_access") && !provider.params.contains_key("prompt") {
            request = request.add_prompt(CoreAuthPrompt::Consent);
        }
        for (k, v) in &provider.params {
            request = request.add_extra_param(k.clone(), v.clone());
        }
        let (url, state, nonce) = request.url();
        Ok(PendingBrowserSignIn {
            provider_name: provider_name.to_string(),
            provider,
            oidc,
            client,
            loopback,
            state,
            nonce,
            verifier,
            authorize_url: url.to_string(),
            language: config.app.language.clone(),
        })
    }

    /// Waits (at most `timeout`) for the browser to come back, trades the code for tokens, stores them,
    /// fetches credentials for every profile of the provider, then answers the browser with the outcome.
    pub async fn finish_browser_sign_in(
        &self,
        config: &Config,
        pending: PendingBrowserSignIn,
        timeout: Duration,
    ) -> Result<SignInReport> {
        let (mut stream, callback) = tokio::time::timeout(timeout, pending.loopback.next_callback())
            .await
            .map_err(|_| Error::Timeout { what: "the sign-in in the browser".into(), seconds: timeout.as_secs() })?
            .map_err(|e| OidcError::Callback { reason: format!("the loopback listener failed: {e}") })?;
        let japanese = match pending.language.as_deref() {
            Some(lang) => lang == "ja",
            None => callback.prefers_japanese,
        };
        let outcome = async {
            let set = self.exchange(&pending, &callback).await?;
            self.complete_sign_in(config, pending.provider_name.clone(), &pending.provider, &set).await
        }
        .await;
        let page = loopback::page(japanese, outcome.as_ref().err().map(|e| e.to_string()).as_deref());
        let status = if outcome.is_ok() { 200 } else { 400 };
        // the browser's page is a courtesy: the outcome stands whether or not it arrives
        let _ = loopback::respond(&mut stream, status, "text/html; charset=utf-8", &page).await;
        drop(stream);
        outcome
    }

    async fn exchange(&self, p: &PendingBrowserSignIn, callback: &Callback) -> Result<TokenSet> {
        let code = check_callback(callback, p.state.secret(), &p.oidc.discovered)?;
        let response = p
            .client
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(PkceCodeVerifier::new(p.verifier.secret().clone()))
            .request_async(&p.oidc.http)
            .await
            .map_err(|e| p.oidc.token_error(e))?;
        Ok(p.oidc.verify_with_nonce(&response, None, Some(&p.nonce))?)
    }
}

/// The authorization response: an error from the IdP, or a code with this sign-in's `state` and (RFC
/// 9207) the issuer's `iss`. Returns the code.
fn check_callback(cb: &Callback, state: &str, discovered: &crate::oidc::Discovered) -> Result<String, OidcError> {
    let bad = |reason: String| OidcError::Callback { reason };
    let get = |name: &str| cb.get(name).map_err(bad);
    if let Some(iss) = get("iss")? {
        if iss != discovered.issuer {
            return Err(bad(format!("it names issuer {iss:?}, not {:?} (a mix-up of identity providers)", discovered.issuer)));
        }
    } else if discovered.authorization_response_iss_parameter_supported {
        return Err(bad("it carries no `iss`, which this IdP always sends (RFC 9207)".into()));
    }
    if get("state")? != Some(state) {
        return Err(bad(
            "its `state` is not this sign-in's (an old browser tab, or a forged request); start the sign-in again".into(),
        ));
    }
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

    fn discovered(iss_supported: bool) -> crate::oidc::Discovered {
        crate::oidc::Discovered {
            issuer: "https://idp.example.com/".into(),
            device_authorization_endpoint: String::new(),
            authorization_endpoint: "https://idp.example.com/auth".into(),
            authorization_response_iss_parameter_supported: iss_supported,
            token_endpoint: None,
            jwks_uri: "https://idp.example.com/jwks".into(),
            scopes_supported: vec![],
        }
    }

    fn cb(params: &[(&str, &str)]) -> Callback {
        Callback { params: params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(), prefers_japanese: false }
    }

    #[test]
    fn the_response_must_be_for_this_sign_in_from_this_issuer() {
        let d = discovered(true);
        let iss = ("iss", "https://idp.example.com/");
        assert_eq!(check_callback(&cb(&[("code", "c"), ("state", "s"), iss]), "s", &d).unwrap(), "c");
        let e = check_callback(&cb(&[("code", "c"), ("state", "x"), iss]), "s", &d).unwrap_err().to_string();
        assert!(e.contains("`state` is not this sign-in's"), "{e}");
        let e = check_callback(&cb(&[("code", "c"), ("state", "s")]), "s", &d).unwrap_err().to_string();
        assert!(e.contains("no `iss`"), "{e}");
        assert!(check_callback(&cb(&[("code", "c"), ("state", "s")]), "s", &discovered(false)).is_ok());
        let e = check_callback(&cb(&[("code", "c"), ("state", "s"), ("iss", "https://evil/")]), "s", &d).unwrap_err();
        assert!(e.to_string().contains("mix-up"), "{e}");
        let e = check_callback(&cb(&[("state", "s"), iss]), "s", &d).unwrap_err().to_string();
        assert!(e.contains("no authorization `code`"), "{e}");
        let e = check_callback(&cb(&[("error", "access_denied"), ("state", "s"), iss]), "s", &d).unwrap_err();
        assert!(matches!(e, OidcError::AccessDenied));
    }
}
