//! `status`: where each profile stands, from the same recorded state the CLI and the tray act on (the
//! keychain, the credential file and its binding, the failure memory).

use std::collections::BTreeMap;

use crate::app::error::Result;
use crate::app::failures;
use crate::app::{Idbridge, ProfileState, ProfileStatus};
use crate::config::Provider;
use crate::oidc::id_token::IdClaims;
use crate::state::credential_file;
use crate::state::freshness::{self, Binding};
use crate::state::token_store::{StoredTokens, TokenStoreError};

/// What the keychain says about one provider.
enum Tokens {
    Usable(StoredTokens),
    /// None, or a leftover of another issuer or client (removed by the next sign-in or sign-out).
    None,
    Unreadable(TokenStoreError),
}

impl Idbridge {
    /// Every profile's state. Blocking (keychain).
    pub fn status(&self) -> Result<Vec<ProfileStatus>> {
        let config = self.load_config()?;
        let now = self.clock.now();
        let mut keychain: BTreeMap<&str, Tokens> = BTreeMap::new();
        let mut out = Vec::new();
        for (name, profile) in &config.profiles {
            let provider = &config.providers[&profile.provider];
            let tokens = keychain
                .entry(profile.provider.as_str())
                .or_insert_with(|| self.tokens_of(&profile.provider, provider));
            let file = credential_file::read_file(&self.paths.credential_file(name));
            let bound = freshness::read_binding(&self.paths.meta_file(name))
                == Some(Binding::of(&profile.provider, provider, profile));
            let valid = |c: &&crate::aws::credentials::Credentials| c.is_valid(now);
            let creds = file.as_ref().ok().and_then(|f| f.as_ref()).filter(|_| bound).map(|f| &f.credentials);
            let binding = Binding::of(&profile.provider, provider, profile);
            let last_failure =
                failures::read(&self.paths.failure_file(name)).filter(|f| f.binding.as_ref() == Some(&binding));
            let state = match (&*tokens, &last_failure) {
                (Tokens::Unreadable(_), _) => ProfileState::KeychainUnavailable,
                (Tokens::None, _) => ProfileState::SignedOut,
                (Tokens::Usable(_), Some(f)) if f.is_sign_in_needed() => ProfileState::SignInNeeded,
                (Tokens::Usable(_), Some(_)) => ProfileState::RefreshFailing,
                (Tokens::Usable(_), None) if creds.filter(valid).is_some() => ProfileState::Ready,
                // nothing valid and nothing to renew it with: the next use can only ask for a sign-in
                (Tokens::Usable(t), None) if !renewable(t, now) => ProfileState::SignInNeeded,
                (Tokens::Usable(_), None) => ProfileState::Expired,
            };
            let problem = match (&*tokens, &file) {
                (Tokens::Unreadable(e), _) => Some(crate::sys::sanitize::one_line(e)),
                (_, Err(e)) => Some(crate::sys::sanitize::one_line(e)),
                (_, Ok(Some(_))) if !bound => Some(
                    "the credential file was made for another role or provider; it is replaced on the next use".into(),
                ),
                _ => last_failure.as_ref().map(|f| f.message.clone()),
            };
            let identity = match &*tokens {
                Tokens::Usable(t) => IdClaims::decode(t.id_token.expose()).ok().map(|c| c.display_name().to_string()),
                _ => None,
            };
            let expiration = creds.map(|c| c.expiration);
            out.push(ProfileStatus {
                profile: name.clone(),
                provider: profile.provider.clone(),
                role_arn: profile.role_arn.clone(),
                region: profile.region.clone(),
                state,
                signed_in: match &*tokens {
                    Tokens::Unreadable(_) => None,
                    t => Some(matches!(t, Tokens::Usable(_))),
                },
                identity,
                expiration,
                expires_in_seconds: expiration.map(|e| (e - now).whole_seconds()),
                last_failure,
                problem,
            });
        }
        Ok(out)
    }

    fn tokens_of(&self, name: &str, provider: &Provider) -> Tokens {
        match self.store.load(name) {
            Ok(Some(t)) if t.belongs_to(provider) => Tokens::Usable(t),
            Ok(_) => Tokens::None,
            Err(e) => Tokens::Unreadable(e),
        }
    }
}

/// New credentials can be had without a person: a refresh token, or an ID token still valid for STS.
fn renewable(tokens: &StoredTokens, now: time::OffsetDateTime) -> bool {
    tokens.refresh_token.is_some()
        || IdClaims::decode(tokens.id_token.expose())
            .is_ok_and(|c| c.valid_for(now, crate::app::refresh::ID_TOKEN_MARGIN))
}
