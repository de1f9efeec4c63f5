//! The tray icon and its menu. Linux tray icons get no clicks, so everything is in the menu, rebuilt
//! from the app state after every event and at least each minute.

use tauri::image::Image;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime};

use crate::i18n::{Lang, fill, t};
use crate::state::{AppState, ProfileView};

pub const TRAY_ID: &str = "idbridge";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IconState {
    SignedOut,
    Ok,
    Expiring,
    Error,
}

impl IconState {
    pub fn name(self) -> &'static str {
        match self {
            Self::SignedOut => "signed-out",
            Self::Ok => "ok",
            Self::Expiring => "expiring",
            Self::Error => "error",
        }
    }

    fn image(self) -> Image<'static> {
        let bytes: &'static [u8] = match self {
            Self::SignedOut => include_bytes!("../../icons/tray-signed-out.png"),
            Self::Ok => include_bytes!("../../icons/tray-ok.png"),
            Self::Expiring => include_bytes!("../../icons/tray-expiring.png"),
            Self::Error => include_bytes!("../../icons/tray-error.png"),
        };
        Image::from_bytes(bytes).unwrap_or_else(|_| Image::new(&[0, 0, 0, 0], 1, 1))
    }
}

pub fn icon_state(views: &[ProfileView], any_signed_in: bool, now: time::OffsetDateTime) -> IconState {
    if views.iter().any(|v| v.track.needs_sign_in || (v.track.failures > 0 && v.provider_signed_in)) {
        IconState::Error
    } else if !any_signed_in {
        IconState::SignedOut
    } else if views.iter().any(|v| v.provider_signed_in && v.expiration.is_some_and(|e| e - now < time::Duration::minutes(15))) {
        IconState::Expiring
    } else {
        IconState::Ok
    }
}

/// "dev · dev-role · expires in 42 min"
pub fn profile_line(v: &ProfileView, lang: Lang, now: time::OffsetDateTime) -> String {
    let status = if v.refreshing {
        t(lang, "refreshing").to_string()
    } else if v.track.needs_sign_in {
        t(lang, "sign_in_needed").to_string()
    } else {
        match v.expiration {
            _ if !v.provider_signed_in => t(lang, "signed_out").to_string(),
            Some(e) if e > now => fill(t(lang, "expires_in"), &[&((e - now).whole_minutes()).to_string()]),
            Some(_) => t(lang, "expired").to_string(),
            None => t(lang, "signed_out").to_string(),
        }
    };
    let error = v.track.last_error.as_deref().filter(|_| v.track.failures > 0 && !v.refreshing).map(|e| {
        let short: String = e.chars().take(48).collect();
        format!(" — {short}{}", if e.chars().count() > 48 { "…" } else { "" })
    });
    format!("{} · {} · {status}{}", v.name, v.role, error.unwrap_or_default())
}

/// One menu entry; an item with `sub` entries is a submenu.
#[derive(Debug, Clone, PartialEq)]
enum Entry {
    Separator,
    Item { id: String, label: String, enabled: bool, sub: Vec<Entry> },
}

/// What the menu should say now, as plain data: compared with the last one so the menu is rebuilt
/// only when something a person can see changed (a rebuilt menu closes under the pointer).
fn model(state: &AppState) -> (Vec<Entry>, IconState) {
    let lang = state.lang();
    let now = state.core.now();
    let views = state.profiles();
    let providers = state.providers();
    let item = |id: String, label: &str, enabled: bool| Entry::Item { id, label: label.to_string(), enabled, sub: Vec::new() };
    let mut entries = Vec::new();
    if views.is_empty() {
        entries.push(item("none".into(), t(lang, "no_profiles"), false));
    }
    for v in &views {
        let sub = vec![
            item(format!("console:{}", v.name), t(lang, "open_console"), v.provider_signed_in),
            item(format!("refresh:{}", v.name), t(lang, "refresh_now"), v.provider_signed_in),
            item(format!("copy:{}", v.name), t(lang, "copy_profile"), true),
        ];
        entries.push(Entry::Item { id: format!("profile:{}", v.name), label: profile_line(v, lang, now), enabled: true, sub });
    }
    entries.push(Entry::Separator);
    for (p, signed_in) in &providers {
        let (id, template) = if *signed_in { (format!("signout:{p}"), "sign_out") } else { (format!("signin:{p}"), "sign_in") };
        entries.push(item(id, &fill(t(lang, template), &[p]), true));
    }
    entries.push(Entry::Separator);
    entries.push(item("settings".into(), t(lang, "settings"), true));
    entries.push(item("quit".into(), t(lang, "quit"), true));
    let any_signed_in = providers.iter().any(|(_, s)| *s);
    (entries, icon_state(&views, any_signed_in, now))
}

fn build_menu<R: Runtime>(app: &AppHandle<R>, entries: &[Entry]) -> tauri::Result<Menu<R>> {
    let menu = Menu::new(app)?;
    for entry in entries {
        match entry {
            Entry::Separator => menu.append(&PredefinedMenuItem::separator(app)?)?,
            Entry::Item { id, label, enabled, sub } if !sub.is_empty() => {
                let submenu = Submenu::with_id(app, id, label, *enabled)?;
                for s in sub {
                    if let Entry::Item { id, label, enabled, .. } = s {
                        submenu.append(&MenuItem::with_id(app, id, label, *enabled, None::<&str>)?)?;
                    }
                }
                menu.append(&submenu)?;
            }
            Entry::Item { id, label, enabled, .. } => menu.append(&MenuItem::with_id(app, id, label, *enabled, None::<&str>)?)?,
        }
    }
    Ok(menu)
}

static LAST: std::sync::Mutex<Option<(Vec<Entry>, IconState)>> = std::sync::Mutex::new(None);

pub fn create<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let (entries, state) = model(&app.state::<AppState>());
    let menu = build_menu(app, &entries)?;
    *LAST.lock().unwrap_or_else(|e| e.into_inner()) = Some((entries, state));
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(state.image())
        .tooltip("idbridge")
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(|app, event| crate::actions::on_menu(app, event.id().as_ref()))
        .build(app)?;
    Ok(())
}

/// Rebuilds the menu and icon; errors are logged, never fatal (a tray app must not die of one event).
pub fn update<R: Runtime>(app: &AppHandle<R>) {
    let handle = app.clone();
    let _ = app.run_on_main_thread(move || {
        let Some(tray) = handle.tray_by_id(TRAY_ID) else { return };
        let (entries, state) = model(&handle.state::<AppState>());
        let mut last = LAST.lock().unwrap_or_else(|e| e.into_inner());
        let (same_menu, same_icon) = match last.as_ref() {
            Some((e, s)) => (*e == entries, *s == state),
            None => (false, false),
        };
        if !same_menu {
            match build_menu(&handle, &entries).and_then(|menu| tray.set_menu(Some(menu))) {
                Ok(()) => {}
                Err(e) => return eprintln!("idbridge-app: cannot update the menu: {e}"),
            }
        }
        if !same_icon {
            if let Err(e) = tray.set_icon(Some(state.image())) {
                return eprintln!("idbridge-app: cannot update the icon: {e}");
            }
            let _ = tray.set_tooltip(Some(format!("idbridge ({})", state.name())));
        }
        *last = Some((entries, state));
    });
}
