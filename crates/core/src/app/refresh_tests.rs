//! In-process tests of the refresh use cases with a manual clock, an in-memory keychain and fake IdP/STS.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use time::Duration as TD;

use crate::app::ProfileState;
use crate::app::error::{Error, ErrorCode};
use crate::app::testing::*;
use crate::aws::sts::StsError;
use crate::state::freshness::Need;
use crate::state::token_store::TokenStore;
use crate::sys::clock::Clock;

#[test]
fn a_valid_stored_id_token_is_used_without_redeeming_and_fresh_files_are_served_as_they_are() {
    let w = World::new(&[("dev", 3600)]);
    rt().block_on(async {
        let first = w.app.credential_process("dev", soon()).await.unwrap();
        assert!(first.warning.is_none());
        assert_eq!((w.sts_calls(), w.idp_refreshes()), (1, 0));
        let again = w.app.credential_process("dev", soon()).await.unwrap();
        assert_eq!(again.json, first.json);
        assert_eq!(w.sts_calls(), 1, "fresh: no second STS call");
    });
    assert_eq!(*w.sts.subjects.lock().unwrap(), ["alice"], "STS got the ID token");
}

#[test]
fn a_provider_that_sends_its_access_token_gives_sts_that_token_and_renews_it_by_its_expiry() {
    let w = World::new(&[("dev", 900)]);
    let config = std::fs::read_to_string(&w.app.paths.config_file).unwrap();
    let chosen = config
        .replace("client_id = \"client-1\"\n", "client_id = \"client-1\"\nweb_identity_token = \"access_token\"\n");
    std::fs::write(&w.app.paths.config_file, chosen).unwrap();
    *w.idp.access_token_lifetime.lock().unwrap() = Some(TD::minutes(10));
    let stored_at = || w.store.load(PROVIDER).unwrap().unwrap().access_token.map(|t| t.expose().to_string());
    assert_eq!(stored_at(), None, "signed in before the provider chose it");
    rt().block_on(async {
        // the stored ID token is valid for an hour, but STS must get an access token: one redemption
        w.app.credential_process("dev", soon()).await.unwrap();
        assert_eq!((w.sts_calls(), w.idp_refreshes()), (1, 1));
        let at = stored_at().expect("the access token is kept with the other tokens");
        assert_eq!(crate::oidc::id_token::IdClaims::decode(&at).unwrap().subject, "at-alice");
        // 15 min on: new credentials; the ID token still has 45 min, the access token has expired
        w.clock.advance(TD::minutes(15));
        w.app.credential_process("dev", soon()).await.unwrap();
        assert_eq!((w.sts_calls(), w.idp_refreshes()), (2, 2));
        assert_ne!(stored_at(), Some(at), "the renewed access token replaced the old one");
    });
    assert_eq!(*w.sts.subjects.lock().unwrap(), ["at-alice", "at-alice"], "STS never got the ID token");
}

#[test]
fn an_expired_id_token_is_redeemed_once_and_the_successor_stored() {
    let w = World::new(&[("dev", 3600)]);
    w.sign_in(w.clock.now() + TD::seconds(30));
    rt().block_on(async {
        w.app.credential_process("dev", soon()).await.unwrap();
    });
    assert_eq!(w.idp_refreshes(), 1);
    assert_eq!(w.stored_refresh_token().as_deref(), Some("rt-1"));
    assert_eq!(w.idp.live_token().as_deref(), Some("rt-1"));
}

#[test]
fn a_refresh_without_an_id_token_stores_the_rotation_and_asks_for_a_sign_in() {
    let w = World::new(&[("dev", 3600)]);
    w.sign_in(w.clock.now() + TD::seconds(30));
    *w.idp.bad_id_token.lock().unwrap() = Some(|| crate::oidc::OidcError::NoIdToken);
    let e = rt().block_on(w.app.credential_process("dev", soon())).unwrap_err();
    assert_eq!((e.code(), e.exit_code()), (ErrorCode::SignInNeeded, 3));
    assert_eq!(
        e.to_string(),
        format!("{PROVIDER} gives no new ID token when renewing; sign in again (idbridge login --provider {PROVIDER})")
    );
    assert_eq!(w.stored_refresh_token().as_deref(), Some("rt-1"), "the rotated refresh token is kept");
    // from now on the limit is known in advance: the stored ID token's expiry, less the margin
    let tokens = w.store.load(PROVIDER).unwrap().unwrap();
    let (until, why) = w.app.renewal_limit(PROVIDER, &tokens).unwrap();
    assert_eq!(why, crate::app::renewal::Limit::NoIdTokenOnRefresh);
    let expected = w.clock.now() + TD::seconds(30) - crate::app::refresh::ID_TOKEN_MARGIN;
    assert!((until - expected).abs() < TD::seconds(1), "{until} vs {expected}");
}

#[test]
fn every_session_length_gets_one_sts_call_per_lifetime() {
    for duration in [900u32, 1800, 3600, 43200] {
        let w = World::new(&[("dev", duration)]);
        let d = TD::seconds(duration.into());
        rt().block_on(async {
            w.app.credential_process("dev", soon()).await.unwrap();
            // many callers during the first 60% of the lifetime: nothing to do
            for step in 1..=6 {
                w.clock.advance(d / 10);
                let futs: Vec<_> = (0..8).map(|_| callers(&w)).collect();
                for r in futures_join(futs).await {
                    r.unwrap();
                }
                assert_eq!(w.sts_calls(), 1, "{duration} s, step {step}");
            }
            // just past the threshold (a third of the lifetime, at most 15 min, left): exactly one refresh
            let threshold = Need::Serve.threshold(Some(d)).unwrap();
            w.clock.advance(d * 4 / 10 - threshold + TD::seconds(1));
            let futs: Vec<_> = (0..16).map(|_| callers(&w)).collect();
            for r in futures_join(futs).await {
                let warning = r.unwrap().warning;
                assert!(warning.is_none(), "{duration} s: {warning:?}");
            }
            assert_eq!(w.sts_calls(), 2, "{duration} s: one refresh for 16 callers");
        });
    }
}

fn callers(
    w: &World,
) -> impl std::future::Future<Output = crate::app::error::Result<crate::app::refresh::Served>> + Send + 'static {
    let app = w.app.clone();
    // a deadline well above credential_process's own: 16 callers at once under Wine on a loaded machine once took
    // longer than 4 s, and this test is about STS calls, not about the budget (refresh_edges covers that)
    async move { app.credential_process("dev", Instant::now() + Duration::from_secs(20)).await }
}

async fn futures_join<F: std::future::Future + Send + 'static>(futs: Vec<F>) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futs.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[test]
fn a_failing_refresh_is_paid_once_then_the_backoff_serves_at_once() {
    let w = World::new(&[("dev", 3600)]);
    rt().block_on(async {
        w.app.credential_process("dev", soon()).await.unwrap();
        w.clock.advance(TD::minutes(50));
        *w.sts.refuse.lock().unwrap() = Some(StsError::TimedOut { endpoint: "sts".into(), seconds: 4 });
        let first = w.app.credential_process("dev", soon()).await.unwrap();
        assert_eq!(first.warning.as_ref().map(|w| w.code), Some(ErrorCode::StsUnreachable));
        assert_eq!(w.sts_calls(), 2);
        for _ in 0..3 {
            let served = w.app.credential_process("dev", soon()).await.unwrap();
            assert_eq!(
                served.warning.as_ref().map(|w| w.code),
                Some(ErrorCode::StsUnreachable),
                "{:?}",
                served.warning
            );
        }
        assert_eq!(w.sts_calls(), 2, "no new attempt during the back-off");
        let status = w.app.status().unwrap();
        assert_eq!(status[0].state, ProfileState::RefreshFailing);
        assert_eq!(status[0].last_failure.as_ref().unwrap().code, ErrorCode::StsUnreachable);
        w.clock.advance(TD::seconds(31));
        let recovered = w.app.credential_process("dev", soon()).await.unwrap();
        assert!(recovered.warning.is_none());
        assert_eq!(w.sts_calls(), 3);
        assert_eq!(w.app.status().unwrap()[0].state, ProfileState::Ready);
    });
}

#[test]
fn a_refused_refresh_token_is_sign_in_needed_and_remembered() {
    let w = World::new(&[("dev", 3600)]);
    w.sign_in(w.clock.now() - TD::minutes(1));
    *w.idp.live.lock().unwrap() = None;
    rt().block_on(async {
        let e = w.app.credential_process("dev", soon()).await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::SignInNeeded, "{e}");
        assert_eq!(e.exit_code(), crate::app::error::exit::SIGN_IN_NEEDED);
        let e = w.app.credential_process("dev", soon()).await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::SignInNeeded);
    });
    assert_eq!(w.idp_refreshes(), 1, "the second call did not ask the IdP again");
    let status = w.app.status().unwrap();
    assert_eq!(status[0].state, ProfileState::SignInNeeded);
}

#[test]
fn dropping_the_caller_after_the_idp_rotated_still_stores_the_successor() {
    let w = World::new(&[("dev", 3600)]);
    w.sign_in(w.clock.now() - TD::minutes(1));
    // the answer is slow to arrive after the rotation: the caller gives up meanwhile
    let (hook, rotated_rx) = signal_then_wait(300);
    *w.idp.after_rotation.lock().unwrap() = Some(hook);
    let runtime = rt();
    let app = w.app.clone();
    let task = runtime.spawn(async move { app.credential_process("dev", soon()).await });
    rotated_rx.recv_timeout(Duration::from_secs(5)).unwrap();
    task.abort();
    assert!(w.app.shield.is_active(), "the shield marks the rotation in flight");
    assert!(w.app.shield.wait_idle(Duration::from_secs(5)));
    assert_eq!(w.stored_refresh_token().as_deref(), Some("rt-1"));
    assert_eq!(w.idp.live_token().as_deref(), Some("rt-1"), "the family is alive");
}

#[test]
fn a_redemption_is_not_started_when_time_is_short() {
    let w = World::new(&[("dev", 3600)]);
    w.sign_in(w.clock.now() - TD::minutes(1));
    rt().block_on(async {
        let e = w.app.credential_process("dev", Instant::now() + Duration::from_millis(600)).await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::Timeout, "{e}");
    });
    assert_eq!(w.idp_refreshes(), 0);
    assert_eq!(w.stored_refresh_token().as_deref(), Some("rt-0"));
}

#[test]
fn sign_out_waits_for_a_refresh_in_flight_and_nothing_comes_back() {
    let w = World::new(&[("dev", 3600), ("prod", 3600)]);
    let (hook, entered_rx) = signal_then_wait(400);
    *w.sts.during.lock().unwrap() = Some(hook);
    let runtime = rt();
    let app = w.app.clone();
    let refresh = runtime.spawn(async move { app.credential_process("dev", soon()).await });
    entered_rx.recv_timeout(Duration::from_secs(5)).unwrap();
    let report = runtime.block_on(w.app.logout(PROVIDER)).unwrap();
    let refreshed = runtime.block_on(refresh).unwrap();
    assert!(refreshed.is_ok(), "the refresh that started first finished");
    assert_eq!(report.removed, vec!["dev".to_string()], "logout removed what the refresh wrote");
    assert_eq!(report.revocation, crate::app::logout::Revocation::Revoked);
    assert!(w.store.load(PROVIDER).unwrap().is_none());
    assert!(!w.app.paths.credential_file("dev").exists());
    assert_eq!(w.app.status().unwrap()[0].state, ProfileState::SignedOut);
    *w.sts.during.lock().unwrap() = None;
    let e = runtime.block_on(w.app.credential_process("dev", soon())).unwrap_err();
    assert_eq!(e.code(), ErrorCode::SignInNeeded);
    assert_eq!(w.idp.revokes.load(Ordering::SeqCst), 1);
}

#[test]
fn only_what_config_says_is_served() {
    let w = World::new(&[("dev", 3600), ("old", 3600)]);
    rt().block_on(async {
        let made = w.app.credential_process("dev", soon()).await.unwrap();
        w.app.credential_process("old", soon()).await.unwrap();
        assert_eq!(w.sts_calls(), 2);
        // the role changes: the file made for the old role is not served
        std::thread::sleep(Duration::from_millis(20));
        w.write_config(&[("dev", 3600)], "admin");
        assert!(crate::state::freshness::serve_warm(&w.app.paths, "dev", w.clock.now()).is_none());
        let served = w.app.credential_process("dev", soon()).await.unwrap();
        assert_ne!(served.json, made.json);
        assert_eq!(w.sts_calls(), 3);
        // the profile left the config: refused, and logout removes its file
        let e = w.app.credential_process("old", soon()).await.unwrap_err();
        assert!(matches!(e, Error::Config(_)), "{e}");
        assert!(crate::state::freshness::serve_warm(&w.app.paths, "old", w.clock.now()).is_none());
        let report = w.app.logout(PROVIDER).await.unwrap();
        assert_eq!(report.removed, vec!["dev".to_string(), "old".to_string()]);
    });
}

#[test]
fn the_warm_path_serves_only_after_the_binding_was_checked() {
    let w = World::new(&[("dev", 3600)]);
    rt().block_on(async { w.app.credential_process("dev", soon()).await.unwrap() });
    assert!(crate::state::freshness::serve_warm(&w.app.paths, "dev", w.clock.now()).is_some());
    std::thread::sleep(Duration::from_millis(20));
    w.write_config(&[("dev", 3600)], "dev");
    assert!(crate::state::freshness::serve_warm(&w.app.paths, "dev", w.clock.now()).is_none(), "config changed");
    rt().block_on(async { w.app.credential_process("dev", soon()).await.unwrap() });
    assert_eq!(w.sts_calls(), 1, "same binding: checked, not refreshed");
    assert!(crate::state::freshness::serve_warm(&w.app.paths, "dev", w.clock.now()).is_some());
    assert!(Need::Serve.threshold(None).is_some());
}

/// A Windows refresh helper whose caller was killed holds the rotation lock alone until it has stored the
/// successor (`sys::detached`): a refresh that got the provider lock meanwhile waits for it, within its
/// budget, and does not read the tokens that are being redeemed. (Runs under Wine in the cross lane.)
#[cfg(windows)]
#[test]
fn a_refresh_waits_for_a_rotation_in_flight_in_a_helper() {
    let w = World::new(&[("dev", 3600)]);
    let rotation = w.app.paths.lock_file(crate::state::LockKind::Rotation, PROVIDER);
    let helper = crate::sys::lock::lock_exclusive(&rotation, Duration::ZERO).unwrap();
    rt().block_on(async {
        let started = Instant::now();
        let waited = w.app.credential_process("dev", Instant::now() + Duration::from_millis(1500)).await;
        assert!(matches!(waited, Err(Error::Lock(crate::sys::lock::LockError::Timeout { .. }))), "{waited:?}");
        assert!(started.elapsed() < Duration::from_secs(3), "within its budget");
        assert_eq!((w.sts_calls(), w.idp_refreshes()), (0, 0), "nothing read or sent meanwhile");
        drop(helper);
        w.app.credential_process("dev", soon()).await.unwrap();
        assert_eq!(w.sts_calls(), 1);
    });
}
