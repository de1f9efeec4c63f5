//! What the window processes (Settings, Sign in) share: their managed state, opening the one window,
//! errors as the web view sees them, and the small commands every page uses.

pub mod autostart;
pub mod broken;
pub mod doctor;
pub mod follow;
pub mod import;
pub mod merge;
pub mod settings;
pub mod setup;
pub mod signin;

use std::sync::{Arc, Mutex};

use idbridge_core::{ErrorCode, Idbridge};
use serde::Serialize;
use tauri::{AppHandle, LogicalSize, Manager, Runtime, State, WebviewUrl, WebviewWindowBuilder};
use tauri_plugin_clipboard_manager::ClipboardExt;

use crate::i18n::{Arg, Lang, Tr, reason};

pub struct WindowState {
    pub core: Arc<Idbridge>,
    pub tr: Tr,
    /// The stamp of config.toml as this window last wrote it: its own saves are not news to the page.
    pub written: Arc<Mutex<String>>,
}

impl WindowState {
    pub fn new(core: Arc<Idbridge>) -> Self {
        Self { core, tr: Tr::new(), written: Arc::default() }
    }

    /// Remembers what a save of this window made of config.toml.
    pub fn wrote_config(&self) {
        let stamp = follow::stamp(&self.core.paths.config_file);
        if let Ok(mut w) = self.written.lock() {
            *w = stamp;
        }
    }

    /// The language config.toml asks for, else the OS's (read each time: Settings may just have changed it).
    /// A config.toml that does not load still says its language if it is TOML: a broken file is explained
    /// in the language the person chose.
    pub fn lang(&self) -> Lang {
        let configured = match self.core.load_config() {
            Ok(c) => c.app.language,
            Err(_) => std::fs::read_to_string(&self.core.paths.config_file)
                .ok()
                .and_then(|text| text.parse::<toml_edit::DocumentMut>().ok())
                .and_then(|doc| doc.get("app")?.get("language")?.as_str().map(str::to_owned))
                .and_then(|code| Lang::ALL.into_iter().find(|l| l.code() == code)),
        };
        crate::i18n::pick(configured)
    }

    pub fn error(&self, e: &idbridge_core::Error) -> UiError {
        UiError::from_core(&self.tr, self.lang(), e)
    }

    pub fn field_error(&self, field: &str) -> UiError {
        UiError::field(&self.tr, self.lang(), field, "")
    }
}

/// An error as the web view sees it: a stable code to branch on, one localised sentence for the
/// person, the technical message as copyable Details, and the form field it belongs to.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct UiError {
    pub code: UiCode,
    pub message: String,
    pub details: String,
    pub field: Option<String>,
    /// The other fields of the same form refused by the same Save: a form shows them all at once.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<UiError>,
}

/// A window's error code: the core's, or one of the windows' own. Serialised as its snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum UiCode {
    Core(ErrorCode),
    Window(WindowCode),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowCode {
    /// No browser could be opened.
    Browser,
    /// The start-at-login entry could not be changed.
    Autostart,
    /// A team config could not be imported.
    Import,
    /// A form field holds a value that is not valid.
    Invalid,
    /// No editor could be started for config.toml.
    Editor,
}

impl UiCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Core(code) => code.as_str(),
            Self::Window(WindowCode::Browser) => "browser",
            Self::Window(WindowCode::Autostart) => "autostart",
            Self::Window(WindowCode::Import) => "import",
            Self::Window(WindowCode::Invalid) => "invalid",
            Self::Window(WindowCode::Editor) => "editor",
        }
    }
}

impl From<ErrorCode> for UiCode {
    fn from(code: ErrorCode) -> Self {
        Self::Core(code)
    }
}

impl From<WindowCode> for UiCode {
    fn from(code: WindowCode) -> Self {
        Self::Window(code)
    }
}

impl UiError {
    pub fn new(tr: &Tr, lang: Lang, code: impl Into<UiCode>, details: impl Into<String>) -> Self {
        let code = code.into();
        // details carry IdP/STS/file text: escapes and control characters are shown, not acted on
        let details = idbridge_core::sys::sanitize::message(&details.into());
        Self { code, message: reason(tr, lang, code.as_str()), details, field: None, also: vec![] }
    }

    pub fn field(tr: &Tr, lang: Lang, field: &str, details: &str) -> Self {
        let id = format!("field-{field}");
        let message = tr.s(lang, &id);
        let message = if message == id { reason(tr, lang, ErrorCode::Config.as_str()) } else { message };
        let details = idbridge_core::sys::sanitize::message(details);
        Self { code: WindowCode::Invalid.into(), message, details, field: Some(field.into()), also: vec![] }
    }

    /// One error carrying all of `errors` (one per field: the first of a field is kept), or none.
    pub fn all(errors: Vec<UiError>) -> Result<(), UiError> {
        let mut seen = std::collections::BTreeSet::new();
        let mut errors = errors.into_iter().filter(|e| e.field.is_none() || seen.insert(e.field.clone()));
        let Some(mut first) = errors.next() else { return Ok(()) };
        first.also = errors.collect();
        Err(first)
    }

    pub fn from_core(tr: &Tr, lang: Lang, e: &idbridge_core::Error) -> Self {
        use idbridge_core::config::ConfigError;
        match e {
            // "profiles.dev.role_arn: an IAM role ARN …" → the field role_arn, and a sentence for it
            idbridge_core::Error::Config(ConfigError::Invalid { key, expected, .. }) => {
                Self::field(tr, lang, key.rsplit('.').next().unwrap_or(key), expected)
            }
            other => Self::new(tr, lang, other.code(), idbridge_core::sys::sanitize::one_line(other)),
        }
    }
}

/// Opens the process's one window (`settings` or `signin`), titled in the person's language.
pub fn open<R: Runtime>(app: &AppHandle<R>, label: &str, title_args: &[(&str, Arg<'_>)]) -> tauri::Result<()> {
    let state = app.state::<WindowState>();
    let lang = state.lang();
    let (title_id, width, height) = match label {
        "signin" => ("title_signin", 440.0, 360.0),
        _ => ("title_settings", 780.0, 680.0),
    };
    WebviewWindowBuilder::new(app, label, WebviewUrl::App(format!("{label}.html").into()))
        .title(state.tr.t(lang, title_id, title_args))
        .inner_size(width, height)
        .min_inner_size(360.0, 160.0)
        .resizable(label != "signin")
        .icon(tauri::image::Image::from_bytes(include_bytes!("../../../icons/128x128.png"))?)?
        .center()
        .build()?;
    Ok(())
}

/// Raises the window (the tray wrote `focus`, e.g. the person chose the menu item again).
pub fn raise<R: Runtime>(app: &AppHandle<R>) {
    for w in app.webview_windows().values() {
        let _ = w.unminimize().and_then(|()| w.show()).and_then(|()| w.set_focus());
    }
}

#[derive(Serialize)]
pub struct UiStrings {
    pub lang: &'static str,
    pub strings: std::collections::BTreeMap<String, String>,
}

/// Every string of the page's language (from the same Fluent files as the menu).
#[tauri::command]
pub fn ui_strings(state: State<'_, WindowState>) -> UiStrings {
    let lang = state.lang();
    UiStrings { lang: lang.code(), strings: state.tr.table(lang) }
}

/// The page has its strings and listens to keys (logged: tests wait for it before typing).
#[tauri::command]
pub fn page_ready<R: Runtime>(window: tauri::WebviewWindow<R>) {
    eprintln!("idbridge-app: {} window ready", window.label());
}

/// Settings' title in the language just chosen (the title bar is not part of the page).
#[tauri::command]
pub fn retitle<R: Runtime>(window: tauri::WebviewWindow<R>, state: State<'_, WindowState>) {
    if window.label() == "settings" {
        let _ = window.set_title(&state.tr.s(state.lang(), "title_settings"));
    }
}

/// Escape and Ctrl+W.
#[tauri::command]
pub fn close_window<R: Runtime>(window: tauri::WebviewWindow<R>) {
    let _ = window.close();
}

/// Makes the window as tall as its content (no empty space below, nothing cut off).
#[tauri::command]
pub fn fit_window<R: Runtime>(window: tauri::WebviewWindow<R>, height: f64) {
    let height = height.clamp(160.0, 900.0);
    if let Ok(size) = window.inner_size()
        && let Ok(scale) = window.scale_factor()
    {
        let _ = window.set_size(LogicalSize::new(f64::from(size.width) / scale, height));
    }
}

/// Copies the user code or an error's details (text the page already shows).
#[tauri::command]
pub fn copy_text<R: Runtime>(app: AppHandle<R>, text: String) -> bool {
    let text: String = text.chars().take(4000).collect();
    app.clipboard().write_text(text).is_ok()
}
