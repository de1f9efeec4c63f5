//! `idbridge status`: one line per profile (or JSON), with the last failure and what to do next.

use std::path::PathBuf;
use std::process::ExitCode;

use idbridge_core::aws::credentials::format_expiration;
use idbridge_core::sys::sanitize;
use idbridge_core::{Idbridge, Paths, ProfileState};

/// `status --prompt`: the segment for `profile` (else $AWS_PROFILE); nothing at all without one, or for
/// a name that cannot be a profile (a prompt shows no error).
pub fn prompt(home: Option<PathBuf>, profile: Option<String>) -> ExitCode {
    let profile = profile.or_else(|| std::env::var("AWS_PROFILE").ok()).filter(|p| !p.is_empty());
    let Some(profile) = profile else { return ExitCode::SUCCESS };
    if !idbridge_core::config::is_valid_name(&profile) {
        return ExitCode::FAILURE;
    }
    let Some(paths) = Paths::resolve(home) else { return ExitCode::FAILURE };
    println!("{}", idbridge_core::app::prompt::segment(&paths, &profile, time::OffsetDateTime::now_utc()));
    ExitCode::SUCCESS
}

pub fn run(app: &Idbridge, json: bool) -> anyhow::Result<ExitCode> {
    let rows = app.status()?;
    if json {
        crate::print_json(serde_json::to_string_pretty(&rows))?;
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
            println!(
                "{:width$}  ! last refresh failed at {} ({} in a row, next try after {retry}): {}",
                "",
                format_expiration(f.at),
                f.consecutive,
                sanitize::message(&f.message)
            );
        } else if let Some(p) = r.problem {
            println!("{:width$}  ! {}", "", sanitize::message(&p));
        }
    }
    Ok(ExitCode::SUCCESS)
}
