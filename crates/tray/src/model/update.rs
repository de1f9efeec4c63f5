//! `update`: the one place the tray's state changes. Pure: time comes in as `now`, the outside is
//! reached only through the returned effects.

use std::collections::BTreeMap;

use idbridge_core::ErrorCode;
use time::{Duration, OffsetDateTime};

use super::{Effect, Failure, Local, MenuId, Model, Msg, Note, ProfileState, Snapshot, WindowKind};
use crate::scheduler::{Alert, TICK, alert_key, expiry_alert, jitter, next_refresh};

pub fn update(model: &mut Model, msg: Msg, now: OffsetDateTime) -> Vec<Effect> {
    let mut fx = Vec::new();
    match msg {
        Msg::Started => load(model, &mut fx),
        Msg::Tick { utc_offset } => {
            model.utc_offset = utc_offset.or(model.utc_offset);
            load(model, &mut fx);
        }
        Msg::Loaded(snapshot) => {
            model.loading = false;
            loaded(model, snapshot);
            decide(model, now, &mut fx);
            if std::mem::take(&mut model.load_again) {
                load(model, &mut fx);
            }
        }
        Msg::FilesChanged => load(model, &mut fx),
        Msg::Menu(id) => menu(model, id, now, &mut fx),
        Msg::NotificationAction(id) => {
            if let Some(id) = MenuId::parse(&id) {
                menu(model, id, now, &mut fx);
            }
        }
        Msg::RefreshDone { profile, generation, outcome } => {
            refreshed(model, &profile, generation, outcome, now, &mut fx);
            load(model, &mut fx);
        }
        Msg::SignedIn(report) => {
            let provider = report.provider.clone();
            forget_provider(model, &provider);
            model.identities.insert(provider.clone(), report.who.clone());
            model.said.forget(&format!("signin/{provider}"));
            // a profile AWS refused at sign-in stays visibly broken (not "signed out", not green)
            for (profile, code, details) in &report.failed {
                let local = model.local.entry(profile.clone()).or_default();
                local.failure = Some(Failure::new(now, *code, details.clone()));
                local.track.failures += 1;
                model.said.first_time(format!("failed/{profile}")); // told in the sign-in notification
            }
            fx.push(Effect::Notify(Note::SignedIn {
                provider,
                who: report.who,
                ready: report.ready.len(),
                failed: report.failed.into_iter().map(|(p, code, _)| (p, code)).collect(),
            }));
            load(model, &mut fx);
        }
        Msg::SignOutDone { provider, result } => {
            if let Err(f) = result {
                fx.push(Effect::Notify(Note::SignOutFailed { provider, code: f.code }));
            }
            load(model, &mut fx);
        }
        Msg::ConsoleDone { profile, result } => {
            if let Err(f) = result {
                fx.push(Effect::Notify(Note::ConsoleFailed { profile, code: f.code, why: f.why }));
            }
            load(model, &mut fx);
        }
        Msg::SignInRequested(provider) => menu(model, MenuId::SignIn(provider), now, &mut fx),
        Msg::SettingsSaved => load(model, &mut fx),
        Msg::WindowClosed(WindowKind::SignIn) => {
            model.signing_in = None;
            load(model, &mut fx);
        }
        Msg::WindowClosed(WindowKind::Settings) => {}
        Msg::SecondLaunch => fx.push(Effect::OpenSettings),
    }
    fx
}

/// When the loop must look again at the latest: the earliest refresh due, at most a tick away (the
/// menu shows minutes, and a machine waking from sleep is noticed within a tick).
pub fn next_wake(model: &Model, now: OffsetDateTime) -> OffsetDateTime {
    model
        .profiles()
        .iter()
        .filter(|s| !s.refreshing && matches!(s.state, ProfileState::Ready | ProfileState::RefreshFailing))
        .filter_map(|s| next_refresh(&s.snap.name, s.snap.expiration, &track(model, &s.snap.name), s.snap.policy))
        .fold(now + TICK, OffsetDateTime::min)
}

fn track(model: &Model, profile: &str) -> crate::scheduler::Track {
    model.local.get(profile).map(|l| l.track.clone()).unwrap_or_default()
}

/// One snapshot at a time; asked for while one is being taken (a refresh just ended, files changed),
/// one more follows it: the one in flight may predate what asked (a Retry that succeeded stayed amber).
fn load(model: &mut Model, fx: &mut Vec<Effect>) {
    if model.loading {
        model.load_again = true;
    } else {
        model.loading = true;
        fx.push(Effect::Load);
    }
}

fn loaded(model: &mut Model, snapshot: Snapshot) {
    for p in &snapshot.profiles {
        let Some(local) = model.local.get_mut(&p.name) else { continue };
        let renewed_elsewhere =
            local.failure.is_some() && p.expiration.is_some() && p.expiration != local.expiration_at_failure;
        if p.state == ProfileState::SignedOut || renewed_elsewhere {
            // signed out (here or by the CLI), or someone renewed the credentials since our failure
            *local = Local { refreshing: local.refreshing, ..Local::default() };
        }
    }
    model.snapshot = Some(snapshot);
}

/// Refreshes that are due, and what the person must hear about (each event once).
fn decide(model: &mut Model, now: OffsetDateTime, fx: &mut Vec<Effect>) {
    let mut due = Vec::new();
    let mut notes = Vec::new();
    let mut sign_in_needed: Vec<(String, ErrorCode)> = Vec::new();
    for s in model.profiles() {
        let name = s.snap.name.clone();
        let policy = s.snap.policy;
        let t = track(model, &name);
        let can_refresh = matches!(s.state, ProfileState::Ready | ProfileState::RefreshFailing);
        if can_refresh && !s.refreshing && next_refresh(&name, s.snap.expiration, &t, policy).is_some_and(|d| d <= now)
        {
            due.push((name.clone(), s.snap.provider.clone(), policy.refresh_lead + jitter(&name, policy.refresh_lead)));
        }
        if s.state == ProfileState::SignInNeeded {
            let code = s.failure.map_or(ErrorCode::SignInNeeded, |f| f.code);
            sign_in_needed.push((s.snap.provider.clone(), code));
        }
        let failing = crate::scheduler::Track {
            needs_sign_in: s.state == ProfileState::SignInNeeded,
            failures: u32::from(s.state == ProfileState::RefreshFailing).max(t.failures),
            ..t
        };
        if matches!(s.state, ProfileState::SignedOut) {
            continue;
        }
        if let Some(alert) = expiry_alert(&name, s.snap.expiration, &failing, now, policy) {
            let sign_in = failing.needs_sign_in.then(|| s.snap.provider.clone());
            notes.push((
                alert_key(&alert),
                match alert {
                    Alert::Expiring { profile, minutes } => Note::Expiring { profile, minutes, sign_in },
                    Alert::Expired { profile } => Note::Expired { profile, sign_in },
                },
            ));
        }
    }
    recovered(model);
    // what to do comes first: merged with an expiry warning of the same moment, it gives the title
    for (provider, code) in sign_in_needed.into_iter().rev() {
        if model.signing_in.as_deref() != Some(provider.as_str()) {
            notes.insert(0, (format!("signin/{provider}"), Note::SignInNeeded { provider, code }));
        }
    }
    for (key, note) in notes {
        if model.said.first_time(key) {
            fx.push(Effect::Notify(note));
        }
    }
    for (profile, provider, min_remaining) in due {
        // the scheduler's due time includes the profile's jitter: ask for at least as much
        start_refresh(model, &profile, &provider, Some(min_remaining), now, fx);
    }
    if model.snapshot.as_ref().is_some_and(|s| s.config == super::ConfigLoad::Missing) && !model.setup_offered {
        // first run: the setup view, once
        model.setup_offered = true;
        fx.push(Effect::OpenSettings);
    }
}

/// A provider signed in again or signed out (here or with the CLI): its next "sign-in needed" is a new
/// event. Only that resets it: a state between (expired, keychain locked) must not let every
/// credential_process of an IDE notify again.
fn recovered(model: &mut Model) {
    let mut providers: BTreeMap<String, (bool, bool)> = BTreeMap::new();
    for s in model.profiles() {
        let (needs, back) = providers.entry(s.snap.provider.clone()).or_default();
        *needs |= s.state == ProfileState::SignInNeeded;
        *back |= matches!(s.state, ProfileState::Ready | ProfileState::SignedOut);
    }
    for (provider, _) in providers.into_iter().filter(|(_, (needs, back))| !needs && *back) {
        model.said.forget(&format!("signin/{provider}"));
    }
}

fn start_refresh(
    model: &mut Model,
    profile: &str,
    provider: &str,
    min_remaining: Option<Duration>,
    now: OffsetDateTime,
    fx: &mut Vec<Effect>,
) {
    let generation = model.generation(provider);
    let local = model.local.entry(profile.to_string()).or_default();
    if local.refreshing {
        return;
    }
    local.refreshing = true;
    local.track.last_attempt = Some(now);
    fx.push(Effect::Refresh { profile: profile.to_string(), min_remaining, generation });
}

fn refreshed(
    model: &mut Model,
    profile: &str,
    generation: u64,
    outcome: Result<Option<Failure>, Failure>,
    now: OffsetDateTime,
    fx: &mut Vec<Effect>,
) {
    let provider = model
        .snapshot
        .as_ref()
        .and_then(|s| s.profiles.iter().find(|p| p.name == profile))
        .map(|p| (p.provider.clone(), p.expiration));
    let Some(local) = model.local.get_mut(profile) else { return };
    local.refreshing = false;
    let Some((provider, expiration)) = provider else { return };
    if generation != model.generation(&provider) {
        return; // started before a sign-in or sign-out: its outcome no longer describes anything
    }
    let Some(local) = model.local.get_mut(profile) else { return };
    local.track.last_attempt = Some(now);
    match outcome {
        Ok(None) => {
            local.track = crate::scheduler::Track { last_attempt: Some(now), ..Default::default() };
            local.failure = None;
            local.expiration_at_failure = None;
            model.said.forget_profile(profile);
        }
        Ok(Some(f)) | Err(f) => {
            local.track.failures += 1;
            local.track.last_error = Some(f.code);
            local.track.needs_sign_in = f.state() == ProfileState::SignInNeeded;
            local.expiration_at_failure = expiration;
            let code = f.code;
            let state = f.state();
            local.failure = Some(f);
            // sign-in needed is told once per provider by `decide`, after the next load
            if state == ProfileState::RefreshFailing && model.said.first_time(format!("failed/{profile}")) {
                fx.push(Effect::Notify(Note::NotRenewed { profile: profile.to_string(), code }));
            }
        }
    }
}

fn menu(model: &mut Model, id: MenuId, now: OffsetDateTime, fx: &mut Vec<Effect>) {
    match id {
        MenuId::SetUp | MenuId::Settings => fx.push(Effect::OpenSettings),
        MenuId::Quit => fx.push(Effect::Quit),
        MenuId::Copy(p) => fx.push(Effect::Copy(p)),
        MenuId::Console(p) => fx.push(Effect::Console { profile: p }),
        MenuId::SignIn(provider) => {
            if model.signing_in.is_some() {
                fx.push(Effect::ShowSignIn);
            } else {
                model.signing_in = Some(provider.clone());
                fx.push(Effect::StartSignIn { provider });
            }
        }
        MenuId::SignOut(provider) => {
            forget_provider(model, &provider);
            model.identities.remove(&provider);
            fx.push(Effect::SignOut { provider });
        }
        MenuId::Refresh(profile) => {
            let provider = model.profiles().iter().find(|s| s.snap.name == profile).map(|s| s.snap.provider.clone());
            if let Some(provider) = provider {
                start_refresh(model, &profile, &provider, None, now, fx);
            }
        }
        MenuId::Retry => {
            let failing: Vec<(String, String)> = model
                .profiles()
                .iter()
                .filter(|s| s.state == ProfileState::RefreshFailing)
                .map(|s| (s.snap.name.clone(), s.snap.provider.clone()))
                .collect();
            for (profile, provider) in failing {
                start_refresh(model, &profile, &provider, None, now, fx);
            }
            load(model, fx); // also asks the keychain again
        }
    }
}

/// After a sign-in or sign-out of `provider`: what this app knew about its profiles is void, and
/// refreshes still running for them will be ignored.
fn forget_provider(model: &mut Model, provider: &str) {
    *model.generation.entry(provider.to_string()).or_default() += 1;
    let profiles: Vec<String> = model
        .snapshot
        .as_ref()
        .map(|s| s.profiles.iter().filter(|p| p.provider == provider).map(|p| p.name.clone()).collect())
        .unwrap_or_default();
    for p in profiles {
        if let Some(local) = model.local.get_mut(&p) {
            *local = Local { refreshing: local.refreshing, ..Local::default() };
        }
        model.said.forget_profile(&p);
    }
    model.said.forget(&format!("signin/{provider}"));
}
