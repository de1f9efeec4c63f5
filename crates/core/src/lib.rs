//! idbridge-core: sign in to AWS with an OpenID Connect identity provider and keep role credentials
//! ready for the AWS CLI and SDKs. No GUI dependency: the `idbridge` CLI and the tray app are thin
//! shells over the use cases in [`app`], [`refresh`] and [`signin`].
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod app;
pub mod aws_config;
pub mod aws_setup;
pub mod browser_signin;
pub mod chain;
pub mod clock;
pub mod config;
pub mod config_edit;
pub mod console;
pub mod console_open;
pub mod credentials;
pub mod device;
pub mod doctor;
pub mod endpoints;
pub mod error;
pub mod export;
pub mod failures;
pub mod freshness;
pub mod http;
pub mod id_token;
pub mod import;
pub mod lock;
pub mod logout;
pub mod loopback;
pub mod oidc;
pub mod paths;
pub mod refresh;
pub mod rotation;
pub mod safe_fs;
pub mod sanitize;
pub mod secret;
pub mod shield;
pub mod signin;
pub mod status;
pub mod sts;
mod sts_cap;
pub mod token_store;

pub use app::{Idbridge, ProfileState, ProfileStatus};
pub use error::{Error, Result};
pub use paths::Paths;
pub use secret::Secret;

#[cfg(test)]
mod testing;
#[cfg(test)]
#[path = "refresh_tests.rs"]
mod refresh_tests;
#[cfg(test)]
#[path = "edge_tests.rs"]
mod edge_tests;
