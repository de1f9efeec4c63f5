//! `shared_credentials_file = true`: a profile's session keys kept in `~/.aws/credentials` as well,
//! renewed with its credential file and removed at sign-out (see `aws::shared_credentials`).

use crate::app::Idbridge;
use crate::app::error::Result;
use crate::aws::credentials::Credentials;
use crate::aws::shared_credentials;
use crate::config::Profile;

impl Idbridge {
    /// Writes the profile's keys into the block if it asks for it. A profile that no longer does has its
    /// old keys taken out, best effort: a file the person broke must not stop a profile that never used it.
    pub(crate) fn share_keys(&self, name: &str, profile: &Profile, creds: &Credentials) -> Result<()> {
        let Some(path) = &self.shared_credentials_file else { return Ok(()) };
        let lock = self.shared_keys_lock();
        if profile.shared_credentials_file {
            shared_credentials::update(path, &lock, &[(name, Some(creds))])?;
        } else {
            let _ = shared_credentials::update(path, &lock, &[(name, None)]);
        }
        Ok(())
    }

    /// Takes the profiles' keys out of the block (sign-out).
    pub(crate) fn unshare_keys(&self, names: &[String]) -> Result<()> {
        let Some(path) = &self.shared_credentials_file else { return Ok(()) };
        let changes: Vec<_> = names.iter().map(|n| (n.as_str(), None)).collect();
        shared_credentials::update(path, &self.shared_keys_lock(), &changes)?;
        Ok(())
    }

    fn shared_keys_lock(&self) -> std::path::PathBuf {
        self.paths.locks_dir().join("aws-credentials.lock")
    }
}
