//! `idbridge import PATH|https-URL`: shows what a team config would change in config.toml, asks, applies.

use std::io::{BufRead, Write};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use idbridge_core::Idbridge;
use idbridge_core::config::import::{self, Action};

const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(30);

pub fn run(
    app: &Idbridge,
    runtime: &tokio::runtime::Runtime,
    source: String,
    yes: bool,
    overwrite_local: bool,
) -> anyhow::Result<ExitCode> {
    // a path is remembered by its absolute form, so `import team.toml` from another directory matches
    let source = match std::fs::canonicalize(&source) {
        Ok(p) if !source.contains("://") => p.to_string_lossy().into_owned(),
        _ => source,
    };
    // SSL_CERT_FILE: further CAs to trust for the download (e.g. the company's own)
    let extra_roots = match std::env::var_os("SSL_CERT_FILE") {
        Some(f) => {
            Some(std::fs::read(&f).with_context(|| format!("cannot read SSL_CERT_FILE {}", f.to_string_lossy()))?)
        }
        None => None,
    };
    let team = runtime.block_on(import::fetch(&source, extra_roots.as_deref(), DOWNLOAD_TIMEOUT))?;
    let config_file = &app.paths.config_file;
    let local = std::fs::read_to_string(config_file).unwrap_or_default();
    let base = std::fs::read_to_string(import::base_file(&app.paths.state_dir, &source)).ok();
    let plan = import::plan(&source, &team, &local, base.as_deref())?;
    eprintln!("Importing {source} into {}:", config_file.display());
    for c in &plan.changes {
        let (mark, what) = match c.action {
            Action::Add => ("+", "add"),
            Action::Update => ("~", "update"),
            Action::KeepLocalEdit if overwrite_local => ("!", "overwrite your edit of"),
            Action::KeepLocalEdit => ("!", "keep your edit of"),
            Action::Unchanged => ("=", "unchanged"),
        };
        eprintln!("  {mark} {what} [{}.{}]", c.section, c.name);
        for d in &c.details {
            eprintln!("      {d}");
        }
    }
    if plan.changes.iter().any(|c| c.action == Action::KeepLocalEdit) && !overwrite_local {
        eprintln!(
            "Entries marked '!' differ from the team's and were edited here: they stay as they are (--overwrite-local-edits takes the team's)."
        );
    }
    if !plan.writes_anything(overwrite_local) {
        eprintln!("Nothing to change.");
        return Ok(ExitCode::SUCCESS);
    }
    if !yes && !confirm(&format!("Apply these changes to {}? [y/N] ", config_file.display()))? {
        eprintln!("Nothing changed.");
        return Ok(ExitCode::from(1));
    }
    import::apply(&plan, config_file, &app.paths.state_dir, overwrite_local)?;
    eprintln!("Updated {} (your comments are kept).", config_file.display());
    Ok(ExitCode::SUCCESS)
}

fn confirm(question: &str) -> anyhow::Result<bool> {
    eprint!("{question}");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}
