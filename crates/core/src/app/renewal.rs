//! How long renewal works without the person: for a provider that gives no refresh token, or no new ID
//! token when a refresh token is redeemed (OIDC Core §12.2), credentials can be renewed only while the
//! ID token from the sign-in lasts. The second is learnt from the first refresh answer without one, and
//! kept in a marker file per provider until an answer brings an ID token again.

use time::OffsetDateTime;

use crate::app::Idbridge;
use crate::app::refresh::ID_TOKEN_MARGIN;
use crate::oidc::id_token::IdClaims;
use crate::state::token_store::StoredTokens;

/// Why renewal ends with the ID token, for doctor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    NoRefreshToken,
    NoIdTokenOnRefresh,
}

impl Idbridge {
    /// Until when credentials renew without a person, and why; `None` while the refresh token lasts.
    pub fn renewal_limit(&self, provider: &str, tokens: &StoredTokens) -> Option<(OffsetDateTime, Limit)> {
        let limit = if tokens.refresh_token.is_none() {
            Limit::NoRefreshToken
        } else if self.paths.renewal_marker(provider).symlink_metadata().is_ok_and(|m| m.is_file()) {
            Limit::NoIdTokenOnRefresh
        } else {
            return None;
        };
        let claims = IdClaims::decode(tokens.id_token.expose()).ok()?;
        Some((claims.expires_at - ID_TOKEN_MARGIN, limit))
    }

    /// Remembers (or forgets) that the provider's refresh answers carry no ID token. Best effort: without
    /// the marker only the advance notice is lost, the refusal itself still comes.
    pub(crate) fn note_id_token_on_refresh(&self, provider: &str, given: bool) {
        let marker = self.paths.renewal_marker(provider);
        if given {
            let _ = std::fs::remove_file(&marker);
        } else {
            let _ = crate::sys::atomic::write_private_atomically(&marker, b"");
        }
    }
}

/// "17:05" (local time), with the date in front when it is not today.
pub fn local_time(t: OffsetDateTime, now: OffsetDateTime) -> String {
    use chrono::TimeZone;
    let local = |t: OffsetDateTime| chrono::Local.timestamp_opt(t.unix_timestamp(), 0).single();
    match (local(t), local(now)) {
        (Some(at), Some(today)) if at.date_naive() == today.date_naive() => at.format("%H:%M").to_string(),
        (Some(at), _) => at.format("%Y-%m-%d %H:%M").to_string(),
        _ => crate::aws::credentials::format_expiration(t),
    }
}
