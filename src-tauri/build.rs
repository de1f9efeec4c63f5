//! Tauri's build step, and a position-dependent link of the app on Linux (as for the CLI, see
//! crates/cli/build.rs): the loader then has no relocations to apply to the binary's tables at start-up,
//! which keeps those pages shared with the file instead of copied into the app's own memory.
fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    tauri_build::build();
}
