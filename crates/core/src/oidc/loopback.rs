//! The loopback redirect of a browser sign-in (RFC 8252 §7.3): a one-shot HTTP listener on 127.0.0.1 at a
//! port the kernel picks (or exactly the redirect URI the IdP has registered), that reads the
//! authorization response and answers the browser with a small "you can close this tab" page in English
//! or Japanese.
//!
//! Everything the browser sends is untrusted: the request is capped, read with a timeout, and nothing
//! of it is echoed into the page but an escaped, shortened reason. A request that is not this sign-in's
//! answer (another `Host`, a wrong `state` or `iss`: a web page, DNS rebinding, another local process)
//! gets a 400 page and the wait goes on, so it cannot end the sign-in.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::config::Language;

/// A request line and headers larger than this are not a redirect from an IdP.
const MAX_REQUEST_BYTES: usize = 16 * 1024;
/// A browser sends its request at once; a connection that dawdles is dropped.
const READ_TIMEOUT: Duration = Duration::from_secs(5);
pub const CALLBACK_PATH: &str = "/callback";

/// One request that reached the callback path.
#[derive(Debug, Default)]
pub struct Callback {
    /// Query parameters; a name given twice is refused when it is read ([`Callback::get`]).
    pub params: Vec<(String, String)>,
    /// From Accept-Language: the language the browser asks for first.
    pub language: Language,
}

impl Callback {
    /// The single value of `name`, `Err` when it is there more than once.
    pub fn get(&self, name: &str) -> Result<Option<&str>, String> {
        let mut values = self.params.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let first = values.next();
        if values.next().is_some() {
            return Err(format!("the parameter '{name}' is there twice"));
        }
        Ok(first)
    }
}

pub struct Loopback {
    listener: TcpListener,
    pub redirect_uri: String,
    /// `Host` as a browser sends it for the redirect URI: the only one answered.
    host: String,
    path: String,
}

/// Why a request to the callback path was not taken as this sign-in's answer. A fixed phrase: nothing of
/// the request is repeated.
pub type Stray = &'static str;

impl Loopback {
    /// A port the kernel picks on 127.0.0.1 (RFC 8252 §7.3).
    pub async fn bind() -> std::io::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let port = listener.local_addr()?.port();
        Ok(Self {
            listener,
            redirect_uri: format!("http://127.0.0.1:{port}{CALLBACK_PATH}"),
            host: format!("127.0.0.1:{port}"),
            path: CALLBACK_PATH.into(),
        })
    }

    /// Exactly `uri` (checked by [`crate::config::check_redirect_uri`]): its address, port and path.
    pub async fn bind_exact(uri: &str) -> std::io::Result<Self> {
        let invalid = |e: &str| std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string());
        let (ip, port, path) = crate::config::check_redirect_uri(uri).map_err(invalid)?;
        let listener = TcpListener::bind((ip, port)).await.map_err(|e| match e.kind() {
            std::io::ErrorKind::AddrInUse => std::io::Error::new(
                e.kind(),
                format!("port {port} is in use (another program, or another sign-in); redirect_uri needs it free"),
            ),
            _ => e,
        })?;
        let url = url::Url::parse(uri).map_err(|e| invalid(&e.to_string()))?;
        let host = format!(
            "{}:{port}",
            url.host_str().unwrap_or(match ip {
                IpAddr::V4(_) => "127.0.0.1",
                IpAddr::V6(_) => "[::1]",
            })
        );
        Ok(Self { listener, redirect_uri: uri.to_string(), host, path })
    }

    /// Waits for this sign-in's answer at the callback path; anything else gets a 404 (another path) or
    /// a 400 page (another `Host`, or what `is_ours` refuses), is told to `stray`, and the wait goes on.
    /// Returns the open connection so the caller answers once it knows the outcome.
    ///
    /// Connections are read side by side: browsers open speculative connections that send nothing,
    /// and one of those must not hold up the real redirect. A failed accept (out of file descriptors, a
    /// connection reset before it was taken) is waited out, not the end of the sign-in.
    pub async fn next_callback(
        &self,
        is_ours: impl Fn(&Callback) -> Result<(), Stray> + Send + Sync + 'static,
        stray: impl Fn(Stray) + Send + Sync + 'static,
    ) -> std::io::Result<(TcpStream, Callback)> {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<(TcpStream, Callback)>(4);
        let judge = std::sync::Arc::new((is_ours, stray, self.host.clone(), self.path.clone()));
        let mut readers = tokio::task::JoinSet::new();
        loop {
            tokio::select! {
                mut stream = crate::sys::local_http::accept(&self.listener) => {
                    let (tx, judge) = (tx.clone(), judge.clone());
                    readers.spawn(async move {
                        let Ok(Ok(head)) = tokio::time::timeout(READ_TIMEOUT, read_head(&mut stream)).await else { return };
                        let (is_ours, stray, host, path) = &*judge;
                        let verdict = match parse_head(&head, path) {
                            None => Err(None),
                            Some((h, _)) if h.as_deref() != Some(host.as_str()) => Err(Some("an unexpected Host")),
                            Some((_, cb)) => is_ours(&cb).map(|()| cb).map_err(Some),
                        };
                        match verdict {
                            Ok(cb) => {
                                let _ = tx.send((stream, cb)).await;
                            }
                            Err(None) => {
                                let _ = respond(&mut stream, 404, "text/plain; charset=utf-8", "not found").await;
                            }
                            Err(Some(why)) => {
                                stray(why);
                                let page = page(Language::En, Some("this request is not the answer to the sign-in in progress"));
                                let _ = respond(&mut stream, 400, "text/html; charset=utf-8", &page).await;
                            }
                        }
                    });
                }
                Some(found) = rx.recv() => return Ok(found),
            }
        }
    }
}

async fn read_head(stream: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 2048];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut chunk).await?;
        if n == 0 || buf.len() + n > MAX_REQUEST_BYTES {
            return Err(std::io::Error::other("request too large or cut short"));
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok(buf)
}

/// `GET <callback path>?… HTTP/1.1`: its `Host` (`None` if absent or given twice) and the callback with
/// the Accept-Language; `None` for any other request.
fn parse_head(head: &[u8], callback_path: &str) -> Option<(Option<String>, Callback)> {
    let text = std::str::from_utf8(head).ok()?;
    let mut lines = text.split("\r\n");
    let mut parts = lines.next()?.split(' ');
    let (method, target) = (parts.next()?, parts.next()?);
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if method != "GET" || path != callback_path {
        return None;
    }
    let headers: Vec<_> = lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim(), v.trim())).collect();
    let named = |name: &'static str| headers.iter().filter(move |(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| *v);
    let mut hosts = named("host");
    let host = match (hosts.next(), hosts.next()) {
        (Some(h), None) => Some(h.to_ascii_lowercase()),
        _ => None,
    };
    let language = named("accept-language").next().map_or(Language::En, Language::of_tag);
    let params = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    Some((host, Callback { params, language }))
}

pub async fn respond(stream: &mut TcpStream, status: u16, content_type: &str, body: &str) -> std::io::Result<()> {
    let reason = if status == 200 {
        "OK"
    } else if status == 404 {
        "Not Found"
    } else {
        "Bad Request"
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-store\r\n\
         Referrer-Policy: no-referrer\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    stream.shutdown().await
}

/// The page the browser shows after the redirect. `problem` is `None` on success.
pub fn page(language: Language, problem: Option<&str>) -> String {
    let (lang, title, heading, text) = match (language, problem) {
        (Language::En, None) => (
            "en",
            "Signed in",
            "You are signed in to idbridge",
            "You can close this tab and go back to your terminal or the idbridge app.",
        ),
        (Language::Ja, None) => (
            "ja",
            "サインインしました",
            "idbridge にサインインしました",
            "このタブを閉じて、ターミナルまたは idbridge アプリに戻ってください。",
        ),
        (Language::En, Some(_)) => (
            "en",
            "Sign-in failed",
            "The sign-in did not complete",
            "You can close this tab. idbridge says what happened and what to do next.",
        ),
        (Language::Ja, Some(_)) => (
            "ja",
            "サインインできませんでした",
            "サインインが完了しませんでした",
            "このタブを閉じてください。idbridge に理由と次の手順が表示されます。",
        ),
    };
    let detail = problem
        .map(|p| format!("<p><code>{}</code></p>", escape(&p.chars().take(300).collect::<String>())))
        .unwrap_or_default();
    format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{title} – idbridge</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;color:#222}}</style>\
         </head><body><h1>{heading}</h1><p>{text}</p>{detail}</body></html>"
    )
}

fn escape(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '<' => "&lt;".into(),
            '>' => "&gt;".into(),
            '&' => "&amp;".into(),
            '"' => "&quot;".into(),
            '\'' => "&#39;".into(),
            c if c.is_control() => " ".into(),
            c => c.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_get_callback_is_taken_and_duplicates_are_refused() {
        let head = b"GET /callback?code=a%2Bb&state=s&state=t HTTP/1.1\r\nHost: 127.0.0.1:9\r\nAccept-Language: ja,en;q=0.8\r\n\r\n";
        let (host, cb) = parse_head(head, CALLBACK_PATH).unwrap();
        assert_eq!(host.as_deref(), Some("127.0.0.1:9"));
        assert_eq!(cb.get("code").unwrap(), Some("a+b"));
        assert!(cb.get("state").is_err());
        assert_eq!(cb.language, Language::Ja);
        assert!(parse_head(b"GET /favicon.ico HTTP/1.1\r\n\r\n", CALLBACK_PATH).is_none());
        assert!(parse_head(b"POST /callback HTTP/1.1\r\n\r\n", CALLBACK_PATH).is_none());
        let twice = b"GET /cb HTTP/1.1\r\nHost: 127.0.0.1:9\r\nhost: evil:9\r\n\r\n";
        assert_eq!(parse_head(twice, "/cb").unwrap().0, None, "two Host headers name no host");
    }

    #[test]
    fn the_page_escapes_what_came_from_outside() {
        let p = page(Language::En, Some("<script>alert(1)</script>"));
        assert!(!p.contains("<script>") && p.contains("&lt;script&gt;"));
        assert!(page(Language::Ja, None).contains("lang=\"ja\""));
    }
}
