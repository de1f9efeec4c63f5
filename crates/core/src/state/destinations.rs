//! Where a sign-in's secrets may be sent, recorded with the tokens when the person signs in: the IdP's
//! token and revocation endpoints (the refresh token), and the STS and federation endpoints that
//! config.toml names for the provider's profiles (the ID token, session keys). A config edit, or a team
//! import, that points one of them elsewhere must not carry a stored secret there unseen: the secret is
//! sent only to an origin (scheme, host, port) that was in place at sign-in, and a new one needs a new
//! sign-in, which the person does knowingly.
//!
//! AWS's own endpoints (a profile with no `sts_endpoint`/`federation_endpoint`) are not recorded: they
//! follow from the region and are AWS's, whoever edits the config.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

/// The endpoints of one sign-in. An item stored before this was recorded has none (`None` in
/// [`crate::state::token_store::StoredTokens`]); its first renewal records the token endpoint it uses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Destinations {
    /// The token endpoint the refresh token may be redeemed at (discovered or configured).
    pub token_endpoint: Option<String>,
    /// The revocation endpoint the refresh token may be sent to at sign-out.
    #[serde(default)]
    pub revocation_endpoint: Option<String>,
    /// `sts_endpoint` values of the provider's profiles (the ID token, or chained sessions, go there).
    /// `None`: recorded before this existed, so not checked until the next sign-in.
    #[serde(default)]
    pub sts_endpoints: Option<BTreeSet<String>>,
    /// `federation_endpoint` values of the provider's profiles (session keys go there).
    #[serde(default)]
    pub federation_endpoints: Option<BTreeSet<String>>,
}

/// Which endpoint a check is about, for the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Token,
    Revocation,
    Sts,
    Federation,
}

impl Endpoint {
    pub fn label(self) -> &'static str {
        match self {
            Self::Token => "token endpoint",
            Self::Revocation => "revocation endpoint",
            Self::Sts => "STS endpoint",
            Self::Federation => "federation endpoint",
        }
    }
}

/// An endpoint that is not where this sign-in may send its secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    pub endpoint: Endpoint,
    /// What was recorded at sign-in (`None`: nothing for this kind of endpoint).
    pub old: Option<String>,
    pub new: String,
}

/// `scheme://host:port` of a URL, which is what decides who receives a request; `None` for text that
/// is not a URL (nothing is sent there either).
pub fn origin(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    Some(format!("{}://{}:{}", u.scheme(), u.host_str()?, u.port_or_known_default()?))
}

fn same_origin(a: &str, b: &str) -> bool {
    origin(a).is_some_and(|o| Some(o) == origin(b))
}

impl Destinations {
    /// May a secret go to `now`: the token or revocation endpoint of today's discovery or config, or a
    /// profile's configured STS or federation endpoint?
    pub fn check(&self, endpoint: Endpoint, now: &str) -> Result<(), Moved> {
        let recorded: Vec<&String> = match endpoint {
            Endpoint::Token => self.token_endpoint.iter().collect(),
            Endpoint::Revocation => self.revocation_endpoint.iter().collect(),
            Endpoint::Sts | Endpoint::Federation => {
                let set = if endpoint == Endpoint::Sts { &self.sts_endpoints } else { &self.federation_endpoints };
                match set {
                    // recorded before the sets existed: not checked until the next sign-in
                    None => return Ok(()),
                    Some(set) => set.iter().collect(),
                }
            }
        };
        if recorded.iter().any(|old| same_origin(old, now)) {
            return Ok(());
        }
        let old = (!recorded.is_empty()).then(|| recorded.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "));
        Err(Moved { endpoint, old, new: now.to_string() })
    }

    /// [`Self::check`] for a profile's optional override (`None`: AWS's own endpoint, always fine).
    pub fn check_configured(&self, endpoint: Endpoint, configured: Option<&str>) -> Result<(), Moved> {
        configured.map_or(Ok(()), |url| self.check(endpoint, url))
    }
}

impl Moved {
    /// "PROVIDER's token endpoint changed (old → new) since the sign-in", or for a profile's endpoint
    /// "PROVIDER's sign-in was not made for the STS endpoint new (only for old)"; values sanitised.
    pub fn describe(&self, provider: &str) -> String {
        use crate::sys::sanitize::field;
        let (what, new) = (self.endpoint.label(), field(&self.new));
        match (&self.old, self.endpoint) {
            (Some(old), Endpoint::Token | Endpoint::Revocation) => {
                format!("{}'s {what} changed ({} → {new}) since the sign-in", field(provider), field(old))
            }
            (Some(old), _) => {
                format!("{}'s sign-in was not made for the {what} {new} (only for {})", field(provider), field(old))
            }
            (None, _) => format!("{}'s sign-in was not made for the {what} {new}", field(provider)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorded() -> Destinations {
        Destinations {
            token_endpoint: Some("https://idp.example/oauth/token".into()),
            revocation_endpoint: Some("https://idp.example/oauth/revoke".into()),
            sts_endpoints: Some(BTreeSet::from(["http://127.0.0.1:4566/".to_string()])),
            federation_endpoints: Some(BTreeSet::new()),
        }
    }

    #[test]
    fn the_same_origin_passes_and_any_other_host_port_or_scheme_is_refused() {
        let d = recorded();
        assert_eq!(d.check(Endpoint::Token, "https://idp.example/oauth/token"), Ok(()));
        assert_eq!(d.check(Endpoint::Token, "https://IDP.example:443/other/path"), Ok(()));
        for moved in [
            "https://evil.example/oauth/token",
            "http://idp.example/oauth/token",
            "https://idp.example:8443/oauth/token",
            "https://idp.example.evil.example/oauth/token",
            "not a url",
        ] {
            let e = d.check(Endpoint::Token, moved).unwrap_err();
            assert_eq!(e.old.as_deref(), Some("https://idp.example/oauth/token"), "{moved}");
            assert_eq!(e.new, moved);
        }
    }

    #[test]
    fn configured_aws_endpoints_must_have_been_there_at_sign_in() {
        let d = recorded();
        assert_eq!(d.check_configured(Endpoint::Sts, None), Ok(()), "AWS's own endpoint");
        assert_eq!(d.check_configured(Endpoint::Sts, Some("http://127.0.0.1:4566/other")), Ok(()));
        assert!(d.check_configured(Endpoint::Sts, Some("http://127.0.0.1:9999/")).is_err());
        let e = d.check_configured(Endpoint::Federation, Some("https://capture.example/f")).unwrap_err();
        assert_eq!(e.old, None);
        assert!(e.describe("corp").contains("was not made for the federation endpoint https://capture.example/f"));
        // an item recorded before sets existed is not checked until the next sign-in
        let legacy = Destinations { sts_endpoints: None, ..recorded() };
        assert_eq!(legacy.check_configured(Endpoint::Sts, Some("https://anything.example/")), Ok(()));
    }

    #[test]
    fn a_never_recorded_single_endpoint_is_refused_and_the_message_is_sanitised() {
        let d = Destinations::default();
        let e = d.check(Endpoint::Revocation, "https://idp.example/revoke").unwrap_err();
        assert_eq!(e.old, None);
        let hostile = recorded().check(Endpoint::Token, "https://e.example/\x1b]0;x\x07").unwrap_err();
        assert!(!hostile.describe("p\u{202e}").chars().any(|c| c.is_control() || c == '\u{202e}'));
    }
}
