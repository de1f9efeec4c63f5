//! Where idbridge keeps its files. `IDBRIDGE_HOME`, when set, relocates all of them (config, credential
//! files, locks) into one directory, so a test or a portable install lives in one place.

use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Paths {
    pub config_file: PathBuf,
    pub state_dir: PathBuf,
}

impl Paths {
    /// All files under one directory (what `IDBRIDGE_HOME` selects).
    pub fn in_home(home: impl Into<PathBuf>) -> Self {
        let home = home.into();
        Self { config_file: home.join("config.toml"), state_dir: home }
    }

    /// `$IDBRIDGE_HOME` if given, else the platform's config and state directories.
    /// The caller passes the variable in, so the core never reads the environment itself.
    pub fn resolve(idbridge_home: Option<PathBuf>) -> Option<Self> {
        if let Some(home) = idbridge_home.filter(|h| !h.as_os_str().is_empty()) {
            return Some(Self::in_home(home));
        }
        let config_file = dirs::config_dir()?.join("idbridge").join("config.toml");
        let state_dir = dirs::state_dir().or_else(dirs::data_local_dir)?.join("idbridge");
        Some(Self { config_file, state_dir })
    }

    pub fn credentials_dir(&self) -> PathBuf {
        self.state_dir.join("credentials")
    }

    /// The credential_process JSON of one profile.
    pub fn credential_file(&self, profile: &str) -> PathBuf {
        self.credentials_dir().join(format!("{profile}.json"))
    }

    /// What the profile's credential file was made for (see `freshness`).
    pub fn meta_file(&self, profile: &str) -> PathBuf {
        self.state_dir.join("meta").join(format!("{profile}.json"))
    }

    /// The last failed refresh of the profile (see `failures`).
    pub fn failure_file(&self, profile: &str) -> PathBuf {
        self.state_dir.join("failures").join(format!("{profile}.json"))
    }

    /// Present while the provider's refresh answers are known to carry no ID token (see `app::renewal`).
    pub fn renewal_marker(&self, provider: &str) -> PathBuf {
        self.state_dir.join("providers").join(format!("{provider}.no-id-token-on-refresh"))
    }

    /// The running tray's credential endpoint (see `endpoint_file`).
    pub fn endpoint_file(&self) -> PathBuf {
        self.state_dir.join("tray").join("endpoint.json")
    }

    /// How a second launch reaches the running tray (`idbridge-app`'s single instance).
    pub fn tray_instance_file(&self) -> PathBuf {
        self.state_dir.join("tray").join("instance.json")
    }

    /// Held by the running tray for as long as it runs: one tray per idbridge home.
    pub fn tray_lock(&self) -> PathBuf {
        self.locks_dir().join("tray.lock")
    }

    pub fn locks_dir(&self) -> PathBuf {
        self.state_dir.join("locks")
    }

    pub fn lock_file(&self, kind: LockKind, name: &str) -> PathBuf {
        self.locks_dir().join(format!("{}-{name}.lock", kind.as_str()))
    }
}

/// What a lock orders: one profile's refresh, or everything that touches one provider's tokens (sign-in,
/// rotation, sign-out), always taken in this order (profile, then provider, then rotation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockKind {
    Profile,
    Provider,
    /// Held by a Windows refresh helper from before it is handed the tokens until their successor is stored
    /// (`sys::detached`); whoever takes the provider lock waits for it as well.
    Rotation,
}

impl LockKind {
    /// The file name prefix: other versions of idbridge must lock the same files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Profile => "profile",
            Self::Provider => "provider",
            Self::Rotation => "rotation",
        }
    }
}
