//! The device authorization answer (RFC 8628 §3.2) made safe to act on: what is opened in a browser is
//! https (http on loopback) and never an option-like string, what is shown is sanitised, and the
//! lifetimes are bounded so no arithmetic overflows and no poll runs for years.

use std::future::Future;
use std::time::Duration;

use openidconnect::core::CoreDeviceAuthorizationResponse;
use openidconnect::{DeviceCodeErrorResponseType, RequestTokenError};
use time::OffsetDateTime;

use super::{DeviceClient, Oidc, OidcError, TokenSet, to_chrono};
use crate::config::Provider;
use crate::sys::sanitize;

/// Longest sign-in code lifetime honoured (Auth0 900 s, Google 1800 s, RFC 8628's example 1800 s).
pub const MAX_EXPIRES_IN: u64 = 3600;
/// Polling interval bounds: at least 1 s (an IdP asking for 0 would be hammered), at most 60 s.
pub const INTERVAL_RANGE: std::ops::RangeInclusive<u64> = 1..=60;

/// A URL fit to hand to a browser: absolute https (http only on loopback), a host, no user:password@
/// (which makes `https://idp.example.com@evil.example/` look like the IdP), never starting with '-'.
pub fn check_browser_url(text: &str) -> Option<url::Url> {
    if text.starts_with('-') || text.trim() != text {
        return None;
    }
    let url = url::Url::parse(text).ok()?;
    let ok = crate::sys::http::is_allowed_url(&url)
        && url.host_str().is_some_and(|h| !h.is_empty())
        && url.username().is_empty()
        && url.password().is_none();
    ok.then_some(url)
}

/// Checks and bounds the IdP's answer: a bad `verification_uri` is an error (there is nowhere safe to
/// send the person), a bad `verification_uri_complete` is dropped (the plain URI and code still work).
pub(crate) fn bounded(details: CoreDeviceAuthorizationResponse) -> Result<CoreDeviceAuthorizationResponse, OidcError> {
    let bad = |field, url: &str| OidcError::BadVerificationUri { field, url: sanitize::field(url) };
    let uri = details.verification_uri().as_str().to_string();
    check_browser_url(&uri).ok_or_else(|| bad("verification_uri", &uri))?;
    let mut v = serde_json::to_value(&details).map_err(|e| bad("device authorization answer", &e.to_string()))?;
    let Some(o) = v.as_object_mut() else { return Err(bad("device authorization answer", "not an object")) };
    if let Some(complete) = o.get("verification_uri_complete").and_then(|c| c.as_str())
        && check_browser_url(complete).is_none()
    {
        o.remove("verification_uri_complete");
    }
    let expires_in = o.get("expires_in").and_then(|e| e.as_u64()).unwrap_or(MAX_EXPIRES_IN);
    o.insert("expires_in".into(), expires_in.min(MAX_EXPIRES_IN).into());
    let interval = o.get("interval").and_then(|e| e.as_u64()).unwrap_or(5);
    o.insert("interval".into(), interval.clamp(*INTERVAL_RANGE.start(), *INTERVAL_RANGE.end()).into());
    serde_json::from_value(v).map_err(|e| bad("device authorization answer", &e.to_string()))
}

/// A device authorization in progress: what the person must see, and the code to poll with.
pub struct DeviceAuthorization {
    pub(crate) details: CoreDeviceAuthorizationResponse,
    pub expires_at: OffsetDateTime,
}

impl DeviceAuthorization {
    /// The IdP's answer, checked and bounded ([`check_browser_url`], [`MAX_EXPIRES_IN`], [`INTERVAL_RANGE`]).
    pub fn check(details: CoreDeviceAuthorizationResponse, now: OffsetDateTime) -> Result<Self, OidcError> {
        let details = bounded(details)?;
        // bounded above, so this cannot overflow; checked all the same
        let expires_at = now.checked_add(time::Duration::seconds(details.expires_in().as_secs() as i64)).unwrap_or(now);
        Ok(Self { details, expires_at })
    }

    /// The code the person compares with what the browser shows (the device flow does not bind the code
    /// to this machine, so the comparison is what stops a phished approval). Sanitised for display.
    pub fn user_code(&self) -> String {
        sanitize::line(self.details.user_code().secret(), 64)
    }
    /// Checked by [`check_browser_url`]; a parsed URL, so printable ASCII.
    pub fn verification_uri(&self) -> &str {
        self.details.verification_uri().as_str()
    }
    /// The URL with the user code filled in, when the IdP offers one (and it passed the same check).
    pub fn verification_uri_complete(&self) -> Option<&str> {
        self.details.verification_uri_complete().map(|u| u.secret().as_str())
    }
    /// What to open in the browser.
    pub fn browser_url(&self) -> &str {
        self.verification_uri_complete().unwrap_or(self.verification_uri())
    }
    /// The host the browser will be sent to, to show the person before it opens.
    pub fn browser_host(&self) -> String {
        check_browser_url(self.browser_url()).and_then(|u| u.host_str().map(str::to_string)).unwrap_or_default()
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

impl Oidc {
    fn device_client(&self) -> Result<DeviceClient, OidcError> {
        let url = self
            .device_url
            .clone()
            .ok_or_else(|| OidcError::NoDeviceEndpoint { issuer: sanitize::field(&self.issuer) })?;
        Ok(self.client.clone().set_device_authorization_url(url))
    }

    /// Step 1 of the device flow: ask for a device code and the user code to show.
    pub async fn start_device_flow(&self, provider: &Provider) -> Result<DeviceAuthorization, OidcError> {
        let client = self.device_client()?;
        let mut req = client.exchange_device_code();
        req = req.add_scopes(super::extra_scopes(provider));
        for (k, v) in &provider.params {
            req = req.add_extra_param(k.clone(), v.clone());
        }
        let details: CoreDeviceAuthorizationResponse = req.request_async(&self.http).await.map_err(|e| match e {
            // a failure here names the device endpoint, not the token endpoint the other requests go to
            RequestTokenError::Request(h) => {
                OidcError::from_http(self.device_url.as_ref().map_or(&self.issuer, |u| u.as_str()), h)
            }
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(extra: serde_json::Value) -> CoreDeviceAuthorizationResponse {
        let mut v = serde_json::json!({"device_code":"d","user_code":"ABCD-EFGH",
            "verification_uri":"https://idp.example.com/device","expires_in":600,"interval":5});
        v.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn only_https_or_loopback_urls_reach_the_browser() {
        for bad in [
            "javascript:alert(1)",
            "file:///etc/passwd",
            "--help",
            "-https://x",
            "http://idp.example.com/d",
            "https://idp.example.com@evil.example/",
            "data:text/html,x",
            " https://x/",
            "http://0.0.0.0:9/",
        ] {
            assert!(check_browser_url(bad).is_none(), "{bad}");
        }
        assert!(check_browser_url("https://microsoft.com/devicelogin").is_some());
        assert!(check_browser_url("http://127.0.0.1:3000/device?user_code=X").is_some());
    }

    #[test]
    fn a_bad_complete_uri_is_dropped_and_a_bad_uri_refused() {
        let d = bounded(answer(serde_json::json!({"verification_uri_complete":"javascript:alert(1)"}))).unwrap();
        let auth = DeviceAuthorization { details: d, expires_at: OffsetDateTime::UNIX_EPOCH };
        assert_eq!(auth.browser_url(), "https://idp.example.com/device");
        assert_eq!(auth.browser_host(), "idp.example.com");
        let e = bounded(answer(serde_json::json!({"verification_uri":"file:///etc/passwd"}))).unwrap_err();
        assert!(e.to_string().contains("verification_uri"), "{e}");
    }

    #[test]
    fn lifetimes_are_bounded() {
        let d = bounded(answer(serde_json::json!({"expires_in": u64::MAX, "interval": 100_000_000_000u64}))).unwrap();
        assert_eq!(d.expires_in(), Duration::from_secs(MAX_EXPIRES_IN));
        assert_eq!(d.interval(), Duration::from_secs(60));
        let d = bounded(answer(serde_json::json!({"interval": 0}))).unwrap();
        assert_eq!(d.interval(), Duration::from_secs(1));
    }

    #[test]
    fn the_user_code_is_shown_safely() {
        let d = bounded(answer(serde_json::json!({"user_code":"AB\u{1b}]0;x\u{7}"}))).unwrap();
        let auth = DeviceAuthorization { details: d, expires_at: OffsetDateTime::UNIX_EPOCH };
        assert_eq!(auth.user_code(), "AB\\u{1b}]0;x\\u{7}");
    }
}
