//! Where a stored sign-in's secrets leave idbridge: the endpoints are recorded at sign-in
//! ([`Destinations`]) and checked before each sending. A changed one stops renewal with "sign-in
//! needed" and sends nothing: only a new sign-in, which the person makes knowingly, trusts it.

use std::collections::BTreeSet;

use crate::app::error::Error;
use crate::config::{Config, Profile};
use crate::oidc::Discovered;
use crate::state::destinations::{Destinations, Endpoint, Moved};
use crate::state::token_store::StoredTokens;

/// What a sign-in to `provider_name` may send where, from today's discovery and config.
pub(crate) fn destinations_of(config: &Config, provider_name: &str, discovered: &Discovered) -> Destinations {
    let configured = |pick: fn(&Profile) -> Option<&String>| -> BTreeSet<String> {
        config.profiles_of(provider_name).filter_map(|(_, p)| pick(p).cloned()).collect()
    };
    Destinations {
        token_endpoint: discovered.token_endpoint.clone(),
        revocation_endpoint: discovered.revocation_endpoint.clone(),
        sts_endpoints: Some(configured(|p| p.sts_endpoint.as_ref())),
        federation_endpoints: Some(configured(|p| p.federation_endpoint.as_ref())),
    }
}

/// The error that stops a sending to a moved endpoint: only a new sign-in helps.
pub(crate) fn moved(provider_name: &str, moved: &Moved, profile: Option<&str>) -> Error {
    Error::sign_in_needed(
        provider_name,
        format!("{}; sign in again to trust it", moved.describe(provider_name)),
        profile,
    )
}

/// May a secret go to this profile's STS endpoint (the ID token, or a chained session) or federation
/// endpoint (session keys)? AWS's own endpoints (no override in config.toml) always may.
pub(crate) fn check_profile(
    tokens: &StoredTokens,
    provider_name: &str,
    (profile_name, profile): (&str, &Profile),
    endpoint: Endpoint,
) -> Result<(), Error> {
    let configured = match endpoint {
        Endpoint::Sts => profile.sts_endpoint.as_deref(),
        Endpoint::Federation => profile.federation_endpoint.as_deref(),
        Endpoint::Token | Endpoint::Revocation => None,
    };
    match &tokens.destinations {
        None => Ok(()),
        Some(d) => d.check_configured(endpoint, configured).map_err(|m| moved(provider_name, &m, Some(profile_name))),
    }
}

/// May the refresh token be redeemed at today's token endpoint? An item from before destinations were
/// recorded takes today's (and records it with the redemption): it was trusted so far, and refusing it
/// would sign everyone out once on upgrade.
pub(crate) fn check_token_endpoint(
    tokens: &StoredTokens,
    provider_name: &str,
    discovered: &Discovered,
    profile: Option<&str>,
) -> Result<Destinations, Error> {
    let now = discovered.token_endpoint.clone().unwrap_or_default();
    match &tokens.destinations {
        None => Ok(Destinations {
            token_endpoint: discovered.token_endpoint.clone(),
            revocation_endpoint: discovered.revocation_endpoint.clone(),
            sts_endpoints: None,
            federation_endpoints: None,
        }),
        Some(d) => d.check(Endpoint::Token, &now).map(|()| d.clone()).map_err(|m| moved(provider_name, &m, profile)),
    }
}
