//! The server side of HTTP/1.1 for idbridge's loopback endpoints, kept small on purpose: GET-like
//! requests without a body, keep-alive, and caps on everything a client controls (head size, header
//! count, no bodies). Every byte is untrusted: a request that breaks a cap is refused and its connection
//! closed; nothing of it is echoed back.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A request line and headers larger than this are not an SDK asking for credentials.
pub const MAX_HEAD_BYTES: usize = 8 * 1024;
/// The SDKs send fewer than ten headers.
pub const MAX_HEADERS: usize = 32;

/// Binds `addr` only if it is a loopback address (127.0.0.0/8 or ::1): the endpoint hands out keys.
pub async fn bind_loopback(addr: SocketAddr) -> std::io::Result<TcpListener> {
    if !addr.ip().is_loopback() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("{} is not a loopback address: the endpoint listens only on 127.0.0.1 or ::1", addr.ip()),
        ));
    }
    TcpListener::bind(addr).await
}

/// After a failed accept (out of file descriptors, a connection reset before it was taken) the next try
/// waits this long, doubling up to the cap.
const ACCEPT_BACKOFF: (Duration, Duration) = (Duration::from_millis(10), Duration::from_secs(1));

/// The next connection; a failed accept is waited out (with backoff), not the end of the listener.
pub async fn accept(listener: &TcpListener) -> TcpStream {
    let mut backoff = ACCEPT_BACKOFF.0;
    loop {
        match listener.accept().await {
            Ok((stream, _)) => return stream,
            Err(_) => {
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(ACCEPT_BACKOFF.1);
            }
        }
    }
}

/// One request's head, parsed.
#[derive(Debug)]
pub struct Request {
    pub method: String,
    /// The request target as sent (path and query).
    pub target: String,
    headers: Vec<(String, String)>,
    /// HTTP/1.1 without `Connection: close`.
    pub keep_alive: bool,
}

impl Request {
    /// The single value of header `name`; `Err` when it is there more than once.
    pub fn header(&self, name: &str) -> Result<Option<&str>, Repeated> {
        let mut values = self.headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
        match (values.next(), values.next()) {
            (first, None) => Ok(first),
            _ => Err(Repeated),
        }
    }
}

/// A header that may appear once was sent more than once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Repeated;

/// Why a request was refused before it was looked at; the connection closes after the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The head is larger than [`MAX_HEAD_BYTES`] or has more than [`MAX_HEADERS`] headers.
    HeadTooLarge,
    /// A body was announced.
    Body,
    Malformed,
}

impl Refusal {
    pub fn status(self) -> u16 {
        match self {
            Self::HeadTooLarge => 431,
            Self::Body => 413,
            Self::Malformed => 400,
        }
    }
}

/// One accepted connection; bytes of a pipelined next request are kept for it.
pub struct Connection {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Connection {
    pub fn new(stream: TcpStream) -> Self {
        Self { stream, buf: Vec::with_capacity(1024) }
    }

    /// The next request; `Ok(None)` when the client closed the connection between requests.
    pub async fn next_request(&mut self) -> std::io::Result<Option<Result<Request, Refusal>>> {
        let mut chunk = [0u8; 2048];
        loop {
            if let Some(end) = find_head_end(&self.buf) {
                let head: Vec<u8> = self.buf.drain(..end + 4).collect();
                return Ok(Some(parse(&head)));
            }
            if self.buf.len() > MAX_HEAD_BYTES {
                return Ok(Some(Err(Refusal::HeadTooLarge)));
            }
            let n = self.stream.read(&mut chunk).await?;
            if n == 0 {
                return match self.buf.is_empty() {
                    true => Ok(None),
                    false => Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "request cut short")),
                };
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    /// A JSON answer; `Cache-Control: no-store`, as it may carry keys.
    pub async fn respond(&mut self, status: u16, body: &[u8], keep_alive: bool) -> std::io::Result<()> {
        let head = format!(
            "HTTP/1.1 {status} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nCache-Control: no-store\r\n\
             Connection: {}\r\n\r\n",
            reason(status),
            body.len(),
            if keep_alive { "keep-alive" } else { "close" }
        );
        let mut out = Vec::with_capacity(head.len() + body.len());
        out.extend_from_slice(head.as_bytes());
        out.extend_from_slice(body);
        self.stream.write_all(&out).await?;
        if !keep_alive {
            self.stream.shutdown().await?;
        }
        Ok(())
    }
}

fn find_head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).take(MAX_HEAD_BYTES).position(|w| w == b"\r\n\r\n")
}

fn parse(head: &[u8]) -> Result<Request, Refusal> {
    let text = std::str::from_utf8(head).map_err(|_| Refusal::Malformed)?;
    let mut lines = text.trim_end_matches("\r\n").split("\r\n");
    let mut parts = lines.next().ok_or(Refusal::Malformed)?.split(' ');
    let (method, target, version) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(m), Some(t), Some(v), None) if !m.is_empty() && t.starts_with('/') => (m, t, v),
        _ => return Err(Refusal::Malformed),
    };
    if version != "HTTP/1.1" && version != "HTTP/1.0" {
        return Err(Refusal::Malformed);
    }
    let mut headers = Vec::new();
    for line in lines {
        if headers.len() == MAX_HEADERS {
            return Err(Refusal::HeadTooLarge);
        }
        let (k, v) = line.split_once(':').ok_or(Refusal::Malformed)?;
        // a name with spaces or an obsolete folded line is how request smuggling starts
        if k.is_empty() || k.contains([' ', '\t']) {
            return Err(Refusal::Malformed);
        }
        headers.push((k.to_string(), v.trim().to_string()));
    }
    let request = Request { method: method.into(), target: target.into(), headers, keep_alive: false };
    let length = request.header("content-length").map_err(|Repeated| Refusal::Malformed)?;
    if request.header("transfer-encoding").map_err(|Repeated| Refusal::Malformed)?.is_some()
        || length.is_some_and(|l| l != "0")
    {
        return Err(Refusal::Body);
    }
    let close = request
        .header("connection")
        .map_err(|Repeated| Refusal::Malformed)?
        .is_some_and(|c| c.split(',').any(|t| t.trim().eq_ignore_ascii_case("close")));
    Ok(Request { keep_alive: version == "HTTP/1.1" && !close, ..request })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_get_is_parsed_with_keep_alive() {
        let r = parse(b"GET /profiles/dev HTTP/1.1\r\nHost: 127.0.0.1:9\r\nAuthorization: t\r\n\r\n").unwrap();
        assert_eq!((r.method.as_str(), r.target.as_str(), r.keep_alive), ("GET", "/profiles/dev", true));
        assert_eq!(r.header("authorization"), Ok(Some("t")));
        assert_eq!(r.header("x-none"), Ok(None));
        let twice = parse(b"GET / HTTP/1.1\r\nAuthorization: a\r\nauthorization: b\r\n\r\n").unwrap();
        assert_eq!(twice.header("Authorization"), Err(Repeated));
        assert!(!parse(b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n").unwrap().keep_alive);
        assert!(!parse(b"GET / HTTP/1.0\r\n\r\n").unwrap().keep_alive);
    }

    #[test]
    fn bodies_oversized_heads_and_garbage_are_refused() {
        assert_eq!(parse(b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n").unwrap_err(), Refusal::Body);
        assert_eq!(parse(b"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n").unwrap_err(), Refusal::Body);
        assert!(parse(b"GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n").is_ok());
        let many: String = (0..=MAX_HEADERS).map(|i| format!("X-{i}: v\r\n")).collect();
        let head = format!("GET / HTTP/1.1\r\n{many}\r\n");
        assert_eq!(parse(head.as_bytes()).unwrap_err(), Refusal::HeadTooLarge);
        for bad in [
            &b"GET\r\n\r\n"[..],
            b"GET / HTTP/2\r\n\r\n",
            b"GET x HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1\r\n folded\r\n\r\n",
        ] {
            assert_eq!(parse(bad).unwrap_err(), Refusal::Malformed);
        }
    }

    #[tokio::test]
    async fn only_loopback_addresses_are_bound() {
        let err = bind_loopback("0.0.0.0:0".parse().unwrap()).await.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
        assert!(bind_loopback("127.0.0.1:0".parse().unwrap()).await.is_ok());
    }
}
