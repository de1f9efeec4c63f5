//! Role chaining: a profile with `source_profile` gets its credentials from `sts:AssumeRole` signed with
//! the source profile's credentials. The source is kept fresh the usual way (its own lock, refresh and
//! fallback), so chained profiles ride on the same locking and files as any other.

use std::time::Instant;

use crate::app::Idbridge;
use crate::app::error::{Error, Result};
use crate::app::refresh::{provider_lock, remaining};
use crate::config::Config;
use crate::oidc::id_token::{IdClaims, sanitize_session_name};
use crate::state::credential_file::StoredCredentials;
use crate::state::destinations::Endpoint;

impl Idbridge {
    /// New credentials for a chained profile, written to its file. The caller holds this profile's
    /// lock. Lock order stays profile before provider: the source's credentials are obtained first (its
    /// own profile lock, its refresh, its fallback), then this provider's lock covers the STS call and
    /// the write, so a sign-out in between is seen and never undone.
    pub(crate) async fn refresh_chained(
        &self,
        config: &Config,
        profile_name: &str,
        deadline: Instant,
    ) -> Result<StoredCredentials> {
        let (profile, provider) = self.profile_and_provider(config, profile_name)?;
        let source = profile.source_profile.as_deref().unwrap_or_default();
        let source_credentials = Box::pin(self.credential_process(source, deadline)).await?.credentials;
        let _provider_guard = provider_lock(&self.paths, &profile.provider, remaining(deadline)).await?;
        let tokens = self.signed_in_tokens(&profile.provider, provider, Some(profile_name)).await?;
        crate::app::trust::check_profile(&tokens, &profile.provider, (profile_name, profile), Endpoint::Sts)?;
        // the person's name in CloudTrail, as for web identity: the profile's claim of the ID token
        let session = IdClaims::decode(tokens.id_token.expose())
            .map(|c| c.session_name(profile.session_name_claim.as_deref()))
            .unwrap_or_else(|_| sanitize_session_name("idbridge"));
        let timeout = self.http_timeout.min(remaining(deadline));
        let assumed = self
            .ports
            .sts
            .assume_role(profile, &source_credentials, &session, timeout)
            .await
            .map_err(|source| Error::Sts { profile: profile_name.to_string(), source })?;
        self.write_credentials(profile_name, profile, provider, &assumed.credentials, config.source.as_ref())
    }
}
