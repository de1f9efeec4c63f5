//! Wires the core once (paths, keychain, clock, signals) and hands each command to its module.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use idbridge_core::app::redeem_helper::HELPER_ARG;
use idbridge_core::aws::shared_credentials::location;
use idbridge_core::state::token_store::Keychain;
use idbridge_core::sys::clock::SystemClock;
use idbridge_core::sys::detached::HelperCommand;
use idbridge_core::sys::sanitize;
use idbridge_core::{Idbridge, Paths};

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
    let shared = location(std::env::var_os("AWS_SHARED_CREDENTIALS_FILE"), dirs::home_dir());
    let mut app = Idbridge::new(paths, Arc::new(Keychain), Arc::new(SystemClock), http_timeout)
        .with_shared_credentials_file(shared);
    // commands that may redeem a refresh token do it in a helper process (this binary again, which redeems
    // in-process), out of reach of a SIGKILL of this one
    let redeems = matches!(
        command,
        Command::CredentialProcess { .. } | Command::Exec { .. } | Command::Env { .. } | Command::Console { .. }
    );
    if let (true, Ok(program)) = (redeems, std::env::current_exe()) {
        crate::inherit::keep_std_handles_from_children();
        app = app.with_redeem_helper(HelperCommand { program, args: vec![HELPER_ARG.into()] });
    }
    let app = Arc::new(app);
    // and hold signals back meanwhile (`exec --server` passes them on to its command and outlives it: serve.rs)
    if matches!(
        command,
        Command::CredentialProcess { .. }
            | Command::Exec { server: false, .. }
            | Command::Env { .. }
            | Command::Console { .. }
            | Command::Redeem { .. }
    ) {
        crate::signals::hold_during_rotation(app.shield.clone());
    }
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let result = dispatch(command, &app, &runtime, started);
    // a keychain call stuck on D-Bus must not keep the process alive after the answer is out — except
    // the store of a rotated refresh token, which must finish (it has no timeout on purpose)
    if app.shield.is_active() {
        // a refresh the command stopped waiting for: its new refresh token is stored before we exit
        let limit = idbridge_core::app::rotation::REDEEM_TIMEOUT + Duration::from_secs(30);
        runtime.block_on(app.shield.idle(limit));
    }
    runtime.shutdown_background();
    result
}

fn dispatch(
    command: Command,
    app: &Arc<Idbridge>,
    runtime: &tokio::runtime::Runtime,
    started: Instant,
) -> anyhow::Result<ExitCode> {
    match command {
        Command::CredentialProcess { profile } => {
            let deadline = started + CREDENTIAL_PROCESS_BUDGET;
            let served = runtime.block_on(app.credential_process(&profile, deadline))?;
            if let Some(w) = served.warning {
                eprintln!("idbridge: warning: {}", sanitize::message(&w.message));
            }
            let mut out = std::io::stdout().lock();
            out.write_all(&served.json)?;
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Login { provider, profile, no_browser, timeout } => {
            runtime.block_on(crate::login::run(app, provider, profile, no_browser, Duration::from_secs(timeout)))
        }
        Command::Status { json, .. } => crate::status::run(app, json),
        Command::Logout { provider } => runtime.block_on(crate::logout::run(app, provider)),
        Command::Exec { profile, server: true, bind, command } => {
            let bind = bind.unwrap_or_else(|| (std::net::Ipv4Addr::LOCALHOST, 0).into());
            crate::serve::exec(app, runtime, &profile, bind, command)
        }
        Command::Exec { profile, server: false, command, .. } => crate::export::exec(app, runtime, &profile, command),
        Command::Env { profile, format, server: true } => crate::serve::env(app, &profile, format),
        Command::Env { profile, format, server: false } => crate::export::env(app, runtime, &profile, format),
        Command::ConfigureAws { profiles, force } => crate::export::configure_aws(app, profiles, force),
        Command::Import { source, yes, overwrite_local_edits, allow_sensitive } => {
            let asked = crate::import::Asked { yes, overwrite_local: overwrite_local_edits, allow_sensitive };
            crate::import::run(app, runtime, source, asked)
        }
        Command::Doctor { profile, json } => crate::doctor::run(app, runtime, profile, json),
        Command::AwsSetup { profile, json } => crate::aws_setup::run(app, &profile, json),
        Command::Redeem { provider } => {
            runtime.block_on(app.serve_redemption(&provider))?;
            Ok(ExitCode::SUCCESS)
        }
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
