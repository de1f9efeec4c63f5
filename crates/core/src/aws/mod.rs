//! What AWS defines: STS (web identity and role chaining), the credential_process JSON, console sign-in
//! through the federation endpoint, the `~/.aws/config` block, the `~/.aws/credentials` block and the export
//! formats.

pub mod config_file;
pub mod console;
pub mod console_open;
pub mod credentials;
pub mod export;
pub mod shared_credentials;
pub mod sts;
mod sts_cap;
