//! AWS credentials in the credential_process format (Version 1): the one place that writes and parses it.

use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::sys::secret::Secret;

#[derive(Debug, Clone, PartialEq)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: Secret,
    pub expiration: OffsetDateTime,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Wire {
    version: u8,
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
    expiration: String,
}

impl Credentials {
    /// The credential_process JSON: Version 1, Expiration in UTC with a trailing Z and whole seconds.
    pub fn to_process_json(&self) -> String {
        let json = serde_json::json!({
            "Version": 1,
            "AccessKeyId": self.access_key_id,
            "SecretAccessKey": self.secret_access_key.expose(),
            "SessionToken": self.session_token.expose(),
            "Expiration": format_expiration(self.expiration),
        });
        json.to_string()
    }

    /// The container credential provider's answer (`AWS_CONTAINER_CREDENTIALS_FULL_URI`): no Version, the
    /// session token named `Token`, the same Expiration.
    pub fn to_container_json(&self) -> String {
        let json = serde_json::json!({
            "AccessKeyId": self.access_key_id,
            "SecretAccessKey": self.secret_access_key.expose(),
            "Token": self.session_token.expose(),
            "Expiration": format_expiration(self.expiration),
        });
        json.to_string()
    }

    pub fn from_process_json(bytes: &[u8]) -> Result<Self, String> {
        let w: Wire = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        if w.version != 1 {
            return Err(format!("Version is {}, expected 1", w.version));
        }
        let expiration = OffsetDateTime::parse(&w.expiration, &Rfc3339).map_err(|e| format!("Expiration: {e}"))?;
        Ok(Self {
            access_key_id: w.access_key_id,
            secret_access_key: Secret::new(w.secret_access_key),
            session_token: Secret::new(w.session_token),
            expiration,
        })
    }

    /// Still accepted by AWS (a fallback when a refresh fails).
    pub fn is_valid(&self, now: OffsetDateTime) -> bool {
        self.expiration - now > time::Duration::seconds(60)
    }
}

pub fn format_expiration(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Credentials for tests, with an expiration off UTC and off whole seconds.
#[cfg(test)]
pub(crate) fn sample() -> Credentials {
    Credentials {
        access_key_id: "ASIAEXAMPLE".into(),
        secret_access_key: Secret::new("s3cr3t"),
        session_token: Secret::new("tok3n"),
        expiration: time::macros::datetime!(2026-11-24 10:00:00.75 +09:00),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn process_json_is_version_1_with_utc_z_whole_seconds() {
        let json: serde_json::Value = serde_json::from_str(&sample().to_process_json()).unwrap();
        assert_eq!(json["Version"], 1);
        assert_eq!(json["Expiration"], "2026-11-24T01:00:00Z");
        assert_eq!(json["SecretAccessKey"], "s3cr3t");
        let back = Credentials::from_process_json(sample().to_process_json().as_bytes()).unwrap();
        assert_eq!(back.expiration, datetime!(2026-11-24 01:00:00 UTC));
    }

    #[test]
    fn container_json_names_the_session_token_token() {
        let json: serde_json::Value = serde_json::from_str(&sample().to_container_json()).unwrap();
        let keys: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["AccessKeyId", "Expiration", "SecretAccessKey", "Token"]);
        assert_eq!(
            (json["Token"].as_str(), json["Expiration"].as_str()),
            (Some("tok3n"), Some("2026-11-24T01:00:00Z"))
        );
    }

    #[test]
    fn validity_keeps_a_minute_of_margin() {
        let c = sample();
        assert!(c.is_valid(c.expiration - time::Duration::minutes(5)));
        assert!(!c.is_valid(c.expiration - time::Duration::seconds(30)));
    }

    #[test]
    fn debug_never_shows_the_secret_parts() {
        let dbg = format!("{:?}", sample());
        assert!(!dbg.contains("s3cr3t") && !dbg.contains("tok3n"), "{dbg}");
    }
}
