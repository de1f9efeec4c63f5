//! The tray role: one loop owns the model (`model`: update and view, pure), performs its effects
//! (`runtime`), renders the menu and icon (`menu`, `icons`), schedules refreshes (`scheduler`), shows
//! notifications (`notifier`), hosts the credential endpoint (`endpoint`), starts the window processes (`children`) and follows files other
//! processes change (`follow`).

mod children;
mod core_adapter;
pub(crate) mod endpoint;
pub(crate) mod follow;
mod icons;
pub mod menu;
pub mod model;
mod notifier;
pub mod runtime;
pub mod scheduler;
