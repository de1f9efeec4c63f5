//! Fakes for in-process tests of the use cases: an IdP that rotates refresh tokens with reuse detection
//! (as oidc-provider and Auth0 do, `idp`), an STS that counts calls and a federation endpoint (`aws`), and
//! a world that wires them with a manual clock and an in-memory keychain over a temporary state dir.

mod aws;
mod idp;

pub use aws::*;
pub use idp::*;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use base64::Engine;
use time::OffsetDateTime;

use crate::app::Idbridge;
use crate::app::ports::{BoxFuture, Ports, Sleep};
use crate::oidc::OidcError;
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

/// The IdP's keys no longer verify the ID token.
pub fn bad_signature() -> OidcError {
    OidcError::IdTokenRejected { issuer: ISSUER.into(), reason: "bad signature".into() }
}

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
