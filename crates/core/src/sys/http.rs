//! The HTTP client for every exchange with the IdP and the federation endpoint: no redirects, only
//! https (http on loopback), bodies read as a stream and capped, and a non-JSON answer reported by its
//! HTTP status and content type rather than as a parse error deep in a token response.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use openidconnect::{AsyncHttpClient, HttpRequest, HttpResponse};

use crate::sys::sanitize;

/// Largest answer read from an IdP or the federation endpoint. Discovery documents and JWKS are a few
/// KB, token answers ~4 KB; a bigger answer is hostile or broken and must not grow our memory.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("refused to contact {url}: only https:// (http:// only on a loopback address) is allowed")]
    InsecureUrl { url: String },
    #[error("{detail}")]
    Transport { detail: String, transient: bool },
    #[error("no answer within {seconds} s")]
    TimedOut { seconds: u64 },
    #[error("HTTP {status}: the answer is larger than {} KB", .limit / 1024)]
    TooLarge { status: u16, limit: usize },
    #[error("HTTP {status} ({content_type}) that is not JSON")]
    NotJson { status: u16, content_type: String },
    /// An error status with nothing to say why (some IdPs answer a reused refresh token so).
    #[error("HTTP {status} with an empty body")]
    EmptyError { status: u16 },
}

impl HttpError {
    /// Worth trying again later: the network, or the server in trouble (5xx).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Transport { transient, .. } => *transient,
            Self::TimedOut { .. } => true,
            Self::NotJson { status, .. } | Self::EmptyError { status } => *status >= 500,
            _ => false,
        }
    }
}

/// https, or http to a loopback address (local test servers).
pub fn is_allowed_url(url: &url::Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => is_loopback(url),
        _ => false,
    }
}

/// 127.0.0.0/8, ::1 or localhost: where plain http cannot be read or changed by the network.
pub fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// The one place an HTTP client is configured: our user agent, a connect timeout and `timeout` for a
/// whole exchange, and no redirects — following one would let a token endpoint send our grant
/// elsewhere (SSRF). A caller that must follow some (a team config download) sets its own policy.
pub fn builder(timeout: Duration) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .timeout(timeout)
        .user_agent(concat!("idbridge/", env!("CARGO_PKG_VERSION")))
}

#[derive(Clone, Debug)]
pub struct CappedHttp {
    inner: reqwest::Client,
    max_body: usize,
    timeout: Duration,
}

impl CappedHttp {
    /// `timeout` bounds one whole exchange, body included (a slow-loris answer ends there too).
    pub fn new(timeout: Duration) -> Result<Self, reqwest::Error> {
        let inner = builder(timeout).build()?;
        Ok(Self { inner, max_body: MAX_BODY_BYTES, timeout })
    }

    pub fn with_max_body(mut self, max_body: usize) -> Self {
        self.max_body = max_body;
        self
    }

    pub fn reqwest(&self) -> &reqwest::Client {
        &self.inner
    }

    /// Sends a request and reads the answer: at most `max_body` bytes, JSON (or announced as such).
    pub async fn send_json(&self, request: reqwest::Request) -> Result<(u16, Vec<u8>), HttpError> {
        let url = request.url().clone();
        if !is_allowed_url(&url) {
            return Err(HttpError::InsecureUrl { url: sanitize::field(url.as_str()) });
        }
        let response = self.inner.execute(request).await.map_err(|e| transport_within(self.timeout, e))?;
        let (status, headers, body) = read_capped(response, self.max_body).await.map_err(|e| match e {
            HttpError::Transport { detail, .. } if detail == TIMED_OUT => {
                HttpError::TimedOut { seconds: self.timeout.as_secs().max(1) }
            }
            other => other,
        })?;
        let content_type = headers.get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("(none)");
        // syntax checked here, so that a broken answer is reported by its status and type, not as a
        // parse error deep inside a token response
        // (an empty body is left to the caller: RFC 7009 revocation answers 200 with none)
        let json =
            looks_like_json(content_type, &body) && serde_json::from_slice::<serde::de::IgnoredAny>(&body).is_ok();
        if !body.is_empty() && !json {
            return Err(HttpError::NotJson { status, content_type: sanitize::field(content_type) });
        }
        Ok((status, body))
    }
}

/// Reads a body chunk by chunk and stops at `max` bytes (a Content-Length above it is refused unread).
pub async fn read_capped(
    mut response: reqwest::Response,
    max: usize,
) -> Result<(u16, reqwest::header::HeaderMap, Vec<u8>), HttpError> {
    let status = response.status().as_u16();
    if response.content_length().is_some_and(|n| n > max as u64) {
        return Err(HttpError::TooLarge { status, limit: max });
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(transport)? {
        if body.len() + chunk.len() > max {
            return Err(HttpError::TooLarge { status, limit: max });
        }
        body.extend_from_slice(&chunk);
    }
    Ok((status, std::mem::take(response.headers_mut()), body))
}

/// JSON by its content type (application/json, application/jwk-set+json, ...), or by its first byte
/// when the server mislabels it.
fn looks_like_json(content_type: &str, body: &[u8]) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence.ends_with("/json")
        || essence.ends_with("+json")
        || matches!(body.iter().find(|b| !b.is_ascii_whitespace()), Some(b'{' | b'['))
}

/// [`transport`], with a timeout said in seconds.
fn transport_within(timeout: Duration, e: reqwest::Error) -> HttpError {
    if e.is_timeout() {
        return HttpError::TimedOut { seconds: timeout.as_secs().max(1) };
    }
    transport(e)
}

const TIMED_OUT: &str = "timed out";

/// reqwest's own message, without the URL (it may carry query parameters) and without the body.
fn transport(e: reqwest::Error) -> HttpError {
    let e = e.without_url();
    let detail = if e.is_timeout() {
        TIMED_OUT.to_string()
    } else if e.is_connect() {
        // the innermost cause says why ("Connection refused (os error 111)")
        let mut cause: &dyn std::error::Error = &e;
        while let Some(c) = cause.source() {
            cause = c;
        }
        format!("connection failed: {cause}")
    } else if e.is_body() || e.is_decode() {
        "the answer broke off".to_string()
    } else {
        e.to_string()
    };
    HttpError::Transport { detail: sanitize::field(&detail), transient: true }
}

impl<'c> AsyncHttpClient<'c> for CappedHttp {
    type Error = HttpError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, HttpError>> + Send + Sync + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let request: reqwest::Request = request.try_into().map_err(|e: reqwest::Error| HttpError::Transport {
                detail: sanitize::field(&e.to_string()),
                transient: false,
            })?;
            let (status, body) = self.send_json(request).await?;
            // an OAuth error is a JSON object: without one, say so by the status rather than as a parse error
            if body.is_empty() && !(200..300).contains(&status) {
                return Err(HttpError::EmptyError { status });
            }
            let mut builder = openidconnect::http::Response::builder().status(status);
            // the crates check the content type of JSON answers: say what we checked
            builder = builder.header("content-type", "application/json");
            builder.body(body).map_err(|e| HttpError::Transport { detail: e.to_string(), transient: false })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_recognised_by_type_or_first_byte() {
        assert!(looks_like_json("application/json; charset=utf-8", b""));
        assert!(looks_like_json("application/jwk-set+json", b""));
        assert!(looks_like_json("text/plain", b"  {\"a\":1}"));
        assert!(!looks_like_json("text/html", b"<html>"));
        assert!(!looks_like_json("(none)", b""));
    }

    #[test]
    fn only_https_or_loopback_http() {
        let ok = |s: &str| is_allowed_url(&url::Url::parse(s).unwrap());
        assert!(ok("https://idp.example.com/token"));
        assert!(ok("http://127.0.0.1:8080/token") && ok("http://[::1]/t") && ok("http://localhost/t"));
        assert!(!ok("http://0.0.0.0:8080/token"));
        assert!(!ok("http://idp.example.com/token"));
        assert!(!ok("file:///etc/passwd") && !ok("javascript:alert(1)"));
    }
}
