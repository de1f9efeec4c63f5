//! The credential file reader: any bytes parse or are refused; what parses writes back to bytes that
//! parse to the same credentials.
#![no_main]
use idbridge_core::aws::credentials::Credentials;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = Credentials::from_process_json(data) {
        let now = time::OffsetDateTime::UNIX_EPOCH;
        let _ = c.is_valid(now);
        let json = c.to_process_json();
        let back = Credentials::from_process_json(json.as_bytes()).expect("own output parses");
        assert_eq!(back.access_key_id, c.access_key_id);
    }
});
