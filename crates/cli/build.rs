//! Link `idbridge` as a position-independent executable with packed relative relocations.
//!
//! The AWS CLI runs `credential-process` on every command, so start-up is on the hot path. A PIE keeps
//! ASLR for the executable itself (a credential helper should have it), but the dynamic loader must
//! apply ~25 000 relative relocations at every start. `-z pack-relative-relocs` (DT_RELR, glibc 2.36+,
//! binutils 2.38+) stores them as a bitmap: the loader reads a few KB instead of ~600 KB of Elf64_Rela
//! and applies them in a tight loop. bench/credential_process.py measures PIE against non-PIE.
//! `IDBRIDGE_NO_PIE=1` builds the old non-PIE variant for that comparison.
fn main() {
    println!("cargo:rerun-if-env-changed=IDBRIDGE_NO_PIE");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os != "linux" || env != "gnu" {
        return;
    }
    if std::env::var_os("IDBRIDGE_NO_PIE").is_some_and(|v| v == "1") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    } else if linker_knows_relr() {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

/// Older binutils reject the flag; glibc before 2.36 would not load the result. Ask the toolchain.
fn linker_knows_relr() -> bool {
    let glibc_ok = std::process::Command::new("ldd")
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.lines().next().and_then(|l| l.rsplit(' ').next()).map(str::to_string))
        .and_then(|v| {
            let mut p = v.split('.').map(|n| n.parse::<u32>().unwrap_or(0));
            Some((p.next()?, p.next()?))
        })
        .is_some_and(|(major, minor)| (major, minor) >= (2, 36));
    let ld_ok = std::process::Command::new("ld")
        .args(["-z", "pack-relative-relocs", "--version"])
        .output()
        .is_ok_and(|o| o.status.success() && o.stderr.is_empty());
    glibc_ok && ld_ok
}
