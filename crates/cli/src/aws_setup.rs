//! `idbridge aws-setup`: prints the IAM commands and trust policy for a profile, ready to paste.
//! The subject comes from the IdP and the client id perhaps from a team file: every line is sanitised
//! (the JSON with escapes that keep its value).

use std::process::ExitCode;

use idbridge_core::Idbridge;
use idbridge_core::sys::sanitize;

pub fn run(app: &Idbridge, profile: &str, json: bool) -> anyhow::Result<ExitCode> {
    let s = app.aws_setup(profile)?;
    let policy = sanitize::json(&serde_json::to_string_pretty(&s.trust_policy)?);
    if json {
        crate::print_json(serde_json::to_string_pretty(&s))?;
        return Ok(ExitCode::SUCCESS);
    }
    let line = |text: &str| println!("{}", sanitize::line(text, 8 * sanitize::LINE_MAX));
    let field = |text: &str| sanitize::field(text);
    if s.create_provider_command.is_empty() {
        line("# 1. No identity provider to register: this role is assumed with another profile's role.");
        line("# 2. Save this trust policy as trust-policy.json:");
    } else {
        line(&format!(
            "# 1. Register the identity provider '{}' in account {} (once per account):",
            s.provider, s.account
        ));
        line(&s.create_provider_command);
        println!();
        line(&format!(
            "# 2. Save this trust policy as trust-policy.json (the role admits only tokens for client '{}'",
            field(&s.client_id)
        ));
        match &s.subject {
            Some(sub) => line(&format!("#    and only your own subject '{}'):", field(sub))),
            None => line("#    from anyone at the IdP; sign in first to limit it to your own subject):"),
        }
    }
    println!("{policy}\n");
    line(&format!(
        "# 3. Create the role '{}' with it (or paste the policy into its Trust relationships):",
        s.role_name
    ));
    line(&s.create_role_command);
    for n in &s.notes {
        eprintln!("note: {}", sanitize::message(n));
    }
    Ok(ExitCode::SUCCESS)
}
