//! A keychain value larger than one item may hold, split over numbered items that a small header item
//! commits. The Windows Credential Manager keeps at most 2 560 bytes per credential; a provider's
//! tokens (an Entra ID token alone) are often more.
//!
//! Layout for an account `A`: the chunks of generation `g` in `A#g.0`, `A#g.1`, …, then the header in
//! `A` itself: `{"v":1,"generation":g,"count":n,"length":l,"sha256":"…"}`. A save writes the new
//! generation's chunks first and the header last: the header write is the one step that switches from
//! the old value to the new one, so an interrupted save leaves the old value readable, and a torn or
//! mixed set never passes the length and digest check. The old generation's chunks go afterwards.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::token_store::{BoxError, TokenStoreError};

/// The Windows Credential Manager's limit for one credential blob (CRED_MAX_CREDENTIAL_BLOB_SIZE).
pub const WINDOWS_MAX_BLOB: usize = 2560;
/// More chunks than this is not a value of ours (64 × 2.5 KB = 160 KB).
const MAX_CHUNKS: usize = 64;

/// Named byte items of one store (one keychain service).
pub trait Blobs {
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, TokenStoreError>;
    fn set(&self, name: &str, bytes: &[u8]) -> Result<(), TokenStoreError>;
    /// `Ok(false)`: there was none.
    fn delete(&self, name: &str) -> Result<bool, TokenStoreError>;
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Header {
    v: u8,
    generation: u32,
    count: usize,
    length: usize,
    sha256: String,
}

fn chunk_name(account: &str, generation: u32, index: usize) -> String {
    format!("{account}#{generation}.{index}")
}

fn digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn corrupt(account: &str, why: &str) -> TokenStoreError {
    let source: BoxError = why.to_string().into();
    TokenStoreError::Corrupt { provider: account.trim_start_matches("provider:").to_string(), source }
}

/// The header, if there is one; an item that is not a header is reported, never guessed at.
fn header(blobs: &dyn Blobs, account: &str) -> Result<Option<Header>, TokenStoreError> {
    let Some(bytes) = blobs.get(account)? else { return Ok(None) };
    let header: Header = serde_json::from_slice(&bytes).map_err(|_| corrupt(account, "its header is not one"))?;
    if header.v != 1 || header.count > MAX_CHUNKS {
        return Err(corrupt(account, "its header is not one of this version"));
    }
    Ok(Some(header))
}

/// The value saved under `account`, checked whole against its header.
pub fn load(blobs: &dyn Blobs, account: &str) -> Result<Option<Vec<u8>>, TokenStoreError> {
    let Some(h) = header(blobs, account)? else { return Ok(None) };
    // grown from what is read, not from the header's word: a header is outside text too
    let mut value = Vec::new();
    for i in 0..h.count {
        let chunk = blobs.get(&chunk_name(account, h.generation, i))?;
        value.extend(chunk.ok_or_else(|| corrupt(account, "a part is missing"))?);
    }
    if value.len() != h.length || digest(&value) != h.sha256 {
        return Err(corrupt(account, "its parts do not match their header"));
    }
    Ok(Some(value))
}

/// Saves `value` under `account` in items of at most `max_blob` bytes; see the module's text for why
/// this order is safe to interrupt.
pub fn save(blobs: &dyn Blobs, account: &str, value: &[u8], max_blob: usize) -> Result<(), TokenStoreError> {
    let old = header(blobs, account).ok().flatten();
    let generation = old.as_ref().map_or(0, |h| h.generation.wrapping_add(1));
    let chunks: Vec<&[u8]> = value.chunks(max_blob).collect();
    if chunks.len() > MAX_CHUNKS {
        return Err(corrupt(account, "the tokens are too large for the keychain"));
    }
    for (i, chunk) in chunks.iter().enumerate() {
        blobs.set(&chunk_name(account, generation, i), chunk)?;
    }
    let header = Header { v: 1, generation, count: chunks.len(), length: value.len(), sha256: digest(value) };
    let bytes = serde_json::to_vec(&header).map_err(|e| TokenStoreError::Other { source: Box::new(e) })?;
    blobs.set(account, &bytes)?;
    // the old generation is unreachable now; a leftover costs nothing but space
    if let Some(old) = old.filter(|o| o.generation != generation) {
        remove_chunks(blobs, account, &old);
    }
    Ok(())
}

/// Removes the header first (the value is gone from then on), then its chunks.
pub fn delete(blobs: &dyn Blobs, account: &str) -> Result<bool, TokenStoreError> {
    let old = header(blobs, account).ok().flatten();
    let existed = blobs.delete(account)?;
    if let Some(old) = old {
        remove_chunks(blobs, account, &old);
    }
    Ok(existed)
}

fn remove_chunks(blobs: &dyn Blobs, account: &str, header: &Header) {
    for i in 0..header.count {
        let _ = blobs.delete(&chunk_name(account, header.generation, i));
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    use super::*;

    /// A store with the Credential Manager's blob limit that can be told to fail the n-th write, as a
    /// process killed in the middle of a save would leave it.
    #[derive(Default)]
    struct LimitedStore {
        items: Mutex<BTreeMap<String, Vec<u8>>>,
        writes_left: Mutex<Option<usize>>,
    }

    impl Blobs for LimitedStore {
        fn get(&self, name: &str) -> Result<Option<Vec<u8>>, TokenStoreError> {
            Ok(self.items.lock().unwrap().get(name).cloned())
        }
        fn set(&self, name: &str, bytes: &[u8]) -> Result<(), TokenStoreError> {
            assert!(bytes.len() <= WINDOWS_MAX_BLOB, "{name}: {} bytes", bytes.len());
            let mut left = self.writes_left.lock().unwrap();
            if let Some(n) = left.as_mut() {
                if *n == 0 {
                    return Err(TokenStoreError::Other { source: "killed".into() });
                }
                *n -= 1;
            }
            self.items.lock().unwrap().insert(name.to_string(), bytes.to_vec());
            Ok(())
        }
        fn delete(&self, name: &str) -> Result<bool, TokenStoreError> {
            Ok(self.items.lock().unwrap().remove(name).is_some())
        }
    }

    /// A 6 KB ID token, a 6 KB access token and a 2 KB refresh token, as the keychain item holds them.
    fn big_value(seed: u8) -> Vec<u8> {
        let id: String = (0..6 * 1024).map(|i| char::from(b'a' + (i as u8).wrapping_add(seed) % 26)).collect();
        let rt: String = (0..2 * 1024).map(|i| char::from(b'A' + (i as u8).wrapping_add(seed) % 26)).collect();
        let at: String = id.chars().rev().collect();
        serde_json::json!({"v": 1, "issuer": "https://login.microsoftonline.com/t/v2.0", "client_id": "c",
            "refresh_token": rt, "id_token": id, "access_token": at})
        .to_string()
        .into_bytes()
    }

    const A: &str = "provider:entra";

    #[test]
    fn large_tokens_round_trip_in_items_that_fit() {
        let store = LimitedStore::default();
        let value = big_value(0);
        save(&store, A, &value, WINDOWS_MAX_BLOB).unwrap();
        assert_eq!(load(&store, A).unwrap(), Some(value.clone()));
        assert_eq!(store.items.lock().unwrap().len(), 1 + value.len().div_ceil(WINDOWS_MAX_BLOB));
        // a rotation replaces the value and leaves no chunk of the old one behind
        let next = big_value(7);
        save(&store, A, &next, WINDOWS_MAX_BLOB).unwrap();
        assert_eq!(load(&store, A).unwrap(), Some(next.clone()));
        assert_eq!(store.items.lock().unwrap().len(), 1 + next.len().div_ceil(WINDOWS_MAX_BLOB));
        assert!(delete(&store, A).unwrap());
        assert!(store.items.lock().unwrap().is_empty());
        assert_eq!(load(&store, A).unwrap(), None);
        assert!(!delete(&store, A).unwrap());
    }

    /// Three tokens at STS's own cap for a web identity token (20 000 characters) still fit.
    #[test]
    fn tokens_as_large_as_sts_takes_fit() {
        let store = LimitedStore::default();
        let value = vec![b'x'; 3 * 20_000 + 2048];
        save(&store, A, &value, WINDOWS_MAX_BLOB).unwrap();
        assert_eq!(load(&store, A).unwrap(), Some(value));
    }

    #[test]
    fn a_save_cut_at_any_write_leaves_the_old_value_readable() {
        let old = big_value(1);
        let new = big_value(2);
        let writes = new.len().div_ceil(WINDOWS_MAX_BLOB) + 1;
        for cut in 0..writes {
            let store = LimitedStore::default();
            save(&store, A, &old, WINDOWS_MAX_BLOB).unwrap();
            *store.writes_left.lock().unwrap() = Some(cut);
            assert!(save(&store, A, &new, WINDOWS_MAX_BLOB).is_err(), "cut after {cut} writes");
            assert_eq!(load(&store, A).unwrap(), Some(old.clone()), "cut after {cut} writes");
            // and the next save still works
            *store.writes_left.lock().unwrap() = None;
            save(&store, A, &new, WINDOWS_MAX_BLOB).unwrap();
            assert_eq!(load(&store, A).unwrap(), Some(new.clone()));
        }
    }

    #[test]
    fn a_torn_or_mixed_set_is_never_read_as_valid() {
        let store = LimitedStore::default();
        save(&store, A, &big_value(3), WINDOWS_MAX_BLOB).unwrap();
        let h = header(&store, A).unwrap().unwrap();
        // a part replaced by another generation's part of the same size
        let other = LimitedStore::default();
        save(&other, A, &big_value(4), WINDOWS_MAX_BLOB).unwrap();
        let foreign = other.get(&chunk_name(A, 0, 1)).unwrap().unwrap();
        store.set(&chunk_name(A, h.generation, 1), &foreign).unwrap();
        let e = load(&store, A).unwrap_err();
        assert!(matches!(e, TokenStoreError::Corrupt { .. }), "{e}");
        // a missing part
        store.delete(&chunk_name(A, h.generation, 2)).unwrap();
        assert!(matches!(load(&store, A), Err(TokenStoreError::Corrupt { .. })));
        // a header that claims more than any value (no allocation of that size, no panic)
        let huge = serde_json::json!({"v": 1, "generation": h.generation, "count": h.count, "length": usize::MAX,
            "sha256": h.sha256});
        store.set(A, huge.to_string().as_bytes()).unwrap();
        assert!(matches!(load(&store, A), Err(TokenStoreError::Corrupt { .. })));
        // a header that is not one (the message names the provider, never the content)
        store.set(A, b"{\"refresh_token\":\"rt-secret\"}").unwrap();
        let e = load(&store, A).unwrap_err();
        assert!(matches!(e, TokenStoreError::Corrupt { ref provider, .. } if provider == "entra"), "{e}");
        assert!(!format!("{e} {e:?}").contains("rt-secret"));
    }
}
