//! The tray's credential endpoint: one loopback endpoint for every profile while the tray runs, published
//! in `tray/endpoint.json` (port, pid, key; 0600) for `idbridge env --server`, and withdrawn at exit.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use idbridge_core::Idbridge;
use idbridge_core::app::endpoint::Endpoint;
use idbridge_core::state::endpoint_file::{self, Published};

/// Binds, publishes and serves on the async runtime (never the GUI thread). A failure leaves the tray
/// without an endpoint, not without its menu: `env --server` then says the tray is not serving.
pub fn start(core: Arc<Idbridge>) {
    tokio::spawn(async move {
        let endpoint = match Endpoint::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), None).await {
            Ok(e) => e,
            Err(e) => return eprintln!("idbridge-app: no credential endpoint: {e}"),
        };
        let published =
            Published { port: endpoint.addr().port(), pid: std::process::id(), key: endpoint.key().clone() };
        let path = core.paths.endpoint_file();
        // the file is written whole (a reader sees the old file or the new one); off the runtime's threads
        let written = tokio::task::spawn_blocking(move || endpoint_file::publish(&path, &published)).await;
        match written {
            Ok(Ok(())) => eprintln!("idbridge-app: credential endpoint on port {}", endpoint.addr().port()),
            Ok(Err(e)) => return eprintln!("idbridge-app: cannot publish the credential endpoint: {e}"),
            Err(_) => return,
        }
        endpoint.serve(core).await;
    });
}

/// Removes the file if it is this process's (called on every way out: Quit, a signal); a tray killed
/// outright leaves it behind, and readers refuse it (its process or port is gone).
pub fn withdraw(core: &Idbridge) {
    endpoint_file::withdraw(&core.paths.endpoint_file(), std::process::id());
}
