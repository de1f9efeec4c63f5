use super::*;
use std::os::unix::fs::PermissionsExt;

fn setup() -> (tempfile::TempDir, PathBuf) {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("credentials");
    create_private_dir(&dir).unwrap();
    let file = dir.join("dev.json");
    std::fs::write(&file, b"{}").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    (home, file)
}

fn problem(r: Result<Option<Vec<u8>>, SafeFsError>) -> String {
    match r {
        Err(SafeFsError::Unsafe { problem, .. }) => problem,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn a_private_regular_file_is_read_and_a_missing_one_is_none() {
    let (_home, file) = setup();
    assert_eq!(read(&file, Privacy::Secret, 1024).unwrap().unwrap(), b"{}");
    assert!(read(&file.with_file_name("absent.json"), Privacy::Secret, 1024).unwrap().is_none());
}

#[test]
fn symlinks_fifos_open_modes_and_big_files_are_refused() {
    let (home, file) = setup();
    let outside = home.path().join("elsewhere.json");
    std::fs::write(&outside, b"{}").unwrap();
    let link = file.with_file_name("link.json");
    std::os::unix::fs::symlink(&outside, &link).unwrap();
    assert!(problem(read(&link, Privacy::Secret, 1024)).contains("symbolic link"));

    let fifo = file.with_file_name("fifo.json");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    assert!(problem(read(&fifo, Privacy::Secret, 1024)).contains("not a regular file"));

    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert!(problem(read(&file, Privacy::Secret, 1024)).contains("chmod 600"));
    assert_eq!(read(&file, Privacy::Settings, 1024).unwrap().unwrap(), b"{}");

    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::write(&file, vec![b' '; 2048]).unwrap();
    assert!(problem(read(&file, Privacy::Secret, 1024)).contains("more than the 1 KB"));
}

#[test]
fn an_open_directory_or_state_dir_is_refused() {
    let (home, file) = setup();
    let dir = file.parent().unwrap();
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(problem(read(&file, Privacy::Secret, 1024)).contains("chmod 700"));
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let p = problem(read(&file, Privacy::Secret, 1024));
    assert!(p.contains("mode 777") && p.contains("go-w"), "{p}");
    assert!(create_private_dir(dir).is_err());
}

#[test]
fn links_resolve_to_their_final_target() {
    let home = tempfile::tempdir().unwrap();
    let target = home.path().join("dotfiles/config");
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    let link = home.path().join("config");
    std::os::unix::fs::symlink("dotfiles/config", &link).unwrap();
    assert_eq!(resolve_link(&link).unwrap(), home.path().join("dotfiles/config"));
    assert_eq!(resolve_link(&target).unwrap(), target);
}

#[test]
fn lock_files_are_not_followed() {
    let (home, file) = setup();
    let lock = file.with_file_name("x.lock");
    std::os::unix::fs::symlink(home.path().join("victim"), &lock).unwrap();
    assert!(open_lock(&lock).is_err());
    assert!(!home.path().join("victim").exists());
    assert!(open_lock(&file.with_file_name("y.lock")).is_ok());
}

#[test]
fn a_settings_file_may_be_a_dotfiles_link_whose_target_is_checked() {
    let (home, _) = setup();
    let target = home.path().join("dotfiles-config.toml");
    std::fs::write(&target, b"x = 1").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).unwrap();
    let link = home.path().join("config.toml");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    assert_eq!(read(&link, Privacy::Settings, 1024).unwrap().unwrap(), b"x = 1");
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o666)).unwrap();
    assert!(problem(read(&link, Privacy::Settings, 1024)).contains("mode 666"));
}
