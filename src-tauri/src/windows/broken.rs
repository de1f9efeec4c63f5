//! A config.toml that cannot be used, as Settings shows it: the file, the line and key, and what is
//! wrong in the person's language, with a way to open the file in the system's editor.

use idbridge_core::config::ConfigError;
use idbridge_core::sys::sanitize;
use serde::Serialize;
use tauri::State;

use crate::i18n::reason;
use crate::windows::{UiError, WindowCode, WindowState};

#[derive(Serialize)]
pub struct ConfigProblem {
    pub path: String,
    pub line: Option<usize>,
    pub key: Option<String>,
    /// One sentence in the person's language.
    pub what: String,
    /// The core's English message, for a bug report.
    pub details: String,
}

pub fn problem(state: &WindowState, e: &idbridge_core::Error) -> ConfigProblem {
    let (tr, lang) = (&state.tr, state.lang());
    let path = &state.core.paths.config_file;
    let spot = match e {
        idbridge_core::Error::Config(c @ (ConfigError::Invalid { .. } | ConfigError::Syntax { .. })) => {
            std::fs::read_to_string(path).ok().and_then(|text| idbridge_core::config::spot::spot(&text, c))
        }
        _ => None,
    };
    let key = spot.as_ref().and_then(|s| s.key.as_deref()).map(sanitize::field);
    let what = match (&spot, &key) {
        (Some(s), Some(key)) if s.unknown => tr.t(lang, "config-unknown-key", &[("key", key.into())]),
        (Some(_), Some(key)) => {
            // the form's sentence for the field says what a valid value looks like
            let leaf = key.rsplit('.').next().unwrap_or(key);
            let field = UiError::field(tr, lang, leaf, "").message;
            tr.t(lang, "config-bad-value", &[("key", key.into()), ("expected", field.as_str().into())])
        }
        (Some(_), None) => tr.s(lang, "config-syntax"),
        (None, _) => reason(tr, lang, e.code().as_str()),
    };
    ConfigProblem {
        path: path.display().to_string(),
        line: spot.and_then(|s| s.line),
        key,
        what,
        details: sanitize::one_line(e),
    }
}

/// "Open config.toml": the system's editor for text files, not waited for.
#[tauri::command]
pub fn open_config(state: State<'_, WindowState>) -> Result<(), UiError> {
    let path = state.core.paths.config_file.clone();
    #[cfg(target_os = "linux")]
    let mut command = std::process::Command::new("xdg-open");
    #[cfg(target_os = "macos")]
    let mut command = {
        let mut c = std::process::Command::new("open");
        c.arg("-t");
        c
    };
    #[cfg(windows)]
    let mut command = std::process::Command::new("notepad.exe");
    #[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
    let mut command = std::process::Command::new("xdg-open");
    let fail = |e: std::io::Error| UiError::new(&state.tr, state.lang(), WindowCode::Editor, e.to_string());
    let mut child = command.arg(&path).stdin(std::process::Stdio::null()).spawn().map_err(fail)?;
    // reaped when it ends: no zombie for as long as Settings stays open
    std::thread::spawn(move || child.wait());
    Ok(())
}
