//! The fake STS (counting its calls, chained AssumeRole) and console federation endpoint.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use time::OffsetDateTime;

use crate::app::ports::{BoxFuture, Federation, SecurityTokenService};
use crate::aws::console::ConsoleError;
use crate::aws::credentials::Credentials;
use crate::aws::sts::{AssumedRole, StsError};
use crate::config::Profile;
use crate::oidc::id_token::IdClaims;
use crate::sys::clock::Clock;
use crate::sys::secret::Secret;

use super::Hook;

/// One `AssumeRole` call: (role ARN, the signing access key id, session name, external id).
pub type ChainedCall = (String, String, String, Option<String>);

#[derive(Default)]
pub struct FakeSts {
    pub calls: AtomicUsize,
    /// Runs inside each call before it answers (a hang, a refusal signal, a rendezvous).
    pub during: Mutex<Option<Hook>>,
    pub refuse: Mutex<Option<StsError>>,
    pub clock: Mutex<Option<Arc<dyn Clock>>>,
    pub chained: Mutex<Vec<ChainedCall>>,
    /// The `sub` of each web identity token received.
    pub subjects: Mutex<Vec<String>>,
}

/// A federation endpoint that hands out numbered sign-in tokens and remembers whose keys it saw.
#[derive(Default)]
pub struct FakeFederation {
    /// (endpoint, access key id) of each call.
    pub calls: Mutex<Vec<(String, String)>>,
    pub refuse: Mutex<Option<ConsoleError>>,
}

impl Federation for Arc<FakeFederation> {
    fn signin_token<'a>(
        &'a self,
        endpoint: &'a str,
        credentials: &'a Credentials,
        _: Duration,
    ) -> BoxFuture<'a, Result<Secret, ConsoleError>> {
        Box::pin(async move {
            if let Some(e) = self.refuse.lock().unwrap().take() {
                return Err(e);
            }
            let mut calls = self.calls.lock().unwrap();
            calls.push((endpoint.to_string(), credentials.access_key_id.clone()));
            Ok(Secret::new(format!("signin-token-{}", calls.len())))
        })
    }
}

impl FakeSts {
    /// What `AssumeRole` (role chaining) was called with: (role ARN, the signing access key id,
    /// session name, external id).
    pub fn chained_calls(&self) -> Vec<ChainedCall> {
        self.chained.lock().unwrap().clone()
    }
}

impl SecurityTokenService for Arc<FakeSts> {
    fn assume_role<'a>(
        &'a self,
        profile: &'a Profile,
        source: &'a Credentials,
        session_name: &'a str,
        timeout: Duration,
    ) -> BoxFuture<'a, Result<AssumedRole, StsError>> {
        self.chained.lock().unwrap().push((
            profile.role_arn.clone(),
            source.access_key_id.clone(),
            session_name.to_string(),
            profile.external_id.clone(),
        ));
        self.assume_role_with_web_identity(profile, &source.session_token, session_name, timeout)
    }

    fn assume_role_with_web_identity<'a>(
        &'a self,
        profile: &'a Profile,
        token: &'a Secret,
        _: &'a str,
        _: Duration,
    ) -> BoxFuture<'a, Result<AssumedRole, StsError>> {
        Box::pin(async move {
            if let Ok(c) = IdClaims::decode(token.expose()) {
                self.subjects.lock().unwrap().push(c.subject);
            }
            let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            let hook = self.during.lock().unwrap().as_ref().map(|h| h());
            if let Some(h) = hook {
                h.await;
            }
            if let Some(e) = self.refuse.lock().unwrap().take() {
                return Err(e);
            }
            let now = self.clock.lock().unwrap().as_ref().map_or_else(OffsetDateTime::now_utc, |c| c.now());
            Ok(AssumedRole {
                credentials: Credentials {
                    access_key_id: format!("ASIA{n:012}"),
                    secret_access_key: Secret::new(format!("secret-{n}")),
                    session_token: Secret::new(format!("session-{n}")),
                    expiration: now + time::Duration::seconds(profile.duration_seconds.into()),
                },
                assumed_role_arn: None,
            })
        })
    }
}
