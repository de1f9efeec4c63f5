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
