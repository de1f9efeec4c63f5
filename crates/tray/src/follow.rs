//! The tray sees what other processes change within a second or two: the state directory (credential
//! files, failure records, meta: the CLI's refreshes and sign-outs, a Retry's outcome) and config.toml,
//! followed by the OS watcher (see `watch`) instead of waiting for the next minute's tick.

use std::path::Path;

use idbridge_core::Paths;
use tokio::sync::mpsc::UnboundedSender;

use crate::model::Msg;
use crate::watch::{Root, Watch, watch};

/// Sends `Msg::FilesChanged` once per burst of changes; None (logged) when the OS refuses a watcher:
/// the tray then sees changes at its next tick, as before.
pub fn start(paths: &Paths, tx: UnboundedSender<Msg>) -> Option<Watch> {
    let state = paths.state_dir.clone();
    let config = paths.config_file.clone();
    let locks = paths.locks_dir();
    let mut roots = vec![Root { dir: state.clone(), recursive: true }];
    match config.parent() {
        Some(dir) if !dir.starts_with(&state) => roots.push(Root { dir: dir.to_owned(), recursive: false }),
        _ => {}
    }
    let wanted = move |p: &Path| wanted(p, &state, &locks, &config);
    match watch(roots, wanted, move || drop(tx.send(Msg::FilesChanged))) {
        Ok(w) => Some(w),
        Err(e) => {
            eprintln!("idbridge-app: cannot follow the state directory ({e}); changes show at the next minute");
            None
        }
    }
}

/// Lock files come and go with every credential_process: they say nothing about what the menu shows.
fn wanted(p: &Path, state: &Path, locks: &Path, config: &Path) -> bool {
    p == config || (p.starts_with(state) && !p.starts_with(locks))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_files_and_other_programs_files_are_not_followed() {
        let paths = Paths { config_file: "/c/idbridge/config.toml".into(), state_dir: "/s/idbridge".into() };
        let w = |p: &str| wanted(Path::new(p), &paths.state_dir, &paths.locks_dir(), &paths.config_file);
        assert!(w("/s/idbridge/credentials/dev.json") && w("/s/idbridge/failures/dev.json"));
        assert!(w("/c/idbridge/config.toml"));
        assert!(!w("/s/idbridge/locks/profile-dev.lock"));
        assert!(!w("/c/idbridge/config.toml.swp") && !w("/c/other/config.toml"));
    }
}
