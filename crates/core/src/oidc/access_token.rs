//! The access token as STS's web identity token (`web_identity_token = "access_token"`): sent only after
//! it passed the ID token's checks, with the API audience in place of the client id: signature against
//! the IdP's JWKS, `iss` exactly, `aud` contains the configured audience, `exp`.

use std::str::FromStr;

use openidconnect::core::{CoreIdToken, CoreTokenResponse};
use openidconnect::{ClaimsVerificationError, JsonWebTokenType, Nonce, OAuth2TokenResponse};

use super::{Oidc, OidcError, to_chrono};
use crate::sys::sanitize;
use crate::sys::secret::Secret;

impl Oidc {
    /// The answer's access token once checked, when this provider sends it to STS; `None` otherwise.
    pub(super) fn checked_access_token(&self, response: &CoreTokenResponse) -> Result<Option<Secret>, OidcError> {
        let Some(audience) = self.access_token_audience.as_deref() else { return Ok(None) };
        let raw = response.access_token().secret();
        let refused = |reason: &str| OidcError::AccessTokenRejected {
            issuer: self.issuer.clone(),
            reason: sanitize::field(reason),
        };
        // the same claims an ID token must have (iss, sub, aud, exp, iat), which RFC 9068 requires too
        let token = CoreIdToken::from_str(raw).map_err(|_| {
            refused("it is not a signed JWT with iss, sub, aud, exp and iat (an opaque token cannot go to AWS)")
        })?;
        let clock = self.clock.clone();
        // RFC 9068 access tokens say typ "at+jwt"; the audience is compared below, with the API's
        let types = ["application/jwt", "application/jose", "application/at+jwt"]
            .into_iter()
            .filter_map(|t| JsonWebTokenType::new(t.into()).normalize().ok());
        let verifier = self
            .client
            .id_token_verifier()
            .require_audience_match(false)
            .set_allowed_jose_types(types)
            .set_time_fn(move || to_chrono(clock.now()));
        let claims = token.claims(&verifier, |_: Option<&Nonce>| Ok(())).map_err(|e| match e {
            // the crate's words would call it an ID token
            ClaimsVerificationError::Expired(_) => refused("it has expired (its exp is past by this computer's clock)"),
            other => refused(&other.to_string()),
        })?;
        if !claims.audiences().iter().any(|a| a.as_str() == audience) {
            return Err(refused(&format!("its aud does not contain `{audience}`")));
        }
        Ok(Some(Secret::new(raw.clone())))
    }
}
