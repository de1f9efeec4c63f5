//! `~/.aws/config`: idbridge's profiles live in one marked block that idbridge owns; every byte outside
//! it stays as the person wrote it. A profile of the same name outside the block is the person's and is
//! never overwritten (unless forced). Also spots static keys in `~/.aws/credentials`, which the AWS CLI
//! would silently prefer over credential_process.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const BEGIN: &str =
    "# >>> idbridge managed profiles (edit with `idbridge configure-aws`; changes here are replaced) >>>";
pub const END: &str = "# <<< idbridge managed profiles <<<";

/// One `[profile NAME]` section idbridge writes.
#[derive(Debug, Clone, PartialEq)]
pub struct ManagedProfile {
    pub name: String,
    pub region: String,
}

#[derive(Debug, Default, PartialEq)]
pub struct Outcome {
    pub text: String,
    pub written: Vec<String>,
    /// Profiles the person defined themselves outside the block: left alone.
    pub skipped: Vec<String>,
    /// Profiles taken over from outside the block because of `force`.
    pub replaced: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum AwsConfigError {
    #[error(
        "{path} has idbridge's block markers out of order, unpaired or more than once: fix or remove the marker lines by hand"
    )]
    BrokenBlock { path: String },
    #[error("cannot {action} {path}: {source}")]
    Io { action: &'static str, path: PathBuf, source: std::io::Error },
}

/// What `configure` did to the files.
#[derive(Debug)]
pub struct Report {
    pub outcome: Outcome,
    pub changed: bool,
    /// The copy of the person's file made before idbridge first edited it.
    pub backup: Option<PathBuf>,
    /// Profiles idbridge manages that also have static keys in the shared credentials file.
    pub shadowed_by_static_keys: Vec<String>,
}

/// An AWS CLI file is far below this; a bigger one is not one.
pub(crate) const AWS_FILE_MAX: u64 = 1024 * 1024;

fn read_or_empty(path: &Path) -> Result<Option<String>, AwsConfigError> {
    crate::sys::safe_fs::read_outside_text(path, AWS_FILE_MAX).map_err(|source| AwsConfigError::Io {
        action: "read",
        path: path.to_owned(),
        source,
    })
}

/// Applies the managed block to the AWS config file: a backup before the first edit, an atomic write
/// that keeps the file's mode, nothing written when nothing changes.
pub fn configure(
    config_path: &Path,
    credentials_path: &Path,
    program: &str,
    profiles: &[ManagedProfile],
    force: bool,
) -> Result<Report, AwsConfigError> {
    let io = |action, source| AwsConfigError::Io { action, path: config_path.to_owned(), source };
    let existing = read_or_empty(config_path)?;
    let text = existing.clone().unwrap_or_default();
    let outcome = apply(&text, &config_path.display().to_string(), program, profiles, force)?;
    let changed = outcome.text != text;
    let mut backup = None;
    if changed {
        // a dotfiles setup links ~/.aws/config into a repository: write the target, keep the link
        let target = crate::sys::safe_fs::resolve_link(config_path).map_err(|e| io("follow the link", e))?;
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io("create the directory of", e))?;
        }
        if existing.is_some() {
            backup = write_backup(config_path, text.as_bytes()).map_err(|e| io("back up", e))?;
        }
        // the person's own mode stays (Unix); a new file is private
        #[cfg(unix)]
        let mode = existing
            .as_ref()
            .and_then(|_| std::fs::metadata(&target).ok())
            .map_or(0o600, |m| std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o777);
        #[cfg(not(unix))]
        let mode = 0o600;
        crate::sys::atomic::write_atomically(&target, outcome.text.as_bytes(), mode).map_err(|e| io("write", e))?;
    }
    let creds = read_or_empty(credentials_path)?.unwrap_or_default();
    let shadowed_by_static_keys =
        static_key_profiles(&creds).into_iter().filter(|n| profiles.iter().any(|p| &p.name == n)).collect();
    Ok(Report { outcome, changed, backup, shadowed_by_static_keys })
}

/// The copy of the person's file made before idbridge first edits it: `<file>.idbridge-backup` beside the
/// path they use. Created new (O_EXCL, 0600): an existing backup, or a symlink planted in its place
/// (even a dangling one), is never written through.
fn write_backup(config_path: &Path, bytes: &[u8]) -> std::io::Result<Option<PathBuf>> {
    use std::io::Write;
    let b = PathBuf::from(format!("{}.idbridge-backup", config_path.display()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(&b) {
        Ok(mut f) => {
            f.write_all(bytes)?;
            f.sync_all()?;
            Ok(Some(b))
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(None),
        Err(e) => Err(e),
    }
}

/// Quotes a program path for credential_process the way botocore splits the value on this system:
/// like a POSIX shell, or on Windows like the C runtime's command line parser.
pub fn quote(path: &str) -> String {
    if cfg!(windows) { quote_windows(path) } else { quote_posix(path) }
}

/// Double quotes, with `\` and `"` escaped (shlex.split).
pub fn quote_posix(path: &str) -> String {
    format!("\"{}\"", path.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Double quotes; backslashes stay as they are except in a run that ends at a quote, which is doubled
/// (botocore's `_windows_shell_split`, CommandLineToArgvW): `C:\Program Files\idbridge\idbridge.exe`.
pub fn quote_windows(path: &str) -> String {
    let mut out = String::from("\"");
    let mut backslashes = 0;
    for c in path.chars() {
        match c {
            '\\' => backslashes += 1,
            '"' => {
                out.push_str(&"\\".repeat(2 * backslashes + 1));
                out.push('"');
                backslashes = 0;
            }
            c => {
                out.push_str(&"\\".repeat(backslashes));
                out.push(c);
                backslashes = 0;
            }
        }
    }
    out.push_str(&"\\".repeat(2 * backslashes));
    out.push('"');
    out
}

fn section(p: &ManagedProfile, program: &str) -> String {
    format!(
        "[profile {name}]\ncredential_process = {prog} credential-process --profile {name}\nregion = {region}\n",
        name = p.name,
        prog = quote(program),
        region = p.region
    )
}

/// The inside of an INI header line: `[profile dev]` → "profile dev".
pub(crate) fn header(line: &str) -> Option<&str> {
    Some(line.trim().strip_prefix('[')?.strip_suffix(']')?.trim())
}

/// The profile a header of the config file opens: `[profile dev]` → dev, `[default]` → default.
/// Other sections (`[sso-session x]`, `[services x]`) open no profile but still end the one before.
fn header_name(line: &str) -> Option<&str> {
    header(line).map(|h| match h.strip_prefix("profile ") {
        Some(name) => name.trim(),
        None if h == "default" => h,
        None => "",
    })
}

/// Markers of a block out of order, unpaired or more than once.
#[derive(Debug)]
pub(crate) struct BrokenMarkers;

/// The line numbers of the one marked block's `begin` and `end` lines, if `text` has a block. Exactly one
/// start before exactly one end: with two of either, which lines are idbridge's is a guess, and a guess
/// could drop the person's lines or leave a marker that breaks the next run.
pub(crate) fn block_bounds(text: &str, begin: &str, end: &str) -> Result<Option<(usize, usize)>, BrokenMarkers> {
    let at = |marker: &str| -> Vec<usize> {
        text.lines().enumerate().filter(|(_, l)| l.trim_end() == marker).map(|(i, _)| i).collect()
    };
    match (at(begin).as_slice(), at(end).as_slice()) {
        ([], []) => Ok(None),
        (&[b], &[e]) if b < e => Ok(Some((b, e))),
        _ => Err(BrokenMarkers),
    }
}

/// Splits `text` into the part before the block, the managed sections by name, and the part after.
fn split(text: &str, path: &str) -> Result<(String, BTreeMap<String, String>, String), AwsConfigError> {
    let Some((b, e)) =
        block_bounds(text, BEGIN, END).map_err(|_| AwsConfigError::BrokenBlock { path: path.to_string() })?
    else {
        return Ok((text.to_string(), BTreeMap::new(), String::new()));
    };
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let before = lines[..b].concat();
    let after = lines[e + 1..].concat();
    Ok((before, sections(&lines[b + 1..e], header_name), after))
}

/// The sections of a block's lines by name (a header to the next), each with its lines.
pub(crate) fn sections(lines: &[&str], name_of: fn(&str) -> Option<&str>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut current: Option<(String, String)> = None;
    for line in lines {
        if let Some(name) = name_of(line) {
            out.extend(current.take());
            current = Some((name.to_string(), String::new()));
        }
        if let Some((_, body)) = current.as_mut() {
            body.push_str(line);
        }
    }
    out.extend(current);
    out
}

/// Writes `profiles` into the managed block of `text` (creating the block at the end if needed), keeping
/// the managed profiles not named and everything outside the block as it is.
pub fn apply(
    text: &str,
    path: &str,
    program: &str,
    profiles: &[ManagedProfile],
    force: bool,
) -> Result<Outcome, AwsConfigError> {
    let (mut before, mut managed, mut after) = split(text, path)?;
    let mut outcome = Outcome::default();
    for p in profiles {
        if outside_names(&before).chain(outside_names(&after)).any(|n| n == p.name) {
            if !force {
                outcome.skipped.push(p.name.clone());
                continue;
            }
            before = remove_section(&before, &p.name);
            after = remove_section(&after, &p.name);
            outcome.replaced.push(p.name.clone());
        }
        managed.insert(p.name.clone(), section(p, program));
        outcome.written.push(p.name.clone());
    }
    let mut block = String::new();
    if !managed.is_empty() {
        block.push_str(BEGIN);
        block.push('\n');
        for body in managed.values() {
            block.push_str(body.trim_end_matches('\n'));
            block.push_str("\n\n");
        }
        block.truncate(block.trim_end_matches('\n').len());
        block.push('\n');
        block.push_str(END);
        block.push('\n');
    }
    if !before.is_empty() && !before.ends_with('\n') {
        before.push('\n');
    }
    if text.lines().all(|l| l.trim_end() != BEGIN) && !before.trim().is_empty() && !block.is_empty() {
        before.push('\n'); // a blank line between the person's text and a new block
    }
    outcome.text = format!("{before}{block}{after}");
    Ok(outcome)
}

fn outside_names(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter_map(header_name).filter(|n| !n.is_empty())
}

/// Removes one section (header to the next header) from text outside the block (`force`).
fn remove_section(text: &str, name: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in text.split_inclusive('\n') {
        if let Some(n) = header_name(line) {
            skipping = n == name;
        }
        if !skipping {
            out.push_str(line);
        }
    }
    out
}

/// `credential_process` of `[profile NAME]` inside idbridge's block, if any.
pub fn managed_credential_process<'t>(text: &'t str, name: &str) -> Option<&'t str> {
    let mut inside = false;
    let mut in_profile = false;
    for line in text.lines() {
        let t = line.trim();
        if t == BEGIN {
            inside = true;
        } else if t == END {
            inside = false;
        } else if inside && t.starts_with('[') {
            in_profile = t.trim_start_matches('[').trim_end_matches(']').trim() == format!("profile {name}");
        } else if inside
            && in_profile
            && let Some((k, v)) = t.split_once('=')
            && k.trim() == "credential_process"
        {
            return Some(v.trim());
        }
    }
    None
}

/// Profiles of a shared credentials file (`[NAME]` sections) that hold static access keys (idbridge's own
/// block of session keys left out).
pub fn static_key_profiles(credentials_text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<&str> = None;
    let persons = crate::aws::shared_credentials::outside_block(credentials_text);
    for line in persons.lines() {
        if let Some(n) = header(line) {
            current = Some(n);
        } else if let (Some(n), Some((key, _))) = (current, line.split_once('='))
            && key.trim().eq_ignore_ascii_case("aws_access_key_id")
            && !out.iter().any(|o| o == n)
        {
            out.push(n.to_string());
        }
    }
    out
}

#[cfg(test)]
#[path = "config_file_tests.rs"]
mod tests;
