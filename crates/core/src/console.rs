//! AWS console sign-in through the federation endpoint ("custom identity broker"): role credentials →
//! getSigninToken → a login URL. The URL signs anyone in for 15 minutes, so it is a [`Secret`].

use std::time::Duration;

use crate::config::Profile;
use crate::credentials::Credentials;
use crate::secret::Secret;

/// The `Issuer` the console shows as where the person came from.
pub const ISSUER: &str = "idbridge";

#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    #[error("cannot reach the AWS federation endpoint {endpoint}: {detail}")]
    Unreachable { endpoint: String, detail: String },
    #[error("the AWS federation endpoint {endpoint} refused the session (HTTP {status}); the credentials may have expired: run `idbridge login`")]
    Refused { endpoint: String, status: u16 },
    #[error("the AWS federation endpoint {endpoint} gave no SigninToken")]
    NoToken { endpoint: String },
    #[error("cannot start the browser '{program}' named in profile '{profile}': {source}")]
    BrowserSpawn { profile: String, program: String, source: std::io::Error },
    #[error("cannot open a browser ({detail}); use `idbridge console --print` to get the URL instead")]
    NoBrowser { detail: String },
}

/// Sign-in and console hosts of the partition the region belongs to.
pub struct Partition {
    pub signin_host: &'static str,
    pub console_host: &'static str,
}

pub fn partition_of(region: &str) -> Partition {
    if region.starts_with("cn-") {
        Partition { signin_host: "signin.amazonaws.cn", console_host: "console.amazonaws.cn" }
    } else if region.starts_with("us-gov-") {
        Partition { signin_host: "signin.amazonaws-us-gov.com", console_host: "console.amazonaws-us-gov.com" }
    } else {
        Partition { signin_host: "signin.aws.amazon.com", console_host: "console.aws.amazon.com" }
    }
}

pub fn federation_endpoint(profile: &Profile) -> String {
    profile
        .federation_endpoint
        .clone()
        .unwrap_or_else(|| format!("https://{}/federation", partition_of(&profile.region).signin_host))
}

/// Where the console opens: `--destination`, the profile's setting, or the region's console home.
pub fn destination(profile: &Profile, requested: Option<&str>) -> String {
    requested
        .map(str::to_string)
        .or_else(|| profile.console_destination.clone())
        .unwrap_or_else(|| {
            let p = partition_of(&profile.region);
            format!("https://{}/console/home?region={}", p.console_host, profile.region)
        })
}

/// getSigninToken, then the login URL. `SessionDuration` is left out: it is refused for role-chained
/// credentials and the console session then simply lasts as long as the credentials.
pub async fn signin_url(
    profile: &Profile,
    credentials: &Credentials,
    destination: &str,
    http: &reqwest::Client,
) -> Result<Secret, ConsoleError> {
    let endpoint = federation_endpoint(profile);
    let session = serde_json::json!({
        "sessionId": credentials.access_key_id,
        "sessionKey": credentials.secret_access_key.expose(),
        "sessionToken": credentials.session_token.expose(),
    })
    .to_string();
    let response = http
        .get(&endpoint)
        .query(&[("Action", "getSigninToken"), ("Session", session.as_str())])
        .timeout(Duration::from_secs(15))
        .send()
        .await
        // reqwest's error would include the URL, and with it the session: keep only the kind
        .map_err(|e| ConsoleError::Unreachable { endpoint: endpoint.clone(), detail: describe(&e) })?;
    let status = response.status();
    if !status.is_success() {
        return Err(ConsoleError::Refused { endpoint, status: status.as_u16() });
    }
    // a SigninToken answer is ~1 KB: read at most 64 KB of whatever comes
    let (_, _, bytes) = crate::http::read_capped(response, 64 * 1024)
        .await
        .map_err(|_| ConsoleError::NoToken { endpoint: endpoint.clone() })?;
    let body: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|_| ConsoleError::NoToken { endpoint: endpoint.clone() })?;
    let token = body["SigninToken"].as_str().ok_or_else(|| ConsoleError::NoToken { endpoint: endpoint.clone() })?;
    let login_at = crate::console_open::login_endpoint(profile, &endpoint);
    let login = login_url(&login_at, destination, token);
    Ok(Secret::new(crate::console_open::switch_url(profile, &login_at, login)))
}

pub fn login_url(endpoint: &str, destination: &str, signin_token: &str) -> String {
    format!(
        "{endpoint}?Action=login&Issuer={}&Destination={}&SigninToken={}",
        urlencoding::encode(ISSUER),
        urlencoding::encode(destination),
        urlencoding::encode(signin_token)
    )
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "connection failed".into()
    } else {
        "request failed".into()
    }
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
        let u = login_url("https://signin.aws.amazon.com/federation", "https://console.aws.amazon.com/s3/?a=1&b=2", "t+k/=");
        assert_eq!(
            u,
            "https://signin.aws.amazon.com/federation?Action=login&Issuer=idbridge\
             &Destination=https%3A%2F%2Fconsole.aws.amazon.com%2Fs3%2F%3Fa%3D1%26b%3D2&SigninToken=t%2Bk%2F%3D"
        );
    }
}
