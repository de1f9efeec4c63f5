//! The main thread: tao's event loop (GTK on Linux, AppKit on macOS, a Win32 message loop on Windows)
//! owns the tray icon, as the toolkits require. The loop in `runtime` runs on tokio and asks for
//! what a person sees through [`Ui`]; nothing else touches the icon.

use tao::event::{Event, StartCause};
use tao::event_loop::{ControlFlow, EventLoop, EventLoopBuilder, EventLoopProxy};
use tray_icon::TrayIcon;

use crate::menu;
use crate::model::view::TrayView;

pub enum UiEvent {
    Render(Box<TrayView>),
    Exit,
}

/// The loop's handle on the main thread.
#[derive(Clone)]
pub struct Ui(EventLoopProxy<UiEvent>);

impl Ui {
    pub fn render(&self, view: TrayView) {
        // fails only once the event loop has ended, and then nobody is looking
        let _ = self.0.send_event(UiEvent::Render(Box::new(view)));
    }

    pub fn exit(&self) {
        let _ = self.0.send_event(UiEvent::Exit);
    }
}

pub fn event_loop() -> (EventLoop<UiEvent>, Ui) {
    #[allow(unused_mut)]
    let mut event_loop = EventLoopBuilder::<UiEvent>::with_user_event().build();
    // a menu-bar app: no Dock icon, no app menu
    #[cfg(target_os = "macos")]
    {
        use tao::platform::macos::{ActivationPolicy, EventLoopExtMacOS};
        event_loop.set_activation_policy(ActivationPolicy::Accessory);
    }
    let ui = Ui(event_loop.create_proxy());
    (event_loop, ui)
}

/// Runs the main thread until Quit. The icon is made once the loop has started (macOS needs its
/// application object running first); `started` then starts everything else, and whatever it returns
/// (the file watcher) lives as long as the loop.
/// `reopened` runs when the system asks the running app to show itself (macOS: the app opened again
/// from Finder or the Dock while it runs, which starts no second process).
pub fn run<T: 'static>(
    event_loop: EventLoop<UiEvent>,
    first: TrayView,
    started: impl FnOnce() -> T + 'static,
    reopened: impl Fn() + 'static,
) -> ! {
    let mut tray: Option<TrayIcon> = None;
    let mut started = Some(started);
    let mut kept: Option<T> = None;
    event_loop.run(move |event, _, control| {
        *control = ControlFlow::Wait;
        match event {
            Event::NewEvents(StartCause::Init) => match menu::create(&first) {
                Ok(icon) => {
                    tray = Some(icon);
                    eprintln!("idbridge-app: tray ready");
                    kept = started.take().map(|f| f());
                }
                Err(e) => {
                    eprintln!("idbridge-app: cannot show the tray icon: {e}");
                    *control = ControlFlow::ExitWithCode(1);
                }
            },
            Event::UserEvent(UiEvent::Render(view)) => {
                if let Some(t) = &tray {
                    menu::render(t, &view);
                }
            }
            Event::Reopen { .. } => reopened(),
            Event::UserEvent(UiEvent::Exit) => {
                drop(kept.take());
                *control = ControlFlow::ExitWithCode(0);
            }
            _ => {}
        }
    })
}
