//! Opening the AWS console for a profile: fresh credentials (the same the CLI hands out), a sign-in token
//! from the federation endpoint, and the login URL opened where the profile says.

use std::time::Instant;

use crate::app::Idbridge;
use crate::app::error::Result;
use crate::aws::console::{self, ConsoleError};
use crate::aws::console_open;
use crate::aws::credentials::Credentials;
use crate::state::credential_file::CredentialFileError;
use crate::state::destinations::Endpoint;
use crate::sys::secret::Secret;

impl Idbridge {
    /// A console sign-in URL for the profile (a credential: show it only to the person).
    pub async fn console_url(&self, profile_name: &str, destination: Option<&str>) -> Result<Secret> {
        let config = self.load_config()?;
        let profile = config.profile(profile_name, &self.paths.config_file)?.clone();
        // the console session cannot outlive the credentials: take the same fresh ones the CLI hands out
        let served = self.credential_process(profile_name, Instant::now() + self.http_timeout * 2).await?;
        let credentials = Credentials::from_process_json(&served.json).map_err(|reason| {
            CredentialFileError::Corrupt { path: self.paths.credential_file(profile_name), reason }
        })?;
        if profile.federation_endpoint.is_some() {
            // session keys go to a configured federation endpoint only if the sign-in was made for it
            let (_, provider) = self.profile_and_provider(&config, profile_name)?;
            let tokens = self.signed_in_tokens(&profile.provider, provider, Some(profile_name)).await?;
            crate::app::trust::check_profile(
                &tokens,
                &profile.provider,
                (profile_name, &profile),
                Endpoint::Federation,
            )?;
        }
        let endpoint = console::federation_endpoint(&profile);
        let token = self.ports.federation.signin_token(&endpoint, &credentials, self.http_timeout).await?;
        let destination = console::destination(&profile, destination);
        Ok(console::signin_url(&profile, &endpoint, &destination, &token))
    }

    /// Signs in to the profile's console and opens it in the profile's browser, or with `default_open`
    /// (the front end's opener: `$BROWSER`/xdg-open) when the profile names none. For the CLI and the menu.
    pub async fn open_console(
        &self,
        profile_name: &str,
        destination: Option<&str>,
        default_open: impl FnOnce(&str) -> std::io::Result<()>,
    ) -> Result<()> {
        let url = self.console_url(profile_name, destination).await?;
        let config = self.load_config()?;
        let profile = config.profile(profile_name, &self.paths.config_file)?;
        console_open::open(profile_name, profile, &url, default_open).map_err(|e: ConsoleError| e.into())
    }
}
