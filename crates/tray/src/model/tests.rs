//! `update` and `view` for each situation a person can be in (issue 9's rows), at fixed instants.

use idbridge_core::ErrorCode;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use super::view::{Entry, IconState, TrayView, render_notes, view};
use super::*;
use crate::i18n::Tr;

pub(super) const NOW: OffsetDateTime = datetime!(2026-11-25 15:36 UTC);

pub(super) fn profile(name: &str, provider: &str, state: ProfileState, minutes_left: Option<i64>) -> ProfileSnap {
    ProfileSnap {
        name: name.into(),
        provider: provider.into(),
        role: name.into(),
        region: "ap-northeast-1".into(),
        expiration: minutes_left.map(|m| NOW + Duration::minutes(m)),
        state,
        failure: None,
        policy: Policy::DEFAULT,
    }
}

pub(super) fn snapshot(signed_in: Option<bool>, profiles: Vec<ProfileSnap>) -> Snapshot {
    Snapshot {
        config: ConfigLoad::Ok,
        lang: Lang::En,
        providers: vec![ProviderSnap { name: "auth0".into(), signed_in, identity: Some("alice@example.com".into()) }],
        profiles,
    }
}

pub(super) fn loaded(snap: Snapshot) -> (Model, Vec<Effect>) {
    let mut m = Model::default();
    assert_eq!(update(&mut m, Msg::Started, NOW), vec![Effect::Load]);
    let fx = update(&mut m, Msg::Loaded(snap), NOW);
    (m, fx)
}

fn labels(entries: &[Entry]) -> Vec<String> {
    entries
        .iter()
        .flat_map(|e| match e {
            Entry::Separator => vec!["---".to_string()],
            Entry::Info(s) => vec![format!("({s})")],
            Entry::Item { label, .. } => vec![label.clone()],
            Entry::Sub { label, children } => std::iter::once(format!("{label} >"))
                .chain(labels(children).into_iter().map(|c| format!("  {c}")))
                .collect(),
        })
        .collect()
}

pub(super) fn shown(m: &Model) -> (TrayView, Vec<String>) {
    let v = view(m, NOW, &Tr::new());
    let l = labels(&v.entries);
    (v, l)
}

fn notes(fx: &[Effect]) -> Vec<&Note> {
    fx.iter().filter_map(|e| if let Effect::Notify(n) = e { Some(n) } else { None }).collect()
}

#[test]
fn all_well_shows_who_is_signed_in_and_until_when_without_alarm() {
    let (m, fx) = loaded(snapshot(Some(true), vec![profile("dev", "auth0", ProfileState::Ready, Some(60))]));
    assert!(fx.is_empty(), "nothing due an hour before expiry: {fx:?}");
    let (v, l) = shown(&m);
    assert_eq!(v.icon, IconState::Ok);
    assert_eq!(v.tooltip, "idbridge — dev OK until 16:36");
    assert_eq!(l[0], "(auth0 · signed in as alice@example.com)");
    assert_eq!(l[1], "dev · ready until 16:36 >");
    assert_eq!(l[2], "  (Renews automatically · valid until 16:36)");
    assert!(l.contains(&"  Open Console".to_string()) && l.contains(&"Sign out of auth0".to_string()), "{l:?}");
    assert_eq!(l.last().unwrap(), "Quit idbridge");
}

#[test]
fn local_time_is_shown_in_the_machines_offset() {
    let (mut m, _) = loaded(snapshot(Some(true), vec![profile("dev", "auth0", ProfileState::Ready, Some(60))]));
    update(&mut m, Msg::Tick { utc_offset: Some(time::UtcOffset::from_hms(9, 0, 0).unwrap()) }, NOW);
    assert_eq!(shown(&m).1[1], "dev · ready until 01:36 >");
}

#[test]
fn signed_out_puts_sign_in_on_top() {
    let (m, fx) = loaded(snapshot(Some(false), vec![profile("dev", "auth0", ProfileState::SignedOut, None)]));
    assert!(notes(&fx).is_empty(), "being signed out is not news");
    let (v, l) = shown(&m);
    assert_eq!(v.icon, IconState::SignedOut);
    assert_eq!(l[0], "Sign in to auth0…");
    assert!(l.contains(&"dev · signed out >".to_string()));
    assert!(!l.iter().any(|l| l.starts_with("Sign out")), "{l:?}");
    assert!(matches!(&v.entries[0], Entry::Item { id: MenuId::SignIn(p), .. } if p == "auth0"));
}

#[test]
fn a_refused_refresh_token_asks_for_sign_in_in_the_menu_and_once_as_a_notification_with_an_action() {
    let mut p = profile("dev", "auth0", ProfileState::SignInNeeded, Some(30));
    p.failure =
        Some(Failure::new(NOW, ErrorCode::SignInNeeded, "sign-in needed for provider 'auth0' (the IdP refused …)"));
    let snap = snapshot(Some(true), vec![p]);
    let (mut m, fx) = loaded(snap.clone());
    assert_eq!(notes(&fx), vec![&Note::SignInNeeded { provider: "auth0".into(), code: ErrorCode::SignInNeeded }]);
    let (v, l) = shown(&m);
    assert_eq!(v.icon, IconState::Error);
    assert_eq!(l[0], "Sign in to auth0…", "the dead end is gone: {l:?}");
    assert!(l.contains(&"dev · sign-in needed >".to_string()), "{l:?}");
    assert!(!l.iter().any(|l| l.contains("the IdP ref")), "no core message in the menu: {l:?}");
    assert_eq!(v.tooltip, "idbridge — Sign in to auth0…");
    let text = render_notes(&[notes(&fx)[0].clone()], Lang::En, &Tr::new()).unwrap();
    assert_eq!(text.title, "Sign-in needed for auth0");
    assert_eq!(text.body, "Your sign-in has ended.\nSign in to continue.");
    assert_eq!(text.actions, vec![("signin:auth0".to_string(), "Sign in".to_string())]);
    // told once
    update(&mut m, Msg::Tick { utc_offset: None }, NOW);
    assert!(notes(&update(&mut m, Msg::Loaded(snap), NOW + Duration::minutes(1))).is_empty());
    // the action button is the menu item
    assert_eq!(
        update(&mut m, Msg::NotificationAction("signin:auth0".into()), NOW),
        vec![Effect::StartSignIn { provider: "auth0".into() }]
    );
}

#[test]
fn sts_unreachable_offers_retry_with_the_reason_not_sign_in() {
    let (mut m, fx) = loaded(snapshot(Some(true), vec![profile("dev", "auth0", ProfileState::Ready, Some(15))]));
    let [Effect::Refresh { generation, .. }] = fx.as_slice() else { panic!("due: {fx:?}") };
    let failure = Failure::new(NOW, ErrorCode::StsUnreachable, "dispatch failure: other: client error (SendRequest)");
    let fx =
        update(&mut m, Msg::RefreshDone { profile: "dev".into(), generation: *generation, outcome: Err(failure) }, NOW);
    assert_eq!(notes(&fx), vec![&Note::NotRenewed { profile: "dev".into(), code: ErrorCode::StsUnreachable }]);
    let (v, l) = shown(&m);
    assert_eq!(v.icon, IconState::Expiring, "still valid: amber, not red");
    assert_eq!(l[0], "(dev: AWS could not be reached.)");
    assert_eq!(l[1], "Retry now");
    assert!(!l.iter().any(|l| l.starts_with("Sign in")), "signing in would not help: {l:?}");
    assert!(l.contains(&"dev · not renewed · valid until 15:51 >".to_string()), "{l:?}");
    assert!(!l.iter().any(|l| l.contains("dispatch failure")), "no library chain: {l:?}");
    let text = render_notes(&notes(&fx).into_iter().cloned().collect::<Vec<_>>(), Lang::En, &Tr::new()).unwrap();
    assert_eq!(text.title, "dev: credentials not renewed");
    assert_eq!(text.actions, vec![("retry".to_string(), "Retry now".to_string())]);
    // Retry now refreshes the failing profile whatever its expiry
    let fx = update(&mut m, Msg::Menu(MenuId::Retry), NOW + Duration::seconds(5));
    assert!(fx.iter().any(|e| matches!(e, Effect::Refresh { profile, .. } if profile == "dev")), "{fx:?}");
    assert_eq!(shown(&m).1[1..].iter().filter(|l| l.contains("renewing")).count(), 1);
}

#[test]
fn sts_refusing_one_role_is_an_error_on_that_profile_while_the_provider_stays_signed_in() {
    let mut prod = profile("prod", "auth0", ProfileState::RefreshFailing, None);
    prod.failure = Some(Failure::new(NOW, ErrorCode::StsRefused, "AccessDenied: not authorized"));
    let (m, _) = loaded(snapshot(Some(true), vec![profile("dev", "auth0", ProfileState::Ready, Some(60)), prod]));
    let (v, l) = shown(&m);
    assert_eq!(v.icon, IconState::Error, "partial failure is not success");
    assert_eq!(l[0], "(prod: AWS refused this role: check the role ARN and the role's trust policy.)");
    assert!(l.contains(&"prod · not renewed >".to_string()), "{l:?}");
    assert!(l.contains(&"(auth0 · signed in as alice@example.com)".to_string()));
}

#[test]
fn a_refresh_started_before_a_sign_out_cannot_write_sign_in_needed_back() {
    let (mut m, fx) = loaded(snapshot(Some(true), vec![profile("dev", "auth0", ProfileState::Ready, Some(10))]));
    let [Effect::Refresh { generation, .. }] = fx.as_slice() else { panic!("{fx:?}") };
    let generation = *generation;
    assert_eq!(
        update(&mut m, Msg::Menu(MenuId::SignOut("auth0".into())), NOW),
        vec![Effect::SignOut { provider: "auth0".into() }]
    );
    let late = Failure::new(NOW, ErrorCode::SignInNeeded, "refresh token revoked");
    let fx = update(&mut m, Msg::RefreshDone { profile: "dev".into(), generation, outcome: Err(late) }, NOW);
    assert!(notes(&fx).is_empty(), "{fx:?}");
    update(&mut m, Msg::SignOutDone { provider: "auth0".into(), result: Ok(true) }, NOW);
    let fx = update(
        &mut m,
        Msg::Loaded(snapshot(Some(false), vec![profile("dev", "auth0", ProfileState::SignedOut, None)])),
        NOW,
    );
    assert!(notes(&fx).is_empty(), "{fx:?}");
    let (v, l) = shown(&m);
    assert_eq!(v.icon, IconState::SignedOut);
    assert_eq!(l[0], "Sign in to auth0…");
    assert!(l.contains(&"dev · signed out >".to_string()), "{l:?}");
}

#[test]
fn sign_in_needed_with_credentials_running_out_is_one_notification_led_by_the_sign_in() {
    let mut p = profile("dev", "auth0", ProfileState::SignInNeeded, Some(8));
    p.failure = Some(Failure::new(NOW, ErrorCode::SignInNeeded, "x"));
    let (_, fx) = loaded(snapshot(Some(true), vec![p]));
    let text = render_notes(&notes(&fx).into_iter().cloned().collect::<Vec<_>>(), Lang::En, &Tr::new()).unwrap();
    assert_eq!(text.title, "Sign-in needed for auth0");
    assert!(text.body.ends_with("\ndev: AWS credentials expire in 8 min"), "{}", text.body);
}

#[test]
fn signing_in_twice_shows_the_open_window_and_a_sign_in_clears_old_trouble() {
    let mut p = profile("dev", "auth0", ProfileState::SignInNeeded, None);
    p.failure = Some(Failure::new(NOW, ErrorCode::SignInNeeded, "x"));
    let (mut m, _) = loaded(snapshot(Some(true), vec![p]));
    assert_eq!(
        update(&mut m, Msg::Menu(MenuId::SignIn("auth0".into())), NOW),
        vec![Effect::StartSignIn { provider: "auth0".into() }]
    );
    assert_eq!(shown(&m).1[0], "Signing in to auth0… (show window)");
    assert_eq!(update(&mut m, Msg::Menu(MenuId::SignIn("auth0".into())), NOW), vec![Effect::ShowSignIn]);
    let report = SignedIn {
        provider: "auth0".into(),
        who: "alice@example.com".into(),
        ready: vec!["dev".into()],
        failed: vec![],
    };
    let fx = update(&mut m, Msg::SignedIn(report), NOW);
    let [note] = notes(&fx)[..] else { panic!("{fx:?}") };
    let text = render_notes(std::slice::from_ref(note), Lang::En, &Tr::new()).unwrap();
    assert_eq!(
        (text.title.as_str(), text.body.as_str()),
        ("Signed in to auth0", "alice@example.com · 1 profile ready")
    );
    update(&mut m, Msg::WindowClosed(WindowKind::SignIn), NOW);
    update(
        &mut m,
        Msg::Loaded(snapshot(Some(true), vec![profile("dev", "auth0", ProfileState::Ready, Some(60))])),
        NOW,
    );
    let (v, l) = shown(&m);
    assert_eq!(v.icon, IconState::Ok);
    assert!(!l.iter().any(|l| l.starts_with("Sign in")), "{l:?}");
}

#[test]
fn a_sign_in_with_a_refused_role_reports_it_in_the_same_notification() {
    let (mut m, _) = loaded(snapshot(Some(false), vec![profile("dev", "auth0", ProfileState::SignedOut, None)]));
    let report = SignedIn {
        provider: "auth0".into(),
        who: "alice@example.com".into(),
        ready: vec!["dev".into()],
        failed: vec![("prod".into(), ErrorCode::StsRefused, "AccessDenied".into())],
    };
    let fx = update(&mut m, Msg::SignedIn(report), NOW);
    let text = render_notes(&notes(&fx).into_iter().cloned().collect::<Vec<_>>(), Lang::En, &Tr::new()).unwrap();
    assert_eq!(
        text.body,
        "alice@example.com · 1 profile ready\nprod: AWS refused this role: check the role ARN and the role's trust policy."
    );
    assert!(!text.body.contains("AccessDenied"));
    // after the sign-in: prod has no credentials, and the menu and icon say why instead of "signed out"
    let after = snapshot(
        Some(true),
        vec![
            profile("dev", "auth0", ProfileState::Ready, Some(60)),
            profile("prod", "auth0", ProfileState::Expired, None),
        ],
    );
    let fx = update(&mut m, Msg::Loaded(after), NOW);
    assert!(notes(&fx).is_empty(), "told once, in the sign-in notification: {fx:?}");
    let (v, l) = shown(&m);
    assert_eq!(v.icon, IconState::Error);
    assert_eq!(l[0], "(prod: AWS refused this role: check the role ARN and the role's trust policy.)");
    assert!(l.contains(&"prod · not renewed >".to_string()), "{l:?}");
}

#[test]
fn simultaneous_notifications_become_one() {
    let notes = [
        Note::SignInNeeded { provider: "auth0".into(), code: ErrorCode::SignInNeeded },
        Note::Expiring { profile: "dev".into(), minutes: 8, sign_in: Some("auth0".into()) },
    ];
    let text = render_notes(&notes, Lang::En, &Tr::new()).unwrap();
    assert_eq!(text.title, "Sign-in needed for auth0");
    assert_eq!(text.body, "Your sign-in has ended.\nSign in to continue.\ndev: AWS credentials expire in 8 min");
    assert_eq!(text.actions.len(), 1, "the same action once");
    assert_eq!(render_notes(&[], Lang::En, &Tr::new()), None);
    let ja = render_notes(&notes, Lang::Ja, &Tr::new()).unwrap();
    assert_eq!(ja.title, "auth0 へのサインインが必要です");
    assert_eq!(ja.actions[0].1, "サインイン");
}

#[test]
fn a_renewal_by_the_cli_clears_this_apps_failure() {
    let (mut m, fx) = loaded(snapshot(Some(true), vec![profile("dev", "auth0", ProfileState::Ready, Some(15))]));
    let [Effect::Refresh { generation, .. }] = fx.as_slice() else { panic!("{fx:?}") };
    let f = Failure::new(NOW, ErrorCode::IdpUnreachable, "connect error");
    update(&mut m, Msg::RefreshDone { profile: "dev".into(), generation: *generation, outcome: Ok(Some(f)) }, NOW);
    assert_eq!(shown(&m).0.icon, IconState::Expiring);
    update(
        &mut m,
        Msg::Loaded(snapshot(Some(true), vec![profile("dev", "auth0", ProfileState::Ready, Some(60))])),
        NOW,
    );
    assert_eq!(shown(&m).0.icon, IconState::Ok);
}

#[test]
fn the_loop_wakes_for_the_next_refresh_or_within_a_tick() {
    let (m, _) = loaded(snapshot(Some(true), vec![profile("dev", "auth0", ProfileState::Ready, Some(25))]));
    let wake = next_wake(&m, NOW);
    assert!(wake > NOW && wake <= NOW + Duration::minutes(5), "{wake}");
    let (m, _) = loaded(snapshot(Some(false), vec![profile("dev", "auth0", ProfileState::SignedOut, None)]));
    assert_eq!(next_wake(&m, NOW), NOW + crate::scheduler::TICK);
}

#[test]
fn menu_ids_round_trip() {
    for id in [
        MenuId::SetUp,
        MenuId::Retry,
        MenuId::SignIn("a".into()),
        MenuId::Copy("dev".into()),
        MenuId::Console("x.y".into()),
    ] {
        assert_eq!(MenuId::parse(&id.to_id()), Some(id));
    }
    assert_eq!(MenuId::parse("info:3"), None);
    assert_eq!(MenuId::parse("signin:"), None);
}

#[test]
fn files_changed_during_a_load_take_one_more_load_and_a_burst_no_more() {
    let mut m = Model::default();
    assert_eq!(update(&mut m, Msg::Started, NOW), vec![Effect::Load]);
    // the snapshot in flight may predate the change: none now, one once it is in
    assert!(update(&mut m, Msg::FilesChanged, NOW).is_empty());
    assert!(update(&mut m, Msg::FilesChanged, NOW).is_empty());
    let snap = snapshot(Some(true), vec![profile("dev", "auth0", ProfileState::Ready, Some(60))]);
    assert!(update(&mut m, Msg::Loaded(snap.clone()), NOW).contains(&Effect::Load));
    assert!(!update(&mut m, Msg::Loaded(snap), NOW).contains(&Effect::Load), "one more, not a loop");
    assert_eq!(update(&mut m, Msg::FilesChanged, NOW), vec![Effect::Load]);
}

#[test]
fn the_icon_is_not_green_while_a_provider_is_signed_out() {
    let mut snap = snapshot(Some(true), vec![profile("dev", "auth0", ProfileState::Ready, Some(60))]);
    snap.providers.push(ProviderSnap { name: "corp".into(), signed_in: Some(false), identity: None });
    snap.profiles.push(profile("prod", "corp", ProfileState::SignedOut, None));
    let (m, _) = loaded(snap);
    assert_eq!(shown(&m).0.icon, IconState::Expiring);
}

#[test]
fn a_sign_in_needed_from_elsewhere_is_told_once_and_again_only_after_the_provider_recovered() {
    let needed = |at| {
        let mut p = profile("dev", "auth0", ProfileState::SignInNeeded, Some(-1));
        p.failure = Some(Failure::new(at, ErrorCode::SignInNeeded, "sign-in needed"));
        snapshot(Some(true), vec![p])
    };
    let told = |m: &mut Model, snap: Snapshot| {
        update(m, Msg::FilesChanged, NOW);
        let fx = update(m, Msg::Loaded(snap), NOW);
        notes(&fx).iter().filter(|n| matches!(n, Note::SignInNeeded { .. })).count()
    };
    let (mut m, _) = loaded(snapshot(Some(true), vec![profile("dev", "auth0", ProfileState::Expired, None)]));
    assert_eq!(told(&mut m, needed(NOW)), 1, "a credential-process in an IDE needed a sign-in");
    for i in 1..5 {
        assert_eq!(told(&mut m, needed(NOW + Duration::seconds(i))), 0, "each further call: no storm");
    }
    // signed in with the CLI, then the sign-in ended again: that is a new event
    assert_eq!(told(&mut m, snapshot(Some(true), vec![profile("dev", "auth0", ProfileState::Ready, Some(60))])), 0);
    assert_eq!(told(&mut m, needed(NOW + Duration::minutes(1))), 1);
}
