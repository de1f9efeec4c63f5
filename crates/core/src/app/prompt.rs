//! The shell-prompt segment (`idbridge status --prompt`): a few characters such as `dev 42m` or
//! `dev ⚠ sign in`, from the credential file and the failure record alone. No config parse, keychain or
//! network: a prompt runs it before every command line, so it must cost what the warm path costs.

use time::OffsetDateTime;

use crate::app::failures::{self, FailureRecord};
use crate::state::credential_file::{self, StoredCredentials};
use crate::state::paths::Paths;

/// The segment for `profile` (a name checked by the caller) as it stands at `now`.
pub fn segment(paths: &Paths, profile: &str, now: OffsetDateTime) -> String {
    let file = credential_file::read_file(&paths.credential_file(profile)).ok().flatten();
    render(profile, file.as_ref(), failures::read(&paths.failure_file(profile)).as_ref(), now)
}

fn render(
    profile: &str,
    file: Option<&StoredCredentials>,
    failure: Option<&FailureRecord>,
    now: OffsetDateTime,
) -> String {
    let left = file.map(|f| f.credentials.expiration - now).filter(|l| l.is_positive());
    // a sign-in is the one thing the person must do: it wins over time left
    if failure.is_some_and(FailureRecord::is_sign_in_needed) || file.is_none() {
        return format!("{profile} ⚠ sign in");
    }
    match left {
        Some(l) if l.whole_hours() > 0 => format!("{profile} {}h{:02}m", l.whole_hours(), l.whole_minutes() % 60),
        Some(l) => format!("{profile} {}m", l.whole_minutes().max(1)),
        None if failure.is_some() => format!("{profile} ⚠ failing"),
        // the next AWS call fetches new ones by itself
        None => format!("{profile} expired"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::error::ErrorCode;
    use time::Duration;

    fn file(expires_in: Duration, now: OffsetDateTime) -> StoredCredentials {
        let mut credentials = crate::aws::credentials::sample();
        credentials.expiration = now + expires_in;
        StoredCredentials { bytes: Vec::new(), credentials, written: None }
    }

    fn failure(code: ErrorCode, now: OffsetDateTime) -> FailureRecord {
        FailureRecord { at: now, code, message: String::new(), consecutive: 1, retry_after: now, binding: None }
    }

    #[test]
    fn each_state_reads_in_a_few_characters() {
        let now = OffsetDateTime::now_utc();
        let r = |f: Option<&StoredCredentials>, e: Option<&FailureRecord>| render("dev", f, e, now);
        assert_eq!(r(Some(&file(Duration::minutes(42) + Duration::seconds(30), now)), None), "dev 42m");
        assert_eq!(r(Some(&file(Duration::minutes(185), now)), None), "dev 3h05m");
        assert_eq!(r(Some(&file(Duration::seconds(20), now)), None), "dev 1m");
        assert_eq!(r(Some(&file(Duration::minutes(-3), now)), None), "dev expired");
        assert_eq!(r(None, None), "dev ⚠ sign in");
        let signin = failure(ErrorCode::SignInNeeded, now);
        assert_eq!(r(Some(&file(Duration::minutes(30), now)), Some(&signin)), "dev ⚠ sign in");
        let sts = failure(ErrorCode::StsUnreachable, now);
        assert_eq!(r(Some(&file(Duration::minutes(-1), now)), Some(&sts)), "dev ⚠ failing");
        assert_eq!(r(Some(&file(Duration::minutes(30), now)), Some(&sts)), "dev 30m");
    }
}
