//! The background loop: refresh each profile before it enters the AWS CLI's 15-minute window, tell the
//! person what only they can fix, keep the tray current. It sleeps on a timer between events (no busy
//! polling) and checks the wall clock on every wake, so a machine resuming from sleep catches up within
//! one tick.

use std::collections::BTreeMap;
use std::time::{Duration as StdDuration, Instant};

use tauri::{AppHandle, Manager, Runtime};

use crate::i18n::{fill, t};
use crate::notifier::notify;
use crate::scheduler::{Alert, Policy, TICK, alert_key, expiry_alert, jitter, next_refresh};
use crate::state::AppState;

/// One refresh may take this long (IdP, keychain, STS).
const REFRESH_BUDGET: StdDuration = StdDuration::from_secs(30);

pub async fn run<R: Runtime>(app: AppHandle<R>) {
    loop {
        let state = app.state::<AppState>();
        state.reload_config();
        let keychain_app = app.clone();
        let _ = tauri::async_runtime::spawn_blocking(move || keychain_app.state::<AppState>().refresh_signed_in()).await;
        let now = state.core.now();
        let mut next_wake = now + TICK;
        for view in state.profiles() {
            if !view.provider_signed_in {
                continue;
            }
            let policy = state.policy(&view.name);
            match next_refresh(&view.name, view.expiration, &view.track, policy) {
                Some(due) if due <= now => {
                    refresh(&app, &view.name, policy, false).await;
                    // its next due time depends on the outcome: look again right away
                    next_wake = now;
                }
                Some(due) => next_wake = next_wake.min(due),
                None => {}
            }
        }
        alert(&app);
        crate::tray::update(&app);
        let wait = (next_wake - state.core.now()).clamp(time::Duration::milliseconds(200), TICK);
        tokio::select! {
            _ = tokio::time::sleep(wait.unsigned_abs()) => {}
            _ = state.wake.notified() => {}
        }
    }
}

/// Refreshes one profile (`force`: whatever its expiry, for "Refresh now") and records the outcome.
pub async fn refresh<R: Runtime>(app: &AppHandle<R>, profile: &str, policy: Policy, force: bool) {
    let state = app.state::<AppState>();
    state.lock().refreshing.insert(profile.to_string());
    crate::tray::update(app);
    // the scheduler's due time includes the profile's jitter: ask for at least as much
    let deadline = Instant::now() + REFRESH_BUDGET;
    let result = if force {
        state.core.renew(profile, deadline).await
    } else {
        state.core.ensure_fresh(profile, policy.refresh_lead + jitter(profile, policy.refresh_lead), deadline).await
    };
    let lang = state.lang();
    let mut inner = state.lock();
    inner.refreshing.remove(profile);
    let mut failure = None;
    {
        let track = inner.tracks.entry(profile.to_string()).or_default();
        track.last_attempt = Some(state.core.now());
        match &result {
            Ok(served) if served.warning.is_none() => {
                *track = crate::scheduler::Track { last_attempt: track.last_attempt, ..Default::default() };
            }
            Ok(served) => {
                track.needs_sign_in = served.warning_code == Some("sign_in_needed");
                failure = served.warning.clone();
            }
            Err(e) => {
                track.needs_sign_in = e.code() == "sign_in_needed";
                failure = Some(e.to_string());
            }
        }
        if let Some(f) = &failure {
            track.failures += 1;
            track.last_error = Some(f.clone());
        }
    }
    match failure {
        None => {
            eprintln!("idbridge-app: refreshed profile {profile}");
            inner.said.forget_profile(profile);
        }
        Some(f) => {
            eprintln!("idbridge-app: refreshing profile {profile} failed: {f}");
            let needs_person = inner.tracks.get(profile).is_some_and(|t| t.needs_sign_in);
            if !needs_person && inner.said.first_time(format!("failed/{profile}")) {
                drop(inner);
                notify(fill(t(lang, "refresh_failed_title"), &[profile]), f);
            }
        }
    }
}

/// Expiry warnings for profiles only a sign-in can save, and one "sign-in needed" per provider.
fn alert<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>();
    let lang = state.lang();
    let now = state.core.now();
    let views = state.profiles();
    // before taking the state lock below: policy() takes it too
    let policies: Vec<Policy> = views.iter().map(|v| state.policy(&v.name)).collect();
    let mut needing: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut to_send = Vec::new();
    {
        let mut inner = state.lock();
        for (v, policy) in views.iter().zip(policies) {
            if v.track.needs_sign_in {
                needing.entry(v.provider.clone()).or_default().push(v.name.clone());
            }
            if let Some(a) = expiry_alert(&v.name, v.expiration, &v.track, now, policy)
                && inner.said.first_time(alert_key(&a))
            {
                to_send.push(match a {
                    Alert::Expiring { profile, minutes } => {
                        (fill(t(lang, "expiring_title"), &[&profile, &minutes.to_string()]), t(lang, "sign_in_needed_body").to_string())
                    }
                    Alert::Expired { profile } => (fill(t(lang, "expired_title"), &[&profile]), t(lang, "sign_in_needed_body").to_string()),
                });
            }
        }
        for (provider, profiles) in &needing {
            if inner.said.first_time(format!("signin/{provider}")) {
                to_send.push((
                    fill(t(lang, "sign_in_needed_title"), &[provider, &profiles.join(", ")]),
                    t(lang, "sign_in_needed_body").to_string(),
                ));
            }
        }
    }
    for (summary, body) in to_send {
        notify(summary, body);
    }
}
