//! `idbridge`: sign in to AWS with your OpenID Connect identity provider, and serve the role credentials
//! to the AWS CLI and SDKs through `credential_process`.
//!
//! stdout carries only a command's result (for credential-process: only the JSON); every message goes
//! to stderr. Exit codes: 0 success, 1 error, 2 wrong arguments, 3 sign-in needed, 4 config error,
//! 5 temporary (IdP/STS unreachable or out of time: try again later), 6 the tray app is not running
//! (`env --server`).

mod aws_setup;
mod commands;
mod doctor;
mod export;
mod fast_path;
mod import;
mod inherit;
mod login;
mod logout;
mod serve;
mod signals;
mod status;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use idbridge_core::sys::sanitize;

/// What `env` prints when no format is asked for: the shell people use on each system.
const DEFAULT_ENV_FORMAT: &str = if cfg!(windows) { "powershell" } else { "sh" };

#[derive(Parser)]
#[command(name = "idbridge", version, about = "Sign in to AWS with your OpenID Connect identity provider")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Sign in (device flow, or the browser with PKCE for flow = "browser"), store the tokens in the OS
    /// keychain, and fetch credentials for every profile of the provider.
    Login {
        /// The provider to sign in to (default: the only one configured).
        #[arg(long, conflicts_with = "profile")]
        provider: Option<String>,
        /// Sign in to the provider of this profile.
        #[arg(long)]
        profile: Option<String>,
        /// Print the URL and code only; do not open a browser. With flow = "browser" this falls back to
        /// the device flow (for SSH sessions).
        #[arg(long)]
        no_browser: bool,
        /// Give up a browser sign-in after this many seconds.
        #[arg(long, default_value_t = 300, value_name = "SECONDS")]
        timeout: u64,
    },
    /// Print the profile's credentials as credential_process JSON (for ~/.aws/config). Never asks a person.
    CredentialProcess {
        #[arg(long)]
        profile: String,
    },
    /// Each profile: provider, role, signed in or not, credential expiry.
    Status {
        /// Machine-readable output.
        #[arg(long, conflicts_with = "prompt")]
        json: bool,
        /// A few characters for a shell prompt (`dev 42m`, `dev ⚠ sign in`), from files only: no
        /// keychain, no network. Prints nothing without a profile.
        #[arg(long)]
        prompt: bool,
        /// With --prompt: this profile (default: $AWS_PROFILE).
        #[arg(long, requires = "prompt")]
        profile: Option<String>,
    },
    /// Remove the keychain tokens and credential files of a provider (default: every provider).
    Logout {
        #[arg(long)]
        provider: Option<String>,
    },
    /// Run a command with the profile's credentials in its environment (AWS_ACCESS_KEY_ID, ...,
    /// AWS_REGION); its exit code is passed through.
    Exec {
        #[arg(long)]
        profile: String,
        /// Instead of keys, give the command a local credential endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI
        /// and AWS_CONTAINER_AUTHORIZATION_TOKEN) that renews them for as long as it runs.
        #[arg(long)]
        server: bool,
        /// The endpoint's address: a loopback address only (default 127.0.0.1, a free port).
        #[arg(long, requires = "server", value_name = "ADDR:PORT")]
        bind: Option<std::net::SocketAddr>,
        /// The command and its arguments, after `--`.
        #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true, value_name = "CMD")]
        command: Vec<std::ffi::OsString>,
    },
    /// Print the profile's credentials as environment variables: eval "$(idbridge env --profile dev)".
    Env {
        #[arg(long)]
        profile: String,
        /// sh, fish, powershell, json, env-no-export (KEY=value, for docker --env-file) or windows-cmd
        /// (default: powershell on Windows, sh elsewhere).
        #[arg(long, default_value = DEFAULT_ENV_FORMAT)]
        format: idbridge_core::aws::export::Format,
        /// Instead of keys, the running tray app's credential endpoint for the profile
        /// (AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN); exit code 6 when
        /// the tray app is not running.
        #[arg(long)]
        server: bool,
    },
    /// Write idbridge's profiles into ~/.aws/config ($AWS_CONFIG_FILE) inside a managed block.
    ConfigureAws {
        /// Only these profiles (default: all of them). Repeatable.
        #[arg(long = "profile", value_name = "NAME")]
        profiles: Vec<String>,
        /// Take over a profile of the same name that you wrote yourself outside the block.
        #[arg(long)]
        force: bool,
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
    /// Check everything between you and a working `aws` command; one line per check. Exit status 0 when
    /// all is well, 1 when something needs fixing.
    Doctor {
        /// Check only this profile and its provider.
        #[arg(long)]
        profile: Option<String>,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Merge providers and profiles from a team's shared config (a file, or an https:// URL) into
    /// config.toml: shows the changes and asks first. Your own edits and comments are kept.
    Import {
        /// A path, or an https:// URL (SSL_CERT_FILE adds CAs to trust for it).
        #[arg(value_name = "PATH|URL")]
        source: String,
        /// Apply without asking (not changes to where secrets are sent: see --allow-sensitive).
        #[arg(long)]
        yes: bool,
        /// Also replace entries you edited yourself with the team's version.
        #[arg(long)]
        overwrite_local_edits: bool,
        /// Also apply the changes listed under "Sensitive": endpoints that tokens or AWS keys would be
        /// sent to. Without it, such changes need a typed yes.
        #[arg(long)]
        allow_sensitive: bool,
    },
    /// Print the AWS side of the setup for a profile: the IAM OIDC provider command and the role's trust
    /// policy (with your own `sub` after a sign-in). Never calls AWS.
    AwsSetup {
        #[arg(long)]
        profile: String,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// The refresh helper: redeems the provider's refresh token handed over by another idbridge process
    /// (idbridge_core::app::redeem_helper). Not for people.
    #[command(name = "__redeem", hide = true)]
    Redeem { provider: String },
}

fn main() -> ExitCode {
    let home = std::env::var_os("IDBRIDGE_HOME").map(PathBuf::from);
    // the AWS CLI runs this on every command: answer from the file before anything else starts up
    if let Some(code) = fast_path::try_serve(home.clone()) {
        return code;
    }
    let cli = Cli::parse();
    // before every prompt: nothing but two small files, no runtime, no keychain
    if let Command::Status { prompt: true, profile, .. } = cli.command {
        return status::prompt(home, profile);
    }
    match commands::run(cli.command, home) {
        Ok(code) => code,
        Err(e) => {
            // the message may carry text from the IdP, STS or a file: one safe line
            eprintln!("idbridge: error: {}", sanitize::message(&sanitize::one_line(e.as_ref())));
            ExitCode::from(exit_code(&e))
        }
    }
}

/// The documented exit code (see `idbridge_core::app::error::exit` and the README).
fn exit_code(e: &anyhow::Error) -> u8 {
    use idbridge_core::app::error::exit;
    if let Some(core) = e.downcast_ref::<idbridge_core::Error>() {
        return core.exit_code();
    }
    if e.downcast_ref::<idbridge_core::config::ConfigError>().is_some() {
        return exit::CONFIG;
    }
    use idbridge_core::state::endpoint_file::EndpointFileError;
    if let Some(EndpointFileError::NotRunning | EndpointFileError::Stale { .. }) = e.downcast_ref() {
        return exit::NO_TRAY;
    }
    exit::ERROR
}

/// `--json` output: pretty JSON whose strings show bidi and invisible characters as `\uXXXX` escapes
/// (the same values for a parser; no effect on a terminal).
pub fn print_json(pretty: serde_json::Result<String>) -> anyhow::Result<()> {
    println!("{}", sanitize::json(&pretty?));
    Ok(())
}
