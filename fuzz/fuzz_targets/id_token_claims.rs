//! The ID-token claims decoder (used on tokens from the keychain): any string decodes or is refused;
//! the session name it yields always fits what STS accepts.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(jwt) = std::str::from_utf8(data) else { return };
    if let Ok(c) = idbridge_core::oidc::id_token::IdClaims::decode(jwt) {
        for claim in [None, Some("email"), Some("sub"), Some("name")] {
            let n = c.session_name(claim);
            assert!((2..=64).contains(&n.len()), "{n:?}");
            assert!(n.chars().all(|ch| ch.is_ascii_alphanumeric() || "_+=,.@-".contains(ch)), "{n:?}");
        }
        let _ = c.display_name();
        let _ = c.valid_for(time::OffsetDateTime::UNIX_EPOCH, time::Duration::minutes(2));
    }
});
