//! Sign-in from the tray: the core's device flow, the page opened in the system browser, and a small
//! window showing the user code (so the person can compare it with the browser), a countdown and Cancel.

use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime, State};

use crate::actions::{close_window, open_window};
use crate::i18n::{fill, t};
use crate::notifier::notify;
use crate::state::AppState;
use crate::UiError;

/// What the sign-in window shows. No token ever: the user code is meant to be seen.
#[derive(Debug, Clone, Serialize, Default)]
pub struct SignInView {
    pub provider: String,
    pub user_code: Option<String>,
    pub verification_uri: Option<String>,
    /// Unix seconds.
    pub expires_at: Option<i64>,
    /// "starting", "waiting" or "failed".
    pub status: &'static str,
    pub error: Option<UiError>,
}

pub struct SignInTask {
    pub view: SignInView,
    handle: Option<tauri::async_runtime::JoinHandle<()>>,
}

impl SignInTask {
    pub fn abort(self) {
        if let Some(h) = self.handle {
            h.abort();
        }
    }
}

fn set_view<R: Runtime>(app: &AppHandle<R>, view: SignInView) {
    let state = app.state::<AppState>();
    if let Some(task) = state.signin.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
        task.view = view.clone();
    }
    let _ = app.emit_to("signin", "signin-changed", view);
}

pub fn start<R: Runtime>(app: &AppHandle<R>, provider: String) {
    let state = app.state::<AppState>();
    let mut slot = state.signin.lock().unwrap_or_else(|e| e.into_inner());
    if slot.as_ref().is_some_and(|t| t.view.status != "failed") {
        drop(slot);
        open_window(app, "signin");
        return;
    }
    let view = SignInView { provider: provider.clone(), status: "starting", ..Default::default() };
    *slot = Some(SignInTask { view, handle: None });
    drop(slot);
    open_window(app, "signin");
    let task_app = app.clone();
    let handle = tauri::async_runtime::spawn(async move { run(task_app, provider).await });
    if let Some(task) = state.signin.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
        task.handle = Some(handle);
    }
}

async fn run<R: Runtime>(app: AppHandle<R>, provider: String) {
    let state = app.state::<AppState>();
    let failed = |e: idbridge_core::Error| SignInView {
        provider: provider.clone(),
        status: "failed",
        error: Some(UiError::from(&e)),
        ..Default::default()
    };
    let config = match state.core.load_config() {
        Ok(c) => c,
        Err(e) => return set_view(&app, failed(e)),
    };
    let pending = match state.core.start_sign_in(&config, &provider).await {
        Ok(p) => p,
        Err(e) => return set_view(&app, failed(e)),
    };
    let auth = &pending.authorization;
    set_view(&app, SignInView {
        provider: provider.clone(),
        user_code: Some(auth.user_code().to_string()),
        verification_uri: Some(auth.verification_uri().to_string()),
        expires_at: Some(auth.expires_at.unix_timestamp()),
        status: "waiting",
        error: None,
    });
    let url = auth.browser_url().to_string(); // checked in the core: https (http on loopback) only
    if let Err(e) = webbrowser::open(&url) {
        eprintln!("idbridge-app: cannot open a browser ({e}); the sign-in window shows the address");
    }
    match state.core.finish_sign_in(&config, pending, tokio::time::sleep).await {
        Ok(report) => {
            *state.signin.lock().unwrap_or_else(|e| e.into_inner()) = None;
            close_window(&app, "signin");
            {
                let mut inner = state.lock();
                inner.signed_in.insert(provider.clone(), true);
                inner.said.forget(&format!("signin/{provider}"));
                for p in &report.profiles {
                    inner.tracks.remove(&p.profile);
                    inner.said.forget_profile(&p.profile);
                }
            }
            let ready = report.profiles.iter().filter(|p| p.result.is_ok()).count();
            let lang = state.lang();
            let template = if ready == 1 { "one_profile_ready" } else { "n_profiles_ready" };
            let mut body = fill(t(lang, template), &[&report.who, &ready.to_string()]);
            for f in report.failures() {
                if let Err(e) = &f.result {
                    body.push_str(&format!("\n{}: {e}", f.profile));
                }
            }
            notify(t(lang, "signed_in_title").into(), body);
            state.wake.notify_one();
            crate::tray::update(&app);
        }
        Err(e) => set_view(&app, failed(e)),
    }
}

#[tauri::command]
pub fn signin_state(state: State<'_, AppState>) -> Option<SignInView> {
    state.signin.lock().unwrap_or_else(|e| e.into_inner()).as_ref().map(|t| t.view.clone())
}

#[tauri::command]
pub fn cancel_signin<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) {
    if let Some(task) = state.signin.lock().unwrap_or_else(|e| e.into_inner()).take() {
        task.abort();
    }
    close_window(&app, "signin");
}
