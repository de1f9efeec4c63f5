//! The claims of an ID token that idbridge itself verified (at sign-in or refresh) and kept in the
//! keychain: its expiry, and the claim a profile turns into the STS RoleSessionName.

use base64::Engine;
use time::OffsetDateTime;

#[derive(Clone, PartialEq)]
pub struct IdClaims {
    pub subject: String,
    pub expires_at: OffsetDateTime,
    claims: serde_json::Map<String, serde_json::Value>,
}

impl std::fmt::Debug for IdClaims {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdClaims").field("subject", &self.subject).field("expires_at", &self.expires_at).finish()
    }
}

impl IdClaims {
    /// Reads the payload. This does NOT check the signature: use it only on a token that `oidc` verified.
    pub fn decode(jwt: &str) -> Result<Self, String> {
        let payload = jwt.split('.').nth(1).ok_or("not a JWT")?;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload.trim_end_matches('='))
            .map_err(|_| "the payload is not base64url")?;
        let claims: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(&bytes).map_err(|_| "the payload is not a JSON object")?;
        let subject = claims.get("sub").and_then(|v| v.as_str()).ok_or("no `sub` claim")?.to_string();
        let exp = claims.get("exp").and_then(|v| v.as_i64()).ok_or("no `exp` claim")?;
        let expires_at = OffsetDateTime::from_unix_timestamp(exp).map_err(|_| "`exp` is out of range")?;
        Ok(Self { subject, expires_at, claims })
    }

    pub fn get_str(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(|v| v.as_str())
    }

    /// Who signed in, for messages: the email if the IdP sent one, else the subject.
    pub fn display_name(&self) -> &str {
        self.get_str("email").unwrap_or(&self.subject)
    }

    /// Usable for STS for at least `margin` more.
    pub fn valid_for(&self, now: OffsetDateTime, margin: time::Duration) -> bool {
        self.expires_at - now > margin
    }

    /// RoleSessionName from `claim` (fallback `sub`), reduced to what STS accepts: 2–64 of `[\w+=,.@-]`.
    pub fn session_name(&self, claim: Option<&str>) -> String {
        let source = claim.and_then(|c| self.get_str(c)).unwrap_or(&self.subject);
        sanitize_session_name(source)
    }
}

pub fn sanitize_session_name(source: &str) -> String {
    let mut name: String = source
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) { c } else { '-' })
        .take(64)
        .collect();
    while name.len() < 2 {
        name.push('-');
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: serde_json::Value) -> String {
        let enc = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
        format!("{}.{}.sig", enc(b"{\"alg\":\"RS256\"}"), enc(payload.to_string().as_bytes()))
    }

    #[test]
    fn claims_give_expiry_and_session_name() {
        let c = IdClaims::decode(&jwt(
            serde_json::json!({"sub":"auth0|abc","exp":1_800_000_000,"email":"alice@example.com"}),
        ))
        .unwrap();
        assert_eq!(c.expires_at.unix_timestamp(), 1_800_000_000);
        assert_eq!(c.session_name(Some("email")), "alice@example.com");
        assert_eq!(c.session_name(None), "auth0-abc");
        assert_eq!(c.session_name(Some("missing")), "auth0-abc");
        assert_eq!(c.display_name(), "alice@example.com");
    }

    #[test]
    fn session_names_fit_what_sts_accepts() {
        assert_eq!(sanitize_session_name("a"), "a-");
        assert_eq!(sanitize_session_name("山田 太郎"), "-----");
        assert_eq!(sanitize_session_name(&"x".repeat(100)).len(), 64);
    }

    #[test]
    fn garbage_is_refused() {
        assert!(IdClaims::decode("nodots").is_err());
        assert!(IdClaims::decode("a.!!!.c").is_err());
        assert!(IdClaims::decode(&jwt(serde_json::json!({"exp": 1}))).is_err());
    }
}
