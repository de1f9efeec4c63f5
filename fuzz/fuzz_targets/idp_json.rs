//! What the IdP sends: device authorization answers (checked and bounded), token answers and error
//! answers. Nothing panics; what passes is bounded and safe to open and show.
#![no_main]
use libfuzzer_sys::fuzz_target;
use openidconnect::core::{CoreDeviceAuthorizationResponse, CoreTokenResponse};
use openidconnect::{DeviceCodeErrorResponse, OAuth2TokenResponse};

fuzz_target!(|data: &[u8]| {
    if let Ok(d) = serde_json::from_slice::<CoreDeviceAuthorizationResponse>(data)
        && let Ok(auth) = idbridge_core::oidc::device::DeviceAuthorization::check(d, time::OffsetDateTime::UNIX_EPOCH)
    {
        assert!(auth.interval() <= std::time::Duration::from_secs(60));
        assert!(idbridge_core::oidc::device::check_browser_url(auth.browser_url()).is_some());
        assert!(!auth.user_code().chars().any(|c| c.is_control()));
        assert!(!auth.browser_url().starts_with('-'));
    }
    if let Ok(t) = serde_json::from_slice::<CoreTokenResponse>(data) {
        let _ = (t.expires_in(), t.refresh_token().is_some());
    }
    if let Ok(e) = serde_json::from_slice::<DeviceCodeErrorResponse>(data) {
        let shown = idbridge_core::sys::sanitize::field(&e.to_string());
        assert!(!shown.chars().any(|c| c.is_control()));
    }
});
