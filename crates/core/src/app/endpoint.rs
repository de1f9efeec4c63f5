//! The local credential endpoint: what the AWS SDKs' container credential provider reads
//! (`AWS_CONTAINER_CREDENTIALS_FULL_URI` with `AWS_CONTAINER_AUTHORIZATION_TOKEN`), one profile per route
//! (`/profiles/NAME`), each answer through [`Idbridge::credential_process`]: the same freshness, locks,
//! failure memory and one STS call per credential lifetime as the AWS CLI's calls.
//!
//! It listens on loopback only. Each route has its own token, derived from a key that lives as long as
//! the endpoint (a token of an earlier endpoint, or of another profile, is refused), sent verbatim in
//! `Authorization` as the SDKs do and compared in constant time. A browser's request (it has an `Origin`)
//! is refused. Heads are capped, bodies refused, connections capped; nothing is logged.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::app::Idbridge;
use crate::sys::local_http::{self, Connection, Request};
use crate::sys::sanitize;
use crate::sys::secret::Secret;

pub const ROUTE_PREFIX: &str = "/profiles/";
/// Connections open at once; beyond it a client gets a 503 and the connection closes.
pub const MAX_CONNECTIONS: usize = 64;
/// A kept-alive connection that sends nothing for this long is closed (botocore's own timeout is 2 s a try).
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// Time for one answer, refresh included: as credential_process, within the Rust SDK's 5 s.
const ANSWER_BUDGET: Duration = Duration::from_secs(4);

#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("cannot make the endpoint's key: {0}")]
    Random(std::io::Error),
}

/// A bound endpoint; [`Endpoint::serve`] answers until the future is dropped.
pub struct Endpoint {
    listener: TcpListener,
    addr: SocketAddr,
    key: Secret,
    /// The one profile served (`exec --server`), or every profile of the config (the tray).
    only: Option<String>,
}

impl Endpoint {
    /// Listens on `addr` (port 0: one the kernel picks), which must be a loopback address.
    pub async fn bind(addr: SocketAddr, only: Option<String>) -> Result<Self, EndpointError> {
        let listener = local_http::bind_loopback(addr).await.map_err(|source| EndpointError::Bind { addr, source })?;
        let addr = listener.local_addr().map_err(|source| EndpointError::Bind { addr, source })?;
        Ok(Self { listener, addr, key: Secret::random(32).map_err(EndpointError::Random)?, only })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The key the route tokens come from (the tray keeps it in a 0600 file for `env --server`).
    pub fn key(&self) -> &Secret {
        &self.key
    }

    /// `AWS_CONTAINER_CREDENTIALS_FULL_URI` for `profile`.
    pub fn url(&self, profile: &str) -> String {
        url_for(self.addr, profile)
    }

    /// `AWS_CONTAINER_AUTHORIZATION_TOKEN` for `profile`.
    pub fn token(&self, profile: &str) -> Secret {
        token_for(&self.key, profile)
    }

    /// Answers requests until dropped. Each connection is its own task, ended with the endpoint.
    pub async fn serve(self, app: Arc<Idbridge>) {
        let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
        let shared = Arc::new((self.key, self.only));
        let mut tasks = tokio::task::JoinSet::new();
        loop {
            let stream = local_http::accept(&self.listener).await;
            while tasks.try_join_next().is_some() {}
            let _ = stream.set_nodelay(true);
            let mut connection = Connection::new(stream);
            let Ok(slot) = slots.clone().try_acquire_owned() else {
                tasks.spawn(async move {
                    let _ = connection.respond(503, &problem("busy", "too many connections"), false).await;
                });
                continue;
            };
            let (app, shared) = (app.clone(), shared.clone());
            tasks.spawn(async move {
                let _slot = slot;
                let (key, only) = &*shared;
                while let Ok(Ok(Some(request))) = tokio::time::timeout(IDLE_TIMEOUT, connection.next_request()).await {
                    let (status, body, keep_alive) = match request {
                        Ok(r) => {
                            let (status, body) = answer(&app, key, only.as_deref(), &r).await;
                            (status, body, r.keep_alive)
                        }
                        Err(refusal) => (refusal.status(), problem("refused", "request refused"), false),
                    };
                    if connection.respond(status, &body, keep_alive).await.is_err() || !keep_alive {
                        break;
                    }
                }
            });
        }
    }
}

pub fn url_for(addr: SocketAddr, profile: &str) -> String {
    format!("http://{addr}{ROUTE_PREFIX}{profile}")
}

/// A route's token: SHA-256 over the route and the key (a token names its route; one route's token says
/// nothing about another's, and nothing about the key).
pub fn token_for(key: &Secret, profile: &str) -> Secret {
    use base64::Engine as _;
    let mut h = Sha256::new();
    h.update(b"idbridge container endpoint v1\0");
    h.update(profile.as_bytes());
    h.update(b"\0");
    h.update(key.expose().as_bytes());
    Secret::new(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(h.finalize()))
}

/// Status and JSON body for one request.
async fn answer(app: &Idbridge, key: &Secret, only: Option<&str>, request: &Request) -> (u16, Vec<u8>) {
    if request.method != "GET" {
        return (405, problem("refused", "only GET is answered"));
    }
    let Some(profile) = request.target.strip_prefix(ROUTE_PREFIX).filter(|p| crate::config::is_valid_name(p)) else {
        return (404, problem("not_found", "no such route: use /profiles/NAME"));
    };
    // the token first: which profiles exist is not told to a caller without one
    let offered = match request.header("authorization") {
        Ok(Some(token)) => token,
        _ => return (403, problem("forbidden", "missing or wrong Authorization token")),
    };
    if !token_for(key, profile).matches(offered.as_bytes()) {
        return (403, problem("forbidden", "missing or wrong Authorization token"));
    }
    if !matches!(request.header("origin"), Ok(None)) {
        return (403, problem("forbidden", "requests from web pages are refused"));
    }
    if only.is_some_and(|o| o != profile) {
        return (404, problem("not_found", "this endpoint serves another profile"));
    }
    match app.credential_process(profile, Instant::now() + ANSWER_BUDGET).await {
        Ok(served) => (200, served.credentials.to_container_json().into_bytes()),
        Err(e) => {
            let code = serde_json::to_value(e.code()).ok().and_then(|v| v.as_str().map(str::to_string));
            let message = sanitize::message(&sanitize::one_line(&e));
            (500, problem(code.as_deref().unwrap_or("unknown"), &message))
        }
    }
}

/// `{"code","message"}`: the SDKs show the body of a failed answer to the person.
fn problem(code: &str, message: &str) -> Vec<u8> {
    serde_json::json!({ "code": code, "message": message }).to_string().into_bytes()
}

#[cfg(test)]
#[path = "endpoint_tests.rs"]
mod tests;
