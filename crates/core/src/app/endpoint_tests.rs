//! The endpoint over real loopback TCP, in front of the in-process fakes: tokens, routes, caps, and one
//! STS call per credential lifetime however many requests come.

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::*;
use crate::app::testing::*;

/// Writes `raw`, reads one answer (up to the end of its Content-Length): status and body.
async fn exchange(stream: &mut TcpStream, raw: &[u8]) -> (u16, String) {
    stream.write_all(raw).await.unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).await.unwrap();
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf).to_string();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let len: usize =
                head.lines().find_map(|l| l.strip_prefix("Content-Length: ")).and_then(|v| v.parse().ok()).unwrap_or(0);
            if body.len() >= len || n == 0 {
                return (head[9..12].parse().unwrap(), body.to_string());
            }
        }
        assert!(n > 0, "connection closed before an answer");
    }
}

fn get(profile: &str, token: Option<&str>) -> Vec<u8> {
    let auth = token.map(|t| format!("Authorization: {t}\r\n")).unwrap_or_default();
    format!("GET /profiles/{profile} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}\r\n").into_bytes()
}

async fn started(w: &World, only: Option<&str>) -> (SocketAddr, Secret, tokio::task::JoinHandle<()>) {
    let endpoint = Endpoint::bind("127.0.0.1:0".parse().unwrap(), only.map(String::from)).await.unwrap();
    let (addr, key) = (endpoint.addr(), endpoint.key().clone());
    (addr, key, tokio::spawn(endpoint.serve(w.app.clone())))
}

#[test]
fn the_right_token_gets_container_credentials_and_keep_alive_costs_one_sts_call() {
    let w = World::new(&[("dev", 3600), ("prod", 3600)]);
    rt().block_on(async {
        let (addr, key, _server) = started(&w, None).await;
        let mut s = TcpStream::connect(addr).await.unwrap();
        for _ in 0..5 {
            let (status, body) = exchange(&mut s, &get("dev", Some(token_for(&key, "dev").expose()))).await;
            assert_eq!(status, 200, "{body}");
            let json: serde_json::Value = serde_json::from_str(&body).unwrap();
            assert!(json["AccessKeyId"].is_string() && json["Token"].is_string() && json["Expiration"].is_string());
            assert!(json.get("Version").is_none());
        }
        assert_eq!(w.sts_calls(), 1, "fresh credentials are served from the file");
        assert_eq!(url_for(addr, "dev"), format!("http://127.0.0.1:{}/profiles/dev", addr.port()));
    });
}

#[test]
fn a_missing_wrong_other_routes_or_old_endpoints_token_is_refused_before_any_sts_call() {
    let w = World::new(&[("dev", 3600), ("prod", 3600)]);
    rt().block_on(async {
        let (addr, key, _server) = started(&w, Some("dev")).await;
        let (_, old_key, old) = started(&w, Some("dev")).await;
        old.abort();
        let mut s = TcpStream::connect(addr).await.unwrap();
        let dev = token_for(&key, "dev");
        let prod = token_for(&key, "prod");
        let mut almost = dev.expose().to_string();
        almost.pop();
        for token in [None, Some("wrong"), Some(almost.as_str()), Some(token_for(&old_key, "dev").expose())] {
            let (status, body) = exchange(&mut s, &get("dev", token)).await;
            assert_eq!(status, 403, "{token:?}: {body}");
        }
        assert_eq!(exchange(&mut s, &get("prod", Some(dev.expose()))).await.0, 403, "a token names its route");
        assert_eq!(exchange(&mut s, &get("prod", Some(prod.expose()))).await.0, 404, "only the one profile");
        let browser =
            format!("GET /profiles/dev HTTP/1.1\r\nAuthorization: {}\r\nOrigin: http://evil\r\n\r\n", dev.expose());
        assert_eq!(exchange(&mut s, browser.as_bytes()).await.0, 403);
        let twice =
            format!("GET /profiles/dev HTTP/1.1\r\nAuthorization: {0}\r\nAuthorization: {0}\r\n\r\n", dev.expose());
        assert_eq!(exchange(&mut s, twice.as_bytes()).await.0, 403);
        assert_eq!(exchange(&mut s, b"GET /other HTTP/1.1\r\n\r\n").await.0, 404);
        assert_eq!(w.sts_calls(), 0);
    });
}

#[test]
fn oversized_requests_and_bodies_are_refused_and_the_connection_closed() {
    let w = World::new(&[("dev", 3600)]);
    rt().block_on(async {
        let (addr, key, _server) = started(&w, None).await;
        let big = format!("GET /profiles/dev HTTP/1.1\r\nX-Pad: {}\r\n\r\n", "a".repeat(local_http::MAX_HEAD_BYTES));
        let mut s = TcpStream::connect(addr).await.unwrap();
        assert_eq!(exchange(&mut s, big.as_bytes()).await.0, 431);
        assert_eq!(s.read(&mut [0u8; 16]).await.unwrap(), 0, "closed after a refusal");
        let body = format!(
            "POST /profiles/dev HTTP/1.1\r\nAuthorization: {}\r\nContent-Length: 4\r\n\r\nabcd",
            token_for(&key, "dev").expose()
        );
        let mut s = TcpStream::connect(addr).await.unwrap();
        assert_eq!(exchange(&mut s, body.as_bytes()).await.0, 413);
        assert_eq!(w.sts_calls(), 0);
    });
}

#[test]
fn connections_beyond_the_cap_are_answered_busy() {
    let w = World::new(&[("dev", 3600)]);
    rt().block_on(async {
        let (addr, _, _server) = started(&w, None).await;
        let mut held = Vec::new();
        for _ in 0..MAX_CONNECTIONS {
            let mut s = TcpStream::connect(addr).await.unwrap();
            // an answered request proves the connection holds a slot
            assert_eq!(exchange(&mut s, &get("dev", Some("x"))).await.0, 403);
            held.push(s);
        }
        let mut extra = TcpStream::connect(addr).await.unwrap();
        let (status, body) = exchange(&mut extra, &get("dev", Some("x"))).await;
        assert_eq!((status, body.contains("busy")), (503, true));
        drop(held);
    });
}

#[test]
fn credentials_near_their_end_are_renewed_once_and_a_sign_in_needed_is_a_500_with_its_code() {
    let w = World::new(&[("dev", 3600)]);
    rt().block_on(async {
        let (addr, key, _server) = started(&w, None).await;
        let mut s = TcpStream::connect(addr).await.unwrap();
        let request = get("dev", Some(token_for(&key, "dev").expose()));
        let (_, first) = exchange(&mut s, &request).await;
        w.clock.advance(time::Duration::minutes(55));
        let (status, renewed) = exchange(&mut s, &request).await;
        assert_eq!((status, w.sts_calls()), (200, 2), "{renewed}");
        assert_ne!(first, renewed);
        exchange(&mut s, &request).await;
        assert_eq!(w.sts_calls(), 2);

        crate::state::token_store::TokenStore::delete(&*w.store, PROVIDER).unwrap();
        w.clock.advance(time::Duration::minutes(60));
        let (status, body) = exchange(&mut s, &request).await;
        assert_eq!(status, 500);
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(json["code"], "sign_in_needed", "{body}");
        assert!(!body.contains(key.expose()) && !body.contains("SecretAccessKey"));
    });
}
