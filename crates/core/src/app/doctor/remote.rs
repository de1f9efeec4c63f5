//! The doctor's network checks: the IdP's discovery document (reachable, `issuer` exactly as configured,
//! the endpoint the sign-in flow needs) and the clocks of the IdP and STS against ours.

use std::collections::BTreeSet;
use std::time::Duration;

use time::OffsetDateTime;

use super::{Code, DoctorReport, MAX_CLOCK_SKEW};
use crate::app::Idbridge;
use crate::config::{Config, Provider};

/// A discovery document is a few KB; anything far bigger is not one.
const MAX_DISCOVERY_BYTES: usize = 256 * 1024;
const TIMEOUT: Duration = Duration::from_secs(10);

fn http() -> reqwest::Client {
    crate::sys::http::builder(TIMEOUT).build().unwrap_or_default()
}

struct Fetched {
    status: u16,
    body: Vec<u8>,
    /// The server's clock minus ours (positive: the server is ahead).
    skew: Option<time::Duration>,
}

async fn fetch(app: &Idbridge, url: &str, max: usize) -> Result<Fetched, String> {
    let before = app.now();
    let mut response = http().get(url).send().await.map_err(|e| describe(&e))?;
    let after = app.now();
    let ours = before + (after - before) / 2;
    let skew = response
        .headers()
        .get(reqwest::header::DATE)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_http_date)
        .map(|theirs| theirs - ours);
    let status = response.status().as_u16();
    let mut body = Vec::new();
    // max 0: only the status and the Date header are wanted
    while max > 0
        && let Some(chunk) = response.chunk().await.map_err(|e| describe(&e))?
    {
        if body.len() + chunk.len() > max {
            return Err(format!("the answer is larger than {} KB", max / 1024));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Fetched { status, body, skew })
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        format!("no answer within {} s", TIMEOUT.as_secs())
    } else if e.is_connect() {
        "connection failed".into()
    } else {
        "request failed".into()
    }
}

/// `Wed, 25 Nov 2026 16:32:05 GMT` (RFC 9110 IMF-fixdate, the only form servers must send).
pub fn parse_http_date(s: &str) -> Option<OffsetDateTime> {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    time::PrimitiveDateTime::parse(s.trim(), format).ok().map(|t| t.assume_utc())
}

fn skew_check(report: &mut DoctorReport, id: &'static str, subject: &str, who: &str, skew: Option<time::Duration>) {
    let Some(s) = skew else {
        return report.ok(
            id,
            subject,
            (Code::ClockNoDate, &[]),
            format!("{who} sent no Date header; clock not compared"),
        );
    };
    let (seconds, max) = (s.whole_seconds().abs().max(1).to_string(), MAX_CLOCK_SKEW.whole_seconds().to_string());
    let params = [("seconds", seconds.as_str()), ("max", &max)];
    if s.abs() > MAX_CLOCK_SKEW {
        let (code, how) = if s.is_positive() { (Code::ClockBehind, "behind") } else { (Code::ClockAhead, "ahead of") };
        report.problem(
            id,
            subject,
            (code, &params),
            format!(
                "this computer's clock is {} s {how} {who}'s: ID tokens and AWS signatures fail beyond {max} s",
                s.whole_seconds().abs(),
            ),
            "set the clock right (e.g. `sudo timedatectl set-ntp true`)",
        );
    } else {
        report.ok(id, subject, (Code::ClockOk, &params), format!("clock within {seconds} s of {who}'s"));
    }
}

pub(super) async fn provider(app: &Idbridge, report: &mut DoctorReport, name: &str, provider: &Provider) {
    let subject = format!("provider {name}");
    let url = format!("{}/.well-known/openid-configuration", provider.issuer.trim_end_matches('/'));
    let fetched = match fetch(app, &url, MAX_DISCOVERY_BYTES).await {
        Ok(f) if f.status == 200 => f,
        Ok(f) => {
            let status = f.status.to_string();
            let said = (Code::DiscoveryHttp, &[("url", url.as_str()), ("status", &status)][..]);
            report.problem(
                "discovery",
                &subject,
                said,
                format!("{url} answered HTTP {}", f.status),
                "check `issuer` in config.toml: it must be exactly the IdP's issuer URL",
            );
            return;
        }
        Err(e) => {
            report.problem(
                "discovery",
                &subject,
                (Code::IdpUnreachable, &[("url", &url)]),
                format!("cannot fetch {url}: {e}"),
                "check the network and `issuer` in config.toml",
            );
            return;
        }
    };
    let Ok(doc) = serde_json::from_slice::<serde_json::Value>(&fetched.body) else {
        report.problem(
            "discovery",
            &subject,
            (Code::DiscoveryNotJson, &[("url", &url)]),
            format!("{url} is not a JSON discovery document"),
            "check `issuer` in config.toml: it must be exactly the IdP's issuer URL",
        );
        return;
    };
    let announced = doc["issuer"].as_str().unwrap_or("");
    if announced != provider.issuer {
        let slash = announced.trim_end_matches('/') == provider.issuer.trim_end_matches('/');
        let code = if slash { Code::IssuerSlash } else { Code::IssuerMismatch };
        report.problem(
            "discovery",
            &subject,
            (code, &[("announced", announced), ("configured", &provider.issuer)]),
            format!(
                "the IdP announces issuer {announced:?} but config.toml says {:?}{}",
                provider.issuer,
                if slash { " (only the trailing '/' differs, and AWS compares them exactly)" } else { "" }
            ),
            format!(
                "set issuer = {announced:?} in config.toml, and use exactly that string as the IAM provider URL \
                 (aws iam create-open-id-connect-provider --url {announced})"
            ),
        );
    } else {
        let said = (Code::DiscoveryOk, &[("issuer", announced)][..]);
        report.ok("discovery", &subject, said, format!("discovery reachable; issuer is exactly {announced}"));
    }
    let (key, flow) = endpoint_needed(provider);
    let params = [("key", key)];
    match doc[key].as_str() {
        Some(e) if !e.is_empty() => {
            report.ok("endpoint", &subject, (Code::EndpointOk, &params), format!("{flow}: {key} present"))
        }
        _ => {
            let (code, fix) = match provider.flow {
                crate::config::Flow::Device => (
                    Code::EndpointMissingDevice,
                    "enable the Device Code grant for this client at the IdP (or set flow = \"browser\")",
                ),
                crate::config::Flow::Browser => (
                    Code::EndpointMissingBrowser,
                    "use an IdP that supports the authorization code flow, or flow = \"device\"",
                ),
            };
            let message = format!("the IdP's discovery document has no {key}, which the {flow} needs");
            report.problem("endpoint", &subject, (code, &params), message, fix);
        }
    }
    skew_check(report, "clock_idp", &subject, "the IdP", fetched.skew);
}

/// The discovery key the provider's sign-in flow needs, and the flow's name for messages.
fn endpoint_needed(provider: &Provider) -> (&'static str, &'static str) {
    match provider.flow {
        crate::config::Flow::Device => ("device_authorization_endpoint", "device flow"),
        crate::config::Flow::Browser => ("authorization_endpoint", "browser sign-in"),
    }
}

pub(super) async fn sts_clocks(app: &Idbridge, report: &mut DoctorReport, config: &Config) {
    let endpoints: BTreeSet<String> = config.profiles.values().map(crate::aws::sts::endpoint_of).collect();
    for endpoint in endpoints {
        let subject = format!("STS {endpoint}");
        match fetch(app, &endpoint, 0).await {
            Ok(f) => skew_check(report, "clock_sts", &subject, "AWS STS", f.skew),
            // not a clock problem: what failed is reaching AWS STS
            Err(e) => {
                report.problem(
                    "sts",
                    &subject,
                    (Code::StsUnreachable, &[("endpoint", &endpoint)]),
                    format!("cannot reach {endpoint}: {e}"),
                    "check the network, a proxy, or `sts_endpoint` in config.toml",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_parse() {
        let t = parse_http_date("Wed, 25 Nov 2026 16:32:05 GMT").unwrap();
        assert_eq!(t, time::macros::datetime!(2026-11-25 16:32:05 UTC));
        assert!(parse_http_date("yesterday").is_none());
    }
}
