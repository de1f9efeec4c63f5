//! In-process tests of the use cases beyond refresh: role chaining, both sign-in flows and the console,
//! through the same fakes (IdP, STS, federation endpoint, keychain, clock) as the refresh tests.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::app::error::ErrorCode;
use crate::app::testing::*;
use crate::aws::console::ConsoleError;
use crate::aws::sts::StsError;
use crate::oidc::OidcError;
use crate::state::token_store::TokenStore;
use crate::sys::clock::Clock;

const CHAINED: &str = "[profiles.deploy]\nsource_profile = \"dev\"\n\
    role_arn = \"arn:aws:iam::210987654321:role/deploy\"\nexternal_id = \"team-42\"\nduration_seconds = 900\n";

fn signed_out(w: &World) {
    w.store.delete(PROVIDER).unwrap();
}

#[test]
fn a_chained_profile_is_signed_with_its_source_profiles_credentials() {
    let w = World::new(&[("dev", 3600)]);
    w.append_config(CHAINED);
    rt().block_on(async {
        let deploy = w.app.credential_process("deploy", soon()).await.unwrap();
        let dev = w.app.credential_process("dev", soon()).await.unwrap();
        let calls = w.sts.chained_calls();
        assert_eq!(calls.len(), 1, "{calls:?}");
        let (role, signer, session, external_id) = &calls[0];
        assert_eq!(role, "arn:aws:iam::210987654321:role/deploy");
        assert_eq!(signer, &dev.credentials.access_key_id, "AssumeRole is signed with the source's keys");
        assert_eq!(external_id.as_deref(), Some("team-42"));
        assert!(session.contains("alice"), "the person's name in CloudTrail: {session}");
        assert_ne!(deploy.credentials.access_key_id, dev.credentials.access_key_id);
        assert_eq!(deploy.credentials.expiration - w.clock.now(), time::Duration::seconds(900));
        // fresh: neither the chained profile nor its source asks STS again
        let again = w.app.credential_process("deploy", soon()).await.unwrap();
        assert_eq!(again.json, deploy.json);
        assert_eq!((w.sts_calls(), w.sts.chained_calls().len()), (2, 1));
    });
}

#[test]
fn a_chained_profile_fails_with_its_sources_reason_and_writes_nothing() {
    let w = World::new(&[("dev", 3600)]);
    w.append_config(CHAINED);
    *w.sts.refuse.lock().unwrap() = Some(StsError::Refused {
        action: "AssumeRoleWithWebIdentity",
        role_arn: "arn:aws:iam::123456789012:role/dev".into(),
        code: "AccessDenied".into(),
        message: "Not authorized to perform sts:AssumeRoleWithWebIdentity".into(),
        status: 403,
    });
    let e = rt().block_on(w.app.credential_process("deploy", soon())).unwrap_err();
    assert_eq!(e.code(), ErrorCode::StsRefused, "{e}");
    assert!(e.to_string().contains("AccessDenied"), "{e}");
    assert!(w.sts.chained_calls().is_empty());
    assert!(!w.app.paths.credential_file("deploy").exists());
}

#[test]
fn a_device_sign_in_stores_the_grant_and_prepares_every_profile_chained_ones_last() {
    let w = World::new(&[("dev", 3600), ("prod", 3600)]);
    w.append_config(CHAINED);
    signed_out(&w);
    let polls = Arc::new(AtomicUsize::new(0));
    rt().block_on(async {
        let config = w.app.load_config().unwrap();
        let pending = w.app.start_sign_in(&config, PROVIDER).await.unwrap();
        assert_eq!(pending.authorization.user_code(), "WDJB-MJHT");
        let report = w.app.finish_sign_in(&config, pending, World::no_wait(polls.clone())).await.unwrap();
        let names: Vec<_> = report.profiles.iter().map(|p| p.profile.as_str()).collect();
        assert_eq!(names, ["dev", "prod", "deploy"]);
        assert_eq!(report.failures().count(), 0, "{:?}", report.profiles);
        assert_eq!(report.who, "alice@example.com");
    });
    assert!(polls.load(Ordering::SeqCst) >= 1, "the flow waited between polls");
    assert_eq!(w.stored_refresh_token().as_deref(), Some("rt-signin-1"));
    for name in ["dev", "prod", "deploy"] {
        assert!(w.app.paths.credential_file(name).exists(), "{name}");
    }
}

#[test]
fn a_denied_device_sign_in_keeps_the_previous_sign_in() {
    let w = World::new(&[("dev", 3600)]);
    *w.idp.approval.lock().unwrap() = Approval::Deny;
    let e = rt()
        .block_on(async {
            let config = w.app.load_config().unwrap();
            let pending = w.app.start_sign_in(&config, PROVIDER).await?;
            w.app.finish_sign_in(&config, pending, World::no_wait(Arc::default())).await
        })
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::AccessDenied, "{e}");
    assert_eq!(w.stored_refresh_token().as_deref(), Some("rt-0"), "the old grant is untouched");
    assert!(!w.app.paths.credential_file("dev").exists());
}

#[test]
fn a_sign_in_whose_discovery_fails_says_so_and_changes_nothing() {
    let w = World::new(&[("dev", 3600)]);
    *w.idp.refuse_discovery.lock().unwrap() = Some(OidcError::TimedOut { url: ISSUER.into(), seconds: 4 });
    let e = rt()
        .block_on(async { w.app.start_sign_in(&w.app.load_config().unwrap(), PROVIDER).await.map(|_| ()) })
        .unwrap_err();
    assert_eq!((e.code(), e.exit_code()), (ErrorCode::IdpUnreachable, 5), "{e}");
    assert_eq!(w.stored_refresh_token().as_deref(), Some("rt-0"));
}

/// What a browser does after the IdP redirects it: one GET to the loopback listener; returns the
/// status line of the page it gets back.
async fn browser_returns(authorize_url: &str, query: &str) -> String {
    let redirect = url::Url::parse(authorize_url).unwrap();
    let redirect_uri = redirect.query_pairs().find(|(k, _)| k == "redirect_uri").unwrap().1.to_string();
    let target = url::Url::parse(&redirect_uri).unwrap();
    let mut stream =
        tokio::net::TcpStream::connect((target.host_str().unwrap(), target.port().unwrap())).await.unwrap();
    let host = format!("{}:{}", target.host_str().unwrap(), target.port().unwrap());
    let request = format!("GET {}?{query} HTTP/1.1\r\nHost: {host}\r\nAccept-Language: ja\r\n\r\n", target.path());
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer.lines().next().unwrap_or_default().to_string()
}

#[test]
fn a_browser_sign_in_redeems_the_code_brought_back_to_the_loopback_listener() {
    let w = World::new(&[("dev", 3600)]);
    signed_out(&w);
    rt().block_on(async {
        let config = w.app.load_config().unwrap();
        let pending = w.app.start_browser_sign_in(&config, PROVIDER).await.unwrap();
        let url = pending.authorize_url.clone();
        assert!(url.contains("redirect_uri=http://127.0.0.1:"), "{url}");
        let app = w.app.clone();
        let finish =
            tokio::spawn(async move { app.finish_browser_sign_in(&config, pending, Duration::from_secs(5)).await });
        let status =
            browser_returns(&url, &format!("code=code-1&state=state-0&iss={}", urlencoding::encode(ISSUER))).await;
        assert_eq!(status, "HTTP/1.1 200 OK");
        let report = finish.await.unwrap().unwrap();
        assert_eq!(report.failures().count(), 0);
    });
    assert_eq!(w.stored_refresh_token().as_deref(), Some("rt-signin-1"));
    assert!(w.app.paths.credential_file("dev").exists());
}

#[test]
fn a_browser_answer_for_another_sign_in_is_refused_and_the_wait_goes_on() {
    let w = World::new(&[("dev", 3600)]);
    signed_out(&w);
    let strays = Arc::new(Mutex::new(Vec::new()));
    let seen = strays.clone();
    rt().block_on(async {
        let config = w.app.load_config().unwrap();
        let pending = w.app.start_browser_sign_in(&config, PROVIDER).await.unwrap();
        let pending = pending.on_stray(move |why| seen.lock().unwrap().push(why));
        let url = pending.authorize_url.clone();
        let app = w.app.clone();
        let finish =
            tokio::spawn(async move { app.finish_browser_sign_in(&config, pending, Duration::from_secs(5)).await });
        let iss = urlencoding::encode(ISSUER);
        let forged = browser_returns(&url, &format!("code=code-1&state=forged&iss={iss}")).await;
        assert_eq!(forged, "HTTP/1.1 400 Bad Request");
        assert!(w.store.load(PROVIDER).unwrap().is_none(), "nothing stored for a stray request");
        let real = browser_returns(&url, &format!("code=code-1&state=state-0&iss={iss}")).await;
        assert_eq!(real, "HTTP/1.1 200 OK");
        finish.await.unwrap().unwrap();
    });
    assert_eq!(*strays.lock().unwrap(), ["a wrong state"]);
    assert_eq!(w.stored_refresh_token().as_deref(), Some("rt-signin-1"));
}

#[test]
fn the_console_url_carries_a_sign_in_token_for_fresh_credentials() {
    let w = World::new(&[("dev", 3600)]);
    let url = rt().block_on(w.app.console_url("dev", None)).unwrap();
    let calls = w.federation.calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].0, "https://signin.aws.amazon.com/federation");
    let served = rt().block_on(w.app.credential_process("dev", soon())).unwrap();
    assert_eq!(calls[0].1, served.credentials.access_key_id, "the token is for the profile's current keys");
    assert_eq!(w.sts_calls(), 1, "the console reused the credentials it fetched");
    let url = url.expose();
    assert!(url.starts_with("https://signin.aws.amazon.com/federation?Action=login&Issuer=idbridge"), "{url}");
    assert!(url.contains("SigninToken=signin-token-1"), "{url}");
    assert!(
        url.contains("Destination=https%3A%2F%2Fconsole.aws.amazon.com%2Fconsole%2Fhome%3Fregion%3Dus-east-1"),
        "{url}"
    );
}

#[test]
fn a_refused_console_sign_in_is_a_console_error_that_names_no_secret() {
    let w = World::new(&[("dev", 3600)]);
    *w.federation.refuse.lock().unwrap() =
        Some(ConsoleError::Refused { endpoint: "https://signin.aws.amazon.com/federation".into(), status: 400 });
    let e = rt().block_on(w.app.console_url("dev", None)).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ConsoleError, "{e}");
    let served = rt().block_on(w.app.credential_process("dev", soon())).unwrap();
    let text = e.to_string();
    assert!(!text.contains(served.credentials.secret_access_key.expose()) && !text.contains("session-1"), "{text}");
}
