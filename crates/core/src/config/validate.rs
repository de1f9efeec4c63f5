//! The checks config.toml passes at load, so that every later step can trust it. Each refusal names the
//! key and what is expected.

use std::path::Path;

use url::Url;

use super::{Config, ConfigError, DURATION_RANGE, MIN_REFRESH_LEAD_SECONDS, Profile, Provider, chain, is_valid_name};
use crate::sys::http::is_loopback;
use crate::sys::sanitize;

/// A refusal of one key: (key, what is expected).
type Refusal = (String, String);

fn refuse(key: impl Into<String>, expected: impl Into<String>) -> Refusal {
    (key.into(), expected.into())
}

/// The first refusal, as a load reports it.
fn first(refusals: Vec<Refusal>) -> Result<(), Refusal> {
    refusals.into_iter().next().map_or(Ok(()), Err)
}

fn invalid(path: &Path, (key, expected): Refusal) -> ConfigError {
    ConfigError::Invalid { path: path.to_owned(), key: sanitize::field(&key), expected: sanitize::message(&expected) }
}

impl Config {
    pub(super) fn validate(&self, path: &Path) -> Result<(), ConfigError> {
        let checked = self
            .providers
            .iter()
            .try_for_each(|(name, p)| validate_provider(name, p))
            .and_then(|()| self.validate_app())
            .and_then(|()| self.profiles.iter().try_for_each(|(name, p)| self.validate_profile(name, p)));
        checked.map_err(|r| invalid(path, r))
    }

    /// Every value of a profile (under a valid name) that a load would refuse, not only the first: a
    /// form shows them all at once.
    pub fn profile_problems(&self, path: &Path, name: &str, p: &Profile) -> Vec<ConfigError> {
        self.profile_refusals(name, p).into_iter().map(|r| invalid(path, r)).collect()
    }

    /// Every value of a provider (under a valid name) that a load would refuse.
    pub fn provider_problems(path: &Path, name: &str, p: &Provider) -> Vec<ConfigError> {
        provider_refusals(name, p).into_iter().map(|r| invalid(path, r)).collect()
    }

    fn validate_app(&self) -> Result<(), Refusal> {
        if !(1..=120).contains(&self.app.notify_before_expiry_minutes) {
            return Err(refuse("app.notify_before_expiry_minutes", "a number of minutes from 1 to 120"));
        }
        let Some(lead) = self.app.refresh_before_expiry_seconds else { return Ok(()) };
        let key = "app.refresh_before_expiry_seconds";
        if lead < MIN_REFRESH_LEAD_SECONDS {
            return Err(refuse(key, format!("at least {MIN_REFRESH_LEAD_SECONDS} seconds (got {lead})")));
        }
        // more than half a session would refresh again right after each refresh
        if let Some((name, p)) = self.profiles.iter().find(|(_, p)| lead > p.duration_seconds / 2) {
            return Err(refuse(
                key,
                format!(
                    "at most half of every profile's session; profile '{name}' has duration_seconds = {}, so at \
                     most {} (got {lead})",
                    p.duration_seconds,
                    p.duration_seconds / 2
                ),
            ));
        }
        Ok(())
    }

    fn validate_profile(&self, name: &str, p: &Profile) -> Result<(), Refusal> {
        if !is_valid_name(name) {
            return Err(refuse(format!("profiles.{name}"), "a name of letters, digits, '-', '_' or '.'"));
        }
        first(self.profile_refusals(name, p))
    }

    fn profile_refusals(&self, name: &str, p: &Profile) -> Vec<Refusal> {
        let key = |k: &str| format!("profiles.{name}.{k}");
        let mut out = Vec::new();
        if !self.providers.contains_key(&p.provider) {
            let known = self.providers.keys().cloned().collect::<Vec<_>>().join(", ");
            out.push(refuse(
                key("provider"),
                format!(
                    "the name of a [providers.NAME] section; '{}' is not one (known: {})",
                    p.provider,
                    if known.is_empty() { "none" } else { &known }
                ),
            ));
        }
        if let Err(e) = check_role_arn(&p.role_arn) {
            out.push(refuse(key("role_arn"), e));
        }
        if !is_region(&p.region) {
            out.push(refuse(key("region"), "an AWS region such as us-east-1 or ap-northeast-1"));
        }
        if let Err((k, e)) = chain::validate(p) {
            out.push(refuse(key(k), e));
        }
        if !DURATION_RANGE.contains(&p.duration_seconds) {
            let got = p.duration_seconds;
            out.push(refuse(key("duration_seconds"), format!("a number of seconds from 900 to 43200 (got {got})")));
        }
        if let Some(b) = &p.browser
            && (b.is_empty() || b[0].trim().is_empty() || b.iter().any(|a| a.contains('\0')))
        {
            let expected = "a list: the browser program, then its arguments, e.g. [\"firefox\", \"-P\", \"work\"]";
            out.push(refuse(key("browser"), expected));
        }
        if let Some(c) = &p.console_container
            && (c.trim().is_empty() || c.len() > 64 || c.chars().any(char::is_control))
        {
            out.push(refuse(key("console_container"), "the name of a Firefox container (1 to 64 characters)"));
        }
        let endpoints = [
            ("sts_endpoint", &p.sts_endpoint),
            ("federation_endpoint", &p.federation_endpoint),
            ("console_destination", &p.console_destination),
        ];
        for (k, v) in endpoints {
            if let Some(Err(e)) = v.as_deref().map(check_endpoint) {
                out.push(refuse(key(k), e));
            }
        }
        out
    }
}

fn validate_provider(name: &str, p: &Provider) -> Result<(), Refusal> {
    if !is_valid_name(name) {
        return Err(refuse(format!("providers.{name}"), "a name of letters, digits, '-', '_' or '.'"));
    }
    first(provider_refusals(name, p))
}

fn provider_refusals(name: &str, p: &Provider) -> Vec<Refusal> {
    let key = |k: &str| format!("providers.{name}.{k}");
    let mut out = Vec::new();
    if let Err(e) = check_issuer(&p.issuer) {
        out.push(refuse(key("issuer"), e));
    }
    if p.client_id.trim().is_empty() {
        out.push(refuse(key("client_id"), "the OIDC client id (not empty)"));
    }
    if !p.scopes.iter().any(|s| s == "openid") {
        out.push(refuse(key("scopes"), "a list that contains \"openid\" (an ID token is needed)"));
    }
    let endpoints =
        [("device_authorization_endpoint", &p.device_authorization_endpoint), ("token_endpoint", &p.token_endpoint)];
    for (k, v) in endpoints {
        if let Some(Err(e)) = v.as_deref().map(check_endpoint) {
            out.push(refuse(key(k), e));
        }
    }
    if let Some(Err(e)) = p.redirect_uri.as_deref().map(check_redirect_uri) {
        out.push(refuse(key("redirect_uri"), e));
    }
    if !super::WEB_IDENTITY_TOKENS.contains(&p.web_identity_token.as_str()) {
        out.push(refuse(key("web_identity_token"), "\"id_token\" (the default) or \"access_token\""));
    }
    out
}
/// A loopback redirect the listener can bind exactly: http, host 127.0.0.1, localhost or [::1], a port,
/// a path, nothing else. Returns the host to bind, the port and the path.
pub fn check_redirect_uri(uri: &str) -> Result<(std::net::IpAddr, u16, String), &'static str> {
    const EXPECTED: &str = "a loopback address with a fixed port and path, such as http://127.0.0.1:8765/callback \
                            (host 127.0.0.1, localhost or [::1]; no query)";
    let url = Url::parse(uri).map_err(|_| EXPECTED)?;
    let ip = match url.host() {
        Some(url::Host::Ipv4(ip)) if ip == std::net::Ipv4Addr::LOCALHOST => std::net::IpAddr::V4(ip),
        Some(url::Host::Ipv6(ip)) if ip.is_loopback() => std::net::IpAddr::V6(ip),
        Some(url::Host::Domain("localhost")) => std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
        _ => return Err(EXPECTED),
    };
    let plain = url.scheme() == "http" && url.username().is_empty() && url.password().is_none();
    match url.port() {
        Some(port) if plain && port != 0 && url.query().is_none() && url.fragment().is_none() => {
            Ok((ip, port, url.path().to_string()))
        }
        _ => Err(EXPECTED),
    }
}

/// https, or http only on a loopback address (local test IdPs): an ID token fetched over plain http
/// from the network could be swapped in transit.
pub fn check_issuer(issuer: &str) -> Result<(), &'static str> {
    let url = Url::parse(issuer)
        .map_err(|_| "an absolute URL such as https://dev-abc.us.auth0.com/ (exactly the IdP's issuer)")?;
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(&url) => Ok(()),
        "http" => Err("an https:// URL (plain http:// is allowed only for 127.0.0.1, ::1 or localhost)"),
        _ => Err("an https:// URL (exactly the IdP's issuer)"),
    }
    .and_then(|()| {
        if url.query().is_some() || url.fragment().is_some() {
            Err("an issuer URL without a query or fragment")
        } else {
            Ok(())
        }
    })
}

pub fn check_endpoint(value: &str) -> Result<(), &'static str> {
    let url = Url::parse(value).map_err(|_| "an absolute http(s) URL")?;
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(&url) => Ok(()),
        _ => Err("an https:// URL (http:// only on a loopback address)"),
    }
}

/// arn:PARTITION:iam::ACCOUNT(12 digits):role/PATH/NAME
pub fn check_role_arn(arn: &str) -> Result<(), &'static str> {
    const EXPECTED: &str = "an IAM role ARN such as arn:aws:iam::123456789012:role/dev";
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let ok = parts.len() == 6
        && parts[0] == "arn"
        && crate::config::partition::ALL.iter().any(|p| p.name == parts[1])
        && parts[2] == "iam"
        && parts[3].is_empty()
        && parts[4].len() == 12
        && parts[4].bytes().all(|b| b.is_ascii_digit())
        && parts[5].strip_prefix("role/").is_some_and(|n| !n.is_empty() && !n.ends_with('/'));
    if ok { Ok(()) } else { Err(EXPECTED) }
}

fn is_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
        && parts.last().is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refused_value_of_an_entry_is_listed_the_first_as_a_load_reports_it() {
        let path = Path::new("config.toml");
        let provider: Provider = toml::from_str(
            "issuer = \"http://example.com/\"
client_id = \" \"
scopes = [\"email\"]",
        )
        .unwrap();
        let keys = |e: Vec<ConfigError>| -> Vec<String> {
            e.into_iter()
                .map(|e| match e {
                    ConfigError::Invalid { key, .. } => key,
                    other => other.to_string(),
                })
                .collect()
        };
        let problems = keys(Config::provider_problems(path, "p", &provider));
        assert_eq!(problems, ["providers.p.issuer", "providers.p.client_id", "providers.p.scopes"]);
        let config = Config::default();
        let profile: Profile = toml::from_str(
            "provider = \"none\"
role_arn = \"x\"
region = \"nowhere\"
duration_seconds = 60",
        )
        .unwrap();
        let problems = keys(config.profile_problems(path, "d", &profile));
        let want = ["profiles.d.provider", "profiles.d.role_arn", "profiles.d.region", "profiles.d.duration_seconds"];
        assert_eq!(problems, want);
        assert_eq!(
            validate_provider("p", &provider),
            Err(refuse("providers.p.issuer", check_issuer("http://example.com/").unwrap_err()))
        );
    }
}
