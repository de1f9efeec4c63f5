//! config.toml: any text is parsed and validated, or refused with a message; never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let path = std::path::Path::new("config.toml");
        if let Err(e) = idbridge_core::config::Config::parse(text, path) {
            // every refusal is one line a terminal can show as it is
            let shown = e.to_string();
            assert!(!shown.chars().any(|c| c.is_control()), "{shown:?}");
        }
    }
});
