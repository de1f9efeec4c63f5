//! `idbridge login` for a provider with flow = "browser": open the authorization page, wait for the
//! loopback redirect. Ctrl-C ends the process, and with it the listener.

use std::process::ExitCode;
use std::time::Duration;

use idbridge_core::Idbridge;
use idbridge_core::config::Config;

pub async fn run(app: &Idbridge, config: &Config, provider: &str, timeout: Duration) -> anyhow::Result<ExitCode> {
    let pending = app.start_browser_sign_in(config, provider).await?;
    match webbrowser::open(&pending.authorize_url) {
        Ok(()) => eprintln!("Opened your browser to sign in to '{provider}'."),
        Err(e) => eprintln!("Could not open a browser ({e}). Open this address yourself:\n\n    {}\n", pending.authorize_url),
    }
    eprintln!(
        "Waiting for the sign-in to finish in the browser (up to {} min; Ctrl-C to cancel; `--no-browser` uses the device flow instead)...",
        timeout.as_secs().div_ceil(60)
    );
    let report = app.finish_browser_sign_in(config, pending, timeout).await?;
    crate::commands::report_sign_in(&report, provider)
}
