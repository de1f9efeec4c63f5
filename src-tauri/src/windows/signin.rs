//! The sign-in window, in a process of its own (`idbridge-app --window signin --provider NAME`): the
//! core's device flow, the page opened in the system browser, and a small window with the user code
//! (to compare with the browser), Copy code, Open browser again, a countdown, Retry and Cancel. For a
//! provider with `flow = "browser"` (authorization code + PKCE, loopback redirect) there is no code:
//! the window says to continue in the browser. On success it tells the tray one line (who, which
//! profiles are ready) and ends, so WebKit's memory goes.

use std::sync::Mutex;

use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime, State};

use idbridge_core::app::browser_signin::DEFAULT_TIMEOUT;
use idbridge_core::app::signin::SignInReport;
use idbridge_core::config::{Config, Flow};

use crate::ipc::{SignedIn, ToTray, tell_tray};
use crate::windows::{UiError, WindowCode, WindowState};

/// What the sign-in window shows. No token ever: the user code is meant to be seen.
#[derive(Debug, Clone, Serialize, Default)]
pub struct SignInView {
    pub provider: String,
    /// `device` (a user code to compare) or `browser` (nothing to compare: continue in the browser);
    /// not known yet while starting.
    pub flow: Option<Flow>,
    pub user_code: Option<String>,
    pub verification_uri: Option<String>,
    /// Unix seconds.
    pub expires_at: Option<i64>,
    pub status: Status,
    pub error: Option<UiError>,
    /// Requests at the browser flow's listener that were not this sign-in's answer, refused so far.
    pub strays: u32,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Starting,
    Waiting,
    Failed,
}

/// The sign-in of this window process: its own managed state, apart from what every window shares.
#[derive(Default)]
pub struct Slot(Mutex<SlotInner>);

#[derive(Default)]
struct SlotInner {
    view: SignInView,
    /// The page to open again (with the code filled in when the IdP offers that).
    url: Option<String>,
    task: Option<tauri::async_runtime::JoinHandle<()>>,
}

impl Slot {
    fn lock(&self) -> std::sync::MutexGuard<'_, SlotInner> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn set_view<R: Runtime>(app: &AppHandle<R>, view: SignInView, url: Option<String>) {
    let slot = app.state::<Slot>();
    let mut slot = slot.lock();
    slot.view = view.clone();
    if url.is_some() || view.status != Status::Waiting {
        slot.url = url;
    }
    drop(slot);
    let _ = app.emit_to("signin", "signin-changed", view);
}

/// Starts (or restarts, for Retry) the device flow for `provider`.
pub fn start<R: Runtime>(app: &AppHandle<R>, provider: String) {
    let slot = app.state::<Slot>();
    let mut slot = slot.lock();
    if let Some(old) = slot.task.take() {
        old.abort();
    }
    slot.view = SignInView { provider: provider.clone(), status: Status::Starting, ..Default::default() };
    let task_app = app.clone();
    slot.task = Some(tauri::async_runtime::spawn(async move { run(task_app, provider).await }));
    let view = slot.view.clone();
    drop(slot);
    let _ = app.emit_to("signin", "signin-changed", view);
}

async fn run<R: Runtime>(app: AppHandle<R>, provider: String) {
    let state = app.state::<WindowState>();
    let failed = |e: &idbridge_core::Error| SignInView {
        provider: provider.clone(),
        status: Status::Failed,
        error: Some(state.error(e)),
        ..Default::default()
    };
    let config = match state.core.load_config() {
        Ok(c) => c,
        Err(e) => return set_view(&app, failed(&e), None),
    };
    let flow = config.providers.get(&provider).map(|p| p.flow);
    let result = if flow == Some(Flow::Browser) {
        browser_flow(&app, &state, &config, &provider).await
    } else {
        device_flow(&app, &state, &config, &provider).await
    };
    match result {
        Ok(report) => {
            report_to_tray(&report);
            app.exit(0);
        }
        Err(e) => set_view(&app, failed(&e), None),
    }
}

async fn device_flow<R: Runtime>(
    app: &AppHandle<R>,
    state: &WindowState,
    config: &Config,
    provider: &str,
) -> idbridge_core::Result<SignInReport> {
    let pending = state.core.start_sign_in(config, provider).await?;
    let auth = &pending.authorization;
    let url = auth.browser_url().to_string(); // checked in the core: https (http on loopback) only
    set_view(
        app,
        SignInView {
            provider: provider.to_string(),
            flow: Some(Flow::Device),
            user_code: Some(auth.user_code().to_string()),
            verification_uri: Some(auth.verification_uri().to_string()),
            expires_at: Some(auth.expires_at.unix_timestamp()),
            status: Status::Waiting,
            error: None,
            strays: 0,
        },
        Some(url.clone()),
    );
    if let Err(e) = webbrowser::open(&url) {
        eprintln!("idbridge-app: cannot open a browser ({e}); the sign-in window shows the address");
    }
    state.core.finish_sign_in(config, pending, idbridge_core::app::ports::real_sleep()).await
}

/// Authorization code with PKCE: the IdP sends the browser back to a loopback listener of this process.
async fn browser_flow<R: Runtime>(
    app: &AppHandle<R>,
    state: &WindowState,
    config: &Config,
    provider: &str,
) -> idbridge_core::Result<SignInReport> {
    let stray_app = app.clone();
    let pending =
        state.core.start_browser_sign_in(config, provider).await?.on_stray(move |_| stray_refused(&stray_app));
    let expires_at = state.core.now().unix_timestamp() + DEFAULT_TIMEOUT.as_secs() as i64;
    // the address holds this sign-in's state: it goes to the browser ("Open browser again"), not on screen
    let view = SignInView {
        provider: provider.to_string(),
        flow: Some(Flow::Browser),
        expires_at: Some(expires_at),
        status: Status::Waiting,
        ..Default::default()
    };
    set_view(app, view, Some(pending.authorize_url.clone()));
    if let Err(e) = webbrowser::open(&pending.authorize_url) {
        eprintln!("idbridge-app: cannot open a browser ({e}); Open browser again retries");
    }
    state.core.finish_browser_sign_in(config, pending, DEFAULT_TIMEOUT).await
}

/// A request at the listener that was not this sign-in's answer (another page, an old tab) was refused:
/// the window says so, as the browser that sent it shows an error while the sign-in goes on. Only a count:
/// nothing of the request is repeated.
fn stray_refused<R: Runtime>(app: &AppHandle<R>) {
    let slot = app.state::<Slot>();
    let mut slot = slot.lock();
    slot.view.strays = slot.view.strays.saturating_add(1);
    let view = slot.view.clone();
    drop(slot);
    let _ = app.emit_to("signin", "signin-changed", view);
}

/// One line to the tray: who signed in and which profiles are ready (no token, no key).
fn report_to_tray(report: &SignInReport) {
    let outcome = SignedIn {
        provider: report.provider.clone(),
        who: report.who.clone(),
        ready: report.profiles.iter().filter(|p| p.result.is_ok()).map(|p| p.profile.clone()).collect(),
        failed: report
            .failures()
            .filter_map(|p| p.result.as_ref().err().map(|e| (p.profile.clone(), e.code(), e.to_string())))
            .collect(),
    };
    tell_tray(&ToTray::SignedIn(outcome));
}

#[tauri::command]
pub fn signin_state(slot: State<'_, Slot>) -> SignInView {
    slot.lock().view.clone()
}

/// Cancel, Escape, or closing the window: the process ends and the sign-in with it.
#[tauri::command]
pub fn cancel_signin<R: Runtime>(app: AppHandle<R>) {
    app.exit(0);
}

#[tauri::command]
pub fn retry_signin<R: Runtime>(app: AppHandle<R>, slot: State<'_, Slot>) {
    let provider = slot.lock().view.provider.clone();
    start(&app, provider);
}

#[tauri::command]
pub fn open_browser_again(state: State<'_, WindowState>, slot: State<'_, Slot>) -> Result<(), UiError> {
    let url = slot.lock().url.clone();
    let Some(url) = url else { return Ok(()) };
    webbrowser::open(&url).map_err(|e| UiError::new(&state.tr, state.lang(), WindowCode::Browser, e.to_string()))
}
