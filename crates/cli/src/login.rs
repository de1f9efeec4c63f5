//! `idbridge login`: the device flow (the code shown here, the page opened in the browser) or, for
//! flow = "browser", the authorization code flow through a loopback redirect; then a line per profile.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::bail;
use idbridge_core::Idbridge;
use idbridge_core::app::signin::SignInReport;
use idbridge_core::aws::credentials::format_expiration;
use idbridge_core::config::{Config, Flow};
use idbridge_core::sys::sanitize;

/// The provider named, the provider of the profile named, or the only one configured.
fn pick_provider(
    config: &Config,
    app: &Idbridge,
    provider: Option<String>,
    profile: Option<String>,
) -> anyhow::Result<String> {
    let file = &app.paths.config_file;
    if let Some(p) = provider {
        config.provider(&p, file)?;
        return Ok(p);
    }
    if let Some(name) = profile {
        return Ok(config.profile(&name, file)?.provider.clone());
    }
    let mut names = config.providers.keys();
    match (names.next(), names.next()) {
        (Some(only), None) => Ok(only.clone()),
        (None, _) => bail!("no [providers.NAME] section in {}", file.display()),
        _ => bail!(
            "{} providers are configured ({}): choose one with --provider or --profile",
            config.providers.len(),
            config.providers.keys().cloned().collect::<Vec<_>>().join(", ")
        ),
    }
}

pub async fn run(
    app: &Idbridge,
    provider: Option<String>,
    profile: Option<String>,
    no_browser: bool,
    timeout: Duration,
) -> anyhow::Result<ExitCode> {
    let config = app.load_config()?;
    let provider = pick_provider(&config, app, provider, profile)?;
    if config.providers[&provider].flow == Flow::Browser && !no_browser {
        return in_browser(app, &config, &provider, timeout).await;
    }
    let pending = app.start_sign_in(&config, &provider).await?;
    let auth = &pending.authorization;
    let minutes = ((auth.expires_at - app.now()).whole_seconds() + 59) / 60;
    // the core has checked both URLs (https, or http on loopback) and sanitised the code
    eprintln!("To sign in to '{provider}', open {} and enter the code:\n", auth.verification_uri());
    eprintln!("    {}\n", auth.user_code());
    if !no_browser {
        eprintln!("Opening {} in your browser.", auth.browser_host());
        match webbrowser::open(auth.browser_url()) {
            Ok(()) => eprintln!(
                "Check that the page is on {} and shows the same code before you approve.",
                auth.browser_host()
            ),
            Err(e) => eprintln!("Could not open a browser ({e}): open the address above yourself."),
        }
    }
    eprintln!("Waiting for approval (the code expires in {minutes} min)...");
    let report = app.finish_sign_in(&config, pending, idbridge_core::app::ports::real_sleep()).await?;
    report_sign_in(app, &report, &provider)
}

/// What a sign-in (either flow) did for each profile; fails naming the profiles without credentials.
fn report_sign_in(app: &Idbridge, report: &SignInReport, provider: &str) -> anyhow::Result<ExitCode> {
    eprintln!("Signed in to '{}' as {}.", report.provider, sanitize::field(&report.who));
    for p in &report.profiles {
        match &p.result {
            Ok(exp) => eprintln!("  {}: credentials until {}", p.profile, format_expiration(*exp)),
            Err(e) => eprintln!("  {}: FAILED [{}] {}", p.profile, e.code(), sanitize::message(&e.to_string())),
        }
    }
    if let Some((until, _)) = report.renews_until {
        eprintln!(
            "Renews without you until {}: '{provider}' gives no way to renew the ID token; then sign in again.",
            idbridge_core::app::renewal::local_time(until, app.now())
        );
    }
    if report.profiles.is_empty() {
        eprintln!(
            "No profile uses provider '{provider}' yet: add a [profiles.NAME] section with provider = \"{provider}\"."
        );
    }
    let failed: Vec<_> = report.failures().map(|p| p.profile.as_str()).collect();
    if failed.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        bail!("signed in, but credentials could not be fetched for: {}", failed.join(", "))
    }
}

/// For a provider with flow = "browser": open the authorization page, wait for the loopback redirect.
/// Ctrl-C ends the process, and with it the listener.
async fn in_browser(app: &Idbridge, config: &Config, provider: &str, timeout: Duration) -> anyhow::Result<ExitCode> {
    let pending = app
        .start_browser_sign_in(config, provider)
        .await?
        .on_stray(|why| eprintln!("Refused a stray request to the sign-in listener ({why}); still waiting."));
    match webbrowser::open(&pending.authorize_url) {
        Ok(()) => eprintln!("Opened your browser to sign in to '{provider}'."),
        Err(e) => {
            eprintln!("Could not open a browser ({e}). Open this address yourself:\n\n    {}\n", pending.authorize_url)
        }
    }
    eprintln!(
        "Waiting for the sign-in to finish in the browser (up to {}; Ctrl-C to cancel; `--no-browser` uses the device flow instead)...",
        span(timeout)
    );
    let report = app.finish_browser_sign_in(config, pending, timeout).await?;
    report_sign_in(app, &report, provider)
}

/// "15 s", "90 s", "5 min": the real timeout, never rounded up to a minute it does not wait.
fn span(d: Duration) -> String {
    match d.as_secs() {
        s if s >= 60 && s % 60 == 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_timeout_is_stated_as_it_is() {
        use std::time::Duration;
        assert_eq!(super::span(Duration::from_secs(15)), "15 s");
        assert_eq!(super::span(Duration::from_secs(90)), "90 s");
        assert_eq!(super::span(Duration::from_secs(300)), "5 min");
    }
}
