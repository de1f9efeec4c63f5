//! What idbridge keeps between runs: where files live, the credential file of each profile and whether it
//! may be served as is, and the tokens in the OS keychain.

pub mod chunked;
pub mod credential_file;
pub mod destinations;
pub mod endpoint_file;
pub mod freshness;
pub mod paths;
pub mod token_store;

pub use paths::{LockKind, Paths};
