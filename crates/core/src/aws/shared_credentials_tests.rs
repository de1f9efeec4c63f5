use super::*;
use crate::sys::secret::Secret;

fn creds(key: &str) -> Credentials {
    Credentials {
        access_key_id: key.into(),
        secret_access_key: Secret::new("sec/ret+KEY="),
        session_token: Secret::new("tok/en+="),
        expiration: time::macros::datetime!(2030-01-02 03:04:05 UTC),
    }
}

const MINE: &str = "[default]\naws_access_key_id = AKIAMINE\n# keep me\naws_secret_access_key = s\n";

#[test]
fn a_block_is_added_renewed_and_removed_and_the_persons_text_stays_byte_for_byte() {
    let p = Path::new("c");
    let one = apply(MINE, p, &[("dev", Some(&creds("ASIA1")))]).unwrap();
    assert_eq!(
        one,
        format!(
            "{MINE}{BEGIN}\n[dev]\n# expires 2030-01-02T03:04:05Z\naws_access_key_id = ASIA1\n\
             aws_secret_access_key = sec/ret+KEY=\naws_session_token = tok/en+=\n{END}\n"
        )
    );
    let two = apply(&one, p, &[("prod", Some(&creds("ASIA2")))]).unwrap();
    let renewed = apply(&two, p, &[("dev", Some(&creds("ASIA3")))]).unwrap();
    assert!(renewed.contains("ASIA3") && renewed.contains("ASIA2") && !renewed.contains("ASIA1"));
    assert_eq!(renewed.matches(BEGIN).count(), 1);
    let without_dev = apply(&renewed, p, &[("dev", None)]).unwrap();
    assert!(!without_dev.contains("[dev]") && without_dev.contains("[prod]"));
    assert_eq!(apply(&without_dev, p, &[("prod", None)]).unwrap(), MINE);
}

#[test]
fn text_after_the_block_stays_and_a_file_without_a_final_newline_gets_one() {
    let p = Path::new("c");
    let one = apply("[a]\nx = 1", p, &[("dev", Some(&creds("ASIA1")))]).unwrap();
    assert!(one.starts_with("[a]\nx = 1\n# >>>"), "{one}");
    let later = format!("{one}[after]\ny = 2\n");
    let renewed = apply(&later, p, &[("dev", Some(&creds("ASIA2")))]).unwrap();
    assert!(renewed.ends_with(&format!("{END}\n[after]\ny = 2\n")), "{renewed}");
}

#[test]
fn a_persons_own_section_of_the_same_name_is_refused_and_broken_markers_are_not_guessed() {
    let p = Path::new("c");
    let err = apply(MINE, p, &[("default", Some(&creds("ASIA1")))]).unwrap_err();
    assert!(matches!(err, SharedCredentialsError::TakenOutside { .. }), "{err}");
    let broken = format!("{MINE}{BEGIN}\n[dev]\n");
    let err = apply(&broken, p, &[("dev", None)]).unwrap_err();
    assert!(matches!(err, SharedCredentialsError::BrokenBlock { .. }), "{err}");
}

#[test]
fn keys_that_would_add_lines_or_sections_are_refused() {
    for bad in ["ASIA\n[evil]", "ASIA X", "", "ASIA]"] {
        let err = apply("", Path::new("c"), &[("dev", Some(&creds(bad)))]).unwrap_err();
        assert!(matches!(err, SharedCredentialsError::UnsafeValue { .. }), "{bad:?}");
    }
}

#[test]
fn static_key_checks_leave_idbridges_block_out() {
    let text = apply(MINE, Path::new("c"), &[("dev", Some(&creds("ASIA1")))]).unwrap();
    assert_eq!(crate::aws::config_file::static_key_profiles(&text), ["default"]);
}

#[cfg(unix)]
#[test]
fn the_file_is_written_private_through_a_link_and_not_when_nothing_changes() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("dotfiles-credentials");
    std::fs::write(&real, MINE).unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o644)).unwrap();
    let link = dir.path().join("credentials");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let lock = dir.path().join("locks").join("aws-credentials.lock");
    assert!(update(&link, &lock, &[("dev", Some(&creds("ASIA1")))]).unwrap());
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(std::fs::metadata(&real).unwrap().permissions().mode() & 0o777, 0o600);
    assert!(std::fs::read_to_string(&real).unwrap().contains("ASIA1"));
    assert!(!update(&link, &lock, &[("dev", Some(&creds("ASIA1")))]).unwrap());
    assert!(!update(&dir.path().join("none"), &lock, &[("dev", None)]).unwrap());
    assert!(!dir.path().join("none").exists(), "removing from no file creates none");
    assert!(update(&link, &lock, &[("dev", None)]).unwrap());
    assert_eq!(std::fs::read_to_string(&real).unwrap(), MINE);
}

/// Read on every renewal: a FIFO in place of the file is an error at once, not a renewal that hangs.
#[cfg(unix)]
#[test]
fn a_fifo_in_place_of_the_file_is_refused_without_waiting() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credentials");
    assert!(std::process::Command::new("mkfifo").arg(&path).status().unwrap().success());
    let e = update(&path, &dir.path().join("lock"), &[("dev", None)]).unwrap_err();
    assert!(e.to_string().contains("is not a regular file"), "{e}");
}
