//! Fakes for in-process tests of the use cases: an IdP that rotates refresh tokens with reuse detection
//! (as oidc-provider and Auth0 do), an STS that counts calls, and a world that wires them with a manual
//! clock and an in-memory keychain over a temporary state dir.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use time::OffsetDateTime;

use crate::app::Idbridge;
use crate::clock::{Clock, ManualClock};
use crate::config::{Profile, Provider};
use crate::credentials::Credentials;
use crate::endpoints::{BoxFuture, IdentityProvider, SecurityTokenService, TokenEndpoint};
use crate::id_token::IdClaims;
use crate::oidc::{OidcError, Redeemed, TokenSet};
use crate::paths::Paths;
use crate::secret::Secret;
use crate::sts::{AssumedRole, StsError};
use crate::token_store::{MemoryStore, StoredTokens, TokenStore};

pub const ISSUER: &str = "https://idp.example/";
pub const CLIENT: &str = "client-1";
pub const PROVIDER: &str = "idp";

pub fn jwt(sub: &str, exp: OffsetDateTime) -> String {
    let b64 = |v: &serde_json::Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let header = b64(&serde_json::json!({"alg": "RS256"}));
    let payload = b64(&serde_json::json!({"sub": sub, "exp": exp.unix_timestamp(), "email": format!("{sub}@example.com")}));
    format!("{header}.{payload}.sig")
}

/// Something that happens inside a fake call, for tests that interleave.
pub type Hook = Box<dyn Fn() -> BoxFuture<'static, ()> + Send + Sync>;

/// A deadline as credential_process has it.
pub fn soon() -> std::time::Instant {
    std::time::Instant::now() + Duration::from_secs(4)
}

pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().expect("runtime")
}

/// A hook that tells the test it was reached, then takes `ms` to finish.
pub fn signal_then_wait(ms: u64) -> (Hook, std::sync::mpsc::Receiver<()>) {
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let tx = Arc::new(std::sync::Mutex::new(tx));
    let hook: Hook = Box::new(move || {
        let tx = tx.clone();
        Box::pin(async move {
            let _ = tx.lock().unwrap().send(());
            tokio::time::sleep(Duration::from_millis(ms)).await;
        })
    });
    (hook, rx)
}

#[derive(Default)]
pub struct FakeIdp {
    /// The refresh token the IdP currently accepts; `None` once the grant is revoked.
    pub live: Mutex<Option<String>>,
    pub refreshes: AtomicUsize,
    pub revokes: AtomicUsize,
    pub id_token_lifetime: Mutex<time::Duration>,
    /// Runs after the rotation happened at the IdP, before the answer reaches idbridge.
    pub after_rotation: Mutex<Option<Hook>>,
    pub clock: Mutex<Option<Arc<dyn Clock>>>,
    /// Rotate, but answer with an ID token that fails its checks.
    pub bad_id_token: Mutex<bool>,
}

impl FakeIdp {
    pub fn live_token(&self) -> Option<String> {
        self.live.lock().unwrap().clone()
    }
}

impl IdentityProvider for Arc<FakeIdp> {
    fn connect<'a>(&'a self, _: &'a Provider, _: Duration) -> BoxFuture<'a, Result<Arc<dyn TokenEndpoint>, OidcError>> {
        let me = self.clone();
        Box::pin(async move { Ok(Arc::new(me) as Arc<dyn TokenEndpoint>) })
    }
}

impl TokenEndpoint for Arc<FakeIdp> {
    fn refresh<'a>(&'a self, rt: &'a Secret, _: Duration) -> BoxFuture<'a, Result<Redeemed, OidcError>> {
        Box::pin(async move {
            let n = self.refreshes.fetch_add(1, Ordering::SeqCst) + 1;
            let next = format!("rt-{n}");
            {
                let mut live = self.live.lock().unwrap();
                if live.as_deref() != Some(rt.expose()) {
                    // reuse of a rotated token revokes the whole grant
                    *live = None;
                    return Err(OidcError::RefreshRejected { code: "invalid_grant".into() });
                }
                *live = Some(next.clone());
            }
            let hook = self.after_rotation.lock().unwrap().as_ref().map(|h| h());
            if let Some(h) = hook {
                h.await;
            }
            let now = self.clock.lock().unwrap().as_ref().map_or_else(OffsetDateTime::now_utc, |c| c.now());
            let id = jwt("alice", now + *self.id_token_lifetime.lock().unwrap());
            let tokens = if *self.bad_id_token.lock().unwrap() {
                Err(OidcError::IdTokenRejected { issuer: ISSUER.into(), reason: "bad signature".into() })
            } else {
                IdClaims::decode(&id)
                    .map(|claims| TokenSet { id_token: Secret::new(id), refresh_token: Some(Secret::new(next.clone())), claims })
                    .map_err(|reason| OidcError::IdTokenRejected { issuer: ISSUER.into(), reason })
            };
            Ok(Redeemed { refresh_token: Some(Secret::new(next)), tokens })
        })
    }

    fn revoke<'a>(&'a self, _: &'a Secret, _: Duration) -> BoxFuture<'a, Result<bool, OidcError>> {
        Box::pin(async move {
            self.revokes.fetch_add(1, Ordering::SeqCst);
            *self.live.lock().unwrap() = None;
            Ok(true)
        })
    }
}

#[derive(Default)]
pub struct FakeSts {
    pub calls: AtomicUsize,
    /// Runs inside each call before it answers (a hang, a refusal signal, a rendezvous).
    pub during: Mutex<Option<Hook>>,
    pub refuse: Mutex<Option<StsError>>,
    pub clock: Mutex<Option<Arc<dyn Clock>>>,
}

impl SecurityTokenService for Arc<FakeSts> {
    fn assume_role_with_web_identity<'a>(
        &'a self,
        profile: &'a Profile,
        _: &'a Secret,
        _: &'a str,
        _: Duration,
    ) -> BoxFuture<'a, Result<AssumedRole, StsError>> {
        Box::pin(async move {
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

/// One in-process idbridge with fakes around it.
pub struct World {
    pub _dir: tempfile::TempDir,
    pub clock: Arc<ManualClock>,
    pub store: Arc<MemoryStore>,
    pub idp: Arc<FakeIdp>,
    pub sts: Arc<FakeSts>,
    pub app: Arc<Idbridge>,
}

impl World {
    /// Signed in to provider `idp` (refresh token `rt-0`, an ID token valid for an hour), with the
    /// given profiles (name, duration_seconds), no credential files yet.
    pub fn new(profiles: &[(&str, u32)]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let clock = Arc::new(ManualClock::new(OffsetDateTime::now_utc()));
        let store = Arc::new(MemoryStore::default());
        let idp = Arc::new(FakeIdp::default());
        *idp.live.lock().unwrap() = Some("rt-0".into());
        *idp.id_token_lifetime.lock().unwrap() = time::Duration::hours(1);
        *idp.clock.lock().unwrap() = Some(clock.clone());
        let sts = Arc::new(FakeSts::default());
        *sts.clock.lock().unwrap() = Some(clock.clone());
        let paths = Paths::in_home(dir.path());
        let app = Idbridge::new(paths, store.clone(), clock.clone(), Duration::from_secs(4))
            .with_endpoints(Arc::new(idp.clone()), Arc::new(sts.clone()));
        let world = Self { _dir: dir, clock, store, idp, sts, app: Arc::new(app) };
        world.write_config(profiles, "dev");
        world.sign_in(world.clock.now() + time::Duration::hours(1));
        world
    }

    pub fn write_config(&self, profiles: &[(&str, u32)], role: &str) {
        let mut text = format!("[providers.{PROVIDER}]\nissuer = \"{ISSUER}\"\nclient_id = \"{CLIENT}\"\n");
        for (name, duration) in profiles {
            text += &format!(
                "[profiles.{name}]\nprovider = \"{PROVIDER}\"\nrole_arn = \"arn:aws:iam::123456789012:role/{role}\"\nduration_seconds = {duration}\n"
            );
        }
        std::fs::write(&self.app.paths.config_file, text).expect("config");
    }

    pub fn sign_in(&self, id_token_exp: OffsetDateTime) {
        let tokens = StoredTokens {
            issuer: ISSUER.into(),
            client_id: CLIENT.into(),
            refresh_token: self.idp.live_token().map(Secret::new),
            id_token: Secret::new(jwt("alice", id_token_exp)),
        };
        self.store.save(PROVIDER, &tokens).expect("memory store");
    }

    pub fn stored_refresh_token(&self) -> Option<String> {
        self.store.load(PROVIDER).ok()??.refresh_token.map(|s| s.expose().to_string())
    }

    pub fn sts_calls(&self) -> usize {
        self.sts.calls.load(Ordering::SeqCst)
    }

    pub fn idp_refreshes(&self) -> usize {
        self.idp.refreshes.load(Ordering::SeqCst)
    }
}
