//! The loop that owns the tray's model: it receives every message (menu clicks, ticks, results of its
//! own effects, lines from the window processes), runs `update`, performs the effects on tasks whose
//! results come back as messages, and renders the view when it changed. Nothing else holds state.

use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use idbridge_core::Idbridge;
use time::{OffsetDateTime, UtcOffset};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

use crate::children::WindowChild;
use crate::core_adapter;
use crate::i18n::Tr;
use crate::model::view::{TrayView, render_notes, view};
use crate::model::{Effect, Failure, Model, Msg, WindowKind, next_wake, update};
use crate::notifier::Notifier;
use crate::scheduler::TICK;
use crate::shell::Ui;

/// One refresh may take this long (IdP, keychain, STS).
const REFRESH_BUDGET: StdDuration = StdDuration::from_secs(30);
/// Quit waits at most this long for a refresh-token rotation to be stored.
const QUIT_WAIT: StdDuration = StdDuration::from_secs(30);
/// Never spin: even a refresh due "now" is looked at again after this.
const MIN_WAIT: time::Duration = time::Duration::milliseconds(200);

pub struct Loop {
    ui: Ui,
    core: Arc<Idbridge>,
    tr: Arc<Tr>,
    tx: UnboundedSender<Msg>,
    model: Model,
    shown: Option<TrayView>,
    settings: Option<WindowChild>,
    signin: Option<WindowChild>,
    notifier: Notifier,
    /// Made on the first Copy and kept: on X11 the copied text is served by this process while it lives.
    clipboard: Option<arboard::Clipboard>,
}

/// The machine's offset from UTC now (the menu shows local times).
pub fn local_offset() -> Option<UtcOffset> {
    UtcOffset::from_whole_seconds(chrono::Local::now().offset().local_minus_utc()).ok()
}

impl Loop {
    pub fn new(ui: Ui, core: Arc<Idbridge>, tr: Arc<Tr>, tx: UnboundedSender<Msg>, shown: TrayView) -> Self {
        let model = Model { utc_offset: local_offset(), ..Model::default() };
        Self {
            ui,
            core,
            tr,
            tx,
            model,
            shown: Some(shown),
            settings: None,
            signin: None,
            notifier: Notifier::new(),
            clipboard: None,
        }
    }

    pub async fn run(mut self, mut rx: UnboundedReceiver<Msg>) {
        self.handle(Msg::Started);
        loop {
            let now = self.core.now();
            let wait = (next_wake(&self.model, now) - now).clamp(MIN_WAIT, TICK);
            let msg = tokio::select! {
                m = rx.recv() => match m { Some(m) => m, None => return },
                _ = tokio::time::sleep(wait.unsigned_abs()) => Msg::Tick { utc_offset: local_offset() },
            };
            self.handle(msg);
        }
    }

    fn handle(&mut self, msg: Msg) {
        if let Msg::WindowClosed(kind) = &msg {
            self.reap(*kind);
        }
        let now = self.core.now();
        let effects = update(&mut self.model, msg, now);
        let mut notes = Vec::new();
        for effect in effects {
            match effect {
                Effect::Notify(n) => notes.push(n),
                other => self.perform(other),
            }
        }
        if let Some(text) = render_notes(&notes, self.model.lang(), &self.tr) {
            self.notifier.show(text, self.tx.clone());
        }
        self.render(now);
    }

    fn render(&mut self, now: OffsetDateTime) {
        let next = view(&self.model, now, &self.tr);
        if self.shown.as_ref() == Some(&next) {
            return;
        }
        self.ui.render(next.clone());
        self.shown = Some(next);
    }

    fn reap(&mut self, kind: WindowKind) {
        let slot = match kind {
            WindowKind::Settings => &mut self.settings,
            WindowKind::SignIn => &mut self.signin,
        };
        // only the process that ended: a newer window of the same kind keeps running
        if slot.as_mut().is_some_and(|c| !c.running())
            && let Some(c) = slot.take()
        {
            c.close();
        }
    }

    fn send(tx: &UnboundedSender<Msg>, msg: Msg) {
        // the receiver only goes away when the app ends
        let _ = tx.send(msg);
    }

    fn perform(&mut self, effect: Effect) {
        match effect {
            Effect::Load => self.load(),
            Effect::Refresh { profile, min_remaining, generation } => self.refresh(profile, min_remaining, generation),
            Effect::Console { profile } => self.console(profile),
            Effect::SignOut { provider } => self.sign_out(provider),
            Effect::StartSignIn { provider } => self.start_sign_in(&provider),
            Effect::ShowSignIn => {
                if let Some(c) = self.signin.as_mut() {
                    c.focus();
                }
            }
            Effect::OpenSettings => self.open_settings(),
            Effect::Copy(text) => self.copy(text),
            Effect::Quit => self.quit(),
            // gathered by `handle` into one notification
            Effect::Notify(_) => {}
        }
    }

    fn copy(&mut self, text: String) {
        let clipboard = match self.clipboard.take().map_or_else(arboard::Clipboard::new, Ok) {
            Ok(c) => self.clipboard.insert(c),
            Err(e) => return eprintln!("idbridge-app: cannot copy to the clipboard: {e}"),
        };
        if let Err(e) = clipboard.set_text(text) {
            eprintln!("idbridge-app: cannot copy to the clipboard: {e}");
        }
    }

    /// The core's snapshot (keychain: blocking) off the loop.
    fn load(&self) {
        let (core, tx) = (self.core.clone(), self.tx.clone());
        tokio::task::spawn_blocking(move || Self::send(&tx, Msg::Loaded(core_adapter::snapshot(&core))));
    }

    fn refresh(&self, profile: String, min_remaining: Option<time::Duration>, generation: u64) {
        let (core, tx) = (self.core.clone(), self.tx.clone());
        tokio::spawn(async move {
            let deadline = Instant::now() + REFRESH_BUDGET;
            let result = match min_remaining {
                Some(left) => core.ensure_fresh(&profile, left, deadline).await,
                None => core.renew(&profile, deadline).await,
            };
            let at = core.now();
            let outcome = match result {
                Ok(served) => Ok(served.warning.map(|w| Failure::new(at, w.code, w.message))),
                Err(e) => Err(core_adapter::failure(&e, at)),
            };
            match &outcome {
                Ok(None) => eprintln!("idbridge-app: refreshed profile {profile}"),
                Ok(Some(f)) | Err(f) => eprintln!("idbridge-app: refreshing profile {profile} failed: {}", f.code),
            }
            Self::send(&tx, Msg::RefreshDone { profile, generation, outcome });
        });
    }

    fn console(&self, profile: String) {
        let (core, tx) = (self.core.clone(), self.tx.clone());
        tokio::spawn(async move {
            // the core opens the profile's own browser or container; the URL goes there and nowhere else
            let result = core_adapter::open_console(&core, &profile).await;
            Self::send(&tx, Msg::ConsoleDone { profile, result });
        });
    }

    fn sign_out(&self, provider: String) {
        let (core, tx) = (self.core.clone(), self.tx.clone());
        tokio::spawn(async move {
            let result = core_adapter::sign_out(&core, &provider).await;
            Self::send(&tx, Msg::SignOutDone { provider, result });
        });
    }

    /// A new sign-in window replaces an older one.
    fn start_sign_in(&mut self, provider: &str) {
        if let Some(old) = self.signin.take() {
            old.close();
        }
        match WindowChild::spawn(WindowKind::SignIn, &["--provider", provider], self.tx.clone()) {
            Ok(child) => self.signin = Some(child),
            Err(e) => {
                eprintln!("idbridge-app: cannot start the sign-in window: {e}");
                Self::send(&self.tx, Msg::WindowClosed(WindowKind::SignIn));
            }
        }
    }

    /// Raises the Settings window, or starts one.
    fn open_settings(&mut self) {
        if let Some(c) = self.settings.as_mut()
            && c.running()
        {
            return c.focus();
        }
        match WindowChild::spawn(WindowKind::Settings, &[], self.tx.clone()) {
            Ok(child) => self.settings = Some(child),
            Err(e) => eprintln!("idbridge-app: cannot start the Settings window: {e}"),
        }
    }

    fn quit(&mut self) {
        for c in [self.settings.take(), self.signin.take()].into_iter().flatten() {
            c.close();
        }
        // no new redemption starts, and one in flight reaches the keychain before the process ends
        let (ui, core) = (self.ui.clone(), self.core.clone());
        tokio::task::spawn_blocking(move || {
            core.shield.close(QUIT_WAIT);
            crate::endpoint::withdraw(&core);
            crate::instance::withdraw(&core.paths);
            ui.exit();
        });
    }
}
