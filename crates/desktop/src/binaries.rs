//! One app, two executables side by side: the tray (`idbridge-app`, what a person and autostart start)
//! and the window helper (`idbridge-app-window`, Settings and sign-in, which carries WebKit). Each finds
//! the other next to itself: in target/, /usr/bin, a macOS bundle's Contents/MacOS and a Windows
//! install folder alike. Either one started in the other's role hands over to it, so every launcher and
//! older autostart entry keeps working.

use std::path::{Path, PathBuf};

/// The tray: the program people start.
pub const TRAY: &str = "idbridge-app";
/// The windows' helper, started by the tray on demand.
pub const WINDOW: &str = "idbridge-app-window";

/// The path of `name` (one of the two above) beside `exe`.
pub fn beside(exe: &Path, name: &str) -> Option<PathBuf> {
    Some(exe.parent()?.join(format!("{name}{}", std::env::consts::EXE_SUFFIX)))
}

/// The other executable beside this process's own, if it is there.
pub fn sibling(name: &str) -> std::io::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let path = beside(&exe, name).ok_or_else(|| std::io::Error::other("the app's own path has no folder"))?;
    if path.is_file() {
        Ok(path)
    } else {
        Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("{} is missing: reinstall idbridge", path.display()),
        ))
    }
}

/// Runs `program` with `args` in place of this process: on Unix the same process (its pid, its
/// parent, its stdio: a launcher or WebDriver that started us sees no difference); on Windows a child
/// with the same stdio whose exit code becomes ours. Returns only on failure.
pub fn hand_over(program: &Path, args: &[String]) -> std::io::Error {
    let mut command = std::process::Command::new(program);
    command.args(args);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.exec()
    }
    #[cfg(not(unix))]
    match command.status() {
        Ok(status) => std::process::exit(status.code().unwrap_or(1)),
        Err(e) => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_helper_is_found_beside_the_tray() {
        let found = beside(Path::new("/usr/bin/idbridge-app"), WINDOW).unwrap();
        assert_eq!(found.parent(), Some(Path::new("/usr/bin")));
        assert_eq!(
            found.file_name().unwrap().to_str().unwrap(),
            format!("idbridge-app-window{}", std::env::consts::EXE_SUFFIX)
        );
    }

    #[test]
    fn a_missing_sibling_is_an_error_that_says_what_to_do() {
        let e = sibling("no-such-idbridge-binary").unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
        assert!(e.to_string().contains("reinstall idbridge"), "{e}");
    }
}
