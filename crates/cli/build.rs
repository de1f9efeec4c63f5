//! Link `idbridge` as a position-dependent executable.
//!
//! The AWS CLI runs `credential-process` on every command, so its start-up is on the hot path. As a PIE,
//! the dynamic loader must apply ~25 000 relative relocations at every start, dirtying ~90 pages of
//! vtables and tables before `main`; linked at a fixed address the linker resolves them once. This is
//! what Go does by default on linux/amd64. Libraries, heap and stack are still randomised.
fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
