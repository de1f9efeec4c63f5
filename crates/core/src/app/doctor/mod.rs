//! `idbridge doctor`: every link between a person and a working `aws` command, checked one by one, each
//! giving one line "ok" or "problem → what to do". The report is plain data (serde) so the CLI prints it
//! and the tray's Settings can show it.

mod codes;
mod local;
mod remote;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;

use crate::app::Idbridge;
use crate::config::Config;
use crate::sys::sanitize;

pub use codes::Code;

/// A check's code and the parameters its sentences quote (sanitised when stored).
type Said<'a> = (Code, &'a [(&'static str, &'a str)]);

/// Clock skew beyond this breaks ID token checks (`iat`/`exp`) and SigV4 (AWS allows 5 min, but the
/// ID token's lifetime checks are tighter at some IdPs).
pub const MAX_CLOCK_SKEW: time::Duration = time::Duration::seconds(60);

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Ok,
    Problem,
}

/// One line of the report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Check {
    /// Stable name of the check (`discovery`, `clock_idp`, ...), for UIs and scripts.
    pub id: &'static str,
    /// What was checked: "config", "provider auth0", "profile dev", "environment".
    pub subject: String,
    pub status: Status,
    pub message: String,
    /// What to do about a problem.
    pub fix: Option<String>,
    /// What the message says, as a stable code a window phrases in the person's language with `params`
    /// (`sts_unreachable` with `endpoint`). Every check the doctor makes has one; `None` only in a
    /// `Check` built by hand.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<Code>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<&'static str, String>,
    /// A fix idbridge can carry out itself (a window offers it as a button).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
}

/// A fix idbridge can run: the window's buttons, the CLI's commands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// Write idbridge's block into the AWS CLI's config, as `idbridge configure-aws` does.
    ConfigureAws,
    /// Sign in to this provider.
    SignIn { provider: String },
}

impl Check {
    /// Names what the message says (parameters sanitised like the message).
    fn coded(mut self, (code, params): Said<'_>) -> Self {
        self.code = Some(code);
        self.params = params.iter().map(|(k, v)| (*k, sanitize::field(v))).collect();
        self
    }

    fn offer(&mut self, action: Action) -> &mut Self {
        self.action = Some(action);
        self
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct DoctorReport {
    pub checks: Vec<Check>,
}

impl DoctorReport {
    pub fn problems(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.status == Status::Problem)
    }

    pub fn is_healthy(&self) -> bool {
        self.problems().next().is_none()
    }

    // every check quotes outside text (the IdP's issuer, a claim, an environment value): each line is
    // sanitised here, once, so no check can print an escape sequence or a bidi override raw; and each
    // says what it says as a code, so a window can phrase every line in the person's language
    fn ok(&mut self, id: &'static str, subject: impl Into<String>, said: Said<'_>, message: impl Into<String>) {
        debug_assert!(!said.0.is_problem(), "{} is a problem's code", said.0);
        let (subject, message) = (sanitize::field(&subject.into()), sanitize::message(&message.into()));
        self.push(Check { id, subject, status: Status::Ok, message, ..Check::default() }.coded(said));
    }

    fn push(&mut self, check: Check) -> &mut Check {
        self.checks.push(check);
        self.checks.last_mut().expect("just pushed")
    }

    /// A problem and what to do about it; returns the check to be offered an action.
    fn problem(
        &mut self,
        id: &'static str,
        subject: impl Into<String>,
        said: Said<'_>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> &mut Check {
        debug_assert!(said.0.is_problem(), "{} is an ok code", said.0);
        let check = Check {
            id,
            subject: sanitize::field(&subject.into()),
            status: Status::Problem,
            message: sanitize::message(&message.into()),
            fix: Some(sanitize::message(&fix.into())),
            ..Check::default()
        };
        self.push(check.coded(said))
    }
}

/// What the doctor needs from outside the core: the front end reads the environment and passes it in.
#[derive(Debug, Clone, Default)]
pub struct DoctorInput {
    /// Check only this profile (and its provider).
    pub profile: Option<String>,
    /// `$AWS_CONFIG_FILE` or `~/.aws/config`.
    pub aws_config_file: PathBuf,
    /// `$AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`.
    pub aws_credentials_file: PathBuf,
    /// The idbridge CLI that `credential_process` should run (the tray passes the CLI next to it).
    pub program: Option<String>,
    /// The AWS_* variables of the environment the AWS CLI will run in.
    pub env: Vec<(String, String)>,
}

impl Idbridge {
    /// Runs every check. Never fails: whatever goes wrong is a line of the report. Blocking parts
    /// (keychain, files) run on the blocking pool.
    pub async fn doctor(&self, input: &DoctorInput) -> DoctorReport {
        let mut report = DoctorReport::default();
        let file = self.paths.config_file.display().to_string();
        let config = match self.load_config() {
            Ok(c) => {
                report.ok("config", "config", (Code::ConfigOk, &[("file", &file)]), format!("{file} loads"));
                c
            }
            Err(e) => {
                let (code, key, line) = where_config_fails(&self.paths.config_file, &e);
                let params = [("file", file.as_str()), ("key", key.as_str()), ("line", line.as_str())];
                report.problem(
                    "config",
                    "config",
                    (code, &params),
                    e.to_string(),
                    "fix the file as the message says; see the README for an example",
                );
                local::environment(&mut report, input, &Config::default());
                return report;
            }
        };
        let config = match narrow(&config, input.profile.as_deref(), &self.paths.config_file) {
            Ok(c) => c,
            Err(e) => {
                let profile = input.profile.as_deref().unwrap_or_default();
                let said = (Code::UnknownProfile, &[("profile", profile)][..]);
                report.problem("config", "config", said, e.to_string(), "name one of the profiles listed");
                return report;
            }
        };
        for (name, provider) in &config.providers {
            remote::provider(self, &mut report, name, provider).await;
        }
        local::keychain_and_sign_in(self, &mut report, &config).await;
        local::state_dir(&mut report, &self.paths);
        remote::sts_clocks(self, &mut report, &config).await;
        local::profiles(self, &mut report, &config, input);
        local::environment(&mut report, input, &config);
        report
    }
}

/// Which key on which line of config.toml fails to load, for the window's sentence.
fn where_config_fails(path: &std::path::Path, e: &crate::Error) -> (Code, String, String) {
    use crate::config::ConfigError;
    let spot = match e {
        crate::Error::Config(c @ (ConfigError::Invalid { .. } | ConfigError::Syntax { .. })) => {
            std::fs::read_to_string(path).ok().and_then(|text| crate::config::spot::spot(&text, c))
        }
        _ => None,
    };
    match spot {
        Some(crate::config::spot::Spot { line: Some(line), key: Some(key), unknown }) => {
            let code = if unknown { Code::ConfigUnknownKey } else { Code::ConfigBadValue };
            (code, key, line.to_string())
        }
        _ => (Code::ConfigInvalid, String::new(), String::new()),
    }
}

/// The config reduced to one profile and its provider, when asked for.
fn narrow(config: &Config, profile: Option<&str>, path: &std::path::Path) -> crate::Result<Config> {
    let Some(name) = profile else { return Ok(config.clone()) };
    let p = config.profile(name, path)?.clone();
    let mut out = Config { app: config.app.clone(), ..Config::default() };
    if let Some(provider) = config.providers.get(&p.provider) {
        out.providers.insert(p.provider.clone(), provider.clone());
    }
    out.profiles.insert(name.to_string(), p);
    Ok(out)
}
