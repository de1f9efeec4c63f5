//! The machine under everything else: safe files, one HTTP policy, text made safe to show, secrets, the
//! clock, locks, the shield that holds a rotation against signals and the helper process that outlives
//! its caller. Knows nothing of OIDC or AWS.

pub mod atomic;
pub mod clock;
pub mod detached;
pub mod file_identity;
pub mod http;
pub mod local_http;
pub mod lock;
pub mod process;
pub mod safe_fs;
pub mod sanitize;
pub mod secret;
pub mod shield;
