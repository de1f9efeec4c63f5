//! A stored sign-in's secrets go only where they went at sign-in (`app::trust`): a config change that
//! points the token, revocation, STS or federation endpoint elsewhere stops with "sign-in needed" and
//! sends nothing there, until the person signs in again.

use std::sync::Arc;

use time::Duration as TD;

use crate::app::error::{Error, ErrorCode};
use crate::app::logout::Revocation;
use crate::app::testing::*;
use crate::state::destinations::Destinations;
use crate::state::token_store::TokenStore;
use crate::sys::clock::Clock;

const CAPTURE: &str = "http://127.0.0.1:9/capture";

/// The stored sign-in, with its ID token expired (so the next use must redeem the refresh token) and
/// its destinations changed by `edit`.
fn stored_with(w: &World, edit: impl FnOnce(&mut Option<Destinations>)) {
    let mut tokens = w.store.load(PROVIDER).unwrap().unwrap();
    tokens.id_token = crate::sys::secret::Secret::new(jwt("alice", w.clock.now() - TD::minutes(1)));
    edit(&mut tokens.destinations);
    w.store.save(PROVIDER, &tokens).unwrap();
}

fn reason(e: &Error) -> String {
    assert_eq!(e.code(), ErrorCode::SignInNeeded, "{e}");
    e.to_string()
}

#[test]
fn a_moved_token_endpoint_gets_no_refresh_token_and_asks_for_a_sign_in() {
    let w = World::new(&[("dev", 3600)]);
    stored_with(&w, |d| d.as_mut().unwrap().token_endpoint = Some("https://old-idp.example/token".into()));
    let e = rt().block_on(w.app.credential_process("dev", soon())).unwrap_err();
    let text = reason(&e);
    assert!(
        text.contains("idp's token endpoint changed (https://old-idp.example/token → https://idp.example/token)"),
        "{text}"
    );
    assert!(text.contains("sign in again to trust it") && text.contains("idbridge login"), "{text}");
    assert_eq!(w.idp_refreshes(), 0, "the refresh token was sent to the new endpoint");
    assert_eq!(w.stored_refresh_token().as_deref(), Some("rt-0"), "the sign-in is kept as it was");
}

#[test]
fn an_item_from_before_destinations_renews_once_and_then_records_its_token_endpoint() {
    let w = World::new(&[("dev", 3600)]);
    stored_with(&w, |d| *d = None);
    rt().block_on(w.app.credential_process("dev", soon())).unwrap();
    assert_eq!(w.idp_refreshes(), 1);
    let recorded = w.store.load(PROVIDER).unwrap().unwrap().destinations.expect("recorded with the rotation");
    assert_eq!(recorded.token_endpoint.as_deref(), Some("https://idp.example/token"));
    assert_eq!(recorded.revocation_endpoint.as_deref(), Some("https://idp.example/revoke"));
}

#[test]
fn a_profile_pointed_at_a_new_sts_endpoint_gets_no_id_token_until_the_next_sign_in() {
    let w = World::new(&[("dev", 3600)]);
    w.append_config(&format!(
        "[profiles.new]\nprovider = \"{PROVIDER}\"\nrole_arn = \"arn:aws:iam::123456789012:role/x\"\nsts_endpoint = \"{CAPTURE}\"\n"
    ));
    let e = rt().block_on(w.app.credential_process("new", soon())).unwrap_err();
    let text = reason(&e);
    assert!(text.contains(&format!("was not made for the STS endpoint {CAPTURE}")), "{text}");
    assert!(text.contains("--profile new"), "{text}");
    assert_eq!(w.sts_calls(), 0, "the ID token went to the new endpoint");
    // the person signs in again, now with the endpoint in place: it is trusted
    rt().block_on(async {
        let config = w.app.load_config().unwrap();
        let pending = w.app.start_sign_in(&config, PROVIDER).await.unwrap();
        w.app.finish_sign_in(&config, pending, World::no_wait(Arc::default())).await.unwrap();
        w.app.credential_process("new", soon()).await.unwrap();
    });
}

#[test]
fn a_chained_profile_pointed_at_a_new_sts_endpoint_is_refused_too() {
    let w = World::new(&[("dev", 3600)]);
    w.append_config(&format!(
        "[profiles.deploy]\nsource_profile = \"dev\"\nrole_arn = \"arn:aws:iam::210987654321:role/deploy\"\nsts_endpoint = \"{CAPTURE}\"\n"
    ));
    let e = rt().block_on(w.app.credential_process("deploy", soon())).unwrap_err();
    assert!(reason(&e).contains("STS endpoint"), "{e}");
    assert!(w.sts.chained_calls().is_empty(), "the source's session went to the new endpoint");
}

#[test]
fn session_keys_go_to_a_new_federation_endpoint_only_after_a_sign_in() {
    let w = World::new(&[("dev", 3600)]);
    w.append_config(&format!(
        "[profiles.web]\nprovider = \"{PROVIDER}\"\nrole_arn = \"arn:aws:iam::123456789012:role/web\"\nfederation_endpoint = \"{CAPTURE}\"\n"
    ));
    let e = rt().block_on(w.app.console_url("web", None)).unwrap_err();
    assert!(reason(&e).contains(&format!("federation endpoint {CAPTURE}")), "{e}");
    assert!(w.federation.calls.lock().unwrap().is_empty(), "session keys were sent");
    w.sign_in(w.clock.now() + TD::hours(1));
    rt().block_on(w.app.console_url("web", None)).unwrap();
    assert_eq!(w.federation.calls.lock().unwrap()[0].0, CAPTURE);
}

#[test]
fn sign_out_sends_the_refresh_token_only_to_the_revocation_endpoint_of_the_sign_in() {
    let w = World::new(&[("dev", 3600)]);
    stored_with(&w, |d| d.as_mut().unwrap().revocation_endpoint = Some("https://old-idp.example/revoke".into()));
    let report = rt().block_on(w.app.logout(PROVIDER)).unwrap();
    let Revocation::Failed { reason } = &report.revocation else { panic!("{:?}", report.revocation) };
    assert!(reason.contains("revocation endpoint changed") && reason.contains("not sent"), "{reason}");
    assert_eq!(w.idp.revokes.load(std::sync::atomic::Ordering::SeqCst), 0);
    assert!(report.had_tokens && w.store.load(PROVIDER).unwrap().is_none(), "signed out locally all the same");
}
