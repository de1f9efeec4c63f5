//! Opening idbridge's own files (credentials, config, locks) so that another local user, a symlink or a
//! FIFO cannot feed or block it: no symlink is followed, no open blocks (O_NOFOLLOW | O_NONBLOCK), and a
//! file is served only if it is a regular file of ours that others cannot write (credential files: that
//! others cannot read either) in a directory of ours that others cannot write. Every refusal says in one
//! line what to fix.

use std::fs::{File, Metadata, OpenOptions};
use std::io::Read;
use std::path::{Path, PathBuf};

#[cfg(unix)]
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};

#[derive(Debug, thiserror::Error)]
pub enum SafeFsError {
    /// The file or a directory above it is not safe to trust; `fix` says what to do.
    #[error("{path}: {problem}")]
    Unsafe { path: PathBuf, problem: String },
    #[error("cannot read {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

/// Who may have written a file for idbridge to trust it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Privacy {
    /// Holds secrets: file 0600 (no group/other bits) in a 0700 directory.
    Secret,
    /// Holds settings: not writable by group or others, nor is its directory.
    Settings,
}

fn unsafe_at(path: &Path, problem: impl Into<String>) -> SafeFsError {
    SafeFsError::Unsafe { path: path.to_owned(), problem: problem.into() }
}

#[cfg(unix)]
fn my_uid() -> u32 {
    rustix::process::geteuid().as_raw()
}

/// O_NOFOLLOW: a symlink in place of the file is refused, not followed (settings files may be links
/// into a dotfiles repository: for them the target is checked instead). O_NONBLOCK: a FIFO or device in
/// its place cannot hang the open (and a read of a non-regular file never happens, see below).
#[cfg(unix)]
fn guarded(options: &mut OpenOptions, privacy: Privacy) -> &mut OpenOptions {
    let nofollow = if privacy == Privacy::Secret { libc::O_NOFOLLOW } else { 0 };
    options.custom_flags(nofollow | libc::O_NONBLOCK | libc::O_CLOEXEC)
}
/// FILE_FLAG_OPEN_REPARSE_POINT: a symbolic link or junction in place of a secret file is opened itself,
/// not followed, and then refused by its attributes ([`check_file`]).
#[cfg(windows)]
fn guarded(options: &mut OpenOptions, privacy: Privacy) -> &mut OpenOptions {
    use std::os::windows::fs::OpenOptionsExt;
    const FILE_FLAG_OPEN_REPARSE_POINT: u32 = 0x0020_0000;
    options.custom_flags(if privacy == Privacy::Secret { FILE_FLAG_OPEN_REPARSE_POINT } else { 0 })
}
#[cfg(not(any(unix, windows)))]
fn guarded(options: &mut OpenOptions, _privacy: Privacy) -> &mut OpenOptions {
    options
}

/// A reparse point (symbolic link, junction, mount point): Windows' links.
#[cfg(windows)]
fn is_reparse_point(meta: &Metadata) -> bool {
    use std::os::windows::fs::MetadataExt;
    const FILE_ATTRIBUTE_REPARSE_POINT: u32 = 0x400;
    meta.file_type().is_symlink() || meta.file_attributes() & FILE_ATTRIBUTE_REPARSE_POINT != 0
}

/// Refuses a link in place of a secret file before it is opened (Wine opens a link's target even with
/// FILE_FLAG_OPEN_REPARSE_POINT; Windows itself is covered by that flag and [`check_file`]).
#[cfg(windows)]
fn refuse_link(path: &Path, privacy: Privacy) -> Result<(), SafeFsError> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if privacy == Privacy::Secret && is_reparse_point(&meta) => Err(unsafe_at(
            path,
            "is a link (reparse point); idbridge does not follow links for its own files: replace it with the file itself",
        )),
        _ => Ok(()),
    }
}

/// Regular and no link. Windows has no mode bits: a file in the user's profile inherits its folder's
/// access list (the user, SYSTEM and administrators); that list is not inspected here.
#[cfg(windows)]
fn check_file(path: &Path, meta: &Metadata, privacy: Privacy) -> Result<(), SafeFsError> {
    if privacy == Privacy::Secret && is_reparse_point(meta) {
        return Err(unsafe_at(
            path,
            "is a link (reparse point); idbridge does not follow links for its own files: replace it with the file itself",
        ));
    }
    if !meta.file_type().is_file() {
        return Err(unsafe_at(path, "is not a regular file: remove it"));
    }
    Ok(())
}

fn map_open_error(path: &Path, e: std::io::Error) -> SafeFsError {
    #[cfg(unix)]
    if e.raw_os_error() == Some(libc::ELOOP) {
        return unsafe_at(
            path,
            "is a symbolic link; idbridge does not follow links for its own files: replace it with the file itself",
        );
    }
    SafeFsError::Io { path: path.to_owned(), source: e }
}

/// Checks an opened file's metadata: regular, ours, and private enough for `privacy`.
#[cfg(unix)]
fn check_file(path: &Path, meta: &Metadata, privacy: Privacy) -> Result<(), SafeFsError> {
    if !meta.file_type().is_file() {
        return Err(unsafe_at(path, "is not a regular file (a FIFO, device or directory?): remove it"));
    }
    if meta.uid() != my_uid() {
        return Err(unsafe_at(
            path,
            format!("belongs to user id {}, not to you (id {}): remove it", meta.uid(), my_uid()),
        ));
    }
    let mode = meta.mode() & 0o777;
    let (bad, fix) = match privacy {
        Privacy::Secret => (0o077, "600"),
        Privacy::Settings => (0o022, "600"),
    };
    if mode & bad != 0 {
        return Err(unsafe_at(
            path,
            format!("has mode {mode:03o}, open to other users: run `chmod {fix} {}`", path.display()),
        ));
    }
    Ok(())
}

/// A directory of ours that no one else can write into (`Secret`: nor list or enter).
#[cfg(unix)]
pub fn check_dir(dir: &Path, privacy: Privacy) -> Result<(), SafeFsError> {
    let meta = std::fs::symlink_metadata(dir).map_err(|source| SafeFsError::Io { path: dir.to_owned(), source })?;
    if meta.file_type().is_symlink() {
        // a link the person made (dotfiles) is fine for settings; its target is checked the same way
        if privacy == Privacy::Settings {
            let target = std::fs::metadata(dir).map_err(|source| SafeFsError::Io { path: dir.to_owned(), source })?;
            return check_dir_meta(dir, &target, privacy);
        }
        return Err(unsafe_at(dir, "is a symbolic link: make it a real directory"));
    }
    check_dir_meta(dir, &meta, privacy)
}

#[cfg(unix)]
fn check_dir_meta(dir: &Path, meta: &Metadata, privacy: Privacy) -> Result<(), SafeFsError> {
    if !meta.is_dir() {
        return Err(unsafe_at(dir, "is not a directory"));
    }
    if meta.uid() != my_uid() {
        return Err(unsafe_at(
            dir,
            format!(
                "belongs to user id {}, not to you (id {}): idbridge keeps its files only in a directory of yours",
                meta.uid(),
                my_uid()
            ),
        ));
    }
    let mode = meta.mode() & 0o777;
    let (bad, fix) = match privacy {
        Privacy::Secret => (0o077, "700"),
        Privacy::Settings => (0o022, "go-w"),
    };
    if mode & bad != 0 {
        return Err(unsafe_at(
            dir,
            format!("has mode {mode:03o}, open to other users: run `chmod {fix} {}`", dir.display()),
        ));
    }
    Ok(())
}

/// A real directory, not a link or junction to one somewhere else (for settings, a link the person made
/// is allowed, as on Unix).
#[cfg(windows)]
pub fn check_dir(dir: &Path, privacy: Privacy) -> Result<(), SafeFsError> {
    let meta = std::fs::symlink_metadata(dir).map_err(|source| SafeFsError::Io { path: dir.to_owned(), source })?;
    if privacy == Privacy::Secret && is_reparse_point(&meta) {
        return Err(unsafe_at(dir, "is a link or junction (reparse point): make it a real directory"));
    }
    Ok(())
}
#[cfg(not(any(unix, windows)))]
pub fn check_dir(_dir: &Path, _privacy: Privacy) -> Result<(), SafeFsError> {
    Ok(())
}

/// Reads one of idbridge's files whole, if it passes the checks: `None` if it does not exist. At most
/// `max` bytes: a larger file is refused, not read (it is not one idbridge wrote).
///
/// For `Secret` files the directory must be private and the one above it (the state directory, e.g.
/// `IDBRIDGE_HOME`) ours and not writable by others; for `Settings` the directory must be ours and not
/// writable by others.
pub fn read(path: &Path, privacy: Privacy, max: u64) -> Result<Option<Vec<u8>>, SafeFsError> {
    Ok(read_with_metadata(path, privacy, max)?.map(|(bytes, _)| bytes))
}

/// [`read`], with the file's metadata as it was opened (its mtime, for example).
pub fn read_with_metadata(path: &Path, privacy: Privacy, max: u64) -> Result<Option<(Vec<u8>, Metadata)>, SafeFsError> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(windows)]
    refuse_link(path, privacy)?;
    let mut file = match guarded(&mut options, privacy).open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(map_open_error(path, e)),
    };
    let meta = file.metadata().map_err(|source| SafeFsError::Io { path: path.to_owned(), source })?;
    #[cfg(any(unix, windows))]
    {
        check_file(path, &meta, privacy)?;
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        check_dir(dir, privacy)?;
        if privacy == Privacy::Secret
            && let Some(home) = dir.parent().filter(|d| !d.as_os_str().is_empty())
        {
            check_dir(home, Privacy::Settings)?;
        }
    }
    if meta.len() > max {
        return Err(unsafe_at(
            path,
            format!("is {} bytes, more than the {} KB idbridge ever writes there: remove it", meta.len(), max / 1024),
        ));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // the limit holds even if the file grows between fstat and read
    file.by_ref()
        .take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| SafeFsError::Io { path: path.to_owned(), source })?;
    if bytes.len() as u64 > max {
        return Err(unsafe_at(path, format!("is larger than {} KB: remove it", max / 1024)));
    }
    Ok(Some((bytes, meta)))
}

/// Reads a file idbridge did not write (a team config the person names): a regular file only (a FIFO or
/// a device such as /dev/zero is refused, and the open never blocks), at most `max` bytes: `Ok(None)` if
/// it is larger, which is found by reading `max + 1` bytes, not by trusting its size.
pub fn read_outside(path: &Path, max: u64) -> Result<Option<Vec<u8>>, SafeFsError> {
    let io = |source| SafeFsError::Io { path: path.to_owned(), source };
    let mut options = OpenOptions::new();
    options.read(true);
    let mut file = guarded(&mut options, Privacy::Settings).open(path).map_err(io)?;
    if !file.metadata().map_err(io)?.is_file() {
        return Err(unsafe_at(path, "is not a regular file"));
    }
    let mut bytes = Vec::new();
    file.by_ref().take(max + 1).read_to_end(&mut bytes).map_err(io)?;
    Ok((bytes.len() as u64 <= max).then_some(bytes))
}

/// The AWS CLI's own files (`~/.aws/config`, `~/.aws/credentials`) as text: `Ok(None)` if missing; a FIFO,
/// a device, a file over `max` bytes or one that is not UTF-8 is an error, never a hang or a flood.
pub fn read_outside_text(path: &Path, max: u64) -> std::io::Result<Option<String>> {
    use std::io::{Error, ErrorKind};
    let bytes = match read_outside(path, max) {
        Ok(Some(b)) => b,
        Ok(None) => return Err(Error::other(format!("larger than {} KB: not an AWS CLI file", max / 1024))),
        Err(SafeFsError::Io { source, .. }) if source.kind() == ErrorKind::NotFound => return Ok(None),
        Err(SafeFsError::Io { source, .. }) => return Err(source),
        Err(SafeFsError::Unsafe { problem, .. }) => return Err(Error::other(problem)),
    };
    String::from_utf8(bytes).map(Some).map_err(|_| Error::new(ErrorKind::InvalidData, "not UTF-8 text"))
}

/// Creates `dir` (and parents) for secrets: 0700 and ours. An existing directory of ours is tightened to
/// 0700; a symlink or someone else's directory is refused.
pub fn create_private_dir(dir: &Path) -> Result<(), SafeFsError> {
    let io = |source| SafeFsError::Io { path: dir.to_owned(), source };
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(io)?;
    #[cfg(unix)]
    {
        let meta = std::fs::symlink_metadata(dir).map_err(io)?;
        if meta.file_type().is_symlink() {
            return Err(unsafe_at(dir, "is a symbolic link: make it a real directory"));
        }
        check_dir_meta(dir, &meta, Privacy::Settings)?;
        if meta.mode() & 0o077 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(io)?;
        }
        if let Some(home) = dir.parent().filter(|d| !d.as_os_str().is_empty()) {
            check_dir(home, Privacy::Settings)?;
        }
    }
    #[cfg(windows)]
    check_dir(dir, Privacy::Secret)?;
    Ok(())
}

/// Opens (creating it 0600) a lock file without following a symlink or blocking on a FIFO.
pub fn open_lock(path: &Path) -> Result<File, SafeFsError> {
    let mut options = OpenOptions::new();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    options.mode(0o600);
    #[cfg(windows)]
    refuse_link(path, Privacy::Secret)?;
    let file = guarded(&mut options, Privacy::Secret).open(path).map_err(|e| map_open_error(path, e))?;
    #[cfg(unix)]
    {
        let meta = file.metadata().map_err(|source| SafeFsError::Io { path: path.to_owned(), source })?;
        check_file(path, &meta, Privacy::Settings)?;
    }
    #[cfg(windows)]
    {
        let meta = file.metadata().map_err(|source| SafeFsError::Io { path: path.to_owned(), source })?;
        check_file(path, &meta, Privacy::Secret)?;
    }
    Ok(file)
}

/// Where a write to `path` should land: the final target if `path` is a symlink (a dotfiles setup links
/// `~/.aws/config` into a repository), else `path`. Relative links resolve against the link's directory.
pub fn resolve_link(path: &Path) -> std::io::Result<PathBuf> {
    let mut current = path.to_owned();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = std::fs::read_link(&current)?;
                current = match current.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(std::io::Error::other(format!("{}: too many levels of symbolic links", path.display())))
}

#[cfg(all(test, unix))]
#[path = "safe_fs_tests.rs"]
mod tests;

#[cfg(all(test, windows))]
mod windows_tests {
    use super::*;

    /// A private state folder with one credential file, as idbridge makes them.
    fn state() -> (tempfile::TempDir, PathBuf) {
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join("credentials");
        create_private_dir(&dir).unwrap();
        let file = dir.join("dev.json");
        std::fs::write(&file, b"{}").unwrap();
        (home, file)
    }

    #[test]
    fn a_file_of_ours_is_read() {
        let (_home, file) = state();
        assert_eq!(read(&file, Privacy::Secret, 64).unwrap().unwrap(), b"{}");
        assert!(read(&file.with_file_name("absent.json"), Privacy::Secret, 64).unwrap().is_none());
        let e = read(&file, Privacy::Secret, 1).unwrap_err().to_string();
        assert!(e.contains("remove it"), "{e}");
    }

    /// The planted link's target is never read: Windows opens the link itself and refuses it by its
    /// reparse attribute; Wine cannot open a link as itself, so there it is "no file".
    #[test]
    fn links_in_place_of_secret_files_and_folders_are_never_followed() {
        let (home, file) = state();
        let outside = home.path().join("outside.json");
        std::fs::write(&outside, b"{\"planted\":1}").unwrap();
        let link = file.with_file_name("prod.json");
        std::os::windows::fs::symlink_file(&outside, &link).expect("a symbolic link (Windows: developer mode)");
        match read(&link, Privacy::Secret, 64) {
            Err(e) => assert!(e.to_string().contains("reparse point"), "{e}"),
            Ok(None) => {}
            Ok(Some(bytes)) => panic!("a link's target was read: {}", String::from_utf8_lossy(&bytes)),
        }
        let moved = home.path().join("elsewhere");
        std::fs::create_dir(&moved).unwrap();
        let linked_dir = home.path().join("linked");
        std::os::windows::fs::symlink_dir(&moved, &linked_dir).unwrap();
        let planted = linked_dir.join("dev.json");
        if std::fs::write(&planted, b"{}").is_ok() {
            match read(&planted, Privacy::Secret, 64) {
                Err(e) => assert!(e.to_string().contains("reparse point"), "{e}"),
                Ok(found) => panic!("a file in a linked folder was served: {found:?}"),
            }
        }
    }
}
