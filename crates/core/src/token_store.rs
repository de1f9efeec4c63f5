//! The OS keychain as the only home of a provider's tokens (refresh token and ID token).
//!
//! One keychain item per provider (service `idbridge`, account `provider:NAME`) holds both tokens as one
//! JSON value, so a rotated refresh token and the ID token that came with it are replaced together in one
//! write. There is no plaintext fallback: if no keychain answers, the caller is told so.

use serde::{Deserialize, Serialize};

use crate::secret::Secret;

pub const KEYCHAIN_SERVICE: &str = "idbridge";

/// What a sign-in leaves behind for later refreshes without a person.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredTokens {
    /// The issuer and client the tokens belong to: a config change to either makes them useless.
    pub issuer: String,
    pub client_id: String,
    pub refresh_token: Option<Secret>,
    pub id_token: Secret,
}

#[derive(Debug, thiserror::Error)]
pub enum TokenStoreError {
    #[error(
        "no OS keychain is reachable ({detail}). idbridge keeps tokens only in the keychain: on Linux start a \
         Secret Service (gnome-keyring or KeePassXC) in your session and unlock it"
    )]
    Unavailable { detail: String },
    #[error("the keychain refused access to the idbridge item ({detail}); unlock the keychain and try again")]
    Locked { detail: String },
    #[error("the keychain item for provider '{provider}' is unreadable ({detail}); run `idbridge logout --provider {provider}` then sign in again")]
    Corrupt { provider: String, detail: String },
    #[error("keychain error: {detail}")]
    Other { detail: String },
}

/// The narrow interface the use cases need; tests may put a map behind it.
pub trait TokenStore: Send + Sync {
    fn load(&self, provider: &str) -> Result<Option<StoredTokens>, TokenStoreError>;
    fn save(&self, provider: &str, tokens: &StoredTokens) -> Result<(), TokenStoreError>;
    fn delete(&self, provider: &str) -> Result<bool, TokenStoreError>;
}

#[derive(Serialize, Deserialize)]
struct Wire {
    v: u8,
    issuer: String,
    client_id: String,
    refresh_token: Option<String>,
    id_token: String,
}

impl StoredTokens {
    fn to_wire(&self) -> String {
        serde_json::to_string(&Wire {
            v: 1,
            issuer: self.issuer.clone(),
            client_id: self.client_id.clone(),
            refresh_token: self.refresh_token.as_ref().map(|s| s.expose().to_string()),
            id_token: self.id_token.expose().to_string(),
        })
        .unwrap_or_default()
    }

    fn from_wire(text: &str) -> Result<Self, String> {
        // serde_json's message names the position, never the value
        let w: Wire = serde_json::from_str(text).map_err(|e| e.to_string())?;
        Ok(Self {
            issuer: w.issuer,
            client_id: w.client_id,
            refresh_token: w.refresh_token.map(Secret::new),
            id_token: Secret::new(w.id_token),
        })
    }
}

/// The platform keychain through the `keyring` crate (Secret Service on Linux).
#[derive(Debug, Default, Clone, Copy)]
pub struct Keychain;

impl Keychain {
    fn entry(provider: &str) -> Result<keyring::Entry, TokenStoreError> {
        keyring::Entry::new(KEYCHAIN_SERVICE, &format!("provider:{provider}")).map_err(map_err)
    }
}

fn map_err(e: keyring::Error) -> TokenStoreError {
    let detail = e.to_string();
    match e {
        keyring::Error::PlatformFailure(_) | keyring::Error::NoStorageAccess(_)
            if detail.contains("locked") || detail.contains("prompt") || detail.contains("dismissed") =>
        {
            TokenStoreError::Locked { detail }
        }
        keyring::Error::PlatformFailure(_) | keyring::Error::NoStorageAccess(_) => {
            TokenStoreError::Unavailable { detail }
        }
        _ => TokenStoreError::Other { detail },
    }
}

impl TokenStore for Keychain {
    fn load(&self, provider: &str) -> Result<Option<StoredTokens>, TokenStoreError> {
        match Self::entry(provider)?.get_password() {
            Ok(text) => StoredTokens::from_wire(&text)
                .map(Some)
                .map_err(|detail| TokenStoreError::Corrupt { provider: provider.to_string(), detail }),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_err(e)),
        }
    }

    fn save(&self, provider: &str, tokens: &StoredTokens) -> Result<(), TokenStoreError> {
        Self::entry(provider)?.set_password(&tokens.to_wire()).map_err(map_err)
    }

    fn delete(&self, provider: &str) -> Result<bool, TokenStoreError> {
        match Self::entry(provider)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(map_err(e)),
        }
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
        };
        assert_eq!(StoredTokens::from_wire(&t.to_wire()).unwrap(), t);
        let dbg = format!("{t:?}");
        assert!(!dbg.contains("rt-123") && !dbg.contains("eyJ"), "{dbg}");
    }
}
