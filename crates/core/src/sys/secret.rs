//! A string that must never be printed: tokens, keys, console sign-in URLs.
//!
//! `Debug` and `Display` are redacted and there is no `Serialize`, so a secret reaches a log, an error
//! message or a panic only if code asks for [`Secret::expose`] on purpose.

use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The plain value, for the one place that must send or store it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `bytes` from the OS random source, base64url without padding (a bearer token, a key).
    pub fn random(bytes: usize) -> std::io::Result<Self> {
        use base64::Engine as _;
        let mut raw = vec![0u8; bytes];
        getrandom::fill(&mut raw).map_err(|e| std::io::Error::other(format!("no random numbers from the OS: {e}")))?;
        Ok(Self(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)))
    }

    /// Equal to `offered`, compared in time that does not depend on where they differ (a token check
    /// must not tell a caller how much of its guess was right).
    pub fn matches(&self, offered: &[u8]) -> bool {
        use subtle::ConstantTimeEq as _;
        self.0.as_bytes().ct_eq(offered).into()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let s = Secret::new("hunter2-token");
        assert_eq!(format!("{s:?}"), "Secret([redacted])");
        assert_eq!(format!("{s}"), "[redacted]");
        assert_eq!(s.expose(), "hunter2-token");
    }

    #[test]
    fn random_tokens_differ_and_match_only_themselves() {
        let (a, b) = (Secret::random(32).unwrap(), Secret::random(32).unwrap());
        assert_eq!(a.expose().len(), 43);
        assert_ne!(a, b);
        assert!(a.matches(a.expose().as_bytes()));
        assert!(!a.matches(b.expose().as_bytes()));
        assert!(!a.matches(&a.expose().as_bytes()[..42]));
        assert!(!a.matches(b""));
    }
}
