//! `idbridge doctor`: runs the core's checks and prints one line each; exit 0 only when all are ok.

use std::process::ExitCode;

use idbridge_core::Idbridge;
use idbridge_core::app::doctor::{DoctorInput, Status};

/// The exit code when the doctor found a problem (documented in the README).
pub const PROBLEMS_FOUND: u8 = 1;

/// The environment variables that decide which credentials the AWS CLI picks.
const AWS_VARS: [&str; 5] =
    ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"];

pub fn input(profile: Option<String>) -> anyhow::Result<DoctorInput> {
    Ok(DoctorInput {
        profile,
        aws_config_file: crate::export::home_file("AWS_CONFIG_FILE", "config")?,
        aws_credentials_file: crate::export::home_file("AWS_SHARED_CREDENTIALS_FILE", "credentials")?,
        program: std::env::current_exe().and_then(|p| p.canonicalize()).ok().map(|p| p.to_string_lossy().into_owned()),
        env: AWS_VARS.iter().filter_map(|k| std::env::var(k).ok().map(|v| (k.to_string(), v))).collect(),
    })
}

pub fn run(
    app: &Idbridge,
    runtime: &tokio::runtime::Runtime,
    profile: Option<String>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let report = runtime.block_on(app.doctor(&input(profile)?));
    if json {
        crate::print_json(serde_json::to_string_pretty(&report))?;
    } else {
        for c in &report.checks {
            match c.status {
                Status::Ok => println!("ok       {}: {}", c.subject, c.message),
                Status::Problem => println!(
                    "PROBLEM  {}: {} -> {}",
                    c.subject,
                    c.message,
                    c.fix.as_deref().unwrap_or("see the README")
                ),
            }
        }
        let n = report.problems().count();
        if n > 0 {
            eprintln!("{n} problem{} found.", if n == 1 { "" } else { "s" });
        }
    }
    Ok(if report.is_healthy() { ExitCode::SUCCESS } else { ExitCode::from(PROBLEMS_FOUND) })
}
