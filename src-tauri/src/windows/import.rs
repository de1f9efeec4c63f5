//! Settings' "Import team config": the core's three-way import (`idbridge import`), first as a preview
//! of what each entry would get, then applied to config.toml (comments kept) and the tray told.

use std::time::Duration;

use idbridge_core::config::import::{self, Action, ImportError, ImportPlan, KeyChange};
use idbridge_core::config::sensitive::SensitiveChange;
use idbridge_core::sys::sanitize;
use serde::Serialize;
use tauri::State;

use crate::ipc::{ToTray, tell_tray};
use crate::windows::{UiError, WindowCode, WindowState};

const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(30);

/// One entry of the team file as the window lists it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ChangeView {
    /// "providers.auth0"
    pub entry: String,
    /// "add", "update", "keep_local_edit" or "unchanged": the page names it in the person's language.
    pub action: Action,
    /// The ordinary keys it changes (sanitised by the core), phrased by the page: `import_removed` for
    /// a key the team dropped.
    pub keys: Vec<KeyChange>,
}

/// A change to where secrets are sent, shown apart: the page says what it does in the person's language
/// (`import_effect_KEY`) and sends `change` back, unchanged, as the person's yes to exactly it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SensitiveView {
    pub entry: String,
    pub key: String,
    /// Sanitised for the page; `None`: the default (discovered, or AWS's own).
    pub old: Option<String>,
    pub new: Option<String>,
    pub change: SensitiveChange,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Preview {
    pub changes: Vec<ChangeView>,
    /// What importing (with local edits overwritten when the person asks) would change about where
    /// secrets go: Import needs a separate yes to these.
    pub sensitive: Vec<SensitiveView>,
    pub sensitive_if_overwriting: Vec<SensitiveView>,
    /// Importing would write something (local edits only when overwriting them).
    pub writes: bool,
    pub writes_if_overwriting: bool,
}

pub fn preview(plan: &ImportPlan) -> Preview {
    Preview {
        changes: plan
            .changes
            .iter()
            .map(|c| ChangeView { entry: c.entry(), action: c.action, keys: c.keys.clone() })
            .collect(),
        sensitive: sensitive(plan, false),
        sensitive_if_overwriting: sensitive(plan, true),
        writes: plan.writes_anything(false),
        writes_if_overwriting: plan.writes_anything(true),
    }
}

fn sensitive(plan: &ImportPlan, overwrite_local: bool) -> Vec<SensitiveView> {
    let shown = |v: &Option<String>| v.as_deref().map(sanitize::field);
    plan.sensitive(overwrite_local)
        .into_iter()
        .map(|c| SensitiveView {
            entry: sanitize::field(&c.entry),
            key: sanitize::field(&c.key),
            old: shown(&c.old),
            new: shown(&c.new),
            change: c.clone(),
        })
        .collect()
}

fn ui_error(state: &WindowState, e: &ImportError) -> UiError {
    UiError::new(&state.tr, state.lang(), WindowCode::Import, e.to_string())
}

/// A path is remembered by its absolute form (as the CLI does), so the next import from it matches.
fn normalise(source: &str) -> String {
    let source = source.trim();
    match std::fs::canonicalize(source) {
        Ok(p) if !source.contains("://") => p.to_string_lossy().into_owned(),
        _ => source.to_string(),
    }
}

async fn plan(state: &WindowState, source: &str) -> Result<ImportPlan, UiError> {
    // SSL_CERT_FILE: further CAs to trust for the download (e.g. the company's own), as in the CLI
    let extra_roots = std::env::var_os("SSL_CERT_FILE").and_then(|f| std::fs::read(f).ok());
    let team =
        import::fetch(source, extra_roots.as_deref(), DOWNLOAD_TIMEOUT).await.map_err(|e| ui_error(state, &e))?;
    let paths = &state.core.paths;
    let local = std::fs::read_to_string(&paths.config_file).unwrap_or_default();
    let base = std::fs::read_to_string(import::base_file(&paths.state_dir, source)).ok();
    import::plan(source, &team, &local, base.as_deref()).map_err(|e| ui_error(state, &e))
}

#[tauri::command]
pub async fn preview_import(state: State<'_, WindowState>, source: String) -> Result<Preview, UiError> {
    Ok(preview(&plan(&state, &normalise(&source)).await?))
}

/// Fetches and plans again (the file may have changed since the preview), then writes. `approved`: the
/// sensitive changes the person said yes to, as the preview listed them; any other one is refused.
#[tauri::command]
pub async fn apply_import(
    state: State<'_, WindowState>,
    source: String,
    overwrite_local: bool,
    approved: Vec<SensitiveChange>,
) -> Result<Preview, UiError> {
    let mut plan = plan(&state, &normalise(&source)).await?;
    plan.approve(approved);
    if plan.writes_anything(overwrite_local) {
        let paths = &state.core.paths;
        import::apply(&plan, &paths.config_file, &paths.state_dir, overwrite_local)
            .map_err(|e| ui_error(&state, &e))?;
        state.wrote_config();
        tell_tray(&ToTray::ConfigSaved);
    }
    Ok(preview(&plan))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preview_names_each_entry_and_whether_anything_would_be_written() {
        let team = "[providers.a]\nissuer='https://i.example.com/'\nclient_id='c'\n";
        let plan = import::plan("team.toml", team, "", None).expect("a valid team file");
        let p = preview(&plan);
        let got: Vec<_> = p.changes.iter().map(|c| (c.entry.as_str(), c.action)).collect();
        assert_eq!(got, [("providers.a", Action::Add)]);
        assert!(p.writes && p.writes_if_overwriting);
        assert!(p.sensitive.is_empty());
    }

    #[test]
    fn a_change_to_where_secrets_go_is_listed_apart_with_the_values_sanitised() {
        let team = "[providers.a]\nissuer='https://i.example.com/'\nclient_id='c'\n\
                    token_endpoint=\"https://capture.example/\\u202e\\u001b]0;x\\u0007\"\n";
        let p = preview(&import::plan("team.toml", team, "", None).expect("a valid team file"));
        assert_eq!(p.sensitive.len(), 1);
        let s = &p.sensitive[0];
        assert_eq!((s.entry.as_str(), s.key.as_str(), s.old.as_deref()), ("providers.a", "token_endpoint", None));
        let new = s.new.as_deref().unwrap();
        assert!(new.starts_with("https://capture.example/") && !new.chars().any(|c| c.is_control() || c == '\u{202e}'));
        assert_eq!(s.change.new.as_deref(), Some("https://capture.example/\u{202e}\u{1b}]0;x\u{7}"), "sent back as is");
    }
}
