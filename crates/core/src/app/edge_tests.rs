//! In-process tests of the edges a review found: a caller cancelled mid-rotation, config changed
//! under a refresh, sign-out racing a waiting caller, records that outlive a fix, status honesty.

use std::time::{Duration, Instant};

use time::Duration as TD;

use crate::app::ProfileState;
use crate::app::error::ErrorCode;
use crate::app::testing::*;
use crate::state::LockKind;
use crate::sys::clock::Clock;

/// Cancelling the caller drops the provider lock while the detached redeem task has not stored the
/// successor yet: a second refresh redeems the OLD refresh token -> reuse detection kills the family.
#[test]
fn a_cancelled_caller_keeps_the_provider_lock_until_the_successor_is_stored() {
    let w = World::new(&[("dev", 3600), ("prod", 3600)]);
    w.sign_in(w.clock.now() - TD::minutes(1)); // stored ID token expired: a refresh must redeem
    let (hook, rotated_rx) = signal_then_wait(1000);
    *w.idp.after_rotation.lock().unwrap() = Some(hook);
    let runtime = rt();
    let app = w.app.clone();
    let task = runtime.spawn(async move { app.credential_process("dev", soon()).await });
    rotated_rx.recv_timeout(Duration::from_secs(5)).unwrap();
    task.abort();
    // another caller (another profile of the same provider) gets the provider lock at once
    let r = runtime.block_on(w.app.credential_process("prod", soon()));
    assert!(w.app.shield.wait_idle(Duration::from_secs(5)));
    eprintln!("prod: {:?}", r.as_ref().map(|s| s.warning.clone()).map_err(|e| e.to_string()));
    eprintln!("stored rt: {:?}, live at IdP: {:?}", w.stored_refresh_token(), w.idp.live_token());
    assert_eq!(w.idp.live_token().as_deref(), Some("rt-1"), "the family was revoked");
}

/// Same cancellation: logout runs while the detached task is still storing; the keychain item comes back.
#[test]
fn a_sign_out_after_a_cancelled_caller_is_not_undone_by_its_rotation() {
    let w = World::new(&[("dev", 3600)]);
    w.sign_in(w.clock.now() - TD::minutes(1));
    let (hook, rotated_rx) = signal_then_wait(1000);
    *w.idp.after_rotation.lock().unwrap() = Some(hook);
    let runtime = rt();
    let app = w.app.clone();
    let task = runtime.spawn(async move { app.credential_process("dev", soon()).await });
    rotated_rx.recv_timeout(Duration::from_secs(5)).unwrap();
    task.abort();
    let report = runtime.block_on(w.app.logout(PROVIDER)).unwrap();
    eprintln!("logout: {report:?}");
    assert!(w.app.shield.wait_idle(Duration::from_secs(5)));
    let status = w.app.status().unwrap();
    eprintln!("after logout: state {:?}, stored rt {:?}", status[0].state, w.stored_refresh_token());
    assert_eq!(status[0].state, ProfileState::SignedOut, "logout undone by the detached store");
}

/// config.toml changes (role A -> B) while a refresh for role A is in flight: the file for role A gets a
/// meta newer than config.toml, so the warm path serves role A for the whole session.
#[test]
fn a_config_edit_during_a_refresh_keeps_the_warm_path_from_serving_the_old_role() {
    let w = World::new(&[("dev", 3600)]);
    let config = w.app.paths.config_file.clone();
    let hook: Hook = Box::new(move || {
        let config = config.clone();
        Box::pin(async move {
            let text = std::fs::read_to_string(&config).unwrap().replace("role/dev", "role/admin");
            std::fs::write(&config, text).unwrap();
        })
    });
    *w.sts.during.lock().unwrap() = Some(hook);
    let runtime = rt();
    let made = runtime.block_on(w.app.credential_process("dev", soon())).unwrap();
    *w.sts.during.lock().unwrap() = None;
    assert!(std::fs::read_to_string(&w.app.paths.config_file).unwrap().contains("role/admin"));
    let warm = crate::state::freshness::serve_warm(&w.app.paths, "dev", w.clock.now());
    // the slow path refuses the file (binding says role/dev) and refreshes:
    let slow = runtime.block_on(w.app.credential_process("dev", soon())).unwrap();
    eprintln!("sts calls: {}", w.sts_calls());
    assert_ne!(slow.json, made.json, "slow path re-made the file for role/admin");
    assert!(warm.is_none(), "warm path served the role/dev file although config says role/admin");
}

/// config.toml replaced by a file with an older mtime (cp -p, mv of a prepared file, home-manager/nix
/// store symlink with mtime 1): the warm path keeps serving the old role.
#[test]
fn a_config_swapped_in_with_an_older_mtime_is_noticed_by_the_warm_path() {
    let w = World::new(&[("dev", 3600)]);
    let runtime = rt();
    runtime.block_on(w.app.credential_process("dev", soon())).unwrap();
    assert!(crate::state::freshness::serve_warm(&w.app.paths, "dev", w.clock.now()).is_some());
    w.write_config(&[("dev", 3600)], "admin");
    let f = std::fs::OpenOptions::new().append(true).open(&w.app.paths.config_file).unwrap();
    f.set_modified(std::time::UNIX_EPOCH + Duration::from_secs(1)).unwrap(); // what nix store files carry
    let warm = crate::state::freshness::serve_warm(&w.app.paths, "dev", w.clock.now());
    assert!(warm.is_none(), "warm path served the role/dev file although config says role/admin");
}

/// A logout that happens while a credential_process waits for the provider lock: the waiting process
/// then fails (not signed in), serves the credentials it read before the logout, and leaves a
/// sign_in_needed record saying the IdP refused the sign-in.
#[test]
fn a_caller_waiting_through_a_sign_out_serves_nothing_and_records_nothing() {
    let w = World::new(&[("dev", 900)]);
    let runtime = rt();
    runtime.block_on(w.app.credential_process("dev", soon())).unwrap();
    w.clock.advance(TD::seconds(700)); // below the 300 s threshold, still valid
    // hold the provider lock the way logout does, then log out while the caller waits for it
    let lock =
        crate::sys::lock::lock_exclusive(&w.app.paths.lock_file(LockKind::Provider, PROVIDER), Duration::from_secs(1))
            .unwrap();
    let app = w.app.clone();
    let caller = runtime.spawn(async move { app.credential_process("dev", soon()).await });
    std::thread::sleep(Duration::from_millis(300));
    // what logout does under the lock
    std::fs::remove_file(w.app.paths.credential_file("dev")).unwrap();
    std::fs::remove_file(w.app.paths.meta_file("dev")).unwrap();
    crate::state::token_store::TokenStore::delete(&*w.store, PROVIDER).unwrap();
    drop(lock);
    let served = runtime.block_on(caller).unwrap();
    eprintln!("served after logout: {:?}", served.as_ref().map(|s| s.warning.clone()).map_err(|e| e.to_string()));
    let rec = crate::app::failures::read(&w.app.paths.failure_file("dev"));
    eprintln!("failure record after logout: {rec:?}");
    w.clock.advance(TD::seconds(1));
    let again = runtime.block_on(w.app.credential_process("dev", soon()));
    eprintln!("next call: {:?}", again.as_ref().map(|_| ()).map_err(|e| e.to_string()));
    assert!(served.is_err(), "credentials served after logout removed them");
}

/// Signed in without a refresh token (no offline_access) and the ID token has expired: status says
/// "signed in, fetched on next use", but the next use can only fail with sign-in needed.
#[test]
fn status_says_sign_in_needed_when_nothing_can_renew() {
    let w = World::new(&[("dev", 3600)]);
    let tokens = crate::state::token_store::StoredTokens {
        issuer: ISSUER.into(),
        client_id: CLIENT.into(),
        refresh_token: None,
        id_token: crate::sys::secret::Secret::new(jwt("alice", w.clock.now() - TD::minutes(1))),
        access_token: None,
        destinations: None,
    };
    crate::state::token_store::TokenStore::save(&*w.store, PROVIDER, &tokens).unwrap();
    let before = w.app.status().unwrap()[0].state;
    let e = rt().block_on(w.app.credential_process("dev", soon())).unwrap_err();
    eprintln!("status before use: {before:?}; the use: {e}");
    assert_eq!(before, ProfileState::SignInNeeded, "status promised the next use would fetch credentials");
}

/// A sign_in_needed record made while config.toml named another client keeps failing the profile at once
/// after config.toml is put back (the keychain tokens are fine again) until the back-off ends.
#[test]
fn a_failure_recorded_under_a_wrong_config_does_not_outlive_the_fix() {
    let w = World::new(&[("dev", 3600)]);
    let cfg = w.app.paths.config_file.clone();
    let good = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(&cfg, good.replace(CLIENT, "client-typo")).unwrap();
    let runtime = rt();
    let e = runtime.block_on(w.app.credential_process("dev", soon())).unwrap_err();
    eprintln!("with the typo: {e}");
    std::fs::write(&cfg, &good).unwrap();
    let r = runtime.block_on(w.app.credential_process("dev", soon()));
    eprintln!("after the fix: {:?}", r.as_ref().map(|_| ()).map_err(|e| e.to_string()));
    assert!(r.is_ok(), "the fixed config is refused for the rest of the back-off");
}

#[test]
fn an_id_token_refused_after_rotation_still_leaves_the_new_refresh_token_stored() {
    let w = World::new(&[("dev", 3600)]);
    w.sign_in(w.clock.now() - TD::minutes(1));
    *w.idp.bad_id_token.lock().unwrap() = Some(bad_signature);
    let e = rt().block_on(w.app.credential_process("dev", soon())).unwrap_err();
    assert_eq!(e.code(), ErrorCode::IdTokenRejected, "{e}");
    assert_eq!(w.stored_refresh_token().as_deref(), Some("rt-1"), "stored before the ID token was trusted");
    *w.idp.bad_id_token.lock().unwrap() = None;
    rt().block_on(w.app.credential_process("dev", soon())).unwrap();
    assert_eq!(w.idp.live_token().as_deref(), Some("rt-2"), "the family lives on");
}

#[test]
fn an_idp_answering_after_the_callers_deadline_still_has_its_answer_stored() {
    let w = World::new(&[("dev", 3600)]);
    w.sign_in(w.clock.now() - TD::minutes(1));
    let (hook, _rotated) = signal_then_wait(1500);
    *w.idp.after_rotation.lock().unwrap() = Some(hook);
    let runtime = rt();
    let e =
        runtime.block_on(w.app.credential_process("dev", Instant::now() + Duration::from_millis(1300))).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Timeout, "{e}");
    assert!(w.app.shield.is_active(), "the rotation goes on after the caller gave up");
    assert!(w.app.shield.wait_idle(Duration::from_secs(5)));
    assert_eq!(w.stored_refresh_token().as_deref(), Some("rt-1"));
    assert_eq!(w.idp.live_token().as_deref(), Some("rt-1"));
}

#[test]
fn a_keychain_refusing_the_rotated_token_says_the_sign_in_is_probably_lost() {
    let w = World::new(&[("dev", 3600)]);
    w.sign_in(w.clock.now() - TD::minutes(1));
    w.store.refuse_saves(true);
    let e = rt().block_on(w.app.credential_process("dev", soon())).unwrap_err();
    assert!(matches!(e, crate::app::error::Error::RotationNotStored { .. }), "{e}");
    assert_eq!((e.code(), e.exit_code()), (ErrorCode::SignInNeeded, 3));
    assert!(e.to_string().contains("unlocked, then run `idbridge login`"), "{e}");
    assert_eq!(w.idp.live_token().as_deref(), Some("rt-1"), "the IdP did rotate");
    assert_eq!(w.stored_refresh_token().as_deref(), Some("rt-0"), "the old item is left as it was");
    assert!(!w.app.paths.credential_file("dev").exists(), "no credentials from an unsaved rotation");
    assert!(!w.app.shield.is_active(), "nothing left running");
}

/// A keychain item left by another config under the same provider name (another issuer or client) is
/// no sign-in to this one: status says signed out (not "sign-in needed … has ended"), a use asks for a
/// sign-in without calling the IdP, and a sign-out removes it without sending its refresh token anywhere.
#[test]
fn a_leftover_of_another_client_is_signed_out_and_a_sign_out_removes_it() {
    use crate::state::token_store::TokenStore;
    let w = World::new(&[("dev", 3600)]);
    let mut leftover = w.store.load(PROVIDER).unwrap().unwrap();
    leftover.client_id = "another-client".into();
    w.store.save(PROVIDER, &leftover).unwrap();
    let [row] = &w.app.status().unwrap()[..] else { panic!("one profile") };
    assert_eq!((row.state, row.signed_in, &row.problem), (ProfileState::SignedOut, Some(false), &None));
    let e = rt().block_on(w.app.credential_process("dev", soon())).unwrap_err();
    assert_eq!(e.code(), ErrorCode::SignInNeeded);
    assert!(e.to_string().contains("(not signed in)"), "{e}");
    assert_eq!(w.idp_refreshes() + w.sts_calls(), 0);
    let report = rt().block_on(w.app.logout(PROVIDER)).unwrap();
    assert!(report.had_tokens);
    assert_eq!(report.revocation, crate::app::logout::Revocation::NoToken, "sent to an IdP that did not issue it");
    assert!(w.store.load(PROVIDER).unwrap().is_none());
}
