//! `view`: what the tray shows for a model, as plain data (menu entries, icon, tooltip) and the text of
//! notifications. Pure; the tray module only turns it into widgets, and only when it changed (a
//! rebuilt menu closes under the pointer).

use time::{OffsetDateTime, UtcOffset};

use super::{ConfigLoad, MenuId, Model, Note, ProfileState, Shown};
use idbridge_core::ErrorCode;

use crate::i18n::{Arg, Lang, Tr, reason};

#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Separator,
    /// A line that tells, not does (shown greyed out).
    Info(String),
    Item {
        id: MenuId,
        label: String,
    },
    Sub {
        label: String,
        children: Vec<Entry>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IconState {
    SignedOut,
    Ok,
    /// Renewal is failing but the credentials still work: it may heal by itself.
    Expiring,
    /// Only the person can fix it, or nothing works any more.
    Error,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TrayView {
    pub entries: Vec<Entry>,
    pub icon: IconState,
    pub tooltip: String,
}

/// Menu lines stay short enough for any panel: a long identity is cut with an ellipsis (our own
/// sentences are short by writing).
const MAX_VALUE_CHARS: usize = 40;

fn short(s: &str) -> String {
    if s.chars().count() <= MAX_VALUE_CHARS {
        return s.to_string();
    }
    let cut: String = s.chars().take(MAX_VALUE_CHARS - 1).collect();
    format!("{cut}…")
}

fn clock(t: OffsetDateTime, offset: Option<UtcOffset>) -> String {
    let local = t.to_offset(offset.unwrap_or(UtcOffset::UTC));
    format!("{:02}:{:02}", local.hour(), local.minute())
}

pub fn view(model: &Model, now: OffsetDateTime, tr: &Tr) -> TrayView {
    let lang = model.lang();
    let t = |id: &str, args: &[(&str, Arg<'_>)]| tr.t(lang, id, args);
    let time = |e: OffsetDateTime| clock(e, model.utc_offset);
    let shown = model.profiles();
    let providers: Vec<&super::ProviderSnap> =
        model.snapshot.as_ref().map(|s| s.providers.iter().collect()).unwrap_or_default();
    let why = |code: ErrorCode| reason(tr, lang, code.as_str());
    let mut entries = next_actions(model, &shown, &providers, &t, &why);
    if !entries.is_empty() {
        entries.push(Entry::Separator);
    }
    entries.extend(provider_entries(model, &shown, &providers, now, &t, &why, &time));
    // last: what is always there
    for p in providers.iter().filter(|p| p.signed_in == Some(true)) {
        entries.push(item(MenuId::SignOut(p.name.clone()), t("sign-out", &[("provider", Arg::from(&p.name))])));
    }
    // "Set up idbridge…" or "Fix the settings…" on top already opens Settings: not offered twice
    if !entries.iter().any(|e| matches!(e, Entry::Item { id: MenuId::SetUp | MenuId::Settings, .. })) {
        entries.push(item(MenuId::Settings, t("settings", &[])));
    }
    entries.push(item(MenuId::Quit, t("quit", &[])));
    let icon = icon_state(model, &shown, now);
    let tooltip = tooltip(model, &shown, icon, &entries, tr, lang, &time);
    TrayView { entries, icon, tooltip }
}

fn item(id: MenuId, label: String) -> Entry {
    Entry::Item { id, label }
}

/// The next action, on top: set up, fix the settings, sign in, or retry.
fn next_actions(
    model: &Model,
    shown: &[Shown<'_>],
    providers: &[&super::ProviderSnap],
    t: &Say<'_>,
    why: &dyn Fn(ErrorCode) -> String,
) -> Vec<Entry> {
    let snapshot = model.snapshot.as_ref();
    let mut entries = Vec::new();
    match snapshot.map(|s| &s.config) {
        Some(ConfigLoad::Missing) => entries.push(item(MenuId::SetUp, t("menu-set-up", &[]))),
        Some(ConfigLoad::Invalid(f)) => {
            entries.push(Entry::Info(why(f.code)));
            entries.push(item(MenuId::Settings, t("menu-fix-settings", &[])));
        }
        _ if snapshot.is_some_and(|s| s.profiles.is_empty()) => {
            entries.push(item(MenuId::SetUp, t("menu-set-up", &[])))
        }
        _ => {}
    }
    for p in providers {
        if p.signed_in.is_some() && model.needs_sign_in(&p.name) {
            let arg = [("provider", Arg::from(&p.name))];
            let label = if model.signing_in.as_deref() == Some(&p.name) { "menu-signing-in" } else { "menu-sign-in" };
            entries.push(item(MenuId::SignIn(p.name.clone()), t(label, &arg)));
        }
    }
    let failing =
        || shown.iter().filter(|s| matches!(s.state, ProfileState::RefreshFailing | ProfileState::KeychainUnavailable));
    let trouble = failing().find_map(|s| Some((s.snap.name.as_str(), s.failure?)));
    let keychain_down = providers.iter().any(|p| p.signed_in.is_none())
        || shown.iter().any(|s| s.state == ProfileState::KeychainUnavailable);
    match trouble {
        // the keychain answers for every profile: no one profile to name
        _ if keychain_down => entries.push(Entry::Info(why(ErrorCode::KeychainUnavailable))),
        Some((profile, f)) => entries.push(Entry::Info(t(
            "menu-trouble",
            &[("profile", Arg::Str(profile)), ("reason", Arg::Str(&why(f.code)))],
        ))),
        None => {}
    }
    // a refused role is fixed in IAM or the settings, not by trying again
    let retry_helps = keychain_down || failing().any(|s| s.failure.is_some_and(|f| f.code != ErrorCode::StsRefused));
    if (trouble.is_some() || keychain_down) && retry_helps {
        entries.push(item(MenuId::Retry, t("menu-retry", &[])));
    }
    entries
}

/// Each provider: who is signed in, then its profiles.
fn provider_entries(
    model: &Model,
    shown: &[Shown<'_>],
    providers: &[&super::ProviderSnap],
    now: OffsetDateTime,
    t: &Say<'_>,
    why: &dyn Fn(ErrorCode) -> String,
    time: &dyn Fn(OffsetDateTime) -> String,
) -> Vec<Entry> {
    let mut entries = Vec::new();
    for p in providers {
        let name = Arg::from(&p.name);
        let header = match (p.signed_in, model.identity(&p.name)) {
            (None, _) => t("menu-provider-keychain", &[("provider", name)]),
            (Some(_), _) if model.needs_sign_in(&p.name) && p.signed_in == Some(true) => {
                t("menu-provider-sign-in-needed", &[("provider", name)])
            }
            (Some(true), Some(who)) => {
                t("menu-provider-signed-in", &[("provider", name), ("who", Arg::Str(&short(who)))])
            }
            (Some(true), None) => t("menu-provider-signed-in-anon", &[("provider", name)]),
            (Some(false), _) => t("menu-provider-signed-out", &[("provider", name)]),
        };
        entries.push(Entry::Info(header));
        for s in shown.iter().filter(|s| s.snap.provider == p.name) {
            entries.push(profile_entry(s, why, now, t, time));
        }
    }
    if model.snapshot.as_ref().is_some_and(|s| s.config == ConfigLoad::Ok && s.profiles.is_empty()) {
        entries.push(Entry::Info(t("no-profiles", &[])));
    }
    if !providers.is_empty() {
        entries.push(Entry::Separator);
    }
    entries
}

/// Formats a message of the person's language.
type Say<'a> = dyn Fn(&str, &[(&str, Arg<'_>)]) -> String + 'a;

fn profile_entry(
    s: &Shown<'_>,
    why: &dyn Fn(ErrorCode) -> String,
    now: OffsetDateTime,
    t: &Say<'_>,
    time: &dyn Fn(OffsetDateTime) -> String,
) -> Entry {
    let name = s.snap.name.as_str();
    let valid = s.snap.expiration.filter(|e| *e > now);
    let p = ("profile", Arg::Str(name));
    let label = if s.refreshing {
        t("profile-renewing", &[p])
    } else {
        match (s.state, valid) {
            (ProfileState::SignedOut, _) => t("profile-signed-out", &[p]),
            (ProfileState::SignInNeeded, _) => t("profile-sign-in-needed", &[p]),
            (ProfileState::KeychainUnavailable, _) => t("profile-keychain", &[p]),
            (ProfileState::RefreshFailing, Some(e)) => t("profile-failing", &[p, ("time", Arg::Str(&time(e)))]),
            (ProfileState::RefreshFailing, None) => t("profile-failing-expired", &[p]),
            (ProfileState::Ready, Some(e)) => t("profile-ready", &[p, ("time", Arg::Str(&time(e)))]),
            (ProfileState::Ready | ProfileState::Expired, None) => t("profile-on-use", &[p]),
            (ProfileState::Expired, Some(e)) => t("profile-ready", &[p, ("time", Arg::Str(&time(e)))]),
        }
    };
    let signed_in = !matches!(s.state, ProfileState::SignedOut | ProfileState::SignInNeeded);
    let mut children = Vec::new();
    match (s.state, valid) {
        (ProfileState::Ready | ProfileState::Expired, Some(e)) => {
            children.push(Entry::Info(t("detail-renews", &[("time", Arg::Str(&time(e)))])))
        }
        (ProfileState::RefreshFailing, Some(e)) => {
            let refused = s.failure.is_some_and(|f| f.code == ErrorCode::StsRefused);
            let id = if refused { "detail-valid-until" } else { "detail-retrying" };
            children.push(Entry::Info(t(id, &[("time", Arg::Str(&time(e)))])))
        }
        _ => {}
    }
    if let Some(f) = s.failure.filter(|_| s.state != ProfileState::Ready) {
        children.push(Entry::Info(why(f.code)));
    }
    children
        .push(Entry::Info(t("detail-role", &[("role", Arg::Str(&s.snap.role)), ("region", Arg::Str(&s.snap.region))])));
    children.push(Entry::Separator);
    if signed_in {
        children.push(Entry::Item { id: MenuId::Console(name.to_string()), label: t("open-console", &[]) });
        children.push(Entry::Item { id: MenuId::Refresh(name.to_string()), label: t("refresh-now", &[]) });
    } else {
        children.push(Entry::Item {
            id: MenuId::SignIn(s.snap.provider.clone()),
            label: t("menu-sign-in", &[("provider", Arg::Str(&s.snap.provider))]),
        });
    }
    children.push(Entry::Item { id: MenuId::Copy(name.to_string()), label: t("copy-profile", &[]) });
    Entry::Sub { label, children }
}

fn icon_state(model: &Model, shown: &[Shown<'_>], now: OffsetDateTime) -> IconState {
    let snapshot = model.snapshot.as_ref();
    let config_bad = snapshot.is_some_and(|s| matches!(s.config, ConfigLoad::Invalid(_)));
    let any_signed_in = snapshot.is_some_and(|s| s.providers.iter().any(|p| p.signed_in == Some(true)));
    let broken = shown.iter().any(|s| match s.state {
        ProfileState::SignInNeeded | ProfileState::KeychainUnavailable => {
            any_signed_in || s.state == ProfileState::KeychainUnavailable
        }
        ProfileState::RefreshFailing => {
            s.snap.expiration.is_none_or(|e| e <= now) || s.failure.is_some_and(|f| f.code == ErrorCode::StsRefused)
        }
        _ => false,
    });
    let keychain_down = snapshot.is_some_and(|s| s.providers.iter().any(|p| p.signed_in.is_none()));
    if config_bad || broken || keychain_down {
        IconState::Error
    } else if !any_signed_in {
        IconState::SignedOut
    } else if shown.iter().any(|s| matches!(s.state, ProfileState::RefreshFailing | ProfileState::SignedOut)) {
        // some profiles work, others wait for a sign-in: not all well
        IconState::Expiring
    } else {
        IconState::Ok
    }
}

fn tooltip(
    model: &Model,
    shown: &[Shown<'_>],
    icon: IconState,
    entries: &[Entry],
    tr: &Tr,
    lang: Lang,
    time: &dyn Fn(OffsetDateTime) -> String,
) -> String {
    let snapshot = model.snapshot.as_ref();
    if snapshot.is_none_or(|s| s.config == ConfigLoad::Missing || s.profiles.is_empty()) {
        return tr.s(lang, "tooltip-set-up");
    }
    match icon {
        IconState::Ok => {
            let ready: Vec<&Shown<'_>> = shown.iter().filter(|s| s.state == ProfileState::Ready).collect();
            match ready.as_slice() {
                [one] => match one.snap.expiration {
                    Some(e) => {
                        tr.t(lang, "tooltip-ok", &[("profile", Arg::Str(&one.snap.name)), ("time", Arg::Str(&time(e)))])
                    }
                    None => tr.t(lang, "tooltip-ok-many", &[("count", Arg::Num(1))]),
                },
                many => tr.t(lang, "tooltip-ok-many", &[("count", Arg::Num(many.len() as i64))]),
            }
        }
        IconState::SignedOut => tr.s(lang, "tooltip-signed-out"),
        // the first line of the menu says what is wrong or what to do
        _ => {
            let first = entries.iter().find_map(|e| match e {
                Entry::Info(s) | Entry::Item { label: s, .. } => Some(s.clone()),
                _ => None,
            });
            tr.t(lang, "tooltip-attention", &[("reason", Arg::Str(&first.unwrap_or_default()))])
        }
    }
}

/// The text of one notification.
#[derive(Debug, Clone, PartialEq)]
pub struct NoteText {
    pub title: String,
    pub body: String,
    /// (action id, label): a menu id, so a click is the same message as the menu item.
    pub actions: Vec<(String, String)>,
}

/// Notifications raised by one update become one notification: the first one's title and body, then
/// the others' titles as lines, and all their actions.
pub fn render_notes(notes: &[Note], lang: Lang, tr: &Tr) -> Option<NoteText> {
    let mut texts = notes.iter().map(|n| note_text(n, lang, tr));
    let mut first = texts.next()?;
    let rest: Vec<NoteText> = texts.collect();
    const MAX_LINES: usize = 3;
    for (i, other) in rest.iter().enumerate() {
        if i == MAX_LINES {
            first.body.push('\n');
            first.body.push_str(&tr.t(lang, "note-more", &[("count", Arg::Num((rest.len() - MAX_LINES) as i64))]));
            break;
        }
        first.body.push('\n');
        first.body.push_str(&other.title);
    }
    for other in rest {
        for a in other.actions {
            if !first.actions.contains(&a) {
                first.actions.push(a);
            }
        }
    }
    Some(first)
}

pub fn note_text(note: &Note, lang: Lang, tr: &Tr) -> NoteText {
    let t = |id: &str, args: &[(&str, Arg<'_>)]| tr.t(lang, id, args);
    let sign_in = |provider: &str| (MenuId::SignIn(provider.to_string()).to_id(), t("action-sign-in", &[]));
    let retry = || (MenuId::Retry.to_id(), t("action-retry", &[]));
    match note {
        Note::SignedIn { provider, who, ready, failed } => {
            let mut body = t("note-signed-in-body", &[("who", Arg::Str(who)), ("count", Arg::Num(*ready as i64))]);
            for (profile, code) in failed {
                body.push('\n');
                body.push_str(&t(
                    "note-profile-failed",
                    &[("profile", Arg::Str(profile)), ("reason", Arg::Str(&reason(tr, lang, code.as_str())))],
                ));
            }
            let retry_helps = failed.iter().any(|(_, code)| *code != ErrorCode::StsRefused);
            let actions = if retry_helps { vec![retry()] } else { vec![] };
            NoteText { title: t("note-signed-in", &[("provider", Arg::Str(provider))]), body, actions }
        }
        Note::SignInNeeded { provider, code } => NoteText {
            title: t("note-sign-in-needed", &[("provider", Arg::Str(provider))]),
            body: t("note-sign-in-needed-body", &[("reason", Arg::Str(&reason(tr, lang, code.as_str())))]),
            actions: vec![sign_in(provider)],
        },
        Note::NotRenewed { profile, code } => {
            // a refused role: only a fix of the role helps, so no promise of a retry and no Retry button
            let refused = *code == ErrorCode::StsRefused;
            let body = if refused { "note-not-renewed-body-refused" } else { "note-not-renewed-body" };
            NoteText {
                title: t("note-not-renewed", &[("profile", Arg::Str(profile))]),
                body: t(body, &[("reason", Arg::Str(&reason(tr, lang, code.as_str())))]),
                actions: vec![if refused { (MenuId::Settings.to_id(), t("action-settings", &[])) } else { retry() }],
            }
        }
        Note::Expiring { profile, minutes, sign_in: who } => NoteText {
            title: t("note-expiring", &[("profile", Arg::Str(profile)), ("minutes", Arg::Num(*minutes))]),
            body: String::new(),
            actions: vec![who.as_deref().map(sign_in).unwrap_or_else(retry)],
        },
        Note::Expired { profile, sign_in: who } => NoteText {
            title: t("note-expired", &[("profile", Arg::Str(profile))]),
            body: String::new(),
            actions: vec![who.as_deref().map(sign_in).unwrap_or_else(retry)],
        },
        Note::ConsoleFailed { profile, code, why } => NoteText {
            title: t("note-console-failed", &[]),
            body: match why {
                Some(why) => t(
                    "note-console-failed-why",
                    &[("profile", Arg::Str(profile)), ("why", Arg::Str(&tr.s(lang, &format!("console-why-{why}"))))],
                ),
                None => format!("{profile}: {}", reason(tr, lang, code.as_str())),
            },
            actions: vec![(MenuId::Console(profile.clone()).to_id(), t("action-open-console", &[]))],
        },
        Note::SignOutFailed { provider, code } => NoteText {
            title: t("note-sign-out-failed", &[("provider", Arg::Str(provider))]),
            body: reason(tr, lang, code.as_str()),
            actions: vec![],
        },
    }
}
