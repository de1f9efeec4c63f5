//! Following files that other processes change (the CLI, an editor, the person): the OS's own watcher
//! (inotify, FSEvents, ReadDirectoryChangesW, through `notify`) instead of polling, debounced so that a
//! burst of writes is one call. Idle, the watching thread sleeps in `recv`: no CPU.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};

/// A burst ends once nothing has come for this long…
pub const QUIET: Duration = Duration::from_millis(150);
/// …or at the latest this long after its first change (a file rewritten without a pause still shows).
pub const LONGEST: Duration = Duration::from_millis(700);

/// A folder to follow: `recursive` for the state directory, not for config.toml's folder (e.g. ~/.config/idbridge).
#[derive(Debug, Clone)]
pub struct Root {
    pub dir: PathBuf,
    pub recursive: bool,
}

/// Watching stops when this is dropped (the thread then ends too).
pub struct Watch {
    _watcher: Arc<Mutex<Armed>>,
}

/// The OS watcher and, per root, whether it is watched or which parent stands in for it.
struct Armed {
    watcher: RecommendedWatcher,
    roots: Vec<(Root, Option<PathBuf>, bool)>,
}

/// Calls `changed` on a thread of its own, once per burst of changes to paths that `wanted` accepts.
/// A root that does not exist yet (a first run) is watched from its nearest existing parent and
/// armed once it appears.
pub fn watch(
    roots: Vec<Root>,
    wanted: impl Fn(&Path) -> bool + Send + 'static,
    mut changed: impl FnMut() + Send + 'static,
) -> notify::Result<Watch> {
    let (tx, rx) = channel::<bool>();
    let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let wanted = match event {
            // reads (ours too: the tray reads these files after each change) are not changes
            Ok(e) if matches!(e.kind, EventKind::Access(_)) => return,
            Ok(e) => e.paths.is_empty() || e.paths.iter().any(|p| wanted(p)),
            // an overflowed queue: something changed, what is unknown
            Err(_) => true,
        };
        let _ = tx.send(wanted);
    })?;
    let armed = Arc::new(Mutex::new(Armed { watcher, roots: roots.into_iter().map(|r| (r, None, false)).collect() }));
    arm(&armed);
    // the thread holds the watcher weakly: dropping the Watch drops the watcher, its sender, and so the thread
    let weak = Arc::downgrade(&armed);
    std::thread::Builder::new().name("idbridge-watch".into()).spawn(move || {
        while let Some(wanted) = wait_burst(&rx) {
            let Some(armed) = weak.upgrade() else { return };
            arm(&armed);
            if wanted {
                changed();
            }
        }
    })?;
    Ok(Watch { _watcher: armed })
}

/// Watches each root that exists; for a missing one its nearest existing ancestor (not recursively),
/// whose change tells that the root may now exist.
fn arm(armed: &Mutex<Armed>) {
    let Ok(mut guard) = armed.lock() else { return };
    let Armed { watcher, roots } = &mut *guard;
    for (root, stand_in, done) in roots.iter_mut().filter(|(_, _, done)| !*done) {
        let mode = if root.recursive { RecursiveMode::Recursive } else { RecursiveMode::NonRecursive };
        if watcher.watch(&root.dir, mode).is_ok() {
            *done = true;
            if let Some(parent) = stand_in.take() {
                let _ = watcher.unwatch(&parent);
            }
        } else if stand_in.is_none()
            && let Some(parent) = root.dir.ancestors().skip(1).find(|a| a.is_dir())
            && watcher.watch(parent, RecursiveMode::NonRecursive).is_ok()
        {
            *stand_in = Some(parent.to_owned());
        }
    }
}

/// Blocks until a change comes, then until the burst is over; says whether any of it was wanted.
/// None once the watcher is gone.
fn wait_burst(rx: &Receiver<bool>) -> Option<bool> {
    let mut wanted = rx.recv().ok()?;
    let start = Instant::now();
    loop {
        let left = LONGEST.saturating_sub(start.elapsed());
        if left.is_zero() {
            return Some(wanted);
        }
        match rx.recv_timeout(QUIET.min(left)) {
            Ok(w) => wanted |= w,
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return Some(wanted),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::Sender;

    fn follow(roots: Vec<Root>, name: &'static str) -> (Watch, Receiver<Instant>) {
        let (tx, rx): (Sender<Instant>, _) = channel();
        let w = watch(
            roots,
            move |p| p.file_name().is_some_and(|n| n == name),
            move || {
                let _ = tx.send(Instant::now());
            },
        )
        .unwrap();
        (w, rx)
    }

    #[test]
    fn a_burst_of_writes_is_one_call_and_other_files_none() {
        let dir = tempfile::tempdir().unwrap();
        let (_w, rx) = follow(vec![Root { dir: dir.path().into(), recursive: false }], "config.toml");
        std::fs::write(dir.path().join("other.txt"), "x").unwrap();
        assert!(rx.recv_timeout(Duration::from_millis(600)).is_err(), "another file is not a change");
        let start = Instant::now();
        for i in 0..20 {
            std::fs::write(dir.path().join("config.toml"), format!("# {i}")).unwrap();
        }
        let at = rx.recv_timeout(Duration::from_secs(5)).expect("one call");
        assert!(at - start < Duration::from_secs(1), "{:?}", at - start);
        assert!(rx.recv_timeout(Duration::from_millis(600)).is_err(), "the burst was one call");
        let _ = std::fs::read_to_string(dir.path().join("config.toml")).unwrap();
        assert!(rx.recv_timeout(Duration::from_millis(400)).is_err(), "a read is not a change");
    }

    #[test]
    fn a_folder_made_later_is_followed_once_it_exists() {
        // Wine's ReadDirectoryChangesW reports nothing below the watched folder itself (measured in the cross
        // lane: a write in a subfolder unseen, one beside it seen; Wine passes its WINEPREFIX on); Windows
        // itself watches the subtree
        if cfg!(windows) && std::env::var_os("WINEPREFIX").is_some() {
            return eprintln!("skipped under Wine: no subtree changes from ReadDirectoryChangesW");
        }
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state");
        let (_w, rx) = follow(vec![Root { dir: state.clone(), recursive: true }], "dev.json");
        std::fs::create_dir_all(state.join("credentials")).unwrap();
        // the folder's appearance arms the watch (after a burst's quiet time): writes after that are seen
        let seen = (0..50).any(|_| {
            std::fs::write(state.join("credentials").join("dev.json"), "{}").unwrap();
            rx.recv_timeout(Duration::from_millis(100)).is_ok()
        });
        assert!(seen, "a change inside the new folder");
    }

    #[test]
    fn dropping_the_watch_stops_it() {
        let dir = tempfile::tempdir().unwrap();
        let (w, rx) = follow(vec![Root { dir: dir.path().into(), recursive: false }], "config.toml");
        drop(w);
        std::fs::write(dir.path().join("config.toml"), "").unwrap();
        assert!(rx.recv_timeout(Duration::from_secs(1)).is_err());
    }
}
