//! The warm path of `credential-process`: when the profile's file is fresh and was checked against the
//! current config.toml (`idbridge_core::state::freshness`), print it and exit. No argument parser, config
//! parser, keychain, network or async runtime is started for it.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use idbridge_core::Paths;
use idbridge_core::config::is_valid_name;
use idbridge_core::state::freshness;

/// `Some(exit code)` if the call was answered here; `None` to go the full way.
pub fn try_serve(home: Option<PathBuf>) -> Option<ExitCode> {
    let profile = profile_arg(std::env::args_os().skip(1).map(|a| a.into_string().ok()))?;
    let paths = Paths::resolve(home)?;
    let bytes = freshness::serve_warm(&paths, &profile, time::OffsetDateTime::now_utc())?;
    let mut out = std::io::stdout().lock();
    Some(if out.write_all(&bytes).and_then(|()| out.flush()).is_ok() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// Exactly `credential-process --profile NAME` (or `--profile=NAME`), with a name that is safe as a file name.
fn profile_arg(mut args: impl Iterator<Item = Option<String>>) -> Option<String> {
    if args.next()?? != "credential-process" {
        return None;
    }
    let first = args.next()??;
    let name = match first.strip_prefix("--profile=") {
        Some(v) => v.to_string(),
        None if first == "--profile" => args.next()??,
        None => return None,
    };
    (args.next().is_none() && is_valid_name(&name)).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::profile_arg;

    fn p(args: &[&str]) -> Option<String> {
        profile_arg(args.iter().map(|a| Some(a.to_string())))
    }

    #[test]
    fn only_the_exact_credential_process_call_is_taken() {
        assert_eq!(p(&["credential-process", "--profile", "dev"]).as_deref(), Some("dev"));
        assert_eq!(p(&["credential-process", "--profile=prod"]).as_deref(), Some("prod"));
        assert_eq!(p(&["credential-process", "--profile", "../x"]), None);
        assert_eq!(p(&["credential-process", "--profile", "dev", "--extra"]), None);
        assert_eq!(p(&["status"]), None);
        assert_eq!(p(&["credential-process"]), None);
    }
}
