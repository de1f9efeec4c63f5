//! idbridge-core: sign in to AWS with an OpenID Connect identity provider and keep role credentials
//! ready for the AWS CLI and SDKs. No GUI dependency: the `idbridge` CLI and the tray app are thin
//! shells over the use cases in [`app`].
//!
//! Layers, each importing only those above it in this list (checked by `scripts/check-layers`):
//! [`sys`] → [`config`] → [`oidc`], [`aws`] → [`state`] → [`app`]. See docs/architecture.md.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod app;
pub mod aws;
pub mod config;
pub mod oidc;
pub mod state;
pub mod sys;

pub use app::error::{Error, ErrorCode, Result};
pub use app::{Idbridge, ProfileState, ProfileStatus};
pub use state::Paths;
pub use sys::secret::Secret;
