//! `idbridge import`: merging a team's shared TOML (providers and profiles) into the person's
//! config.toml. Three-way: what was imported last time from the same source is kept in the state
//! directory, so an entry the team changed is updated only where the person did not edit it themselves;
//! a local edit is never overwritten unless asked. Comments and layout of config.toml stay (toml_edit).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;
use toml_edit::{DocumentMut, Item};

use crate::config::Config;
use crate::config::sensitive::{self, SensitiveChange};
use crate::sys::sanitize;

/// A team config is a few KB; a bigger answer is not one.
pub const MAX_IMPORT_BYTES: usize = 256 * 1024;
const SECTIONS: [&str; 2] = ["providers", "profiles"];

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(
        "refusing {url}: a team config must come over https:// (a plain http download could be altered on the way)"
    )]
    NotHttps { url: String },
    #[error("cannot download {url}: {detail}")]
    Download { url: String, detail: String },
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("cannot read {source_name}: {problem}")]
    NotAFile { source_name: String, problem: String },
    #[error(
        "{source_name} sets `{key}` for [{entry}]: the program that opens the console is a local choice, and a team \
         config may not set it. Ask for it to be removed from the team file; set it yourself in config.toml if you want it"
    )]
    LocalOnly { source_name: String, entry: String, key: String },
    #[error(
        "the import changes where secrets are sent ({count} change(s) listed under \"Sensitive\"), and that needs your \
         explicit yes: run it again without --yes and answer, or add --allow-sensitive"
    )]
    SensitiveNotApproved { count: usize },
    #[error("config.toml or the team config changed since the preview: preview the import again")]
    ChangedSincePreview,
    #[error("{source_name} is larger than {} KB: not a team config", MAX_IMPORT_BYTES / 1024)]
    TooLarge { source_name: String },
    #[error("{source_name} is not TOML: {message}")]
    Syntax { source_name: String, message: String },
    #[error("{source_name} has no [providers.NAME] or [profiles.NAME] section")]
    Empty { source_name: String },
    #[error("after the import, config.toml would be refused: {0}")]
    Invalid(#[from] crate::config::ConfigError),
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Not in config.toml yet.
    Add,
    /// Changed by the team, untouched locally since the last import.
    Update,
    /// Differs from the team's and was edited locally (or never imported): kept unless overwriting is asked for.
    KeepLocalEdit,
    Unchanged,
}

/// One `[providers.X]` or `[profiles.X]` entry of the team file and what the import does with it.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub section: String,
    pub name: String,
    pub action: Action,
    /// Human-readable key changes, e.g. `region: "us-east-1" -> "ap-northeast-1"`, sanitised; the
    /// sensitive keys are not among them but in `sensitive`.
    pub details: Vec<String>,
    /// The same changes as data, for a window to phrase in the person's language.
    pub keys: Vec<KeyChange>,
    /// Changes to keys that move a secret ([`sensitive`]): applied only when approved.
    pub sensitive: Vec<SensitiveChange>,
}

/// One ordinary key's change, each part sanitised: `old` None: added; `new` None: removed. Values are
/// as TOML writes them (`"eu-west-1"`, `3600`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyChange {
    pub key: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportPlan {
    pub source: String,
    pub changes: Vec<Change>,
    #[serde(skip)]
    team_text: String,
    /// The sensitive changes the person said yes to ([`ImportPlan::approve`]).
    #[serde(skip)]
    approved: Vec<SensitiveChange>,
}

impl ImportPlan {
    /// Anything would be written (local edits count only when they are to be overwritten).
    pub fn writes_anything(&self, overwrite_local: bool) -> bool {
        self.changes.iter().any(|c| {
            matches!(c.action, Action::Add | Action::Update) || (overwrite_local && c.action == Action::KeepLocalEdit)
        })
    }

    /// The sensitive changes that applying would make.
    pub fn sensitive(&self, overwrite_local: bool) -> Vec<&SensitiveChange> {
        self.changes.iter().filter(|c| c.takes(overwrite_local)).flat_map(|c| &c.sensitive).collect()
    }

    /// The person said yes to exactly these sensitive changes (as shown to them): [`apply`] makes a
    /// sensitive change only if it is among them.
    pub fn approve(&mut self, shown: Vec<SensitiveChange>) {
        self.approved = shown;
    }

    /// A display name of the source: a URL without credentials or query, sanitised.
    pub fn shown_source(&self) -> String {
        sanitize::url(&self.source)
    }
}

impl Change {
    /// Applying writes this entry.
    pub fn takes(&self, overwrite_local: bool) -> bool {
        match self.action {
            Action::Add | Action::Update => true,
            Action::KeepLocalEdit => overwrite_local,
            Action::Unchanged => false,
        }
    }

    /// "profiles.dev", sanitised for a terminal or the window.
    pub fn entry(&self) -> String {
        sanitize::field(&format!("{}.{}", self.section, self.name))
    }
}

/// Reads a team file from a path, or downloads it from an https URL (redirects only to https, the size
/// capped). `extra_roots` is a PEM bundle of further CAs (e.g. a company CA) the front end passes in.
pub async fn fetch(source: &str, extra_roots: Option<&[u8]>, timeout: Duration) -> Result<String, ImportError> {
    let lower = source.to_ascii_lowercase();
    let bytes = if lower.starts_with("https://") {
        download(source, extra_roots, timeout).await?
    } else if lower.contains("://") {
        return Err(ImportError::NotHttps { url: sanitize::url(source) });
    } else {
        // the same cap as a download, by reading at most cap + 1 bytes: /dev/zero or a FIFO is no file
        crate::sys::safe_fs::read_outside(Path::new(source), MAX_IMPORT_BYTES as u64)
            .map_err(|e| ImportError::NotAFile { source_name: sanitize::field(source), problem: not_a_file(&e) })?
            .ok_or_else(|| ImportError::TooLarge { source_name: sanitize::field(source) })?
    };
    String::from_utf8(bytes)
        .map_err(|_| ImportError::Syntax { source_name: sanitize::url(source), message: "not UTF-8 text".into() })
}

/// What is wrong with a local source, without repeating its path.
fn not_a_file(e: &crate::sys::safe_fs::SafeFsError) -> String {
    match e {
        crate::sys::safe_fs::SafeFsError::Io { source, .. } => source.to_string(),
        crate::sys::safe_fs::SafeFsError::Unsafe { problem, .. } => problem.clone(),
    }
}

async fn download(url: &str, extra_roots: Option<&[u8]>, timeout: Duration) -> Result<Vec<u8>, ImportError> {
    let fail = |detail: String| ImportError::Download { url: sanitize::url(url), detail };
    let mut builder = crate::sys::http::builder(timeout).redirect(reqwest::redirect::Policy::custom(|a| {
        if a.url().scheme() != "https" {
            a.error("redirected to a non-https URL")
        } else if a.previous().len() >= 5 {
            a.error("too many redirects")
        } else {
            a.follow()
        }
    }));
    if let Some(pem) = extra_roots {
        for cert in reqwest::Certificate::from_pem_bundle(pem).map_err(|e| fail(format!("extra CA bundle: {e}")))? {
            builder = builder.add_root_certificate(cert);
        }
    }
    let client = builder.build().map_err(|e| fail(e.to_string()))?;
    // without the URL: a presigned download URL carries its credential in the query
    let mut response =
        client.get(url).send().await.map_err(|e| fail(crate::sys::sanitize::one_line(&e.without_url())))?;
    if !response.status().is_success() {
        return Err(fail(format!("HTTP {}", response.status().as_u16())));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| fail(e.to_string()))? {
        if body.len() + chunk.len() > MAX_IMPORT_BYTES {
            return Err(ImportError::TooLarge { source_name: sanitize::url(url) });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn parse(text: &str, source_name: &str) -> Result<toml::Table, ImportError> {
    toml::from_str(text).map_err(|e| ImportError::Syntax {
        source_name: sanitize::url(source_name),
        message: sanitize::field(e.message()),
    })
}

fn entries(t: &toml::Table, section: &str) -> BTreeMap<String, toml::Table> {
    t.get(section)
        .and_then(toml::Value::as_table)
        .map(|s| s.iter().filter_map(|(k, v)| Some((k.clone(), v.as_table()?.clone()))).collect())
        .unwrap_or_default()
}

/// Where the last import from `source` is remembered (the base of the three-way merge).
pub fn base_file(state_dir: &Path, source: &str) -> PathBuf {
    // FNV-1a: a stable file name for any source string
    let hash = source.bytes().fold(0xcbf29ce484222325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100000001b3));
    state_dir.join("imports").join(format!("{hash:016x}.toml"))
}

/// What importing `team_text` into `local_text` would do, against the last import `base_text`.
pub fn plan(
    source: &str,
    team_text: &str,
    local_text: &str,
    base_text: Option<&str>,
) -> Result<ImportPlan, ImportError> {
    let team = parse(team_text, source)?;
    let local = parse(local_text, "config.toml")?;
    let base = base_text.and_then(|b| parse(b, "the last import").ok()).unwrap_or_default();
    let mut changes = Vec::new();
    for section in SECTIONS {
        let (theirs, ours, before) = (entries(&team, section), entries(&local, section), entries(&base, section));
        for (name, t) in theirs {
            if let Some((_, key)) = sensitive::LOCAL_ONLY.iter().find(|(s, k)| *s == section && t.contains_key(*k)) {
                return Err(ImportError::LocalOnly {
                    source_name: sanitize::url(source),
                    entry: sanitize::field(&format!("{section}.{name}")),
                    key: key.to_string(),
                });
            }
            let empty = toml::Table::new();
            let o = ours.get(&name);
            let action = match o {
                None => Action::Add,
                Some(o) if *o == t => Action::Unchanged,
                Some(o) if before.get(&name) == Some(o) => Action::Update,
                Some(_) => Action::KeepLocalEdit,
            };
            let o = o.unwrap_or(&empty);
            let (details, keys) =
                if action == Action::Unchanged { Default::default() } else { describe(section, o, &t) };
            let sensitive = sensitive::changes(section, &name, o, &t);
            changes.push(Change { section: section.to_string(), name, action, details, keys, sensitive });
        }
    }
    if changes.is_empty() {
        return Err(ImportError::Empty { source_name: sanitize::url(source) });
    }
    Ok(ImportPlan { source: source.to_string(), changes, team_text: team_text.to_string(), approved: vec![] })
}

/// The ordinary key changes of one entry, as sanitised lines (the CLI's) and as sanitised data (the
/// window's): names, keys and values come from the team's file, so no escape sequence, bidi override or
/// newline reaches a terminal or the window.
fn describe(section: &str, ours: &toml::Table, theirs: &toml::Table) -> (Vec<String>, Vec<KeyChange>) {
    let keys: std::collections::BTreeSet<&String> = ours.keys().chain(theirs.keys()).collect();
    keys.into_iter()
        .filter(|k| !sensitive::is_sensitive(section, k))
        .filter_map(|k| {
            let (old, new) = (ours.get(k), theirs.get(k));
            let line = match (old, new) {
                (Some(a), Some(b)) if a == b => return None,
                (Some(a), Some(b)) => format!("{k}: {a} -> {b}"),
                (None, Some(b)) => format!("{k} = {b}"),
                (Some(a), None) => format!("{k}: {a} -> (removed)"),
                (None, None) => return None,
            };
            let shown = |v: Option<&toml::Value>| v.map(|v| sanitize::field(&v.to_string()));
            Some((sanitize::field(&line), KeyChange { key: sanitize::field(k), old: shown(old), new: shown(new) }))
        })
        .unzip()
}

/// Applies the plan to config.toml (comments kept), checks the result like a load, writes it
/// atomically, and remembers the team file as the base of the next import.
pub fn apply(
    plan: &ImportPlan,
    config_file: &Path,
    state_dir: &Path,
    overwrite_local: bool,
) -> Result<Config, ImportError> {
    let write_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ImportError::Write { path, source }
    };
    let unapproved = plan.sensitive(overwrite_local).into_iter().filter(|c| !plan.approved.contains(c)).count();
    if unapproved > 0 {
        return Err(ImportError::SensitiveNotApproved { count: unapproved });
    }
    let local_text = match std::fs::read_to_string(config_file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => return Err(ImportError::Read { path: config_file.into(), source }),
    };
    // what was shown is what is written: an edit of config.toml since the plan was made must not
    // turn into an overwrite the person did not see
    let base = std::fs::read_to_string(base_file(state_dir, &plan.source)).ok();
    let now = self::plan(&plan.source, &plan.team_text, &local_text, base.as_deref())?;
    let outline =
        |p: &ImportPlan| p.changes.iter().map(|c| (c.name.clone(), c.action, c.sensitive.clone())).collect::<Vec<_>>();
    if outline(&now) != outline(plan) {
        return Err(ImportError::ChangedSincePreview);
    }
    let syntax = |source_name: &str| {
        let source_name = source_name.to_string();
        move |e: toml_edit::TomlError| ImportError::Syntax { source_name, message: e.message().to_string() }
    };
    let mut doc: DocumentMut = local_text.parse().map_err(syntax("config.toml"))?;
    let team: DocumentMut = plan.team_text.parse().map_err(syntax(&plan.source))?;
    for c in &plan.changes {
        let take = c.takes(overwrite_local);
        let Some(theirs) = team.get(&c.section).and_then(|s| s.get(&c.name)).and_then(Item::as_table) else { continue };
        if !take {
            continue;
        }
        let section = crate::config::edit::table(&mut doc, &c.section);
        match section.get_mut(&c.name).and_then(Item::as_table_mut) {
            // an entry of the person's: its own comments and key order stay, values become the team's
            Some(ours) => {
                let gone: Vec<String> =
                    ours.iter().map(|(k, _)| k.to_string()).filter(|k| !theirs.contains_key(k)).collect();
                for k in gone {
                    ours.remove(&k);
                }
                for (k, v) in theirs.iter() {
                    match (ours.get_mut(k).and_then(Item::as_value_mut), v.as_value()) {
                        (Some(existing), Some(new)) => {
                            let decor = existing.decor().clone();
                            *existing = new.clone();
                            *existing.decor_mut() = decor;
                        }
                        _ => {
                            ours.insert(k, v.clone());
                        }
                    }
                }
            }
            None => {
                let mut table = theirs.clone();
                // positions come from the team's file: place the new entry after everything already here
                let mut next = max_position(doc.as_table()) + 1;
                renumber(&mut table, &mut next);
                crate::config::edit::table(&mut doc, &c.section).insert(&c.name, Item::Table(table));
            }
        }
    }
    let text = doc.to_string();
    let config = Config::parse(&text, config_file)?;
    // a config.toml linked from a dotfiles repository stays a link (as Settings writes it)
    let target = crate::sys::safe_fs::resolve_link(config_file).map_err(write_err(config_file))?;
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir).map_err(write_err(&target))?;
    }
    crate::sys::atomic::write_atomically(&target, text.as_bytes(), 0o600).map_err(write_err(&target))?;
    let base = base_file(state_dir, &plan.source);
    crate::sys::atomic::write_private_atomically(&base, plan.team_text.as_bytes()).map_err(write_err(&base))?;
    Ok(config)
}

fn max_position(t: &toml_edit::Table) -> usize {
    t.iter()
        .filter_map(|(_, v)| v.as_table())
        .map(|sub| sub.position().unwrap_or(0).max(max_position(sub)))
        .max()
        .unwrap_or(0)
}

fn renumber(t: &mut toml_edit::Table, next: &mut usize) {
    t.set_position(*next);
    *next += 1;
    for (_, v) in t.iter_mut() {
        if let Some(sub) = v.as_table_mut() {
            renumber(sub, next);
        }
    }
}

#[cfg(test)]
#[path = "import_tests.rs"]
mod tests;
