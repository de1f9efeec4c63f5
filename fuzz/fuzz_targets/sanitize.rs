//! The sanitiser: whatever comes in, what goes out has no control, bidi or invisible format character
//! and respects the cap.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let out = idbridge_core::sys::sanitize::line(&text, 50);
    assert!(
        out.chars().all(|c| !c.is_control()
            && !matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')),
        "{out:?}"
    );
    assert!(out.chars().count() <= 50 * 10 + 1);
    let n = idbridge_core::sys::sanitize::notification(&text);
    assert!(!n.contains('<') && !n.contains('>'));
});
