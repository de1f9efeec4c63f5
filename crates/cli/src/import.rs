//! `idbridge import PATH|https-URL`: shows what a team config would change in config.toml, asks, applies.
//! A change to where secrets are sent is listed apart and needs its own, typed yes (or
//! `--allow-sensitive`): `--yes` alone never sends a stored sign-in somewhere new.

use std::io::{BufRead, Write};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use idbridge_core::Idbridge;
use idbridge_core::config::import::{self, Action, ImportError};
use idbridge_core::sys::sanitize;

const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(30);

/// What the command line says about asking.
pub struct Asked {
    pub yes: bool,
    pub overwrite_local: bool,
    pub allow_sensitive: bool,
}

pub fn run(
    app: &Idbridge,
    runtime: &tokio::runtime::Runtime,
    source: String,
    asked: Asked,
) -> anyhow::Result<ExitCode> {
    let overwrite_local = asked.overwrite_local;
    // a path is remembered by its absolute form, so `import team.toml` from another directory matches
    let source = match std::fs::canonicalize(&source) {
        Ok(p) if !source.contains("://") => p.to_string_lossy().into_owned(),
        _ => source,
    };
    // SSL_CERT_FILE: further CAs to trust for the download (e.g. the company's own)
    let extra_roots = match std::env::var_os("SSL_CERT_FILE") {
        Some(f) => Some(
            std::fs::read(&f)
                .with_context(|| format!("cannot read SSL_CERT_FILE {}", sanitize::field(&f.to_string_lossy())))?,
        ),
        None => None,
    };
    let team = runtime.block_on(import::fetch(&source, extra_roots.as_deref(), DOWNLOAD_TIMEOUT))?;
    let config_file = &app.paths.config_file;
    let local = std::fs::read_to_string(config_file).unwrap_or_default();
    let base = std::fs::read_to_string(import::base_file(&app.paths.state_dir, &source)).ok();
    let mut plan = import::plan(&source, &team, &local, base.as_deref())?;
    eprintln!("Importing {} into {}:", plan.shown_source(), config_file.display());
    for c in &plan.changes {
        let (mark, what) = match c.action {
            Action::Add => ("+", "add"),
            Action::Update => ("~", "update"),
            Action::KeepLocalEdit if overwrite_local => ("!", "overwrite your edit of"),
            Action::KeepLocalEdit => ("!", "keep your edit of"),
            Action::Unchanged => ("=", "unchanged"),
        };
        eprintln!("  {mark} {what} [{}]", c.entry());
        for d in &c.details {
            eprintln!("      {d}");
        }
    }
    if plan.changes.iter().any(|c| c.action == Action::KeepLocalEdit) && !overwrite_local {
        eprintln!(
            "Entries marked '!' differ from the team's and were edited here: they stay as they are (--overwrite-local-edits takes the team's)."
        );
    }
    let sensitive: Vec<_> = plan.sensitive(overwrite_local).into_iter().cloned().collect();
    if !sensitive.is_empty() {
        eprintln!("Sensitive: these change where your sign-in, ID tokens or AWS keys are sent:");
        for s in &sensitive {
            eprintln!("  ⚠ {}", s.describe());
        }
        eprintln!("  (a stored sign-in is never sent to a new place: it needs a new sign-in after this)");
    }
    if !plan.writes_anything(overwrite_local) {
        eprintln!("Nothing to change.");
        return Ok(ExitCode::SUCCESS);
    }
    if !asked.yes && !confirm(&format!("Apply these changes to {}? [y/N] ", config_file.display()), &["y", "Y", "yes"])?
    {
        eprintln!("Nothing changed.");
        return Ok(ExitCode::from(1));
    }
    if !sensitive.is_empty() && !asked.allow_sensitive {
        if asked.yes {
            return Err(ImportError::SensitiveNotApproved { count: sensitive.len() }.into());
        }
        if !confirm("Send secrets to the new places listed under Sensitive? Type yes to allow: ", &["yes"])? {
            eprintln!("Nothing changed.");
            return Ok(ExitCode::from(1));
        }
    }
    plan.approve(sensitive);
    import::apply(&plan, config_file, &app.paths.state_dir, overwrite_local)?;
    eprintln!("Updated {} (your comments are kept).", config_file.display());
    Ok(ExitCode::SUCCESS)
}

fn confirm(question: &str, yes: &[&str]) -> anyhow::Result<bool> {
    eprint!("{question}");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(yes.contains(&answer.trim()))
}
