//! The keys of config.toml that decide where a secret is sent or which program runs. A team config may
//! set role ARNs and regions for everyone; changing one of these is a different thing: it could send
//! the stored sign-in, ID tokens or session keys to another host. An import shows such a change apart,
//! says what it does, and applies it only with the person's explicit yes (`--yes` is not one).
//! Every key of `[providers.X]` and `[profiles.X]` is classed here; a test fails for a new key that is not.

use serde::{Deserialize, Serialize};

/// A key that moves a secret (or starts something) and what a change to it does, for the person.
struct Key {
    section: &'static str,
    key: &'static str,
    effect: &'static str,
}

const SENSITIVE: &[Key] = &[
    Key { section: "providers", key: "token_endpoint", effect: "refresh tokens (your stored sign-in) will be sent to" },
    Key {
        section: "providers",
        key: "device_authorization_endpoint",
        effect: "sign-ins will start at (and show the approval page it names)",
    },
    Key { section: "providers", key: "revocation_endpoint", effect: "refresh tokens will be sent at sign-out to" },
    Key { section: "profiles", key: "sts_endpoint", effect: "your ID token (your sign-in) will be sent to" },
    Key { section: "profiles", key: "federation_endpoint", effect: "AWS session keys will be sent to" },
    Key { section: "profiles", key: "console_container", effect: "the AWS console will open in the Firefox container" },
    Key {
        section: "profiles",
        key: "shared_credentials_file",
        effect: "AWS keys will also be kept in ~/.aws/credentials (a second file that holds them):",
    },
];

/// Keys a team file may not set at all: they run a program on the person's machine.
pub const LOCAL_ONLY: &[(&str, &str)] = &[("profiles", "browser")];

/// Keys that move nothing secret (a wrong value fails loudly, or only affects the person's own sign-in).
#[cfg(test)]
const ORDINARY: &[(&str, &[&str])] = &[
    ("providers", &["issuer", "client_id", "scopes", "params", "flow", "redirect_uri", "web_identity_token"]),
    (
        "profiles",
        &[
            "provider",
            "role_arn",
            "region",
            "duration_seconds",
            "session_name_claim",
            "console_destination",
            "console_sign_out_first",
            "source_profile",
            "external_id",
        ],
    ),
];

/// One change to a sensitive key, as an import would make it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SensitiveChange {
    /// "providers.corp" or "profiles.dev".
    pub entry: String,
    pub key: String,
    /// The value now (`None`: not set, so the default: the discovered endpoint or AWS's own).
    pub old: Option<String>,
    pub new: Option<String>,
    /// What the change does, in one line: "refresh tokens (your stored sign-in) will be sent to".
    pub effect: String,
}

/// The sensitive changes between one entry as it is here (`ours`) and as the team has it.
pub fn changes(section: &str, name: &str, ours: &toml::Table, theirs: &toml::Table) -> Vec<SensitiveChange> {
    SENSITIVE
        .iter()
        .filter(|k| k.section == section)
        .filter_map(|k| {
            let (old, new) = (ours.get(k.key), theirs.get(k.key));
            (old != new).then(|| SensitiveChange {
                entry: format!("{section}.{name}"),
                key: k.key.to_string(),
                old: old.map(shown),
                new: new.map(shown),
                effect: k.effect.to_string(),
            })
        })
        .collect()
}

/// Is this key one of [`SENSITIVE`] (shown apart, not among the ordinary details)?
pub fn is_sensitive(section: &str, key: &str) -> bool {
    SENSITIVE.iter().any(|k| k.section == section && k.key == key)
}

/// A string value without its TOML quotes; anything else as TOML writes it.
fn shown(v: &toml::Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

impl SensitiveChange {
    /// One line for a terminal or the window, every value from the team file sanitised.
    pub fn describe(&self) -> String {
        use crate::sys::sanitize::field;
        let new = self.new.as_deref().map_or_else(|| "the default".to_string(), field);
        let old = self.old.as_deref().map_or_else(|| "the default".to_string(), field);
        format!("[{}] {}: {old} → {new}: {} {new}", field(&self.entry), field(&self.key), self.effect)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// serde's error for an unknown key lists every known one: each must be classed above.
    fn known_keys(section: &str) -> Vec<String> {
        let toml = format!("[{section}.x]\nnot_a_key_anywhere = 1\n");
        let err = toml::from_str::<crate::config::Config>(&toml).unwrap_err().to_string();
        let expected = err.split("expected one of").nth(1).unwrap_or_else(|| panic!("{err}"));
        expected.split('`').skip(1).step_by(2).map(str::to_string).collect()
    }

    #[test]
    fn every_key_of_a_provider_or_profile_is_classed() {
        for (section, ordinary) in ORDINARY {
            let keys = known_keys(section);
            assert!(keys.len() > 3, "{keys:?}");
            for key in keys {
                let classed = ordinary.contains(&key.as_str())
                    || is_sensitive(section, &key)
                    || LOCAL_ONLY.contains(&(section, key.as_str()));
                assert!(classed, "[{section}] {key}: is it sensitive (moves a secret, runs a program)? class it");
            }
        }
    }

    #[test]
    fn a_changed_endpoint_is_described_with_what_it_does_and_no_raw_control_character() {
        let ours: toml::Table = toml::from_str("sts_endpoint = \"https://sts.example/\"\nregion = \"a\"").unwrap();
        let theirs: toml::Table =
            toml::from_str("sts_endpoint = \"http://127.0.0.1:9/\\u001b]52;c;x\\u0007\"\nregion = \"b\"").unwrap();
        let c = changes("profiles", "dev", &ours, &theirs);
        assert_eq!(c.len(), 1, "region is not sensitive: {c:?}");
        let line = c[0].describe();
        assert!(line.starts_with("[profiles.dev] sts_endpoint: https://sts.example/ → http://127.0.0.1:9/"), "{line}");
        assert!(line.contains("your ID token (your sign-in) will be sent to"), "{line}");
        assert!(!line.chars().any(|c| c.is_control()), "{line:?}");
        let removed = changes("profiles", "dev", &ours, &toml::Table::new());
        assert_eq!(removed[0].new, None);
        assert!(removed[0].describe().contains("→ the default"));
    }
}
