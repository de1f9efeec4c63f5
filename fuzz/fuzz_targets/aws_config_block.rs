//! The ~/.aws/config managed-block editor: applying the block to any text succeeds or says the block is
//! broken; a second apply changes nothing; the static-keys scan never panics.
#![no_main]
use idbridge_core::aws::config_file::{ManagedProfile, apply, static_key_profiles};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let profiles = [
        ManagedProfile { name: "dev".into(), region: "ap-northeast-1".into() },
        ManagedProfile { name: "prod".into(), region: "us-east-1".into() },
    ];
    let chosen = &profiles[..1 + (flags as usize & 1)];
    let force = flags & 2 != 0;
    let _ = static_key_profiles(text);
    if let Ok(first) = apply(text, "config", "/opt/id bridge/idbridge", chosen, force) {
        let again = apply(&first.text, "config", "/opt/id bridge/idbridge", chosen, force).expect("own output parses");
        if first.skipped.is_empty() {
            assert_eq!(again.text, first.text, "a second run must change nothing");
        }
    }
});
