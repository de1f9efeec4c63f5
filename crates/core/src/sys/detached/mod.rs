//! A helper process that outlives its caller: started in its own process group (a terminal's Ctrl-C, a
//! kill of the caller's group and the caller's own SIGKILL or TerminateProcess do not reach it), holding
//! a lock that keeps every other idbridge process away from the provider's tokens until it is done, and
//! talking to the caller over one private channel. The redemption of a refresh token runs in one, so that
//! killing the caller cannot lose the sign-in.
//!
//! How the helper comes to hold that lock differs (see [`take_over`]):
//! - Unix: the caller's provider lock itself. An flock belongs to the open file, which the child shares:
//!   it travels as the helper's stdin and the channel is its stdout. std maps those two into the child
//!   after fork, so no other process started meanwhile (the tray starts windows and browsers) can
//!   inherit the lock by accident.
//! - Windows: a LockFileEx lock does not outlive the process that took it, so the helper takes the
//!   provider's *rotation* lock of its own and says so before the caller sends anything. Whoever takes
//!   the provider lock then waits for the rotation lock too (`app::refresh::provider_lock`): a caller
//!   killed after the hand-over leaves the next one waiting for the helper's store, not reading the old
//!   token. A helper that cannot say so in time is given nothing, and the caller redeems in-process.
//!
//! stderr is discarded: a helper that outlives its caller must not keep the caller's pipes open (the AWS
//! CLI and Go's exec wait for them to close). On Windows std would still hand it every inheritable handle;
//! the CLI makes its standard handles not inheritable before it starts one (its `inherit.rs`: the core
//! has no unsafe code). The tray, a program without a console, is normally given none.

use std::ffi::OsString;
use std::fs::File;
use std::path::PathBuf;

/// How to start the helper: a program and the arguments before the caller's own.
#[derive(Debug, Clone)]
pub struct HelperCommand {
    pub program: PathBuf,
    pub args: Vec<OsString>,
}

#[cfg(unix)]
pub use unix::{Channel, spawn, take_over};

#[cfg(windows)]
pub use windows::{Channel, spawn, take_over};

#[cfg(unix)]
mod unix;

#[cfg(windows)]
mod windows;
