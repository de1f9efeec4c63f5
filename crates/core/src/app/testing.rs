//! Fakes for in-process tests of the use cases: an IdP that rotates refresh tokens with reuse detection
//! (as oidc-provider and Auth0 do), an STS that counts calls, and a world that wires them with a manual
//! clock and an in-memory keychain over a temporary state dir.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use time::OffsetDateTime;

use crate::app::Idbridge;
use crate::app::ports::{BoxFuture, Federation, IdentityProvider, IdpSession, Ports, SecurityTokenService, Sleep};
use crate::aws::console::ConsoleError;
use crate::aws::credentials::Credentials;
use crate::aws::sts::{AssumedRole, StsError};
use crate::config::{Profile, Provider};
use crate::oidc::authcode::{AuthorizationRequest, check_callback};
use crate::oidc::id_token::IdClaims;
use crate::oidc::loopback::Callback;
use crate::oidc::{DeviceAuthorization, Discovered, OidcError, Redeemed, TokenSet};
use crate::state::paths::Paths;
use crate::state::token_store::{MemoryStore, StoredTokens, TokenStore};
use crate::sys::clock::{Clock, ManualClock};
use crate::sys::secret::Secret;

pub const ISSUER: &str = "https://idp.example/";
pub const CLIENT: &str = "client-1";
pub const PROVIDER: &str = "idp";

pub fn jwt(sub: &str, exp: OffsetDateTime) -> String {
    let b64 = |v: &serde_json::Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let header = b64(&serde_json::json!({"alg": "RS256"}));
    let payload =
        b64(&serde_json::json!({"sub": sub, "exp": exp.unix_timestamp(), "email": format!("{sub}@example.com")}));
    format!("{header}.{payload}.sig")
}

/// Something that happens inside a fake call, for tests that interleave.
pub type Hook = Box<dyn Fn() -> BoxFuture<'static, ()> + Send + Sync>;

/// A deadline as credential_process has it.
pub fn bad_signature() -> OidcError {
    OidcError::IdTokenRejected { issuer: ISSUER.into(), reason: "bad signature".into() }
}

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

pub struct FakeIdp {
    /// The refresh token the IdP currently accepts; `None` once the grant is revoked.
    pub live: Mutex<Option<String>>,
    pub refreshes: AtomicUsize,
    pub revokes: AtomicUsize,
    pub id_token_lifetime: Mutex<time::Duration>,
    /// Runs after the rotation happened at the IdP, before the answer reaches idbridge.
    pub after_rotation: Mutex<Option<Hook>>,
    pub clock: Mutex<Option<Arc<dyn Clock>>>,
    /// Rotate, but answer with this instead of a good ID token (one that fails its checks, or none).
    pub bad_id_token: Mutex<Option<fn() -> OidcError>>,
    pub sign_ins: AtomicUsize,
    pub approval: Mutex<Approval>,
    /// Fails the next discovery with this.
    pub refuse_discovery: Mutex<Option<OidcError>>,
    pub discovered: Discovered,
    /// Also hand out an access token (sub `at-alice`) valid this long, as an IdP with JWT access tokens.
    pub access_token_lifetime: Mutex<Option<time::Duration>>,
}

impl Default for FakeIdp {
    fn default() -> Self {
        Self {
            live: Mutex::default(),
            refreshes: AtomicUsize::default(),
            revokes: AtomicUsize::default(),
            id_token_lifetime: Mutex::new(time::Duration::hours(1)),
            after_rotation: Mutex::default(),
            clock: Mutex::default(),
            bad_id_token: Mutex::default(),
            sign_ins: AtomicUsize::default(),
            approval: Mutex::default(),
            refuse_discovery: Mutex::default(),
            discovered: discovered(),
            access_token_lifetime: Mutex::default(),
        }
    }
}

impl FakeIdp {
    pub fn live_token(&self) -> Option<String> {
        self.live.lock().unwrap().clone()
    }
}

/// What a sign-in at the fake IdP does once the person acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Approval {
    #[default]
    Approve,
    Deny,
}

impl FakeIdp {
    fn now(&self) -> OffsetDateTime {
        self.clock.lock().unwrap().as_ref().map_or_else(OffsetDateTime::now_utc, |c| c.now())
    }

    /// A fresh grant: the first refresh token of a new sign-in, and its tokens.
    fn grant(&self) -> TokenSet {
        let rt = format!("rt-signin-{}", self.sign_ins.fetch_add(1, Ordering::SeqCst) + 1);
        *self.live.lock().unwrap() = Some(rt.clone());
        let id = jwt("alice", self.now() + *self.id_token_lifetime.lock().unwrap());
        TokenSet {
            claims: IdClaims::decode(&id).unwrap(),
            id_token: Secret::new(id),
            refresh_token: Some(Secret::new(rt)),
            access_token: self.access_token(),
        }
    }

    fn access_token(&self) -> Option<Secret> {
        let lifetime = (*self.access_token_lifetime.lock().unwrap())?;
        Some(Secret::new(jwt("at-alice", self.now() + lifetime)))
    }
}

pub fn discovered() -> Discovered {
    Discovered {
        issuer: ISSUER.into(),
        device_authorization_endpoint: format!("{ISSUER}device"),
        authorization_endpoint: format!("{ISSUER}authorize"),
        authorization_response_iss_parameter_supported: true,
        token_endpoint: Some(format!("{ISSUER}token")),
        revocation_endpoint: Some(format!("{ISSUER}revoke")),
        jwks_uri: format!("{ISSUER}jwks"),
        scopes_supported: vec!["openid".into(), "offline_access".into()],
    }
}

impl IdentityProvider for Arc<FakeIdp> {
    fn connect<'a>(&'a self, _: &'a Provider, _: Duration) -> BoxFuture<'a, Result<Arc<dyn IdpSession>, OidcError>> {
        let me = self.clone();
        Box::pin(async move {
            if let Some(e) = me.refuse_discovery.lock().unwrap().take() {
                return Err(e);
            }
            Ok(Arc::new(me) as Arc<dyn IdpSession>)
        })
    }
}

impl IdpSession for Arc<FakeIdp> {
    fn discovered(&self) -> &Discovered {
        &self.discovered
    }

    fn start_device_flow<'a>(&'a self, _: &'a Provider) -> BoxFuture<'a, Result<DeviceAuthorization, OidcError>> {
        Box::pin(async move {
            let details = serde_json::from_value(serde_json::json!({
                "device_code": "device-code-1", "user_code": "WDJB-MJHT", "verification_uri": format!("{ISSUER}device"),
                "expires_in": 600, "interval": 5,
            }))
            .unwrap();
            DeviceAuthorization::check(details, self.now())
        })
    }

    fn finish_device_flow(&self, _: DeviceAuthorization, sleep: Sleep) -> BoxFuture<'_, Result<TokenSet, OidcError>> {
        Box::pin(async move {
            // one "authorization_pending" before the person acts
            sleep(Duration::from_secs(5)).await;
            match *self.approval.lock().unwrap() {
                Approval::Approve => Ok(self.grant()),
                Approval::Deny => Err(OidcError::AccessDenied),
            }
        })
    }

    fn authorization_request(&self, _: &Provider, redirect_uri: &str) -> Result<AuthorizationRequest, OidcError> {
        let state = format!("state-{}", self.sign_ins.load(Ordering::SeqCst));
        Ok(AuthorizationRequest::made_up(
            &format!("{ISSUER}authorize?redirect_uri={redirect_uri}&state={state}"),
            &state,
        ))
    }

    fn redeem_code<'a>(
        &'a self,
        request: &'a AuthorizationRequest,
        callback: &'a Callback,
    ) -> BoxFuture<'a, Result<TokenSet, OidcError>> {
        Box::pin(async move {
            let code = check_callback(callback, request.state.secret(), &self.discovered)?;
            if code != "code-1" {
                return Err(OidcError::Protocol { code: "invalid_grant".into(), description: None });
            }
            Ok(self.grant())
        })
    }

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
            let bad = *self.bad_id_token.lock().unwrap();
            let tokens = if let Some(bad) = bad {
                Err(bad())
            } else {
                IdClaims::decode(&id)
                    .map(|claims| TokenSet {
                        id_token: Secret::new(id),
                        refresh_token: Some(Secret::new(next.clone())),
                        claims,
                        access_token: self.access_token(),
                    })
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

/// One in-process idbridge with fakes around it.
pub struct World {
    pub _dir: tempfile::TempDir,
    pub clock: Arc<ManualClock>,
    pub store: Arc<MemoryStore>,
    pub idp: Arc<FakeIdp>,
    pub sts: Arc<FakeSts>,
    pub federation: Arc<FakeFederation>,
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
        let federation = Arc::new(FakeFederation::default());
        let paths = Paths::in_home(dir.path());
        let ports =
            Ports { idp: Arc::new(idp.clone()), sts: Arc::new(sts.clone()), federation: Arc::new(federation.clone()) };
        let app = Idbridge::new(paths, store.clone(), clock.clone(), Duration::from_secs(4)).with_ports(ports);
        let world = Self { _dir: dir, clock, store, idp, sts, federation, app: Arc::new(app) };
        world.write_config(profiles, "dev");
        world.sign_in(world.clock.now() + time::Duration::hours(1));
        world
    }

    /// An instant [`Sleep`] that counts the polls of a device flow.
    pub fn no_wait(polls: Arc<AtomicUsize>) -> Sleep {
        Arc::new(move |_| {
            polls.fetch_add(1, Ordering::SeqCst);
            Box::pin(async {})
        })
    }

    /// Adds text to config.toml (more profiles, app settings).
    pub fn append_config(&self, text: &str) {
        let mut config = std::fs::read_to_string(&self.app.paths.config_file).expect("config");
        config.push_str(text);
        std::fs::write(&self.app.paths.config_file, config).expect("config");
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
            access_token: None,
            // as a real sign-in records them: the endpoints of today's config and discovery
            destinations: self
                .app
                .load_config()
                .ok()
                .map(|c| crate::app::trust::destinations_of(&c, PROVIDER, &discovered())),
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
