//! The doctor's checks on this machine: keychain, sign-in state, the state directory's modes, the AWS
//! CLI's files (idbridge's block, static keys that would win), the environment, and each profile's
//! credentials and ARN.

use super::{Action, Code, DoctorInput, DoctorReport};
use crate::app::Idbridge;
use crate::app::renewal::Limit;
use crate::aws::config_file;
use crate::aws::credentials;
use crate::config::Config;
use crate::state::credential_file;

pub(super) async fn keychain_and_sign_in(app: &Idbridge, report: &mut DoctorReport, config: &Config) {
    for (name, provider) in &config.providers {
        let subject = format!("provider {name}");
        let loaded = app.load_tokens(name).await;
        match loaded {
            Err(e) => {
                report.problem(
                    "keychain",
                    &subject,
                    (Code::KeychainUnavailable, &[]),
                    e.to_string(),
                    "start and unlock the OS keychain, then run `idbridge doctor` again",
                );
                return; // the same keychain answers for every provider
            }
            Ok(Some(t)) if t.belongs_to(provider) => {
                let who = crate::oidc::id_token::IdClaims::decode(t.id_token.expose())
                    .map(|c| c.display_name().to_string())
                    .unwrap_or_else(|_| "?".into());
                let (code, until, refresh) = match app.renewal_limit(name, &t) {
                    None => (Code::SignedIn, String::new(), "refresh token stored".to_string()),
                    Some((until, why)) => {
                        let until = crate::app::renewal::local_time(until, app.now());
                        let (code, why) = match why {
                            Limit::NoRefreshToken => (
                                Code::SignedInNoRefreshToken,
                                "the IdP gave no refresh token; add offline_access to scopes",
                            ),
                            Limit::NoIdTokenOnRefresh => {
                                (Code::SignedInNoIdTokenOnRefresh, "the IdP gives no new ID token when renewing")
                            }
                        };
                        let line = format!("renews without you until {until} ({why}; then sign in again)");
                        (code, until, line)
                    }
                };
                let said = (code, &[("who", who.as_str()), ("until", until.as_str())][..]);
                report.ok("signed_in", &subject, said, format!("signed in as {who}; {refresh}"));
            }
            // a leftover of another issuer or client is no sign-in: the next sign-in replaces it
            Ok(_) => {
                let said = (Code::NotSignedIn, &[("provider", name.as_str())][..]);
                report
                    .problem(
                        "signed_in",
                        &subject,
                        said,
                        "not signed in",
                        format!("run `idbridge login --provider {name}`"),
                    )
                    .offer(Action::SignIn { provider: name.clone() });
            }
        }
    }
    if !config.providers.is_empty() && !report.checks.iter().any(|c| c.id == "keychain") {
        let store = crate::state::token_store::STORE_NAME;
        // the store's name without its English article: the sentences put their own around it
        let said = (Code::KeychainOk, &[("store", store.trim_start_matches("the "))][..]);
        report.ok("keychain", "keychain", said, format!("the OS keychain answers: tokens are kept in {store}"));
    }
}

/// The user this process runs as, from the owner of /proc/self (no libc call needed).
#[cfg(unix)]
fn current_uid() -> Option<u32> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata("/proc/self").ok().map(|m| m.uid())
    }
    #[cfg(not(target_os = "linux"))]
    None
}

pub(super) fn state_dir(report: &mut DoctorReport, paths: &crate::Paths) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let uid = current_uid();
        let creds = paths.credentials_dir();
        let mut items: Vec<(std::path::PathBuf, u32)> = vec![(creds.clone(), 0o700)];
        if let Ok(entries) = std::fs::read_dir(&creds) {
            items.extend(
                entries
                    .flatten()
                    .map(|e| (e.path(), 0o600))
                    .filter(|(p, _)| p.extension().is_some_and(|x| x == "json")),
            );
        }
        for (path, want) in items {
            let Ok(m) = std::fs::symlink_metadata(&path) else { continue };
            let mode = m.mode() & 0o777;
            let shown = path.display().to_string();
            if uid.is_some_and(|u| u != m.uid()) {
                let owner = m.uid().to_string();
                let said = (Code::StateDirOwner, &[("path", shown.as_str()), ("uid", &owner)][..]);
                report.problem(
                    "state_dir",
                    "state",
                    said,
                    format!("{} belongs to user id {}, not to you", path.display(), m.uid()),
                    format!("`sudo chown -R $(id -u) {}`", paths.state_dir.display()),
                );
                return;
            }
            if mode & 0o077 != 0 {
                let (mode_s, want_s) = (format!("{mode:o}"), format!("{want:o}"));
                let said = (Code::StateDirMode, &[("path", shown.as_str()), ("mode", &mode_s), ("want", &want_s)][..]);
                report.problem(
                    "state_dir",
                    "state",
                    said,
                    format!("{} has mode {mode:o}: others can read credentials", path.display()),
                    format!("`chmod {want:o} {}`", path.display()),
                );
                return;
            }
        }
    }
    let dir = paths.state_dir.display().to_string();
    #[cfg(unix)]
    report.ok("state_dir", "state", (Code::StateDirOk, &[("path", &dir)]), format!("{dir} is private to you"));
    // said as it is: the folder's access list is not checked; inside the profile it is Windows' default
    // for a profile folder, elsewhere (IDBRIDGE_HOME on another drive) whatever the parent folder gives
    #[cfg(not(unix))]
    if dirs::home_dir().is_some_and(|home| within(&paths.state_dir, &home)) {
        report.ok(
            "state_dir",
            "state",
            (Code::StateDirOkWindows, &[("path", &dir)]),
            format!(
                "{dir} is in your user profile, which Windows opens only to you and administrators; idbridge \
                 refuses links there but does not check the folder's access list itself"
            ),
        );
    } else {
        report.ok(
            "state_dir",
            "state",
            (Code::StateDirOutsideProfileWindows, &[("path", &dir)]),
            format!(
                "{dir} is outside your user profile, so it has the access list of the folder it is in; idbridge \
                 refuses links there but does not check that list: make sure only you can open the folder"
            ),
        );
    }
}

/// `dir` is `base` or inside it, the way Windows compares paths (letters in either case).
#[cfg_attr(unix, allow(dead_code))]
fn within(dir: &std::path::Path, base: &std::path::Path) -> bool {
    let lower = |p: &std::path::Path| -> Vec<String> {
        p.components().map(|c| c.as_os_str().to_string_lossy().to_lowercase()).collect()
    };
    let (dir, base) = (lower(dir), lower(base));
    !base.is_empty() && dir.starts_with(&base)
}

pub(super) fn profiles(app: &Idbridge, report: &mut DoctorReport, config: &Config, input: &DoctorInput) {
    let read = |path| crate::sys::safe_fs::read_outside_text(path, config_file::AWS_FILE_MAX).ok().flatten();
    let aws_text = read(&input.aws_config_file);
    let static_keys =
        read(&input.aws_credentials_file).map(|t| config_file::static_key_profiles(&t)).unwrap_or_default();
    let now = app.now();
    for (name, profile) in &config.profiles {
        let subject = format!("profile {name}");
        let arn_partition = profile.role_arn.split(':').nth(1).unwrap_or("");
        let region_partition = crate::config::partition::of_region(&profile.region).name;
        let params =
            [("arn_partition", arn_partition), ("region", &profile.region), ("region_partition", region_partition)];
        if arn_partition != region_partition {
            report.problem(
                "partition",
                &subject,
                (Code::PartitionMismatch, &params),
                format!(
                    "role_arn is in partition {arn_partition} but region {} is in {region_partition}",
                    profile.region
                ),
                "use a region of the role's partition (or the role ARN of that partition)",
            );
        } else {
            report.ok(
                "partition",
                &subject,
                (Code::PartitionOk, &params),
                format!("role_arn and region {} are both in partition {arn_partition}", profile.region),
            );
        }
        aws_config_check(report, &subject, name, aws_text.as_deref(), input);
        let creds_file = input.aws_credentials_file.display().to_string();
        let said = [("file", creds_file.as_str()), ("profile", name.as_str())];
        if static_keys.iter().any(|k| k == name) {
            report.problem(
                "static_keys",
                &subject,
                (Code::StaticKeys, &said),
                format!(
                    "{} has static keys for [{name}]: the AWS CLI uses them instead of idbridge",
                    input.aws_credentials_file.display()
                ),
                format!("remove the [{name}] section from {}", input.aws_credentials_file.display()),
            );
        } else {
            report.ok("static_keys", &subject, (Code::StaticKeysOk, &said), "no static keys shadow credential_process");
        }
        let signed_in = report.checks.iter().any(|c| {
            c.id == "signed_in"
                && c.subject == format!("provider {}", profile.provider)
                && c.status == super::Status::Ok
        });
        match credential_file::read_file(&app.paths.credential_file(name)) {
            Err(e) => {
                let said = (Code::CredentialsUnreadable, &[("profile", name.as_str())][..]);
                let fix = format!("run `idbridge login --profile {name}`");
                report.problem("credentials", &subject, said, e.to_string(), fix);
            }
            Ok(Some(f)) if f.credentials.expiration > now => {
                let minutes = (f.credentials.expiration - now).whole_minutes().to_string();
                let until = credentials::format_expiration(f.credentials.expiration);
                // the window's sentence says the person's local time, the CLI's line stays as it was
                let local = crate::app::renewal::local_time(f.credentials.expiration, now);
                let said = (Code::CredentialsValid, &[("minutes", minutes.as_str()), ("until", &local)][..]);
                report.ok("credentials", &subject, said, format!("credentials valid for {minutes} min (until {until})"))
            }
            Ok(found) if signed_in => {
                let (code, what) = match found {
                    Some(_) => (Code::CredentialsExpiredRenewable, "credentials expired"),
                    None => (Code::CredentialsNoneRenewable, "no credentials yet"),
                };
                report.ok("credentials", &subject, (code, &[]), format!("{what}; renewed without you on next use"))
            }
            Ok(_) => {
                report
                    .problem(
                        "credentials",
                        &subject,
                        (Code::NoCredentials, &[("profile", name)]),
                        "no valid credentials and no sign-in to renew them",
                        format!("run `idbridge login --profile {name}`"),
                    )
                    .offer(Action::SignIn { provider: profile.provider.clone() });
            }
        }
    }
}

fn aws_config_check(report: &mut DoctorReport, subject: &str, name: &str, text: Option<&str>, input: &DoctorInput) {
    let file = input.aws_config_file.display().to_string();
    let fix = format!("run `idbridge configure-aws --profile {name}`");
    let params = [("file", file.as_str()), ("profile", name)];
    let Some(text) = text else {
        report
            .problem("aws_config", subject, (Code::AwsConfigMissing, &params), format!("{file} does not exist"), fix)
            .offer(Action::ConfigureAws);
        return;
    };
    match (config_file::managed_credential_process(text, name), &input.program) {
        (None, _) => {
            let message = format!("{file} has no [profile {name}] in idbridge's block");
            report
                .problem("aws_config", subject, (Code::AwsConfigNoProfile, &params), message, fix)
                .offer(Action::ConfigureAws);
        }
        (Some(found), Some(program)) => {
            let want = format!("{} credential-process --profile {name}", config_file::quote(program));
            if found == want {
                let said = (Code::AwsConfigOk, &[("file", file.as_str()), ("program", program)][..]);
                report.ok("aws_config", subject, said, format!("{file} runs this idbridge ({program})"));
            } else {
                let message = format!("{file} runs `{found}`, not this idbridge ({program})");
                report
                    .problem("aws_config", subject, (Code::AwsConfigOtherProgram, &params), message, fix)
                    .offer(Action::ConfigureAws);
            }
        }
        (Some(_), None) => {
            let message = format!("{file} has idbridge's [profile {name}]");
            report.ok("aws_config", subject, (Code::AwsConfigPresent, &params), message)
        }
    }
}

pub(super) fn environment(report: &mut DoctorReport, input: &DoctorInput, config: &Config) {
    let get = |k: &str| input.env.iter().find(|(n, v)| n == k && !v.is_empty()).map(|(_, v)| v.as_str());
    let mut clean = true;
    if get("AWS_ACCESS_KEY_ID").is_some() {
        clean = false;
        report.problem("environment", "environment", (Code::EnvironmentStaticKeys, &[]),
            "AWS_ACCESS_KEY_ID is set: the AWS CLI and SDKs use it instead of any profile chosen by AWS_PROFILE or the config",
            "unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN (or use `aws --profile NAME`)");
    }
    for var in ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"] {
        if let Some(p) = get(var)
            && !config.profiles.contains_key(p)
            && !config.profiles.is_empty()
        {
            clean = false;
            let names = config.profiles.keys().cloned().collect::<Vec<_>>().join(", ");
            let said = (Code::EnvironmentUnknownProfile, &[("var", var), ("value", p), ("profiles", &names)][..]);
            report.problem(
                "environment",
                "environment",
                said,
                format!("{var}={p} selects a profile idbridge does not manage"),
                format!("unset {var}, or set it to one of: {names}"),
            );
        }
    }
    if clean {
        let said = (Code::EnvironmentOk, &[][..]);
        report.ok("environment", "environment", said, "no AWS_* variable overrides idbridge's profiles");
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::within;

    #[test]
    fn a_folder_is_within_the_profile_whatever_the_case_of_its_letters() {
        let home = Path::new("/Users/Alice");
        assert!(within(Path::new("/users/alice/AppData/Local/idbridge"), home));
        assert!(within(home, home));
        assert!(!within(Path::new("/Users/Alicia/idbridge"), home), "a name that only starts the same");
        assert!(!within(Path::new("/tmp/idbridge"), home));
        assert!(!within(Path::new("/tmp"), Path::new("")), "no home is no profile");
    }
}
