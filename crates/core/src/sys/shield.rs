//! Keeps a refresh-token rotation whole. From the moment a refresh token is sent to the IdP until its
//! successor is in the keychain, the old token may already be dead at the IdP (rotation with reuse
//! detection): stopping in between loses the sign-in. A [`ShieldGuard`] marks that stretch; a front end's
//! signal handler asks [`Shield::defer`] whether it may stop now, and a signal that arrives inside is
//! acted on when the last guard is dropped. The tray asks [`Shield::wait_idle`] before it quits.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// What to do with a signal that was held back, once nothing is shielded any more.
pub type OnRelease = Box<dyn Fn(i32) + Send + Sync>;

#[derive(Default)]
pub struct Shield {
    state: Mutex<State>,
    idle: Condvar,
    on_release: Mutex<Option<OnRelease>>,
}

#[derive(Default)]
struct State {
    active: usize,
    pending: Option<i32>,
    /// The process is quitting: no new redemption may start.
    closing: bool,
}

/// Held across redeem → store; dropping it ends the shielded stretch.
pub struct ShieldGuard {
    shield: Arc<Shield>,
}

impl Shield {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Called once by a front end that handles signals: what to run for a held-back signal.
    pub fn set_on_release(&self, f: OnRelease) {
        *self.on_release.lock().unwrap_or_else(|e| e.into_inner()) = Some(f);
    }

    /// Marks a redemption as started; `None` once the process is quitting ([`Shield::close`]).
    pub fn enter(self: &Arc<Self>) -> Option<ShieldGuard> {
        let mut state = self.lock();
        if state.closing || state.pending.is_some() {
            return None;
        }
        state.active += 1;
        Some(ShieldGuard { shield: self.clone() })
    }

    /// For a front end that quits: no redemption starts from now on, and the ones in flight are
    /// waited for (at most `timeout`). `true` if none is left.
    pub fn close(&self, timeout: Duration) -> bool {
        self.lock().closing = true;
        self.wait_idle(timeout)
    }

    pub fn is_active(&self) -> bool {
        self.lock().active > 0
    }

    /// For a signal handler: acts on `signal` right now when nothing is shielded, or when a signal was
    /// already held back (a second Ctrl-C means "stop now, whatever it costs"). Otherwise the signal is
    /// remembered for the release hook, run when the last guard drops, and `true` is returned. Deciding
    /// under the same lock as [`Shield::enter`] means no redemption can start between the decision and
    /// the exit.
    pub fn defer(&self, signal: i32, act_now: impl FnOnce(i32)) -> bool {
        let mut state = self.lock();
        if state.active == 0 || state.pending.is_some() {
            // keep the lock while acting: an exit here must not race a new `enter`
            act_now(signal);
            return false;
        }
        state.pending = Some(signal);
        true
    }

    /// Waits, driving the async runtime meanwhile, until nothing is shielded (at most `timeout`).
    pub async fn idle(&self, timeout: Duration) -> bool {
        let until = std::time::Instant::now() + timeout;
        while self.is_active() && std::time::Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        !self.is_active()
    }

    /// Waits until nothing is shielded, at most `timeout`. `true` if idle.
    pub fn wait_idle(&self, timeout: Duration) -> bool {
        let state = self.lock();
        let (state, _) =
            self.idle.wait_timeout_while(state, timeout, |s| s.active > 0).unwrap_or_else(|e| e.into_inner());
        state.active == 0
    }
}

impl Drop for ShieldGuard {
    fn drop(&mut self) {
        let mut state = self.shield.lock();
        state.active -= 1;
        if state.active > 0 {
            return;
        }
        self.shield.idle.notify_all();
        if let Some(signal) = state.pending.take()
            && let Some(f) = self.shield.on_release.lock().unwrap_or_else(|e| e.into_inner()).as_ref()
        {
            f(signal);
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_closed_shield_lets_nothing_new_start() {
        let shield = super::Shield::new();
        let guard = shield.enter().unwrap();
        let s2 = shield.clone();
        let closer = std::thread::spawn(move || s2.close(std::time::Duration::from_secs(10)));
        while !shield.lock().closing {
            std::thread::yield_now();
        }
        assert!(shield.enter().is_none());
        drop(guard);
        assert!(closer.join().unwrap());
    }

    use super::*;
    use std::sync::atomic::{AtomicI32, Ordering};

    #[test]
    fn a_signal_inside_waits_for_the_last_guard() {
        let shield = Shield::new();
        let released = Arc::new(AtomicI32::new(0));
        let r = released.clone();
        shield.set_on_release(Box::new(move |s| r.store(s, Ordering::SeqCst)));
        let outer = shield.enter().unwrap();
        let inner = shield.enter().unwrap();
        let mut acted = false;
        assert!(shield.defer(15, |_| acted = true));
        assert!(!acted, "held back while shielded");
        drop(inner);
        assert_eq!(released.load(Ordering::SeqCst), 0, "one guard still holds");
        drop(outer);
        assert_eq!(released.load(Ordering::SeqCst), 15);
        shield.defer(2, |s| released.store(s, Ordering::SeqCst));
        assert_eq!(released.load(Ordering::SeqCst), 2, "acted on at once when idle");
    }

    #[test]
    fn a_second_signal_acts_at_once() {
        let shield = Shield::new();
        let _guard = shield.enter().unwrap();
        assert!(shield.defer(2, |_| panic!("held back")));
        assert!(shield.enter().is_none(), "no new redemption while a signal waits");
        let mut acted = None;
        assert!(!shield.defer(2, |s| acted = Some(s)));
        assert_eq!(acted, Some(2));
    }

    #[test]
    fn wait_idle_returns_when_the_guard_drops() {
        let shield = Shield::new();
        let guard = shield.enter().unwrap();
        assert!(!shield.wait_idle(Duration::from_millis(20)));
        let s2 = shield.clone();
        let t = std::thread::spawn(move || s2.wait_idle(Duration::from_secs(10)));
        drop(guard);
        assert!(t.join().unwrap());
    }
}
