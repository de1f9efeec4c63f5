//! Each command: wire the core once (paths, keychain, clock), call a use case, print the outcome.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use idbridge_core::clock::SystemClock;
use idbridge_core::config::{Config, Flow};
use idbridge_core::credentials::format_expiration;
use idbridge_core::logout::Revocation;
use idbridge_core::token_store::Keychain;
use idbridge_core::{Idbridge, Paths, ProfileState, sanitize};

use crate::Command;

/// credential_process must answer within the Rust SDK's 5 s budget whatever the network does.
const CREDENTIAL_PROCESS_BUDGET: Duration = Duration::from_secs(4);
/// One HTTP exchange during an interactive command.
const INTERACTIVE_HTTP_TIMEOUT: Duration = Duration::from_secs(30);

pub fn run(command: Command, home: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let paths = Paths::resolve(home).context("cannot find a config directory: set IDBRIDGE_HOME")?;
    let http_timeout = match command {
        Command::CredentialProcess { .. } => CREDENTIAL_PROCESS_BUDGET,
        _ => INTERACTIVE_HTTP_TIMEOUT,
    };
    let app = Idbridge::new(paths, Arc::new(Keychain), Arc::new(SystemClock), http_timeout);
    // only commands that may redeem a refresh token hold signals back
    if matches!(command, Command::CredentialProcess { .. } | Command::Exec { .. } | Command::Env { .. } | Command::Console { .. }) {
        crate::signals::hold_during_rotation(app.shield.clone());
    }
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let result = dispatch(command, &app, &runtime, started);
    // a keychain call stuck on D-Bus must not keep the process alive after the answer is out — except
    // the store of a rotated refresh token, which must finish (it has no timeout on purpose)
    if app.shield.is_active() {
        // a refresh the command stopped waiting for: its new refresh token is stored before we exit
        let limit = idbridge_core::rotation::REDEEM_TIMEOUT + Duration::from_secs(30);
        runtime.block_on(app.shield.idle(limit));
    }
    runtime.shutdown_background();
    result
}

fn dispatch(command: Command, app: &Idbridge, runtime: &tokio::runtime::Runtime, started: Instant) -> anyhow::Result<ExitCode> {
    match command {
        Command::CredentialProcess { profile } => {
            let deadline = started + CREDENTIAL_PROCESS_BUDGET;
            let served = runtime.block_on(app.credential_process(&profile, deadline))?;
            if let Some(w) = served.warning {
                eprintln!("idbridge: warning: {}", sanitize::message(&w));
            }
            let mut out = std::io::stdout().lock();
            out.write_all(&served.json)?;
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Login { provider, profile, no_browser, timeout } => {
            runtime.block_on(login(app, provider, profile, no_browser, Duration::from_secs(timeout)))
        }
        Command::Status { json } => status(app, json),
        Command::Logout { provider } => runtime.block_on(logout(app, provider)),
        Command::Exec { profile, command } => crate::export::exec(app, runtime, &profile, command),
        Command::Env { profile, format } => crate::export::env(app, runtime, &profile, format),
        Command::ConfigureAws { profiles, force } => crate::export::configure_aws(app, profiles, force),
        Command::Import { source, yes, overwrite_local_edits } => {
            crate::import::run(app, runtime, source, yes, overwrite_local_edits)
        }
        Command::Doctor { profile, json } => crate::doctor::run(app, runtime, profile, json),
        Command::AwsSetup { profile, json } => crate::aws_setup::run(app, &profile, json),
        Command::Console { profile, destination, print } => {
            if print {
                let url = runtime.block_on(app.console_url(&profile, destination.as_deref()))?;
                println!("{}", url.expose());
            } else {
                let opener = |url: &str| webbrowser::open(url);
                runtime.block_on(app.open_console(&profile, destination.as_deref(), opener))?;
                eprintln!("Opened the AWS console for profile '{profile}' in your browser.");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The provider named, the provider of the profile named, or the only one configured.
fn pick_provider(config: &Config, app: &Idbridge, provider: Option<String>, profile: Option<String>) -> anyhow::Result<String> {
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

async fn login(
    app: &Idbridge,
    provider: Option<String>,
    profile: Option<String>,
    no_browser: bool,
    timeout: Duration,
) -> anyhow::Result<ExitCode> {
    let config = app.load_config()?;
    let provider = pick_provider(&config, app, provider, profile)?;
    if config.providers[&provider].flow == Flow::Browser && !no_browser {
        return crate::browser_login::run(app, &config, &provider, timeout).await;
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
            Ok(()) => eprintln!("Check that the page is on {} and shows the same code before you approve.", auth.browser_host()),
            Err(e) => eprintln!("Could not open a browser ({e}): open the address above yourself."),
        }
    }
    eprintln!("Waiting for approval (the code expires in {minutes} min)...");
    let report = app.finish_sign_in(&config, pending, tokio::time::sleep).await?;
    report_sign_in(&report, &provider)
}

/// What a sign-in (either flow) did for each profile; fails naming the profiles without credentials.
pub fn report_sign_in(report: &idbridge_core::signin::SignInReport, provider: &str) -> anyhow::Result<ExitCode> {
    eprintln!("Signed in to '{}' as {}.", report.provider, sanitize::field(&report.who));
    for p in &report.profiles {
        match &p.result {
            Ok(exp) => eprintln!("  {}: credentials until {}", p.profile, format_expiration(*exp)),
            Err(e) => eprintln!("  {}: FAILED [{}] {}", p.profile, e.code(), sanitize::message(&e.to_string())),
        }
    }
    if report.profiles.is_empty() {
        eprintln!("No profile uses provider '{provider}' yet: add a [profiles.NAME] section with provider = \"{provider}\".");
    }
    let failed: Vec<_> = report.failures().map(|p| p.profile.as_str()).collect();
    if failed.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        bail!("signed in, but credentials could not be fetched for: {}", failed.join(", "))
    }
}

fn status(app: &Idbridge, json: bool) -> anyhow::Result<ExitCode> {
    let rows = app.status()?;
    if json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() {
        eprintln!("No profiles in {}.", app.paths.config_file.display());
    }
    let width = rows.iter().map(|r| r.profile.len()).max().unwrap_or(0);
    for r in rows {
        let creds = match r.expires_in_seconds {
            Some(s) if s > 0 => format!("credentials valid for {} min", s / 60),
            Some(_) => "credentials expired".to_string(),
            None => "no credentials".to_string(),
        };
        // the identity is the IdP's email claim, the failure text came from the IdP or STS
        let who = r.identity.as_deref().map(|w| format!(" as {}", sanitize::field(w))).unwrap_or_default();
        let state = match r.state {
            ProfileState::Ready => format!("signed in{who}, {creds}"),
            ProfileState::Expired => format!("signed in{who}, {creds} (fetched on next use)"),
            ProfileState::RefreshFailing => format!("signed in{who}, {creds}, REFRESH FAILING"),
            ProfileState::SignInNeeded => format!("SIGN-IN NEEDED: run `idbridge login --profile {}`", r.profile),
            ProfileState::SignedOut => format!("signed out: run `idbridge login --profile {}`", r.profile),
            ProfileState::KeychainUnavailable => "keychain unavailable".to_string(),
        };
        println!("{:width$}  {}  {}  {state}", r.profile, r.provider, r.role_arn);
        if let Some(f) = &r.last_failure {
            let retry = format_expiration(f.retry_after);
            println!("{:width$}  ! last refresh failed at {} ({} in a row, next try after {retry}): {}", "", format_expiration(f.at), f.consecutive, sanitize::message(&f.message));
        } else if let Some(p) = r.problem {
            println!("{:width$}  ! {}", "", sanitize::message(&p));
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn logout(app: &Idbridge, provider: Option<String>) -> anyhow::Result<ExitCode> {
    let config = app.load_config()?;
    let providers: Vec<String> = match provider {
        Some(p) => vec![p],
        None => config.providers.keys().cloned().collect(),
    };
    for p in providers {
        let report = app.logout(&p).await?;
        let removed = if report.removed.is_empty() { "none".into() } else { report.removed.join(", ") };
        let tokens = if report.had_tokens { "the keychain tokens and " } else { "" };
        eprintln!("Signed out of '{p}' on this machine (removed {tokens}the credentials of: {removed}).");
        match &report.revocation {
            Revocation::Revoked => eprintln!("  The identity provider revoked the refresh token."),
            Revocation::NoToken => {}
            Revocation::NotOffered => eprintln!(
                "  The identity provider offers no revocation endpoint: the refresh token stays valid there until it expires."
            ),
            Revocation::Failed { reason } => {
                eprintln!("  Could not revoke the refresh token at the identity provider ({reason}); it stays valid there until it expires.");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
