use super::*;

const PROG: &str = "/opt/id bridge/idbridge";

fn dev() -> ManagedProfile {
    ManagedProfile { name: "dev".into(), region: "ap-northeast-1".into() }
}

fn prod() -> ManagedProfile {
    ManagedProfile { name: "prod".into(), region: "us-east-1".into() }
}

const USER_TEXT: &str = "# my settings\n[default]\nregion = eu-west-1\n\n[profile work]  \n# keep me\noutput = json\n";

#[test]
fn a_block_is_added_after_the_persons_text_which_stays_byte_for_byte() {
    let out = apply(USER_TEXT, "c", PROG, &[dev()], false).unwrap();
    assert!(out.text.starts_with(USER_TEXT), "{}", out.text);
    assert_eq!(
        &out.text[USER_TEXT.len()..],
        format!(
            "\n{BEGIN}\n[profile dev]\ncredential_process = \"/opt/id bridge/idbridge\" credential-process --profile dev\n\
             region = ap-northeast-1\n{END}\n"
        )
    );
    assert_eq!(out.written, ["dev"]);
}

#[test]
fn a_second_run_changes_nothing_and_other_managed_profiles_stay() {
    let once = apply(USER_TEXT, "c", PROG, &[dev(), prod()], false).unwrap().text;
    let twice = apply(&once, "c", PROG, &[dev(), prod()], false).unwrap().text;
    assert_eq!(once, twice);
    let only_dev = apply(&once, "c", PROG, &[dev()], false).unwrap().text;
    assert_eq!(only_dev, once, "prod stays managed when only dev is written");
    let with_text_after = format!("{once}[profile later]\nregion = x\n");
    let again = apply(&with_text_after, "c", "/new/idbridge", &[dev()], false).unwrap().text;
    assert!(again.ends_with("[profile later]\nregion = x\n"));
    assert!(again.contains("credential_process = \"/new/idbridge\" credential-process --profile dev"));
    assert!(again.contains("[profile prod]"));
}

#[test]
fn a_persons_own_profile_of_the_same_name_is_skipped_unless_forced() {
    let text = "[profile dev]\nregion = us-west-2\nsso_start_url = x\n[profile other]\nregion = y\n";
    let out = apply(text, "c", PROG, &[dev(), prod()], false).unwrap();
    assert_eq!(out.skipped, ["dev"]);
    assert_eq!(out.written, ["prod"]);
    assert!(out.text.starts_with(text));
    let forced = apply(text, "c", PROG, &[dev()], true).unwrap();
    assert_eq!(forced.replaced, ["dev"]);
    assert!(forced.text.starts_with("[profile other]\nregion = y\n"), "{}", forced.text);
    assert!(!forced.text.contains("sso_start_url"));
}

#[test]
fn sections_that_are_not_profiles_do_not_count_as_the_same_name() {
    let text = "[dev]\nx = 1\n[sso-session dev]\nsso_region = us-east-1\n";
    let out = apply(text, "c", PROG, &[dev()], false).unwrap();
    assert_eq!(out.written, ["dev"]);
}

#[test]
fn a_broken_block_is_refused() {
    let text = format!("{BEGIN}\n[profile dev]\n");
    assert!(matches!(apply(&text, "c", PROG, &[dev()], false), Err(AwsConfigError::BrokenBlock { .. })));
    // found by fuzz/run: two blocks' markers interleaved; a guess would leave a stray end marker
    let twice = format!("[profile dev]\n{BEGIN}\n{BEGIN}\nx\n{END}\n[p prod]\n{END}\n");
    assert!(matches!(apply(&twice, "c", PROG, &[dev()], false), Err(AwsConfigError::BrokenBlock { .. })));
}

#[test]
fn paths_are_quoted_for_the_split_of_each_system() {
    assert_eq!(quote_posix("/usr/bin/idbridge"), "\"/usr/bin/idbridge\"");
    assert_eq!(quote_posix("C:\\a \"b\""), "\"C:\\\\a \\\"b\\\"\"");
    assert_eq!(quote_windows(r"C:\Program Files\idbridge.exe"), r#""C:\Program Files\idbridge.exe""#);
    assert_eq!(quote_windows(r"C:\dir\"), r#""C:\dir\\""#);
    let native = if cfg!(windows) { quote_windows("C:\\x y") } else { quote_posix("C:\\x y") };
    assert_eq!(quote("C:\\x y"), native);
}

#[test]
fn static_keys_in_the_credentials_file_are_found() {
    let text = "[default]\naws_access_key_id = AKIA\naws_secret_access_key = s\n[dev]\nAWS_ACCESS_KEY_ID=AKIB\n[other]\nregion=x\n";
    assert_eq!(static_key_profiles(text), ["default", "dev"]);
}

#[cfg(unix)] // symbolic links: the Windows counterpart is in sys::safe_fs
#[test]
fn a_symlinked_config_is_written_through_to_its_target_and_stays_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let dotfiles = dir.path().join("dotfiles");
    std::fs::create_dir(&dotfiles).unwrap();
    std::fs::write(dotfiles.join("aws-config"), USER_TEXT).unwrap();
    let link = dir.path().join("config");
    std::os::unix::fs::symlink("dotfiles/aws-config", &link).unwrap();
    let report = configure(&link, &dir.path().join("credentials"), PROG, &[dev()], false).unwrap();
    assert!(report.changed);
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link is kept");
    let target = std::fs::read_to_string(dotfiles.join("aws-config")).unwrap();
    assert!(target.starts_with(USER_TEXT) && target.contains("[profile dev]"), "{target}");
    let leftovers: Vec<_> = std::fs::read_dir(&dotfiles).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 1, "no temp file left in the target's directory: {leftovers:?}");
    assert_eq!(std::fs::read_to_string(report.backup.unwrap()).unwrap(), USER_TEXT);
}

#[cfg(unix)]
#[test]
fn a_backup_is_never_written_through_a_symlink() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    std::fs::write(&config, USER_TEXT).unwrap();
    let victim = dir.path().join("victim");
    std::os::unix::fs::symlink(&victim, dir.path().join("config.idbridge-backup")).unwrap();
    let report = configure(&config, &dir.path().join("credentials"), PROG, &[dev()], false).unwrap();
    assert!(report.changed && report.backup.is_none());
    assert!(!victim.exists(), "nothing was written through the dangling link");
}

/// The credential_process line as botocore splits it on Windows (`_windows_shell_split`) and elsewhere
/// (`shlex.split`), by running botocore itself (installed with the AWS CLI, tests/requirements.txt).
#[cfg(not(windows))] // runs python3 with botocore, which the Wine lane does not have
#[test]
fn botocore_splits_the_program_path_back_out_on_every_system() {
    let paths = [
        r"C:\Program Files\idbridge\idbridge.exe",
        r"C:\Users\Ana Lía\AppData\Local\idbridge\idbridge.exe",
        r"\\server\share\tools dir\idbridge.exe",
        r"C:\odd\trailing\",
        "/opt/id bridge/idbridge",
        "/home/o'neil/bin/idbridge",
        r#"/tmp/quote"and\backslash/idbridge"#,
    ];
    let lines: Vec<_> = paths
        .iter()
        .map(|p| {
            serde_json::json!({
                "path": p,
                "windows": format!("{} credential-process --profile dev", quote_windows(p)),
                "posix": format!("{} credential-process --profile dev", quote_posix(p)),
            })
        })
        .collect();
    let script = r#"
import json, shlex, sys
from botocore.compat import _windows_shell_split
for case in json.load(sys.stdin):
    for kind, split in (("windows", _windows_shell_split), ("posix", shlex.split)):
        if kind == "windows" and '"' in case["path"]:
            continue  # Windows paths cannot hold a double quote
        got = split(case[kind])
        want = [case["path"], "credential-process", "--profile", "dev"]
        assert got == want, (kind, case[kind], got)
print("ok")
"#;
    let mut child = std::process::Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 (with botocore: pip install -r tests/requirements.txt)");
    use std::io::Write;
    child.stdin.take().unwrap().write_all(serde_json::to_string(&lines).unwrap().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success() && out.stdout == b"ok\n",
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
