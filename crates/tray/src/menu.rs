//! The tray icon and its menu (tray-icon and muda, on the main thread): renders a [`TrayView`]; clicks
//! reach the loop through muda's event handler (`start`). Linux tray icons get no clicks of their own,
//! so everything is in the menu, which every system opens on a left click as well as a right one.

use tokio::sync::mpsc::UnboundedSender;
use tray_icon::menu::{IsMenuItem, Menu, MenuEvent, MenuItem, PredefinedMenuItem, Submenu};
use tray_icon::{TrayIcon, TrayIconBuilder, TrayIconEvent};

use crate::icons::{Style, icon_for};
use crate::model::view::{Entry, TrayView};
use crate::model::{MenuId, Msg};

/// Clicks on any menu item, as messages for the loop (muda calls this on the main thread).
pub fn forward_clicks(tx: UnboundedSender<Msg>) {
    MenuEvent::set_event_handler(Some(move |event: MenuEvent| {
        if let Some(id) = MenuId::parse(event.id().as_ref()) {
            let _ = tx.send(Msg::Menu(id));
        }
    }));
    // Without a handler tray-icon queues every event of the icon itself (Windows and macOS send one per
    // mouse move over it) in a channel nobody reads, for as long as the tray runs. The menu is all we use.
    TrayIconEvent::set_event_handler(Some(|_: TrayIconEvent| {}));
}

pub fn create(view: &TrayView) -> Result<TrayIcon, String> {
    let menu = build_menu(&view.entries).map_err(|e| e.to_string())?;
    let style = Style::from_env();
    TrayIconBuilder::new()
        .with_id("idbridge")
        .with_icon(icon_for(view.icon, style))
        .with_icon_as_template(style == Style::Template)
        .with_tooltip(&view.tooltip)
        .with_menu(Box::new(menu))
        .with_menu_on_left_click(true)
        .build()
        .map_err(|e| e.to_string())
}

/// Shows `view`; errors are logged, never fatal (a tray app must not die of one event).
pub fn render(tray: &TrayIcon, view: &TrayView) {
    match build_menu(&view.entries) {
        Ok(menu) => tray.set_menu(Some(Box::new(menu))),
        Err(e) => eprintln!("idbridge-app: cannot update the menu: {e}"),
    }
    let style = Style::from_env();
    if let Err(e) = tray.set_icon(Some(icon_for(view.icon, style))) {
        eprintln!("idbridge-app: cannot update the icon: {e}");
    }
    // a new icon is not a template until said again (macOS; a no-op elsewhere)
    tray.set_icon_as_template(style == Style::Template);
    // Windows and macOS show it; on Linux the panel shows the GLib application name (main.rs)
    let _ = tray.set_tooltip(Some(&view.tooltip));
}

fn build_menu(entries: &[Entry]) -> tray_icon::menu::Result<Menu> {
    let menu = Menu::new();
    let mut info = 0;
    for entry in entries {
        menu.append(build_entry(entry, &mut info)?.as_ref())?;
    }
    Ok(menu)
}

fn build_entry(entry: &Entry, info: &mut usize) -> tray_icon::menu::Result<Box<dyn IsMenuItem>> {
    Ok(match entry {
        Entry::Separator => Box::new(PredefinedMenuItem::separator()),
        Entry::Info(label) => {
            *info += 1;
            Box::new(MenuItem::with_id(format!("info:{info}"), label, false, None))
        }
        Entry::Item { id, label } => Box::new(MenuItem::with_id(id.to_id(), label, true, None)),
        Entry::Sub { label, children } => {
            let sub = Submenu::new(label, true);
            for c in children {
                sub.append(build_entry(c, info)?.as_ref())?;
            }
            Box::new(sub)
        }
    })
}
