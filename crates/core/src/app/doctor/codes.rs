//! What each doctor check says, as a stable code a window phrases in the person's language (the CLI
//! prints the English message instead). One list, so a test can see every code the doctor can give.

use serde::{Serialize, Serializer};

/// Declares [`Code`] and [`Code::ALL`] from one list, so no code can be left out of `ALL`.
macro_rules! codes {
    ($($variant:ident = $name:literal, $kind:ident;)*) => {
        /// What a check says. `ok` codes have a message; `problem` codes a message and a fix.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code { $($variant),* }

        impl Code {
            /// Every code the doctor can give.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $name),* }
            }

            /// A problem's code (it has a fix sentence), rather than an ok one.
            pub fn is_problem(self) -> bool {
                match self { $(Code::$variant => codes!(@problem $kind)),* }
            }
        }
    };
    (@problem ok) => { false };
    (@problem problem) => { true };
}

codes! {
    ConfigOk = "config_ok", ok;
    ConfigInvalid = "config_invalid", problem;
    ConfigUnknownKey = "config_unknown_key", problem;
    ConfigBadValue = "config_bad_value", problem;
    UnknownProfile = "unknown_profile", problem;
    DiscoveryOk = "discovery_ok", ok;
    DiscoveryHttp = "discovery_http", problem;
    DiscoveryNotJson = "discovery_not_json", problem;
    IssuerMismatch = "issuer_mismatch", problem;
    IssuerSlash = "issuer_slash", problem;
    IdpUnreachable = "idp_unreachable", problem;
    EndpointOk = "endpoint_ok", ok;
    EndpointMissingDevice = "endpoint_missing_device", problem;
    EndpointMissingBrowser = "endpoint_missing_browser", problem;
    ClockOk = "clock_ok", ok;
    ClockNoDate = "clock_no_date", ok;
    ClockBehind = "clock_behind", problem;
    ClockAhead = "clock_ahead", problem;
    StsUnreachable = "sts_unreachable", problem;
    KeychainOk = "keychain_ok", ok;
    KeychainUnavailable = "keychain_unavailable", problem;
    SignedIn = "signed_in", ok;
    SignedInNoRefreshToken = "signed_in_no_refresh_token", ok;
    SignedInNoIdTokenOnRefresh = "signed_in_no_id_token_on_refresh", ok;
    NotSignedIn = "not_signed_in", problem;
    StateDirOk = "state_dir_ok", ok;
    StateDirOkWindows = "state_dir_ok_windows", ok;
    StateDirOutsideProfileWindows = "state_dir_outside_profile_windows", ok;
    StateDirOwner = "state_dir_owner", problem;
    StateDirMode = "state_dir_mode", problem;
    PartitionOk = "partition_ok", ok;
    PartitionMismatch = "partition_mismatch", problem;
    AwsConfigOk = "aws_config_ok", ok;
    AwsConfigPresent = "aws_config_present", ok;
    AwsConfigMissing = "aws_config_missing", problem;
    AwsConfigNoProfile = "aws_config_no_profile", problem;
    AwsConfigOtherProgram = "aws_config_other_program", problem;
    StaticKeysOk = "static_keys_ok", ok;
    StaticKeys = "static_keys", problem;
    CredentialsValid = "credentials_valid", ok;
    CredentialsExpiredRenewable = "credentials_expired_renewable", ok;
    CredentialsNoneRenewable = "credentials_none_renewable", ok;
    CredentialsUnreadable = "credentials_unreadable", problem;
    NoCredentials = "no_credentials", problem;
    EnvironmentOk = "environment_ok", ok;
    EnvironmentStaticKeys = "environment_static_keys", problem;
    EnvironmentUnknownProfile = "environment_unknown_profile", problem;
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
