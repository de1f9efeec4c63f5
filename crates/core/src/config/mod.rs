//! `config.toml`: identity providers and AWS profiles, checked once at load so that every later step can
//! trust it. Each refusal names the file, the key and what is expected.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub const DEFAULT_SCOPES: [&str; 2] = ["openid", "offline_access"];
pub const DEFAULT_REGION: &str = "us-east-1";
pub const DEFAULT_DURATION_SECONDS: u32 = 3600;
/// A config.toml of 1 000 profiles is ~150 KB.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;
/// AssumeRoleWithWebIdentity's own limits for DurationSeconds.
pub const DURATION_RANGE: std::ops::RangeInclusive<u32> = 900..=43200;

/// How a person signs in to a provider.
#[derive(Debug, Clone, Copy, Default, Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Flow {
    /// Device authorization grant (RFC 8628): works over SSH, the default.
    #[default]
    Device,
    /// Authorization code with PKCE and a loopback redirect (RFC 8252, RFC 7636).
    Browser,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    pub issuer: String,
    pub client_id: String,
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    #[serde(default)]
    pub params: BTreeMap<String, String>,
    /// For an IdP whose discovery document omits it (or announces a wrong one).
    #[serde(default)]
    pub device_authorization_endpoint: Option<String>,
    /// For an IdP whose discovery document omits it.
    #[serde(default)]
    pub token_endpoint: Option<String>,
    #[serde(default)]
    pub flow: Flow,
    /// The one loopback redirect URI the IdP has registered (Auth0, Okta compare it exactly); default: a
    /// port the kernel picks (RFC 8252 §7.3).
    #[serde(default)]
    pub redirect_uri: Option<String>,
    /// What STS receives as the web identity token: "id_token" (the default) or "access_token", for an
    /// IdP whose access token is a JWT meant for AWS (checked like the ID token before it is sent).
    #[serde(default = "default_web_identity_token")]
    pub web_identity_token: String,
}

/// The values `web_identity_token` may take.
pub const WEB_IDENTITY_TOKENS: [&str; 2] = ["id_token", "access_token"];

impl Provider {
    /// STS gets the access token (checked like the ID token) instead of the ID token.
    pub fn sends_access_token(&self) -> bool {
        self.web_identity_token == "access_token"
    }

    /// The `aud` the access token must carry: the API audience asked for (`params.audience`, as Auth0
    /// takes it), else the client id, as for the ID token.
    pub fn access_token_audience(&self) -> &str {
        self.params.get("audience").map_or(self.client_id.as_str(), String::as_str)
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// For a chained profile (`source_profile`) this is filled in at load with its source's provider.
    #[serde(default)]
    pub provider: String,
    pub role_arn: String,
    #[serde(default = "default_region")]
    pub region: String,
    #[serde(default = "default_duration")]
    pub duration_seconds: u32,
    #[serde(default)]
    pub session_name_claim: Option<String>,
    #[serde(default)]
    pub sts_endpoint: Option<String>,
    #[serde(default)]
    pub federation_endpoint: Option<String>,
    /// Where Open Console lands; default: the console home of the profile's region.
    #[serde(default)]
    pub console_destination: Option<String>,
    /// The browser (program and arguments) that opens this profile's console; default: the system's.
    #[serde(default)]
    pub browser: Option<Vec<String>>,
    /// Open the console in this Firefox container (an `ext+container:` URL).
    #[serde(default)]
    pub console_container: Option<String>,
    /// Log out of the browser's current console session before signing in (browsers without the
    /// console's multi-session support).
    #[serde(default)]
    pub console_sign_out_first: bool,
    /// Role chaining: take this profile's credentials from `sts:AssumeRole` with the credentials of
    /// another profile.
    #[serde(default)]
    pub source_profile: Option<String>,
    /// The `sts:ExternalId` the role's trust policy asks for (chained profiles only).
    #[serde(default)]
    pub external_id: Option<String>,
    /// Also keep the session keys in `~/.aws/credentials`, for tools that read only that file.
    #[serde(default)]
    pub shared_credentials_file: bool,
}

/// AWS caps a role-chained session at one hour, whatever the role allows.
pub const CHAINED_MAX_DURATION_SECONDS: u32 = 3600;
/// A chain longer than this is almost certainly a mistake.
pub const MAX_CHAIN_DEPTH: usize = 5;

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub providers: BTreeMap<String, Provider>,
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
    /// Settings of the tray app (the CLI ignores them).
    #[serde(default)]
    pub app: AppSettings,
    /// The file this was read from, as it was just before reading (see `freshness`).
    #[serde(skip)]
    pub source: Option<crate::sys::file_identity::FileIdentity>,
}

/// The languages idbridge speaks: config.toml's `app.language`, the tray, its windows and the browser
/// sign-in's loopback page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    Ja,
}

impl Language {
    pub const ALL: [Self; 2] = [Self::En, Self::Ja];

    /// The BCP 47 tag as config.toml and the web views write it.
    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Ja => "ja",
        }
    }

    /// The language of a locale or Accept-Language tag ("ja-JP", "ja_JP.UTF-8"), English for any other.
    pub fn of_tag(tag: &str) -> Self {
        if tag.trim_start().to_ascii_lowercase().starts_with("ja") { Self::Ja } else { Self::En }
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AppSettings {
    /// Warn this long before credentials expire when they cannot be refreshed without a person.
    #[serde(default = "default_notify_minutes")]
    pub notify_before_expiry_minutes: u32,
    /// Refresh credentials this long before they expire. Default: 20 minutes, or a third of a shorter
    /// session (see [`AppSettings::refresh_lead`]).
    #[serde(default)]
    pub refresh_before_expiry_seconds: Option<u32>,
    /// `en` or `ja`; default: the OS locale.
    #[serde(default)]
    pub language: Option<Language>,
}

impl Default for AppSettings {
    fn default() -> Self {
        Self {
            notify_before_expiry_minutes: default_notify_minutes(),
            refresh_before_expiry_seconds: None,
            language: None,
        }
    }
}

fn default_notify_minutes() -> u32 {
    10
}
/// The tray's default lead before expiry: ahead of botocore's 15-minute window.
pub const DEFAULT_REFRESH_LEAD: time::Duration = time::Duration::minutes(20);
/// A lead shorter than this leaves too little time to retry before expiry.
pub const MIN_REFRESH_LEAD_SECONDS: u32 = 60;

impl AppSettings {
    /// How long before expiry the tray refreshes a profile whose sessions last `duration_seconds`: the
    /// configured lead, else 20 minutes capped at a third of the session (a 15-minute session would
    /// otherwise be refreshed the moment it starts, forever).
    pub fn refresh_lead(&self, duration_seconds: u32) -> time::Duration {
        match self.refresh_before_expiry_seconds {
            Some(s) => time::Duration::seconds(s.into()),
            None => DEFAULT_REFRESH_LEAD.min(time::Duration::seconds(i64::from(duration_seconds) / 3)),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("no config file at {path}: create it (see `idbridge --help` and the README for an example)")]
    Missing { path: PathBuf },
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: {message}")]
    Syntax { path: PathBuf, message: String },
    #[error("{path}: {problem}")]
    Unsafe { path: PathBuf, problem: String },
    #[error("{path}: {key}: {expected}")]
    Invalid { path: PathBuf, key: String, expected: String },
    #[error(
        "'{name}' is not a valid profile or provider name: use up to 64 letters, digits, '-', '_' or '.', not starting with '.'"
    )]
    BadName { name: String },
    #[error("no profile named '{name}' in {path} (known: {known})")]
    UnknownProfile { path: PathBuf, name: String, known: String },
    #[error("no provider named '{name}' in {path} (known: {known})")]
    UnknownProvider { path: PathBuf, name: String, known: String },
}

fn default_web_identity_token() -> String {
    WEB_IDENTITY_TOKENS[0].into()
}
fn default_scopes() -> Vec<String> {
    DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect()
}
fn default_region() -> String {
    DEFAULT_REGION.to_string()
}
fn default_duration() -> u32 {
    DEFAULT_DURATION_SECONDS
}

/// Names become file names and keychain entries: keep them to a safe alphabet.
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// The text of config.toml if it exists, read the safe way (see [`Config::load`]).
pub(crate) fn read_text(path: &Path) -> Result<Option<String>, ConfigError> {
    use crate::sys::safe_fs::{Privacy, SafeFsError};
    let bytes = match crate::sys::safe_fs::read(path, Privacy::Settings, MAX_FILE_BYTES) {
        Ok(Some(b)) => b,
        Ok(None) => return Ok(None),
        Err(SafeFsError::Io { source, .. }) => return Err(ConfigError::Read { path: path.to_owned(), source }),
        Err(SafeFsError::Unsafe { path, problem }) => return Err(ConfigError::Unsafe { path, problem }),
    };
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| ConfigError::Syntax { path: path.to_owned(), message: "the file is not UTF-8 text".into() })
}

/// A name from a command line or a caller, checked before it becomes part of any file name.
pub fn check_name(name: &str) -> Result<(), ConfigError> {
    if is_valid_name(name) { Ok(()) } else { Err(ConfigError::BadName { name: crate::sys::sanitize::field(name) }) }
}

impl Config {
    /// Reads the file through [`crate::sys::safe_fs`] (ours, not writable by others, no FIFO, at most
    /// [`MAX_FILE_BYTES`]): a config.toml planted by someone else could redirect tokens to their servers.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        // before reading: a change after this point makes the identity differ, never the reverse
        let source = crate::sys::file_identity::FileIdentity::of(path);
        let text = read_text(path)?.ok_or_else(|| ConfigError::Missing { path: path.to_owned() })?;
        Ok(Self { source, ..Self::parse(&text, path)? })
    }

    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let mut config: Config = toml::from_str(text).map_err(|e| ConfigError::Syntax {
            path: path.to_owned(),
            message: crate::sys::sanitize::message(&(e.message().to_string() + &locate(text, e.message(), e.span()))),
        })?;
        chain::resolve_providers(&mut config, path)?;
        config.validate(path)?;
        Ok(config)
    }

    pub fn profile(&self, name: &str, path: &Path) -> Result<&Profile, ConfigError> {
        self.profiles.get(name).ok_or_else(|| ConfigError::UnknownProfile {
            path: path.to_owned(),
            name: name.to_string(),
            known: known(self.profiles.keys()),
        })
    }

    pub fn provider(&self, name: &str, path: &Path) -> Result<&Provider, ConfigError> {
        self.providers.get(name).ok_or_else(|| ConfigError::UnknownProvider {
            path: path.to_owned(),
            name: name.to_string(),
            known: known(self.providers.keys()),
        })
    }

    /// The profiles that sign in through `provider`, in name order.
    pub fn profiles_of<'a>(&'a self, provider: &'a str) -> impl Iterator<Item = (&'a String, &'a Profile)> {
        self.profiles.iter().filter(move |(_, p)| p.provider == provider)
    }
}

fn known<'a>(names: impl Iterator<Item = &'a String>) -> String {
    let v: Vec<_> = names.map(String::as_str).collect();
    if v.is_empty() { "none".into() } else { v.join(", ") }
}

/// " (line N)" for a parse error. For an unknown key serde's span covers the whole table, so look for
/// the key's own line inside it.
fn locate(text: &str, message: &str, span: Option<std::ops::Range<usize>>) -> String {
    let Some(span) = span else { return String::new() };
    let start = span.start.min(text.len());
    let mut at = start;
    if let Some(key) = message.strip_prefix("unknown field `").and_then(|m| m.split('`').next()) {
        let mut offset = start;
        for line in text[start..].split_inclusive('\n') {
            let t = line.trim_start();
            if t.starts_with('[') && offset > start {
                break;
            }
            if t.starts_with(key) && t[key.len()..].trim_start().starts_with('=') {
                at = offset;
                break;
            }
            offset += line.len();
        }
    }
    format!(" (line {})", text[..at].matches('\n').count() + 1)
}

mod chain;
pub mod edit;
pub mod import;
pub mod partition;
pub mod sensitive;
pub mod spot;
mod validate;

pub use validate::{check_endpoint, check_issuer, check_redirect_uri, check_role_arn};

#[cfg(test)]
mod tests;
