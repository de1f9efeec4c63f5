//! When to refresh a profile and when to tell the person: pure decisions over an injected `now`, so they
//! are tested at any instant without waiting. `model::update` acts on them.

use std::collections::HashSet;

use time::{Duration, OffsetDateTime};

/// Never try the same profile again sooner than this, whatever else says so.
pub const MIN_GAP: Duration = Duration::seconds(30);
/// Backoff after failures: 30 s, 1, 2, 4 … min, at most 15 min.
pub const BACKOFF_BASE: Duration = Duration::seconds(30);
pub const BACKOFF_MAX: Duration = Duration::minutes(15);
/// The loop wakes at least this often: the menu shows minutes, and a machine waking from sleep is
/// noticed within a tick (monotonic timers do not advance while suspended).
pub const TICK: Duration = Duration::seconds(60);

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Track {
    pub last_attempt: Option<OffsetDateTime>,
    pub failures: u32,
    pub last_error: Option<idbridge_core::ErrorCode>,
    /// Only a person can help (refresh token revoked or expired): no more attempts until a sign-in.
    pub needs_sign_in: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    pub refresh_lead: Duration,
    pub notify_lead: Duration,
}

impl Policy {
    /// The config's defaults for a one-hour session (`[app]` in config.toml).
    #[cfg(test)]
    pub const DEFAULT: Policy = Policy { refresh_lead: Duration::minutes(20), notify_lead: Duration::minutes(10) };
}

pub fn backoff(failures: u32) -> Duration {
    if failures == 0 {
        return Duration::ZERO;
    }
    let factor = 1i64 << (failures - 1).min(10);
    (BACKOFF_BASE * factor as i32).min(BACKOFF_MAX)
}

/// Up to a tenth of the lead, fixed per profile, so profiles signed in together do not all refresh in
/// the same second.
pub fn jitter(profile: &str, lead: Duration) -> Duration {
    let h = profile.bytes().fold(0xcbf29ce484222325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100000001b3));
    let span = (lead.whole_seconds() / 10).max(1) as u64;
    Duration::seconds((h % span) as i64)
}

/// When to refresh next: `None` when there is nothing to refresh (no credentials yet, or only a person
/// can help). The answer may be in the past: then it is due now.
pub fn next_refresh(
    profile: &str,
    expiration: Option<OffsetDateTime>,
    track: &Track,
    policy: Policy,
) -> Option<OffsetDateTime> {
    if track.needs_sign_in {
        return None;
    }
    let mut due = expiration? - policy.refresh_lead - jitter(profile, policy.refresh_lead);
    if let Some(last) = track.last_attempt {
        due = due.max(last + MIN_GAP).max(last + backoff(track.failures));
    }
    Some(due)
}

/// A notification the person should see once.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Alert {
    /// Credentials run out soon and cannot be refreshed without a sign-in.
    Expiring {
        profile: String,
        minutes: i64,
    },
    Expired {
        profile: String,
    },
}

/// The expiry alerts due now for a profile that only a sign-in can save.
pub fn expiry_alert(
    profile: &str,
    expiration: Option<OffsetDateTime>,
    track: &Track,
    now: OffsetDateTime,
    policy: Policy,
) -> Option<Alert> {
    let exp = expiration?;
    if !track.needs_sign_in && track.failures == 0 {
        return None;
    }
    if exp <= now {
        Some(Alert::Expired { profile: profile.to_string() })
    } else if exp - now <= policy.notify_lead {
        Some(Alert::Expiring { profile: profile.to_string(), minutes: (exp - now).whole_minutes().max(1) })
    } else {
        None
    }
}

/// Remembers what was already said, keyed by event and profile (not by the minutes left), so each event
/// is told once and never becomes a storm.
#[derive(Debug, Default)]
pub struct Said(HashSet<String>);

impl Said {
    pub fn first_time(&mut self, key: String) -> bool {
        self.0.insert(key)
    }
    pub fn forget(&mut self, key: &str) {
        self.0.remove(key);
    }
    /// After a sign-in or a successful refresh the profile may warn again later.
    pub fn forget_profile(&mut self, profile: &str) {
        self.0.retain(|k| !k.ends_with(&format!("/{profile}")));
    }
}

pub fn alert_key(alert: &Alert) -> String {
    match alert {
        Alert::Expiring { profile, .. } => format!("expiring/{profile}"),
        Alert::Expired { profile } => format!("expired/{profile}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-24 09:00 UTC);
    const POLICY: Policy = Policy { refresh_lead: Duration::minutes(20), notify_lead: Duration::minutes(10) };

    #[test]
    fn refresh_is_due_before_the_aws_cli_window_with_a_stable_jitter() {
        let exp = NOW + Duration::hours(1);
        let due = next_refresh("dev", Some(exp), &Track::default(), POLICY).unwrap();
        assert!(due <= exp - Duration::minutes(20) && due >= exp - Duration::minutes(22), "{due}");
        assert_eq!(Some(due), next_refresh("dev", Some(exp), &Track::default(), POLICY), "same profile, same jitter");
        assert_ne!(jitter("dev", POLICY.refresh_lead), jitter("prod", POLICY.refresh_lead));
        assert_eq!(next_refresh("dev", None, &Track::default(), POLICY), None, "nothing to refresh before a sign-in");
    }

    #[test]
    fn failures_back_off_and_attempts_keep_a_minimum_gap() {
        assert_eq!(backoff(0), Duration::ZERO);
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(3), Duration::minutes(2));
        assert_eq!(backoff(30), BACKOFF_MAX);
        let expired = NOW - Duration::minutes(1);
        let t = Track { last_attempt: Some(NOW), failures: 3, ..Track::default() };
        assert_eq!(next_refresh("dev", Some(expired), &t, POLICY), Some(NOW + Duration::minutes(2)));
        let just_tried = Track { last_attempt: Some(NOW), ..Track::default() };
        assert_eq!(next_refresh("dev", Some(expired), &just_tried, POLICY), Some(NOW + MIN_GAP));
    }

    #[test]
    fn a_profile_that_needs_a_person_is_never_retried_and_warned_about_once() {
        let t = Track { needs_sign_in: true, ..Track::default() };
        let exp = NOW + Duration::minutes(8);
        assert_eq!(next_refresh("dev", Some(exp), &t, POLICY), None);
        let alert = expiry_alert("dev", Some(exp), &t, NOW, POLICY).unwrap();
        assert_eq!(alert, Alert::Expiring { profile: "dev".into(), minutes: 8 });
        let mut said = Said::default();
        assert!(said.first_time(alert_key(&alert)));
        let later = expiry_alert("dev", Some(exp), &t, NOW + Duration::minutes(1), POLICY).unwrap();
        assert!(!said.first_time(alert_key(&later)), "7 min later is the same event");
        let gone = expiry_alert("dev", Some(exp), &t, NOW + Duration::minutes(9), POLICY).unwrap();
        assert_eq!(gone, Alert::Expired { profile: "dev".into() });
        assert!(said.first_time(alert_key(&gone)));
        said.forget_profile("dev");
        assert!(said.first_time(alert_key(&later)));
    }

    #[test]
    fn no_expiry_alert_while_refresh_works() {
        let exp = NOW + Duration::minutes(5);
        assert_eq!(expiry_alert("dev", Some(exp), &Track::default(), NOW, POLICY), None);
        assert_eq!(
            expiry_alert(
                "dev",
                Some(NOW + Duration::minutes(30)),
                &Track { failures: 2, ..Track::default() },
                NOW,
                POLICY
            ),
            None
        );
    }
}
