//! `idbridge aws-setup`: prints the IAM commands and trust policy for a profile, ready to paste.

use std::process::ExitCode;

use idbridge_core::Idbridge;

pub fn run(app: &Idbridge, profile: &str, json: bool) -> anyhow::Result<ExitCode> {
    let s = app.aws_setup(profile)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&s)?);
        return Ok(ExitCode::SUCCESS);
    }
    if s.create_provider_command.is_empty() {
        println!("# 1. No identity provider to register: this role is assumed with another profile's role.");
        println!("# 2. Save this trust policy as trust-policy.json:");
    } else {
        println!("# 1. Register the identity provider '{}' in account {} (once per account):", s.provider, s.account);
        println!("{}\n", s.create_provider_command);
        println!(
            "# 2. Save this trust policy as trust-policy.json (the role admits only tokens for client '{}'",
            s.client_id
        );
        match &s.subject {
            Some(sub) => println!("#    and only your own subject '{sub}'):"),
            None => println!("#    from anyone at the IdP; sign in first to limit it to your own subject):"),
        }
    }
    println!("{}\n", serde_json::to_string_pretty(&s.trust_policy)?);
    println!("# 3. Create the role '{}' with it (or paste the policy into its Trust relationships):", s.role_name);
    println!("{}", s.create_role_command);
    for n in &s.notes {
        eprintln!("note: {n}");
    }
    Ok(ExitCode::SUCCESS)
}
