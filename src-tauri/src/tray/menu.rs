//! The tray icon and its menu: renders a [`TrayView`] and turns clicks into messages for the loop.
//! Linux tray icons get no clicks of their own, so everything is in the menu, which every system opens
//! on a left click as well as a right one.

use tauri::menu::{IsMenuItem, Menu, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Runtime};
use tokio::sync::mpsc::UnboundedSender;

use crate::tray::icons::{Style, tray_image};
use crate::tray::model::view::{Entry, TrayView};
use crate::tray::model::{MenuId, Msg};

pub const TRAY_ID: &str = "idbridge";

pub fn create<R: Runtime>(app: &AppHandle<R>, view: &TrayView, tx: UnboundedSender<Msg>) -> tauri::Result<()> {
    let menu = build_menu(app, &view.entries)?;
    let style = Style::from_env();
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(tray_image(view.icon, style))
        .icon_as_template(style == Style::Template)
        .tooltip(&view.tooltip)
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(move |_, event| {
            if let Some(id) = MenuId::parse(event.id().as_ref()) {
                let _ = tx.send(Msg::Menu(id));
            }
        })
        .build(app)?;
    Ok(())
}

/// Shows `view`; errors are logged, never fatal (a tray app must not die of one event).
pub fn render<R: Runtime>(app: &AppHandle<R>, view: &TrayView) {
    let Some(tray) = app.tray_by_id(TRAY_ID) else { return };
    if let Err(e) = build_menu(app, &view.entries).and_then(|menu| tray.set_menu(Some(menu))) {
        eprintln!("idbridge-app: cannot update the menu: {e}");
    }
    let style = Style::from_env();
    if let Err(e) = tray.set_icon(Some(tray_image(view.icon, style))) {
        eprintln!("idbridge-app: cannot update the icon: {e}");
    }
    // a new icon is not a template until said again (macOS; a no-op elsewhere)
    let _ = tray.set_icon_as_template(style == Style::Template);
    // Windows and macOS show it; on Linux see `set_title`
    let _ = tray.set_tooltip(Some(&view.tooltip));
}

fn build_menu<R: Runtime>(app: &AppHandle<R>, entries: &[Entry]) -> tauri::Result<Menu<R>> {
    let menu = Menu::new(app)?;
    let mut info = 0;
    for entry in entries {
        menu.append(build_entry(app, entry, &mut info)?.as_ref())?;
    }
    Ok(menu)
}

fn build_entry<R: Runtime>(
    app: &AppHandle<R>,
    entry: &Entry,
    info: &mut usize,
) -> tauri::Result<Box<dyn IsMenuItem<R>>> {
    Ok(match entry {
        Entry::Separator => Box::new(PredefinedMenuItem::separator(app)?),
        Entry::Info(label) => {
            *info += 1;
            Box::new(MenuItem::with_id(app, format!("info:{info}"), label, false, None::<&str>)?)
        }
        Entry::Item { id, label } => Box::new(MenuItem::with_id(app, id.to_id(), label, true, None::<&str>)?),
        Entry::Sub { label, children } => {
            let sub = Submenu::new(app, label, true)?;
            for c in children {
                sub.append(build_entry(app, c, info)?.as_ref())?;
            }
            Box::new(sub)
        }
    })
}
