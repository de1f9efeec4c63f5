//! Commands of the Settings window: providers, profiles and app settings, saved to the same
//! config.toml the CLI reads (format-preserving, checked before writing). The window never receives a
//! token, a key or a console URL.

use std::collections::BTreeMap;

use idbridge_core::config::{Config, Profile, Provider};
use idbridge_core::config_edit::ConfigEditor;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, Runtime, State};
use tauri_plugin_autostart::ManagerExt;

use crate::UiError;
use crate::state::AppState;

#[derive(Serialize)]
pub struct SettingsView {
    pub config_path: String,
    pub config_error: Option<String>,
    pub providers: BTreeMap<String, ProviderForm>,
    pub profiles: BTreeMap<String, ProfileForm>,
    pub notify_minutes: u32,
    /// "en" or "ja": what the UI shows now.
    pub language: &'static str,
    /// What config.toml says (None: follow the OS).
    pub language_setting: Option<String>,
    pub autostart: bool,
}

#[derive(Serialize, Deserialize, Clone)]
pub struct ProviderForm {
    pub issuer: String,
    pub client_id: String,
    pub scopes: Vec<String>,
}

#[derive(Serialize, Deserialize, Clone)]
pub struct ProfileForm {
    pub provider: String,
    pub role_arn: String,
    pub region: String,
    pub duration_seconds: u32,
    pub session_name_claim: Option<String>,
    pub console_destination: Option<String>,
}

fn blank(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// The language the windows use ("en" or "ja").
#[tauri::command]
pub fn ui_language(state: State<'_, AppState>) -> &'static str {
    state.lang().code()
}

#[tauri::command]
pub fn get_settings<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> SettingsView {
    state.reload_config();
    let inner = state.lock();
    let config = inner.config.clone().unwrap_or_default();
    SettingsView {
        config_path: state.core.paths.config_file.display().to_string(),
        config_error: inner.config_error.clone(),
        providers: config
            .providers
            .iter()
            .map(|(k, p)| (k.clone(), ProviderForm { issuer: p.issuer.clone(), client_id: p.client_id.clone(), scopes: p.scopes.clone() }))
            .collect(),
        profiles: config
            .profiles
            .iter()
            .map(|(k, p)| {
                (k.clone(), ProfileForm {
                    provider: p.provider.clone(),
                    role_arn: p.role_arn.clone(),
                    region: p.region.clone(),
                    duration_seconds: p.duration_seconds,
                    session_name_claim: p.session_name_claim.clone(),
                    console_destination: p.console_destination.clone(),
                })
            })
            .collect(),
        notify_minutes: config.app.notify_before_expiry_minutes,
        language: inner.lang.unwrap_or(crate::i18n::Lang::En).code(),
        language_setting: config.app.language.clone(),
        autostart: app.autolaunch().is_enabled().unwrap_or(false),
    }
}

/// Opens config.toml, applies `change`, checks and writes it, then lets the app pick it up.
fn edit<R: Runtime>(app: &AppHandle<R>, change: impl FnOnce(&mut ConfigEditor, &Config) -> Result<(), UiError>) -> Result<(), UiError> {
    let state = app.state::<AppState>();
    let path = state.core.paths.config_file.clone();
    let mut editor = ConfigEditor::open(&path).map_err(|e| UiError::from(&idbridge_core::Error::from(e)))?;
    let current = state.lock().config.clone().unwrap_or_default();
    change(&mut editor, &current)?;
    editor.save(&path).map_err(UiError::from_edit)?;
    crate::settings_process::announce_saved();
    state.reload_config();
    state.wake.notify_one();
    crate::tray::update(app);
    Ok(())
}

fn check_name(name: &str) -> Result<(), UiError> {
    if idbridge_core::config::is_valid_name(name) {
        Ok(())
    } else {
        Err(UiError::field("invalid", "name", "Use letters, digits, '-', '_' or '.' (at most 64)."))
    }
}

#[tauri::command]
pub fn save_provider<R: Runtime>(app: AppHandle<R>, name: String, form: ProviderForm) -> Result<(), UiError> {
    check_name(&name)?;
    edit(&app, |e, current| {
        let params = current.providers.get(&name).map(|p| p.params.clone()).unwrap_or_default();
        let scopes: Vec<String> = form.scopes.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
        e.set_provider(&name, &Provider { issuer: form.issuer.trim().into(), client_id: form.client_id.trim().into(), scopes, params, flow: Default::default() });
        Ok(())
    })
}

#[tauri::command]
pub fn save_profile<R: Runtime>(app: AppHandle<R>, name: String, form: ProfileForm) -> Result<(), UiError> {
    check_name(&name)?;
    edit(&app, |e, current| {
        let old = current.profiles.get(&name);
        e.set_profile(&name, &Profile {
            provider: form.provider,
            role_arn: form.role_arn.trim().into(),
            region: form.region.trim().into(),
            duration_seconds: form.duration_seconds,
            session_name_claim: blank(form.session_name_claim),
            // endpoints are for VPC endpoints and tests: kept as written, not edited here
            sts_endpoint: old.and_then(|p| p.sts_endpoint.clone()),
            federation_endpoint: old.and_then(|p| p.federation_endpoint.clone()),
            console_destination: blank(form.console_destination),
            browser: old.and_then(|p| p.browser.clone()),
            console_container: old.and_then(|p| p.console_container.clone()),
            console_sign_out_first: old.is_some_and(|p| p.console_sign_out_first),
            source_profile: old.and_then(|p| p.source_profile.clone()),
            external_id: old.and_then(|p| p.external_id.clone()),
        });
        Ok(())
    })
}

#[tauri::command]
pub fn delete_entry<R: Runtime>(app: AppHandle<R>, section: String, name: String) -> Result<(), UiError> {
    if section != "providers" && section != "profiles" {
        return Err(UiError::new("invalid", "unknown section"));
    }
    edit(&app, |e, _| e.remove(&section, &name).map_err(UiError::from_edit))
}

#[tauri::command]
pub fn save_app_settings<R: Runtime>(app: AppHandle<R>, notify_minutes: u32, language: Option<String>) -> Result<(), UiError> {
    edit(&app, |e, _| {
        e.set_app(notify_minutes, blank(language).as_deref());
        Ok(())
    })
}

#[tauri::command]
pub fn set_autostart<R: Runtime>(app: AppHandle<R>, enabled: bool) -> Result<bool, UiError> {
    let launcher = app.autolaunch();
    // the launcher creates ~/.config/autostart but not a missing ~/.config (a fresh account)
    #[cfg(target_os = "linux")]
    if let Some(home) = dirs::home_dir() {
        let _ = std::fs::create_dir_all(home.join(".config/autostart"));
    }
    let result = if enabled { launcher.enable() } else { launcher.disable() };
    result.map_err(|e| UiError::new("autostart", &e.to_string()))?;
    launcher.is_enabled().map_err(|e| UiError::new("autostart", &e.to_string()))
}

/// Discovery against the issuer as typed, so a person sees what the IdP offers before saving.
#[tauri::command]
pub async fn test_provider(state: State<'_, AppState>, form: ProviderForm) -> Result<idbridge_core::oidc::Discovered, UiError> {
    idbridge_core::config::check_issuer(form.issuer.trim()).map_err(|m| UiError::field("invalid", "issuer", m))?;
    let provider = Provider { issuer: form.issuer.trim().into(), client_id: form.client_id.trim().into(), scopes: form.scopes, params: Default::default(), flow: Default::default() };
    state.core.discover(&provider).await.map_err(|e| UiError::from(&e))
}
