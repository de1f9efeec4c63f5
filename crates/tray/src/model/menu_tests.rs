//! What the menu says when there is nothing to refresh yet or something outside the tray is wrong: a
//! first run, a broken config.toml, a missing keychain; and in Japanese, and with long names.

use idbridge_core::ErrorCode;

use super::tests::{NOW, loaded, profile, shown, snapshot};
use super::view::IconState;
use super::*;

#[test]
fn first_run_offers_set_up_and_opens_it_once() {
    let missing = Snapshot { config: ConfigLoad::Missing, lang: Lang::En, providers: vec![], profiles: vec![] };
    let (mut m, fx) = loaded(missing.clone());
    assert_eq!(fx, vec![Effect::OpenSettings]);
    let (v, l) = shown(&m);
    // Set up opens Settings: not offered twice
    assert_eq!(l, vec!["Set up idbridge…", "---", "Quit idbridge"]);
    assert_eq!(v.tooltip, "idbridge — not set up yet");
    assert_eq!(v.icon, IconState::SignedOut);
    update(&mut m, Msg::Tick { utc_offset: None }, NOW);
    assert!(update(&mut m, Msg::Loaded(missing), NOW).is_empty(), "not opened again");
}

#[test]
fn a_broken_config_says_so_and_offers_to_fix_it() {
    let bad = Snapshot {
        config: ConfigLoad::Invalid(Failure::new(
            NOW,
            ErrorCode::Config,
            "config.toml: profiles.dev.role_arn: an IAM role ARN",
        )),
        lang: Lang::Ja,
        providers: vec![],
        profiles: vec![],
    };
    let (m, _) = loaded(bad);
    let (v, l) = shown(&m);
    assert_eq!(v.icon, IconState::Error);
    assert_eq!(l[..2], ["(設定ファイルに問題があります。)".to_string(), "設定を直す…".to_string()]);
}

#[test]
fn the_keychain_missing_is_named_and_retry_asks_again() {
    let (mut m, _) = loaded(snapshot(None, vec![profile("dev", "auth0", ProfileState::KeychainUnavailable, Some(40))]));
    let (v, l) = shown(&m);
    assert_eq!(v.icon, IconState::Error);
    assert_eq!(l[0], "(The keychain is not available. Unlock it or start it, then retry.)");
    assert_eq!(l[1], "Retry now");
    assert!(l.contains(&"(auth0 · keychain unavailable)".to_string()), "{l:?}");
    assert_eq!(update(&mut m, Msg::Menu(MenuId::Retry), NOW), vec![Effect::Load]);
}

#[test]
fn japanese_menu() {
    let mut snap = snapshot(Some(true), vec![profile("dev", "auth0", ProfileState::Ready, Some(60))]);
    snap.lang = Lang::Ja;
    let (m, _) = loaded(snap);
    let (v, l) = shown(&m);
    assert_eq!(l[0], "(auth0 · alice@example.com でサインイン中)");
    assert_eq!(l[1], "dev · 16:36 まで有効 >");
    assert_eq!(v.tooltip, "idbridge — dev は 16:36 まで有効");
    assert!(l.contains(&"auth0 からサインアウト".to_string()));
}

#[test]
fn long_identities_are_cut() {
    let mut snap = snapshot(Some(true), vec![]);
    snap.providers[0].identity = Some("a-very-long-name-that-goes-on@an-even-longer-example-domain.com".into());
    let (m, _) = loaded(snap);
    let lines = shown(&m).1;
    let header = lines.iter().find(|l| l.starts_with("(auth0")).unwrap();
    assert!(header.ends_with("…)") && header.chars().count() < 70, "{header}");
}
