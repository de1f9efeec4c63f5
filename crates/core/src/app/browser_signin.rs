//! Browser sign-in for providers with `flow = "browser"`: authorization code with PKCE (S256), `state`
//! and `nonce`, redirected to a loopback listener (RFC 8252), the `iss` of the response checked (RFC
//! 9207). Afterwards the same keychain and profile steps as the device flow.
//!
//! Like the device flow it comes in two steps so a front end can open the browser (and offer Cancel) in
//! between; dropping a [`PendingBrowserSignIn`] or the future of the second step closes the listener.

use std::sync::Arc;
use std::time::Duration;

use crate::app::Idbridge;
use crate::app::error::{Error, Result};
use crate::app::ports::IdpSession;
use crate::app::signin::SignInReport;
use crate::config::{Config, Language, Provider};
use crate::oidc::OidcError;
use crate::oidc::authcode::{self, AuthorizationRequest};
use crate::oidc::loopback::{self, Callback, Loopback, Stray};
use crate::sys::sanitize;

/// How long a person has to finish at the IdP unless the front end says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

pub struct PendingBrowserSignIn {
    provider_name: String,
    provider: Provider,
    idp: Arc<dyn IdpSession>,
    loopback: Loopback,
    request: AuthorizationRequest,
    /// The page to open. It holds no secret (the PKCE challenge is public), only this sign-in's state.
    pub authorize_url: String,
    /// From config; `None`: the browser's Accept-Language decides the page's language.
    language: Option<Language>,
    /// Told why each stray request at the listener was refused (a fixed phrase, nothing of the request).
    stray: Arc<dyn Fn(Stray) + Send + Sync>,
}

impl PendingBrowserSignIn {
    /// Where to say that a stray request was refused (the CLI: one line on stderr). Default: nowhere.
    pub fn on_stray(self, stray: impl Fn(Stray) + Send + Sync + 'static) -> Self {
        Self { stray: Arc::new(stray), ..self }
    }
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
        let idp = self.connect(&provider).await?;
        let bound = match &provider.redirect_uri {
            Some(uri) => Loopback::bind_exact(uri).await,
            None => Loopback::bind().await,
        };
        let loopback = bound.map_err(|e| OidcError::Callback {
            reason: format!(
                "cannot listen on {} for the browser's answer: {e}",
                provider.redirect_uri.as_deref().map_or("127.0.0.1".into(), sanitize::field)
            ),
        })?;
        let request = idp.authorization_request(&provider, &loopback.redirect_uri)?;
        Ok(PendingBrowserSignIn {
            provider_name: provider_name.to_string(),
            provider,
            idp,
            loopback,
            authorize_url: request.url.clone(),
            request,
            language: config.app.language,
            stray: Arc::new(|_| {}),
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
        let (state, discovered) = (pending.request.state.secret().clone(), pending.idp.discovered().clone());
        let is_ours = move |cb: &Callback| authcode::is_for_this_sign_in(cb, &state, &discovered);
        let stray = pending.stray.clone();
        let waited = pending.loopback.next_callback(is_ours, move |why| stray(why));
        let (mut stream, callback) = tokio::time::timeout(timeout, waited)
            .await
            .map_err(|_| Error::Timeout { what: "the sign-in in the browser".into(), seconds: timeout.as_secs() })?
            .map_err(|e| OidcError::Callback { reason: format!("the loopback listener failed: {e}") })?;
        let language = pending.language.unwrap_or(callback.language);
        let outcome = async {
            let set = pending.idp.redeem_code(&pending.request, &callback).await?;
            let discovered = pending.idp.discovered();
            self.complete_sign_in(config, pending.provider_name.clone(), &pending.provider, discovered, &set).await
        }
        .await;
        let page = loopback::page(language, outcome.as_ref().err().map(|e| e.to_string()).as_deref());
        let status = if outcome.is_ok() { 200 } else { 400 };
        // the browser's page is a courtesy: the outcome stands whether or not it arrives
        let _ = loopback::respond(&mut stream, status, "text/html; charset=utf-8", &page).await;
        drop(stream);
        outcome
    }
}
