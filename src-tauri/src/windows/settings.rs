//! Commands of the Settings window (its own process): providers, profiles and app settings, saved to
//! the same config.toml the CLI reads (format-preserving, checked before writing). The window never
//! receives a token, a key or a console URL. Each save tells the tray on stdout.

use std::collections::BTreeMap;

use idbridge_core::config::edit::{ConfigEditor, EditError};
use idbridge_core::config::{Config, Profile, Provider, WEB_IDENTITY_TOKENS};
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::i18n::Lang;
use crate::ipc::{ToTray, tell_tray};
use crate::windows::{UiError, WindowCode, WindowState, merge};

#[derive(Serialize)]
pub struct SettingsView {
    pub config_path: String,
    /// What the file held when read (see `follow`): the page compares it with the watcher's.
    pub stamp: String,
    /// Set when config.toml exists but cannot be used (a missing file is a first run, not an error).
    pub config_error: Option<crate::windows::broken::ConfigProblem>,
    pub first_run: bool,
    pub providers: BTreeMap<String, ProviderForm>,
    pub profiles: BTreeMap<String, ProfileForm>,
    pub notify_minutes: u32,
    /// What config.toml says (None: follow the OS).
    pub language_setting: Option<Lang>,
    pub autostart: bool,
}

#[derive(Serialize, Deserialize, Clone, PartialEq)]
pub struct ProviderForm {
    pub issuer: String,
    pub client_id: String,
    pub scopes: Vec<String>,
}

#[derive(Serialize, Deserialize, Clone, PartialEq)]
pub struct ProfileForm {
    pub provider: String,
    pub role_arn: String,
    pub region: String,
    /// The window speaks minutes; config.toml keeps seconds.
    pub duration_minutes: u32,
    pub session_name_claim: Option<String>,
    pub console_destination: Option<String>,
}

fn blank(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

#[tauri::command]
pub fn get_settings(state: State<'_, WindowState>) -> SettingsView {
    let (config, config_error, first_run) = match state.core.load_config() {
        Ok(c) => (c, None, false),
        Err(idbridge_core::Error::Config(idbridge_core::config::ConfigError::Missing { .. })) => {
            (Config::default(), None, true)
        }
        Err(e) => (Config::default(), Some(crate::windows::broken::problem(&state, &e)), false),
    };
    // a broken file is a place to fix it, not a first run with nothing configured
    let first_run = config_error.is_none() && (first_run || config.providers.is_empty() || config.profiles.is_empty());
    SettingsView {
        config_path: state.core.paths.config_file.display().to_string(),
        stamp: crate::windows::follow::stamp(&state.core.paths.config_file),
        config_error,
        first_run,
        providers: config
            .providers
            .iter()
            .map(|(k, p)| {
                (
                    k.clone(),
                    ProviderForm { issuer: p.issuer.clone(), client_id: p.client_id.clone(), scopes: p.scopes.clone() },
                )
            })
            .collect(),
        profiles: config
            .profiles
            .iter()
            .map(|(k, p)| {
                (
                    k.clone(),
                    ProfileForm {
                        provider: p.provider.clone(),
                        role_arn: p.role_arn.clone(),
                        region: p.region.clone(),
                        duration_minutes: p.duration_seconds / 60,
                        session_name_claim: p.session_name_claim.clone(),
                        console_destination: p.console_destination.clone(),
                    },
                )
            })
            .collect(),
        notify_minutes: config.app.notify_before_expiry_minutes,
        language_setting: config.app.language,
        autostart: crate::windows::autostart::launcher()
            .and_then(|l| l.is_enabled().map_err(|e| e.to_string()))
            .unwrap_or(false),
    }
}

/// Opens config.toml, applies `change`, checks and writes it, then tells the tray.
fn edit(
    state: &WindowState,
    change: impl FnOnce(&mut ConfigEditor, &Config) -> Result<(), UiError>,
) -> Result<(), UiError> {
    let path = state.core.paths.config_file.clone();
    let mut editor = ConfigEditor::open(&path).map_err(|e| state.error(&idbridge_core::Error::from(e)))?;
    let current = state.core.load_config().unwrap_or_default();
    change(&mut editor, &current)?;
    editor.save(&path).map_err(|e| edit_error(state, e))?;
    state.wrote_config();
    tell_tray(&ToTray::ConfigSaved);
    Ok(())
}

fn edit_error(state: &WindowState, e: EditError) -> UiError {
    match e {
        EditError::Config(c) => state.error(&idbridge_core::Error::from(c)),
        other => UiError::new(&state.tr, state.lang(), idbridge_core::ErrorCode::Config, other.to_string()),
    }
}

fn check_name(state: &WindowState, name: &str) -> Result<(), UiError> {
    if idbridge_core::config::is_valid_name(name) { Ok(()) } else { Err(state.field_error("name")) }
}

/// Where a Save writes: a new entry (`original` None) takes a name the file does not have yet; an edited
/// one keeps its name, or is renamed (the form says so) onto a free one. Checked against the file as it is now.
fn place(
    state: &WindowState,
    e: &mut ConfigEditor,
    section: &str,
    name: &str,
    original: Option<&str>,
) -> Result<(), UiError> {
    match original {
        None => e.check_new(section, name),
        Some(from) => e.rename(section, from, name),
    }
    .map_err(|err| match err {
        EditError::Exists { .. } => {
            let message = state.tr.t(state.lang(), &format!("exists-{section}"), &[("name", name.into())]);
            UiError { message, ..state.field_error("name") }
        }
        other => edit_error(state, other),
    })
}

/// The form's own refusals and every value the file would refuse, reported together (a field once).
fn every_field(
    state: &WindowState,
    first: impl IntoIterator<Item = UiError>,
    problems: Vec<idbridge_core::config::ConfigError>,
) -> Result<(), UiError> {
    let problems = problems.into_iter().map(|c| state.error(&idbridge_core::Error::from(c)));
    UiError::all(first.into_iter().chain(problems).collect())
}

#[tauri::command]
pub fn save_provider(
    state: State<'_, WindowState>,
    name: String,
    original: Option<String>,
    form: ProviderForm,
    base: Option<ProviderForm>,
) -> Result<(), UiError> {
    let name_error = check_name(&state, &name).err();
    edit(&state, |e, current| {
        if name_error.is_none() {
            place(&state, e, "providers", &name, original.as_deref())?;
        }
        let old = original.as_ref().and_then(|o| current.providers.get(o));
        let params = old.map(|p| p.params.clone()).unwrap_or_default();
        let scopes: Vec<String> = form.scopes.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
        let mut new = Provider {
            issuer: form.issuer.trim().into(),
            client_id: form.client_id.trim().into(),
            scopes,
            params,
            // what the form does not show is kept as it is
            device_authorization_endpoint: old.and_then(|p| p.device_authorization_endpoint.clone()),
            token_endpoint: old.and_then(|p| p.token_endpoint.clone()),
            flow: old.map(|p| p.flow).unwrap_or_default(),
            redirect_uri: old.and_then(|p| p.redirect_uri.clone()),
            web_identity_token: old.map_or_else(|| WEB_IDENTITY_TOKENS[0].into(), |p| p.web_identity_token.clone()),
        };
        if let (Some(base), Some(disk)) = (&base, old) {
            merge::provider(&mut new, &form, base, disk);
        }
        let problems = Config::provider_problems(&state.core.paths.config_file, &name, &new);
        every_field(&state, name_error, problems)?;
        e.set_provider(&name, &new);
        Ok(())
    })
}

#[tauri::command]
pub fn save_profile(
    state: State<'_, WindowState>,
    name: String,
    original: Option<String>,
    form: ProfileForm,
    base: Option<ProfileForm>,
) -> Result<(), UiError> {
    let mut first_errors: Vec<UiError> = check_name(&state, &name).err().into_iter().collect();
    if form.provider.is_empty() {
        first_errors.push(state.field_error("provider"));
    }
    edit(&state, |e, current| {
        if first_errors.is_empty() {
            place(&state, e, "profiles", &name, original.as_deref())?;
        }
        let old = original.as_ref().and_then(|o| current.profiles.get(o));
        let mut new = Profile {
            provider: form.provider.clone(),
            role_arn: form.role_arn.trim().into(),
            region: form.region.trim().into(),
            duration_seconds: form.duration_minutes.saturating_mul(60),
            session_name_claim: blank(form.session_name_claim.clone()),
            // endpoints are for VPC endpoints and tests: kept as written, not edited here
            sts_endpoint: old.and_then(|p| p.sts_endpoint.clone()),
            federation_endpoint: old.and_then(|p| p.federation_endpoint.clone()),
            console_destination: blank(form.console_destination.clone()),
            browser: old.and_then(|p| p.browser.clone()),
            console_container: old.and_then(|p| p.console_container.clone()),
            console_sign_out_first: old.is_some_and(|p| p.console_sign_out_first),
            source_profile: old.and_then(|p| p.source_profile.clone()),
            external_id: old.and_then(|p| p.external_id.clone()),
            shared_credentials_file: old.is_some_and(|p| p.shared_credentials_file),
        };
        if let (Some(base), Some(disk)) = (&base, old) {
            merge::profile(&mut new, &form, base, disk);
        }
        let problems = current.profile_problems(&state.core.paths.config_file, &name, &new);
        every_field(&state, first_errors, problems)?;
        e.set_profile(&name, &new);
        Ok(())
    })
}

#[tauri::command]
pub fn delete_entry(state: State<'_, WindowState>, section: String, name: String) -> Result<(), UiError> {
    if section != "providers" && section != "profiles" {
        return Err(state.field_error("section"));
    }
    edit(&state, |e, _| e.remove(&section, &name).map_err(|err| edit_error(&state, err)))
}

#[tauri::command]
pub fn save_app_settings(
    state: State<'_, WindowState>,
    notify_minutes: u32,
    language: Option<String>,
) -> Result<(), UiError> {
    if !(1..=120).contains(&notify_minutes) {
        return Err(state.field_error("notify_before_expiry_minutes"));
    }
    // "" is the OS's language; anything but a known code is refused
    let language = match blank(language) {
        None => None,
        Some(code) => match Lang::ALL.into_iter().find(|l| l.code() == code) {
            Some(l) => Some(l),
            None => return Err(state.field_error("language")),
        },
    };
    edit(&state, |e, _| {
        e.set_app(notify_minutes, language);
        Ok(())
    })
}

#[tauri::command]
pub fn set_autostart(state: State<'_, WindowState>, enabled: bool) -> Result<bool, UiError> {
    let fail = |e: &dyn std::fmt::Display| UiError::new(&state.tr, state.lang(), WindowCode::Autostart, e.to_string());
    let launcher = crate::windows::autostart::launcher().map_err(|e| fail(&e))?;
    // the launcher creates ~/.config/autostart but not a missing ~/.config (a fresh account)
    #[cfg(target_os = "linux")]
    if let Some(config) = dirs::config_dir() {
        let _ = std::fs::create_dir_all(config.join("autostart"));
    }
    let result = if enabled { launcher.enable() } else { launcher.disable() };
    result.map_err(|e| fail(&e))?;
    #[cfg(target_os = "linux")]
    if enabled {
        crate::windows::autostart::tidy_entry().map_err(|e| fail(&e))?;
    }
    launcher.is_enabled().map_err(|e| fail(&e))
}

/// Discovery against the issuer as typed, so a person sees what the IdP offers before saving.
#[tauri::command]
pub async fn test_provider(
    state: State<'_, WindowState>,
    form: ProviderForm,
) -> Result<idbridge_core::oidc::Discovered, UiError> {
    idbridge_core::config::check_issuer(form.issuer.trim())
        .map_err(|m| UiError::field(&state.tr, state.lang(), "issuer", m))?;
    let provider = Provider {
        issuer: form.issuer.trim().into(),
        client_id: form.client_id.trim().into(),
        scopes: form.scopes,
        params: Default::default(),
        flow: Default::default(),
        device_authorization_endpoint: None,
        token_endpoint: None,
        redirect_uri: None,
        web_identity_token: WEB_IDENTITY_TOKENS[0].into(),
    };
    state.core.discover(&provider).await.map_err(|e| state.error(&e))
}

/// "Sign in now": the tray runs the sign-in (its window is a process of its own).
#[tauri::command]
pub fn request_sign_in(state: State<'_, WindowState>, provider: String) -> Result<(), UiError> {
    check_name(&state, &provider)?;
    tell_tray(&ToTray::SignIn { provider });
    Ok(())
}
