//! AWS console sign-in through the federation endpoint ("custom identity broker"): role credentials →
//! getSigninToken → a login URL. The URL signs anyone in for 15 minutes, so it is a [`Secret`].

use super::console_open;
use crate::aws::credentials::Credentials;
use crate::config::{Profile, partition};
use crate::sys::http::{CappedHttp, HttpError};
use crate::sys::sanitize;
use crate::sys::secret::Secret;

/// The `Issuer` the console shows as where the person came from.
pub const ISSUER: &str = "idbridge";

#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    #[error("cannot reach the AWS federation endpoint {endpoint}: {detail}")]
    Unreachable { endpoint: String, detail: String },
    #[error(
        "the AWS federation endpoint {endpoint} refused the session (HTTP {status}); the credentials may have expired: run `idbridge login`"
    )]
    Refused { endpoint: String, status: u16 },
    #[error("the AWS federation endpoint {endpoint} gave no SigninToken")]
    NoToken { endpoint: String },
    #[error("cannot start the browser '{program}' named in profile '{profile}': {source}")]
    BrowserSpawn { profile: String, program: String, source: std::io::Error },
    #[error("cannot open a browser ({detail}); use `idbridge console --print` to get the URL instead")]
    NoBrowser { detail: String },
}

impl ConsoleError {
    /// Why, as a stable snake_case word a front end phrases in the person's language.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Unreachable { .. } => "unreachable",
            Self::Refused { .. } => "refused",
            Self::NoToken { .. } => "no_token",
            Self::BrowserSpawn { .. } => "browser",
            Self::NoBrowser { .. } => "no_browser",
        }
    }
}

pub fn federation_endpoint(profile: &Profile) -> String {
    profile
        .federation_endpoint
        .clone()
        .unwrap_or_else(|| format!("https://{}/federation", partition::of_region(&profile.region).signin_host))
}

/// Where the console opens: `--destination`, the profile's setting, or the region's console home.
pub fn destination(profile: &Profile, requested: Option<&str>) -> String {
    requested.map(str::to_string).or_else(|| profile.console_destination.clone()).unwrap_or_else(|| {
        let p = partition::of_region(&profile.region);
        format!("https://{}/console/home?region={}", p.console_host, profile.region)
    })
}

/// getSigninToken: role credentials for a sign-in token (valid 15 minutes). `SessionDuration` is left
/// out: it is refused for role-chained credentials, and the console session then simply lasts as long
/// as the credentials. The request carries the session keys in its query, so no error may show the URL.
pub async fn signin_token(
    endpoint: &str,
    credentials: &Credentials,
    http: &CappedHttp,
) -> Result<Secret, ConsoleError> {
    let session = serde_json::json!({
        "sessionId": credentials.access_key_id,
        "sessionKey": credentials.secret_access_key.expose(),
        "sessionToken": credentials.session_token.expose(),
    })
    .to_string();
    let endpoint_shown = sanitize::field(endpoint);
    let request = http
        .reqwest()
        .get(endpoint)
        .query(&[("Action", "getSigninToken"), ("Session", session.as_str())])
        .build()
        .map_err(|_| ConsoleError::Unreachable {
            endpoint: endpoint_shown.clone(),
            detail: "not a usable URL".into(),
        })?;
    let (status, bytes) = http.send_json(request).await.map_err(|e| match e {
        // its message would hold the URL, and with it the session
        HttpError::InsecureUrl { .. } => ConsoleError::Unreachable {
            endpoint: endpoint_shown.clone(),
            detail: "only https:// (http:// only on a loopback address) is allowed".into(),
        },
        e @ (HttpError::Transport { .. } | HttpError::TimedOut { .. }) => {
            ConsoleError::Unreachable { endpoint: endpoint_shown.clone(), detail: e.to_string() }
        }
        HttpError::TooLarge { status, .. } | HttpError::NotJson { status, .. } if !(200..300).contains(&status) => {
            ConsoleError::Refused { endpoint: endpoint_shown.clone(), status }
        }
        _ => ConsoleError::NoToken { endpoint: endpoint_shown.clone() },
    })?;
    if !(200..300).contains(&status) {
        return Err(ConsoleError::Refused { endpoint: endpoint_shown, status });
    }
    let body: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|_| ConsoleError::NoToken { endpoint: endpoint_shown.clone() })?;
    match body["SigninToken"].as_str() {
        Some(token) if !token.is_empty() => Ok(Secret::new(token)),
        _ => Err(ConsoleError::NoToken { endpoint: endpoint_shown }),
    }
}

/// The URL that signs the browser in with `token` and lands at `destination`; wrapped in a logout of the
/// current console session when the profile asks for it.
pub fn signin_url(profile: &Profile, endpoint: &str, destination: &str, token: &Secret) -> Secret {
    let login_at = console_open::login_endpoint(profile, endpoint);
    let login = login_url(&login_at, destination, token.expose());
    Secret::new(console_open::switch_url(profile, &login_at, login))
}

pub fn login_url(endpoint: &str, destination: &str, signin_token: &str) -> String {
    format!(
        "{endpoint}?Action=login&Issuer={}&Destination={}&SigninToken={}",
        urlencoding::encode(ISSUER),
        urlencoding::encode(destination),
        urlencoding::encode(signin_token)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(region: &str) -> Profile {
        let text = format!(
            "[providers.p]\nissuer='https://i.example.com/'\nclient_id='c'\n[profiles.x]\nprovider='p'\n\
             role_arn='arn:aws:iam::123456789012:role/x'\nregion='{region}'\n"
        );
        crate::config::Config::parse(&text, std::path::Path::new("c.toml")).unwrap().profiles["x"].clone()
    }

    #[test]
    fn hosts_follow_the_partition_of_the_region() {
        assert_eq!(federation_endpoint(&profile("ap-northeast-1")), "https://signin.aws.amazon.com/federation");
        assert_eq!(federation_endpoint(&profile("cn-north-1")), "https://signin.amazonaws.cn/federation");
        assert_eq!(federation_endpoint(&profile("us-gov-west-1")), "https://signin.amazonaws-us-gov.com/federation");
        assert_eq!(
            destination(&profile("cn-northwest-1"), None),
            "https://console.amazonaws.cn/console/home?region=cn-northwest-1"
        );
        assert_eq!(destination(&profile("eu-west-1"), Some("https://x/y")), "https://x/y");
    }

    #[test]
    fn the_login_url_encodes_every_part() {
        let u = login_url(
            "https://signin.aws.amazon.com/federation",
            "https://console.aws.amazon.com/s3/?a=1&b=2",
            "t+k/=",
        );
        assert_eq!(
            u,
            "https://signin.aws.amazon.com/federation?Action=login&Issuer=idbridge\
             &Destination=https%3A%2F%2Fconsole.aws.amazon.com%2Fs3%2F%3Fa%3D1%26b%3D2&SigninToken=t%2Bk%2F%3D"
        );
    }
}
