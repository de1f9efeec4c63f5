//! `idbridge logout`: the keychain tokens and credential files of a provider (or all), and the refresh
//! token revoked at the IdP where it offers that.

use std::process::ExitCode;

use idbridge_core::Idbridge;
use idbridge_core::app::logout::Revocation;

pub async fn run(app: &Idbridge, provider: Option<String>) -> anyhow::Result<ExitCode> {
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
                eprintln!(
                    "  Could not revoke the refresh token at the identity provider ({reason}); it stays valid there until it expires."
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
