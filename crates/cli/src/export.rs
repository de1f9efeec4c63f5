//! Handing credentials to other tools: `exec`, `env`, and `configure-aws` for ~/.aws/config.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use idbridge_core::Idbridge;
use idbridge_core::aws::config_file::{self, ManagedProfile};
use idbridge_core::aws::credentials::Credentials;
use idbridge_core::aws::export::{self, Format};

const BUDGET: Duration = Duration::from_secs(30);

/// The profile's credentials (refreshed if needed, as credential-process does) and its region.
fn credentials(
    app: &Idbridge,
    runtime: &tokio::runtime::Runtime,
    profile: &str,
) -> anyhow::Result<(Credentials, String)> {
    let config = app.load_config()?;
    let region = config.profile(profile, &app.paths.config_file)?.region.clone();
    let served = runtime.block_on(app.credential_process(profile, Instant::now() + BUDGET))?;
    if let Some(w) = served.warning {
        eprintln!("idbridge: warning: {}", idbridge_core::sys::sanitize::message(&w.message));
    }
    Ok((served.credentials, region))
}

pub fn exec(
    app: &Idbridge,
    runtime: &tokio::runtime::Runtime,
    profile: &str,
    command: Vec<OsString>,
) -> anyhow::Result<ExitCode> {
    let (creds, region) = credentials(app, runtime, profile)?;
    let (program, args) = command.split_first().context("no command given after --")?;
    let mut cmd = std::process::Command::new(program);
    cmd.args(args);
    for k in export::REMOVED {
        cmd.env_remove(k);
    }
    for (k, v) in export::variables(&creds, &region) {
        cmd.env(k, v);
    }
    #[cfg(unix)]
    {
        // become the command: its exit status and signals are the caller's to see, unchanged
        use std::os::unix::process::CommandExt;
        let err = cmd.exec();
        bail!("cannot run {}: {err}", program.to_string_lossy())
    }
    #[cfg(not(unix))]
    {
        let status = cmd.status().with_context(|| format!("cannot run {}", program.to_string_lossy()))?;
        // Windows exit codes are 32-bit (an NTSTATUS such as 0xC000013A after Ctrl-C): passed whole
        std::process::exit(status.code().unwrap_or(1))
    }
}

pub fn env(
    app: &Idbridge,
    runtime: &tokio::runtime::Runtime,
    profile: &str,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let (creds, region) = credentials(app, runtime, profile)?;
    let text = export::render(format, &export::variables(&creds, &region)).map_err(anyhow::Error::msg)?;
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}

/// `$var`, else `~/.aws/NAME` joined part by part (so Windows shows `C:\Users\a\.aws\config`).
pub fn home_file(var: &str, name: &str) -> anyhow::Result<PathBuf> {
    if let Some(p) = std::env::var_os(var).filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    Ok(dirs::home_dir().context("cannot find your home directory: set HOME")?.join(".aws").join(name))
}

pub fn configure_aws(app: &Idbridge, names: Vec<String>, force: bool) -> anyhow::Result<ExitCode> {
    let config = app.load_config()?;
    let names = if names.is_empty() { config.profiles.keys().cloned().collect() } else { names };
    let mut profiles = Vec::new();
    for name in &names {
        let p = config.profile(name, &app.paths.config_file)?;
        profiles.push(ManagedProfile { name: name.clone(), region: p.region.clone() });
    }
    if profiles.is_empty() {
        bail!("no profiles in {}: add a [profiles.NAME] section first", app.paths.config_file.display());
    }
    let program = std::env::current_exe()
        .and_then(|p| p.canonicalize())
        .context("cannot find the path of this idbridge program")?;
    let aws_config = home_file("AWS_CONFIG_FILE", "config")?;
    let aws_credentials = home_file("AWS_SHARED_CREDENTIALS_FILE", "credentials")?;
    let report = config_file::configure(&aws_config, &aws_credentials, &program.to_string_lossy(), &profiles, force)?;
    if let Some(b) = &report.backup {
        eprintln!("Backed up {} to {}.", aws_config.display(), b.display());
    }
    let o = &report.outcome;
    match report.changed {
        true => eprintln!("Wrote profiles {} to {}.", o.written.join(", "), aws_config.display()),
        false if !o.written.is_empty() => {
            eprintln!("{} is already up to date ({}).", aws_config.display(), o.written.join(", "))
        }
        false => {}
    }
    for name in &o.replaced {
        eprintln!("Replaced your own [profile {name}] (--force).");
    }
    for name in &o.skipped {
        eprintln!(
            "Skipped '{name}': {} already has a [profile {name}] that idbridge did not write. Rename it, or use --force to replace it.",
            aws_config.display()
        );
    }
    for name in &report.shadowed_by_static_keys {
        eprintln!(
            "warning: {} has static keys for profile '{name}': the AWS CLI and SDKs use them instead of idbridge. Remove that section.",
            aws_credentials.display()
        );
    }
    // 1, not 3: 3 means "sign-in needed" to scripts
    Ok(if o.skipped.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
