//! The tray role: one loop owns the model (`model`: update and view, pure), performs its effects
//! (`runtime`), renders the menu and icon (`menu`, `icons`), schedules refreshes (`scheduler`), shows
//! notifications (`notifier`) and starts the window processes (`children`).

mod children;
mod core_adapter;
mod icons;
pub mod menu;
pub mod model;
mod notifier;
pub mod runtime;
pub mod scheduler;
