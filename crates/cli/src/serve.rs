//! `exec --server`: runs a command with the two variables of the SDKs' container credential provider
//! instead of static keys, and serves that one profile on loopback for exactly as long as the command
//! runs, so the SDKs renew the credentials themselves (a terraform apply that outlives the session).
//! `env --server`: the same two variables for the running tray app's endpoint.

use std::ffi::OsString;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use idbridge_core::Idbridge;
use idbridge_core::app::endpoint::{self, Endpoint};
use idbridge_core::aws::export::{self, Format};
use idbridge_core::state::endpoint_file;

/// The first answer (a refresh if needed) before the command starts.
const FIRST_BUDGET: Duration = Duration::from_secs(30);
/// Variables that would make the command use other credentials than the endpoint's.
const REPLACED: [&str; 6] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
];

pub fn exec(
    app: &Arc<Idbridge>,
    runtime: &tokio::runtime::Runtime,
    profile: &str,
    bind: SocketAddr,
    command: Vec<OsString>,
) -> anyhow::Result<ExitCode> {
    let config = app.load_config()?;
    let region = config.profile(profile, &app.paths.config_file)?.region.clone();
    let (program, args) = command.split_first().context("no command given after --")?;
    // a sign-in needed shows here, with exit code 3, rather than as a failure deep inside the command
    runtime.block_on(app.credential_process(profile, Instant::now() + FIRST_BUDGET))?;
    let endpoint = runtime.block_on(Endpoint::bind(bind, Some(profile.to_string())))?;
    let mut cmd = std::process::Command::new(program);
    cmd.args(args);
    for k in export::REMOVED.iter().chain(&REPLACED) {
        cmd.env_remove(k);
    }
    cmd.env("AWS_CONTAINER_CREDENTIALS_FULL_URI", endpoint.url(profile))
        .env("AWS_CONTAINER_AUTHORIZATION_TOKEN", endpoint.token(profile).expose())
        .env("AWS_REGION", &region)
        .env("AWS_DEFAULT_REGION", &region);
    let mut child = cmd.spawn().with_context(|| format!("cannot run {}", program.to_string_lossy()))?;
    forward_signals(child.id());
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    let status = runtime.block_on(async {
        tokio::select! {
            () = endpoint.serve(app.clone()) => None,
            status = rx => status.ok(),
        }
    });
    let status = status.context("lost track of the command")?.context("cannot wait for the command")?;
    Ok(exit_code_of(status))
}

/// Prints the lines that point the SDKs at the tray's endpoint for `profile` (never keys: the endpoint
/// hands them out). The tray must be running: its file is checked (ours, its process alive, its port
/// answering), else `EndpointFileError` (exit code 6).
pub fn env(app: &Idbridge, profile: &str, format: Format) -> anyhow::Result<ExitCode> {
    let config = app.load_config()?;
    let region = config.profile(profile, &app.paths.config_file)?.region.clone();
    let tray = endpoint_file::find(&app.paths.endpoint_file())?;
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, tray.port));
    let vars = [
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", endpoint::url_for(addr, profile)),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", endpoint::token_for(&tray.key, profile).expose().to_string()),
        ("AWS_REGION", region.clone()),
        ("AWS_DEFAULT_REGION", region),
    ];
    let removed: Vec<&str> = export::REMOVED.iter().chain(&REPLACED).copied().collect();
    print!("{}", export::render_removing(format, &vars, &removed).map_err(anyhow::Error::msg)?);
    Ok(ExitCode::SUCCESS)
}

/// The command's own exit code; on Unix a command ended by a signal gives 128 + the signal, as shells do.
fn exit_code_of(status: std::process::ExitStatus) -> ExitCode {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return ExitCode::from((128 + signal).clamp(0, 255) as u8);
        }
    }
    #[cfg(windows)]
    {
        // Windows exit codes are 32-bit (an NTSTATUS such as 0xC000013A after Ctrl-C): passed whole
        std::process::exit(status.code().unwrap_or(1))
    }
    #[allow(unreachable_code)]
    ExitCode::from(status.code().unwrap_or(1).clamp(0, 255) as u8)
}

/// The endpoint must outlive the command: Ctrl-C reaches the command from the terminal by itself (a
/// terraform apply then stops cleanly, with credentials), and SIGTERM or SIGHUP sent to us is passed on
/// to it; we end when it does.
#[cfg(unix)]
fn forward_signals(child: u32) {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        eprintln!("idbridge: warning: cannot handle signals; Ctrl-C may end the endpoint before the command");
        return;
    };
    std::thread::spawn(move || {
        let pid = rustix::process::Pid::from_raw(child as i32);
        for signal in signals.forever() {
            let forwarded = match signal {
                SIGTERM => rustix::process::Signal::TERM,
                SIGHUP => rustix::process::Signal::HUP,
                _ => continue,
            };
            if let Some(pid) = pid {
                let _ = rustix::process::kill_process(pid, forwarded);
            }
        }
    });
}

#[cfg(not(unix))]
fn forward_signals(_child: u32) {}
