//! The OS keychain as the only home of a provider's tokens (refresh token, ID token and, for a provider
//! that sends it to STS, the access token).
//!
//! One value per provider (service `idbridge`, account `provider:NAME`) holds both tokens as one JSON
//! object, so a rotated refresh token and the ID token that came with it are replaced together in one
//! write: one item on Linux (Secret Service) and macOS (Keychain); on Windows, whose Credential Manager
//! keeps at most 2 560 bytes per item, items committed by a header (`chunked`). There is no plaintext
//! fallback and no in-memory stand-in: if no keychain answers, the caller is told so.

use serde::{Deserialize, Serialize};

use crate::config::Provider;
use crate::state::destinations::Destinations;
use crate::sys::secret::Secret;

pub const KEYCHAIN_SERVICE: &str = "idbridge";

/// What a sign-in leaves behind for later refreshes without a person.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredTokens {
    /// The issuer and client the tokens belong to: a config change to either makes them useless.
    pub issuer: String,
    pub client_id: String,
    pub refresh_token: Option<Secret>,
    pub id_token: Secret,
    /// The access token, for a provider that sends it to STS (`web_identity_token = "access_token"`);
    /// checked like the ID token before it was stored.
    pub access_token: Option<Secret>,
    /// Where these tokens may be sent; `None` for an item stored by a version that did not record it.
    pub destinations: Option<Destinations>,
}

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Classified by the keychain's error type, never by its message text.
#[derive(Debug, thiserror::Error)]
pub enum TokenStoreError {
    #[error(
        "no OS keychain is reachable. idbridge keeps tokens only in the keychain: on Linux start a \
         Secret Service (gnome-keyring or KeePassXC) in your session and unlock it"
    )]
    Unavailable { source: BoxError },
    #[error("the keychain is locked or refused access to the idbridge item; unlock the keychain and try again")]
    Locked { source: BoxError },
    #[error(
        "the keychain item for provider '{provider}' is unreadable; run `idbridge logout --provider {provider}` then sign in again"
    )]
    Corrupt { provider: String, source: BoxError },
    #[error("keychain error")]
    Other { source: BoxError },
}

/// The narrow interface the use cases need; tests may put a map behind it.
pub trait TokenStore: Send + Sync {
    fn load(&self, provider: &str) -> Result<Option<StoredTokens>, TokenStoreError>;
    fn save(&self, provider: &str, tokens: &StoredTokens) -> Result<(), TokenStoreError>;
    fn delete(&self, provider: &str) -> Result<bool, TokenStoreError>;
    /// Opens ahead of time what saving needs (a keychain session), so that the save right after a
    /// refresh token was redeemed is as short as it can be. Blocking. `None`: just call `save`.
    fn prepare(&self, _provider: &str) -> Option<Box<dyn PreparedSave>> {
        None
    }
}

/// A save with its connection already open.
pub trait PreparedSave: Send {
    fn save(self: Box<Self>, tokens: &StoredTokens) -> Result<(), TokenStoreError>;
}

#[derive(Serialize, Deserialize)]
struct Wire {
    v: u8,
    issuer: String,
    client_id: String,
    refresh_token: Option<String>,
    id_token: String,
    /// Added after v1 items existed: older items lack it, older versions ignore it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    destinations: Option<Destinations>,
    /// Added later still, the same way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    access_token: Option<String>,
}

impl StoredTokens {
    /// Made for this provider's current issuer and client: tokens of another are no sign-in to it.
    pub fn belongs_to(&self, provider: &Provider) -> bool {
        self.issuer == provider.issuer && self.client_id == provider.client_id
    }

    /// The keychain item's text (also what the caller hands a refresh helper, `app::redeem_helper`).
    pub(crate) fn to_wire(&self) -> String {
        serde_json::to_string(&Wire {
            v: 1,
            issuer: self.issuer.clone(),
            client_id: self.client_id.clone(),
            refresh_token: self.refresh_token.as_ref().map(|s| s.expose().to_string()),
            id_token: self.id_token.expose().to_string(),
            destinations: self.destinations.clone(),
            access_token: self.access_token.as_ref().map(|s| s.expose().to_string()),
        })
        .unwrap_or_default()
    }

    pub(crate) fn from_wire(text: &str) -> Result<Self, serde_json::Error> {
        // serde_json's message names the position, never the value
        let w: Wire = serde_json::from_str(text)?;
        Ok(Self {
            issuer: w.issuer,
            client_id: w.client_id,
            refresh_token: w.refresh_token.map(Secret::new),
            id_token: Secret::new(w.id_token),
            access_token: w.access_token.map(Secret::new),
            destinations: w.destinations,
        })
    }
}

/// The platform keychain through the `keyring` crate.
#[derive(Debug, Default, Clone, Copy)]
pub struct Keychain;

/// Where the tokens are kept on this system, for `doctor`.
pub const STORE_NAME: &str = if cfg!(target_os = "macos") {
    "the macOS Keychain"
} else if cfg!(windows) {
    "the Windows Credential Manager"
} else {
    "the Secret Service (GNOME Keyring, KeePassXC, …)"
};

fn account(provider: &str) -> String {
    format!("provider:{provider}")
}

fn entry(account: &str) -> Result<keyring::Entry, TokenStoreError> {
    // keyring falls back to an in-memory mock on a system it has no store for: tokens would vanish
    // with the process while every sign-in seemed to work
    use keyring::credential::CredentialPersistence::{EntryOnly, ProcessOnly};
    if matches!(keyring::default::default_credential_builder().persistence(), EntryOnly | ProcessOnly) {
        return Err(TokenStoreError::Unavailable {
            source: "this build of idbridge has no OS keychain for this system".into(),
        });
    }
    keyring::Entry::new(KEYCHAIN_SERVICE, account).map_err(map_err)
}

/// One item per value, as text.
#[cfg(not(windows))]
mod item {
    use super::{TokenStoreError, entry, map_err};

    pub fn load(account: &str) -> Result<Option<Vec<u8>>, TokenStoreError> {
        match entry(account)?.get_password() {
            Ok(text) => Ok(Some(text.into_bytes())),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_err(e)),
        }
    }

    pub fn save(account: &str, value: &str) -> Result<(), TokenStoreError> {
        entry(account)?.set_password(value).map_err(map_err)
    }

    pub fn delete(account: &str) -> Result<bool, TokenStoreError> {
        match entry(account)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(map_err(e)),
        }
    }
}

/// Bytes (`set_secret`: UTF-8, not the UTF-16 of `set_password`) in items of at most 2 560 bytes.
#[cfg(windows)]
mod item {
    use super::super::chunked::{self, Blobs, WINDOWS_MAX_BLOB};
    use super::{TokenStoreError, entry, map_err};

    struct CredentialManager;

    impl Blobs for CredentialManager {
        fn get(&self, name: &str) -> Result<Option<Vec<u8>>, TokenStoreError> {
            match entry(name)?.get_secret() {
                Ok(bytes) => Ok(Some(bytes)),
                Err(keyring::Error::NoEntry) => Ok(None),
                Err(e) => Err(map_err(e)),
            }
        }
        fn set(&self, name: &str, bytes: &[u8]) -> Result<(), TokenStoreError> {
            entry(name)?.set_secret(bytes).map_err(map_err)
        }
        fn delete(&self, name: &str) -> Result<bool, TokenStoreError> {
            match entry(name)?.delete_credential() {
                Ok(()) => Ok(true),
                Err(keyring::Error::NoEntry) => Ok(false),
                Err(e) => Err(map_err(e)),
            }
        }
    }

    pub fn load(account: &str) -> Result<Option<Vec<u8>>, TokenStoreError> {
        chunked::load(&CredentialManager, account)
    }

    pub fn save(account: &str, value: &str) -> Result<(), TokenStoreError> {
        chunked::save(&CredentialManager, account, value.as_bytes(), WINDOWS_MAX_BLOB)
    }

    pub fn delete(account: &str) -> Result<bool, TokenStoreError> {
        chunked::delete(&CredentialManager, account)
    }
}

/// keyring's Secret Service backend reports a locked collection, a refused prompt or a missing
/// collection as `NoStorageAccess`, and D-Bus trouble (no service, no bus) as `PlatformFailure`.
fn map_err(e: keyring::Error) -> TokenStoreError {
    match e {
        keyring::Error::NoStorageAccess(_) => TokenStoreError::Locked { source: Box::new(e) },
        keyring::Error::PlatformFailure(ref inner) if refused_as_locked(inner.as_ref()) => {
            TokenStoreError::Locked { source: Box::new(e) }
        }
        keyring::Error::PlatformFailure(_) => TokenStoreError::Unavailable { source: Box::new(e) },
        _ => TokenStoreError::Other { source: Box::new(e) },
    }
}

/// A Secret Service that answers with its `IsLocked` error (e.g. refusing a session while its collection
/// is locked) is there but locked: "start a keychain" would send the person the wrong way. keyring files
/// such D-Bus errors under PlatformFailure; the error's D-Bus name is its type, so that is what is compared.
/// `zbus4` must be the zbus that secret-service uses (Cargo.lock): after an upgrade to another major
/// version this stops matching, and the e2e test of a locked keychain (test_faults.py) says so.
fn refused_as_locked(e: &(dyn std::error::Error + 'static)) -> bool {
    #[cfg(target_os = "linux")]
    if let Some(secret_service::Error::Zbus(zbus4::Error::MethodError(name, ..))) = e.downcast_ref() {
        return name.as_str() == "org.freedesktop.Secret.Error.IsLocked";
    }
    let _ = e;
    false
}

impl TokenStore for Keychain {
    fn load(&self, provider: &str) -> Result<Option<StoredTokens>, TokenStoreError> {
        let Some(bytes) = item::load(&account(provider))? else { return Ok(None) };
        let corrupt = |source: BoxError| TokenStoreError::Corrupt { provider: provider.to_string(), source };
        let text = String::from_utf8(bytes).map_err(|e| corrupt(Box::new(e)))?;
        StoredTokens::from_wire(&text).map(Some).map_err(|e| corrupt(Box::new(e)))
    }

    fn save(&self, provider: &str, tokens: &StoredTokens) -> Result<(), TokenStoreError> {
        item::save(&account(provider), &tokens.to_wire())
    }

    fn delete(&self, provider: &str) -> Result<bool, TokenStoreError> {
        item::delete(&account(provider))
    }

    #[cfg(target_os = "linux")]
    fn prepare(&self, provider: &str) -> Option<Box<dyn PreparedSave>> {
        secret_service_session::prepare(provider)
    }
}

/// keyring's Secret Service backend opens two new D-Bus connections, each with a key exchange, for
/// every save. After a redemption that is the window in which a killed process loses the sign-in, so
/// the session is opened before the redemption and the save is a single CreateItem that replaces
/// keyring's item (same attributes, label and content type, so keyring reads it as its own).
#[cfg(target_os = "linux")]
mod secret_service_session {
    use std::collections::HashMap;

    use secret_service::EncryptionType;
    use secret_service::blocking::SecretService;

    use super::{KEYCHAIN_SERVICE, PreparedSave, StoredTokens, TokenStoreError};

    struct Session {
        service: SecretService<'static>,
        account: String,
    }

    pub(super) fn prepare(provider: &str) -> Option<Box<dyn PreparedSave>> {
        let service = SecretService::connect(EncryptionType::Dh).ok()?;
        Some(Box::new(Session { service, account: super::account(provider) }))
    }

    impl PreparedSave for Session {
        fn save(self: Box<Self>, tokens: &StoredTokens) -> Result<(), TokenStoreError> {
            // classified as keyring's own saves are: keyring's mapping, then ours
            let failed = |e: secret_service::Error| super::map_err(keyring::secret_service::decode_error(e));
            // what keyring 3 writes for Entry::new(service, user): target "default" is the default collection
            let attributes = HashMap::from([
                ("service", KEYCHAIN_SERVICE),
                ("username", self.account.as_str()),
                ("target", "default"),
                ("application", "rust-keyring"),
            ]);
            let label = format!("{}@{KEYCHAIN_SERVICE}:default (keyring v3.6.3)", self.account);
            let collection = self.service.get_default_collection().map_err(failed)?;
            collection.ensure_unlocked().map_err(failed)?;
            collection
                .create_item(&label, attributes, tokens.to_wire().as_bytes(), true, "text/plain")
                .map_err(failed)?;
            Ok(())
        }
    }
}

/// Tokens in memory, for in-process tests and tools that must not touch the real keychain.
#[derive(Debug, Default)]
pub struct MemoryStore {
    items: std::sync::Mutex<std::collections::BTreeMap<String, StoredTokens>>,
    refusing: std::sync::atomic::AtomicBool,
}

impl MemoryStore {
    /// From now on saves fail as a locked keychain's would (loads and deletes still work).
    pub fn refuse_saves(&self, refuse: bool) {
        self.refusing.store(refuse, std::sync::atomic::Ordering::SeqCst);
    }

    fn items(&self) -> std::sync::MutexGuard<'_, std::collections::BTreeMap<String, StoredTokens>> {
        self.items.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl TokenStore for MemoryStore {
    fn load(&self, provider: &str) -> Result<Option<StoredTokens>, TokenStoreError> {
        Ok(self.items().get(provider).cloned())
    }
    fn save(&self, provider: &str, tokens: &StoredTokens) -> Result<(), TokenStoreError> {
        if self.refusing.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(TokenStoreError::Locked { source: "the memory store refuses saves".into() });
        }
        self.items().insert(provider.to_string(), tokens.clone());
        Ok(())
    }
    fn delete(&self, provider: &str) -> Result<bool, TokenStoreError> {
        Ok(self.items().remove(provider).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_keychain_value_round_trips_and_debug_is_redacted() {
        let t = StoredTokens {
            issuer: "https://idp/".into(),
            client_id: "c".into(),
            refresh_token: Some(Secret::new("rt-123")),
            id_token: Secret::new("eyJ.x.y"),
            access_token: Some(Secret::new("eyJ.at.z")),
            destinations: Some(Destinations {
                token_endpoint: Some("https://idp/token".into()),
                sts_endpoints: Some(["http://127.0.0.1:4566/".to_string()].into()),
                ..Destinations::default()
            }),
        };
        assert_eq!(StoredTokens::from_wire(&t.to_wire()).unwrap(), t);
        // an item written before destinations were recorded still reads, with none
        let old = r#"{"v":1,"issuer":"https://idp/","client_id":"c","refresh_token":null,"id_token":"eyJ.x.y"}"#;
        assert_eq!(StoredTokens::from_wire(old).unwrap().destinations, None);
        assert_eq!(StoredTokens::from_wire(old).unwrap().access_token, None);
        // and an item without an access token is written as before
        let without = StoredTokens { access_token: None, ..t.clone() };
        assert!(!without.to_wire().contains("access_token"));
        let dbg = format!("{t:?}");
        assert!(!dbg.contains("rt-123") && !dbg.contains("eyJ"), "{dbg}");
    }

    /// The real Credential Manager (run under Wine by scripts/cross-check): a 6 KB ID token, a 6 KB access
    /// token and a 2 KB refresh token go through the chunked layout, a rotation replaces them, a sign-out removes them.
    #[cfg(windows)]
    #[test]
    fn large_tokens_survive_the_windows_credential_manager() {
        let provider = format!("wine-test-{}", std::process::id());
        let tokens = |seed: char| StoredTokens {
            issuer: "https://login.microsoftonline.com/tenant/v2.0".into(),
            client_id: "c".into(),
            refresh_token: Some(Secret::new(seed.to_string().repeat(2 * 1024))),
            id_token: Secret::new(format!("eyJ.{}.sig", seed.to_string().repeat(6 * 1024))),
            // an Entra ID access token with many groups is as large as its ID token
            access_token: Some(Secret::new(format!("eyJ.{}.at", seed.to_string().repeat(6 * 1024)))),
            destinations: Some(Destinations::default()),
        };
        let store = Keychain;
        store.save(&provider, &tokens('a')).unwrap();
        assert_eq!(store.load(&provider).unwrap(), Some(tokens('a')));
        store.save(&provider, &tokens('b')).unwrap();
        assert_eq!(store.load(&provider).unwrap(), Some(tokens('b')));
        assert!(store.delete(&provider).unwrap());
        assert_eq!(store.load(&provider).unwrap(), None);
    }
}
