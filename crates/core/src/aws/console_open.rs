//! Opening a profile's console where the person wants it: the browser the profile names (`browser =
//! ["firefox", "-P", "work"]`), a Firefox container (`console_container`, through the `ext+container:`
//! URL scheme of the "Open external links in a container" extension), or the system's browser.
//!
//! Switching accounts, as checked on 2026-11-25 (AWS docs and the issue trackers of tools that do this):
//! - A browser with a console session of another account answers a federation login with "You must
//!   first log out before logging into a different AWS account" — unless the person turned on the
//!   console's multi-session support (January 2025: opt-in per browser from the account menu, up to 5
//!   identities at once, console URLs then get an ACCOUNT-xxxxxxxx. subdomain). With it, a federation
//!   login adds a session (Leapp dropped its browser extension for this in 2026). So idbridge does not
//!   log out by default: that would also end the other sessions.
//! - For browsers without multi-session, `console_sign_out_first = true` sends the person through
//!   `/oauth?Action=logout&redirect_uri=<login URL>` first. AWS follows `redirect_uri` only to a regional
//!   sign-in host (us-east-1.signin.aws.amazon.com): with the global host the logout lands on
//!   aws.amazon.com (saml2aws #707; kion-cli #35/#40, janus-app #456 use the us-east-1 host for both).
//!   A SigninToken from the global getSigninToken works at the regional login (those tools rely on it).
//! - Separate browser profiles or containers keep separate cookie jars, so several accounts stay open
//!   side by side without either mechanism.

use std::process::{Command, Stdio};

use crate::aws::console::ConsoleError;
use crate::config::Profile;
use crate::sys::secret::Secret;

/// The global sign-in host of the aws partition, and the regional one AWS redirects to after a logout.
const GLOBAL_SIGNIN: &str = "signin.aws.amazon.com";
const REDIRECTABLE_SIGNIN: &str = "us-east-1.signin.aws.amazon.com";

/// The federation endpoint to log in at: for sign-out-first the regional host of the aws partition.
pub fn login_endpoint(profile: &Profile, endpoint: &str) -> String {
    if profile.console_sign_out_first {
        endpoint.replacen(&format!("://{GLOBAL_SIGNIN}/"), &format!("://{REDIRECTABLE_SIGNIN}/"), 1)
    } else {
        endpoint.to_string()
    }
}

/// The login URL, wrapped in a logout of the current console session when the profile asks for it.
pub fn switch_url(profile: &Profile, login_endpoint: &str, login_url: String) -> String {
    if !profile.console_sign_out_first {
        return login_url;
    }
    let base = login_endpoint.strip_suffix("/federation").unwrap_or(login_endpoint);
    format!("{base}/oauth?Action=logout&redirect_uri={}", urlencoding::encode(&login_url))
}

/// What to run for a profile's console: `None` means the system's default browser.
pub fn command_for(profile: &Profile, url: &str) -> Option<(String, Vec<String>)> {
    let url = match &profile.console_container {
        Some(name) => format!("ext+container:name={}&url={}", urlencoding::encode(name), urlencoding::encode(url)),
        None => url.to_string(),
    };
    let argv = match (&profile.browser, &profile.console_container) {
        (Some(b), _) => b.clone(),
        // the ext+container: scheme is Firefox's (through the extension); the system browser may not be
        (None, Some(_)) => vec!["firefox".to_string()],
        (None, None) => return None,
    };
    let (program, args) = argv.split_first()?;
    let mut args: Vec<String> = args.to_vec();
    if args.iter().any(|a| a.contains("{url}")) {
        args = args.into_iter().map(|a| a.replace("{url}", &url)).collect();
    } else {
        args.push(url);
    }
    Some((program.clone(), args))
}

/// Opens the console URL in the profile's browser, or with `default_open` (the front end's opener).
/// The browser's output is discarded: the URL is a credential and must not reach a log.
pub fn open(
    profile_name: &str,
    profile: &Profile,
    url: &Secret,
    default_open: impl FnOnce(&str) -> std::io::Result<()>,
) -> Result<(), ConsoleError> {
    let Some((program, args)) = command_for(profile, url.expose()) else {
        return default_open(url.expose()).map_err(|e| ConsoleError::NoBrowser { detail: e.to_string() });
    };
    let mut child = crate::sys::process::without_console(&mut Command::new(&program))
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|source| ConsoleError::BrowserSpawn { profile: profile_name.to_string(), program, source })?;
    // a browser may run for hours: reap it on a thread so a long-lived tray app keeps no zombie
    std::thread::spawn(move || child.wait());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(extra: &str) -> Profile {
        let text = format!(
            "[providers.p]\nissuer='https://i.example.com/'\nclient_id='c'\n[profiles.x]\nprovider='p'\n\
             role_arn='arn:aws:iam::123456789012:role/x'\n{extra}\n"
        );
        crate::config::Config::parse(&text, std::path::Path::new("c.toml")).unwrap().profiles["x"].clone()
    }

    #[test]
    fn the_browser_gets_the_url_last_or_in_place_of_the_placeholder() {
        assert_eq!(command_for(&profile(""), "https://u"), None);
        let (p, a) = command_for(&profile("browser = ['firefox', '-P', 'work']"), "https://u").unwrap();
        assert_eq!((p.as_str(), a), ("firefox", vec!["-P".into(), "work".into(), "https://u".into()]));
        let (_, a) =
            command_for(&profile("browser = ['chromium', '--app={url}', '--new-window']"), "https://u").unwrap();
        assert_eq!(a, vec!["--app=https://u".to_string(), "--new-window".into()]);
    }

    #[test]
    fn a_container_wraps_the_url_for_firefox() {
        let (p, a) = command_for(&profile("console_container = 'prod acct'"), "https://s/f?a=1&b=2").unwrap();
        assert_eq!(p, "firefox");
        assert_eq!(a, vec!["ext+container:name=prod%20acct&url=https%3A%2F%2Fs%2Ff%3Fa%3D1%26b%3D2".to_string()]);
    }

    #[test]
    fn sign_out_first_goes_through_the_regional_logout() {
        let p = profile("console_sign_out_first = true");
        let endpoint = login_endpoint(&p, "https://signin.aws.amazon.com/federation");
        assert_eq!(endpoint, "https://us-east-1.signin.aws.amazon.com/federation");
        let u = switch_url(&p, &endpoint, format!("{endpoint}?Action=login&SigninToken=t"));
        assert_eq!(
            u,
            "https://us-east-1.signin.aws.amazon.com/oauth?Action=logout&redirect_uri=\
             https%3A%2F%2Fus-east-1.signin.aws.amazon.com%2Ffederation%3FAction%3Dlogin%26SigninToken%3Dt"
        );
        let plain = profile("");
        assert_eq!(switch_url(&plain, &endpoint, "x".into()), "x");
    }
}
