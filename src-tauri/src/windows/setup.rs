//! The first run's last two steps, which config.toml does not show: a profile's provider is signed in,
//! and the AWS CLI runs idbridge for a profile. The welcome stays until both are done.

use std::path::{Path, PathBuf};

use idbridge_core::Idbridge;
use idbridge_core::aws::config_file::managed_credential_process;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime, State};

use crate::watch::{Root, Watch, watch};
use crate::windows::WindowState;

/// The page's event: the state folder changed (a sign-in, a renewal or a sign-out, by the tray or the CLI).
pub const EVENT: &str = "state-changed";

#[derive(Serialize, Default, Debug, PartialEq)]
pub struct SetupSteps {
    pub signed_in: bool,
    pub aws_cli: bool,
}

/// Blocking (keychain, files). A config that cannot be read has no step done.
pub fn steps(core: &Idbridge, aws_config: &Path) -> SetupSteps {
    let Ok(config) = core.load_config() else { return SetupSteps::default() };
    let signed_in = config
        .profiles
        .values()
        .any(|p| config.providers.get(&p.provider).is_some_and(|v| core.is_signed_in(&p.provider, v).unwrap_or(false)));
    // the person's file: only searched for idbridge's block, never shown
    let text = std::fs::read_to_string(aws_config).unwrap_or_default();
    let aws_cli = config.profiles.keys().any(|name| managed_credential_process(&text, name).is_some());
    SetupSteps { signed_in, aws_cli }
}

#[tauri::command]
pub async fn setup_steps(state: State<'_, WindowState>) -> Result<SetupSteps, ()> {
    let core = state.core.clone();
    let aws_config = crate::windows::doctor::input().aws_config_file;
    tauri::async_runtime::spawn_blocking(move || steps(&core, &aws_config)).await.map_err(|_| ())
}

/// Kept in the app's state: the watch lasts as long as the window process.
struct Following(#[allow(dead_code)] Watch);

/// Tells the page when the state folder changes, so the sign-in step shows done as soon as the
/// sign-in's credentials are written; a failure only costs that (logged).
pub fn follow<R: Runtime>(app: &AppHandle<R>, state_dir: PathBuf) {
    let handle = app.clone();
    match watch(
        vec![Root { dir: state_dir, recursive: true }],
        |_| true,
        move || {
            let _ = handle.emit(EVENT, ());
        },
    ) {
        Ok(w) => {
            app.manage(Following(w));
        }
        Err(e) => eprintln!("idbridge-app: cannot follow the state folder ({e}); the welcome updates on reload"),
    }
}
