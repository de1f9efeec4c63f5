//! Failures name their profile and the fix that helps (issue 15.8): the menu's first line says which
//! profile; a refused role sends the person to its ARN and trust policy and offers no Retry; a console
//! failure says why, in both languages.

use idbridge_core::ErrorCode;

use super::tests::{NOW, loaded, profile, shown, snapshot};
use super::view::render_notes;
use super::*;
use crate::i18n::Tr;

fn failing(name: &str, code: ErrorCode, minutes_left: Option<i64>) -> ProfileSnap {
    let mut p = profile(name, "auth0", ProfileState::RefreshFailing, minutes_left);
    p.failure = Some(Failure::new(NOW, code, "details"));
    p
}

fn note(n: Note, lang: Lang) -> view::NoteText {
    render_notes(&[n], lang, &Tr::new()).unwrap()
}

#[test]
fn an_unreachable_aws_names_the_profile() {
    let (m, _) = loaded(snapshot(Some(true), vec![failing("dev", ErrorCode::StsUnreachable, Some(15))]));
    let (_, l) = shown(&m);
    assert_eq!(l[0], "(dev: AWS could not be reached.)");
    assert_eq!(l[1], "Retry now");
}

#[test]
fn a_refused_role_says_what_to_check_and_promises_no_retry() {
    let (m, _) = loaded(snapshot(Some(true), vec![failing("prod", ErrorCode::StsRefused, Some(15))]));
    let (_, l) = shown(&m);
    assert_eq!(l[0], "(prod: AWS refused this role: check the role ARN and the role's trust policy.)");
    assert!(!l.iter().any(|l| l.contains("Retry") || l.contains("Retrying")), "{l:?}");
    assert!(l.contains(&"  (Valid until 15:51)".to_string()), "{l:?}");
    for lang in [Lang::En, Lang::Ja] {
        let text = note(Note::NotRenewed { profile: "prod".into(), code: ErrorCode::StsRefused }, lang);
        assert!(!text.actions.iter().any(|(id, _)| id == "retry"), "{text:?}");
        assert_eq!(text.actions.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(), vec!["settings"]);
        assert!(!text.body.contains("again automatically") && !text.body.contains("自動"), "{}", text.body);
        assert!(text.body.contains("ARN"), "{}", text.body);
    }
    // a sign-in whose only failure is a refused role offers no Retry either
    let signed_in = Note::SignedIn {
        provider: "auth0".into(),
        who: "alice".into(),
        ready: 1,
        failed: vec![("prod".into(), ErrorCode::StsRefused)],
    };
    assert!(!note(signed_in, Lang::En).actions.iter().any(|(id, _)| id == "retry"));
}

#[test]
fn a_console_failure_says_why() {
    let cases = [
        ("unreachable", "could not be reached", "接続できません"),
        ("refused", "refused the session", "拒否"),
        ("no_token", "no sign-in token", "サインイントークン"),
        ("browser", "browser named in the profile", "ブラウザー"),
        ("no_browser", "No web browser", "ブラウザー"),
    ];
    for (why, en, ja) in cases {
        let n = || Note::ConsoleFailed { profile: "dev".into(), code: ErrorCode::ConsoleError, why: Some(why) };
        let text = note(n(), Lang::En);
        assert!(text.body.starts_with("dev: The AWS console sign-in failed: ") && text.body.contains(en), "{text:?}");
        assert!(note(n(), Lang::Ja).body.contains(ja), "{why}");
    }
    // a failure before the console (no credentials) keeps its own sentence
    let n = Note::ConsoleFailed { profile: "dev".into(), code: ErrorCode::StsUnreachable, why: None };
    assert_eq!(note(n, Lang::En).body, "dev: AWS could not be reached.");
}
