//! A position-dependent link of the tray on Linux (as the window helper, src-tauri/build.rs): the loader
//! then has no relocations to apply to the binary's tables at start-up, which keeps those pages shared
//! with the file instead of copied into the tray's own memory (about 280 KB of its idle footprint).
fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
