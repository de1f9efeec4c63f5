//! `idbridge`: sign in to AWS with your OpenID Connect identity provider, and serve the role credentials
//! to the AWS CLI and SDKs through `credential_process`.
//!
//! stdout carries only a command's result (for credential-process: only the JSON); every message goes
//! to stderr; the exit code is 0 only on success.

mod commands;
mod fast_path;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "idbridge", version, about = "Sign in to AWS with your OpenID Connect identity provider")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Sign in with the device flow (browser), store the tokens in the OS keychain, and fetch credentials
    /// for every profile of the provider.
    Login {
        /// The provider to sign in to (default: the only one configured).
        #[arg(long, conflicts_with = "profile")]
        provider: Option<String>,
        /// Sign in to the provider of this profile.
        #[arg(long)]
        profile: Option<String>,
        /// Print the URL and code only; do not open a browser.
        #[arg(long)]
        no_browser: bool,
    },
    /// Print the profile's credentials as credential_process JSON (for ~/.aws/config). Never asks a person.
    CredentialProcess {
        #[arg(long)]
        profile: String,
    },
    /// Each profile: provider, role, signed in or not, credential expiry.
    Status {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Remove the keychain tokens and credential files of a provider (default: every provider).
    Logout {
        #[arg(long)]
        provider: Option<String>,
    },
    /// Open the AWS console signed in as the profile's role.
    Console {
        #[arg(long)]
        profile: String,
        /// Console page to land on (default: the console home of the profile's region).
        #[arg(long)]
        destination: Option<String>,
        /// Print the sign-in URL on stdout instead of opening a browser. It signs anyone in for 15 minutes.
        #[arg(long)]
        print: bool,
    },
}

fn main() -> ExitCode {
    let home = std::env::var_os("IDBRIDGE_HOME").map(PathBuf::from);
    // the AWS CLI runs this on every command: answer from the file before anything else starts up
    if let Some(code) = fast_path::try_serve(home.clone()) {
        return code;
    }
    let cli = Cli::parse();
    match commands::run(cli.command, home) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("idbridge: error: {e}");
            ExitCode::FAILURE
        }
    }
}
