//! Settings' "Check setup": the core's doctor (the same checks as `idbridge doctor`), each check as a
//! line the window shows: its name in the person's language, ok or the problem and what to do. Every
//! check carries a code (`Check::code`), phrased here from `doctor-msg-CODE` / `doctor-fix-CODE` with its
//! parameters; in Japanese the doctor's English is the Details (what a bug report needs); a fix
//! idbridge can run itself (`Check::action`) comes as a button.

use std::path::{Path, PathBuf};

use idbridge_core::app::doctor::{Action, Check, DoctorInput, DoctorReport, Status};
use idbridge_core::aws::config_file::{self, ManagedProfile};
use serde::Serialize;
use tauri::State;

use crate::i18n::{Arg, Lang, Tr};
use crate::windows::WindowState;

/// The environment variables that decide which credentials the AWS CLI picks (as `idbridge doctor`).
const AWS_VARS: [&str; 5] =
    ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"];

/// One check as the window shows it. Nothing secret: the doctor names variables, never their values.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CheckView {
    pub id: String,
    /// The check's name and what it looked at: "Identity provider discovery · provider auth0".
    pub label: String,
    pub ok: bool,
    /// One sentence for the person.
    pub message: String,
    /// What to do about a problem, when there is a sentence for it in the person's language.
    pub fix: Option<String>,
    /// The doctor's English message and fix, when the lines above are not them.
    pub details: Option<String>,
    /// A fix the window can run (a button).
    pub action: Option<Action>,
}

/// The report in the person's language.
pub fn view(report: &DoctorReport, tr: &Tr, lang: Lang) -> Vec<CheckView> {
    report.checks.iter().map(|c| check_view(c, tr, lang)).collect()
}

fn check_view(c: &Check, tr: &Tr, lang: Lang) -> CheckView {
    let id = format!("doctor-{}", c.id);
    let name = tr.s(lang, &id);
    let name = if name == id { c.id.replace('_', " ") } else { name };
    let ok = c.status == Status::Ok;
    let english = lang == Lang::En;
    // an ok row's English says nothing more than its sentence: Details only where a bug report needs it
    let details = match (&c.fix, english || (ok && c.code.is_some())) {
        (_, true) => None,
        (Some(fix), false) => Some(format!("{}\n→ {fix}", c.message)),
        (None, false) => Some(c.message.clone()),
    };
    let phrase = |kind: &str| {
        let id = format!("doctor-{kind}-{}", c.code?);
        let args: Vec<(&str, Arg<'_>)> = c.params.iter().map(|(k, v)| (*k, Arg::Str(v))).collect();
        Some(tr.t(lang, &id, &args)).filter(|s| *s != id)
    };
    let (message, fix) = match (phrase("msg"), english) {
        (Some(m), _) => (m, phrase("fix").or_else(|| c.fix.clone().filter(|_| english))),
        (None, true) => (c.message.clone(), c.fix.clone()),
        (None, false) => (tr.s(lang, if ok { "doctor_ok" } else { "doctor_problem" }), None),
    };
    CheckView {
        id: c.id.to_string(),
        label: match subject(&c.subject, tr, lang) {
            Some(s) => format!("{name} · {s}"),
            None => name,
        },
        ok,
        message,
        fix,
        details,
        action: c.action.clone(),
    }
}

/// What a check looked at, in the person's language ("provider auth0" → "プロバイダー auth0"); none for
/// config, state, keychain and environment, which the check's name already says.
fn subject(subject: &str, tr: &Tr, lang: Lang) -> Option<String> {
    let kinds = [
        ("provider ", "doctor_subject_provider"),
        ("profile ", "doctor_subject_profile"),
        ("STS ", "doctor_subject_sts"),
    ];
    kinds.iter().find_map(|(prefix, id)| {
        let name = subject.strip_prefix(prefix)?;
        Some(tr.t(lang, id, &[("name", Arg::Str(name))]))
    })
}

/// The idbridge CLI that `credential_process` should run: next to this app, else on PATH.
fn cli_program() -> Option<String> {
    let name = format!("idbridge{}", std::env::consts::EXE_SUFFIX);
    let beside = std::env::current_exe().ok().and_then(|p| p.parent().map(|d| d.join(&name)));
    let on_path = || {
        std::env::var_os("PATH").and_then(|p| std::env::split_paths(&p).map(|d| d.join(&name)).find(|p| p.is_file()))
    };
    beside.filter(|p| p.is_file()).or_else(on_path).map(|p| canonical(&p).to_string_lossy().into_owned())
}

fn canonical(p: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| p.to_path_buf())
}

/// `$VAR`, else the file under the home directory (as the AWS CLI finds its files).
fn home_file(var: &str, default: &str) -> PathBuf {
    match std::env::var_os(var).filter(|p| !p.is_empty()) {
        Some(p) => PathBuf::from(p),
        None => dirs::home_dir().unwrap_or_default().join(default),
    }
}

pub(crate) fn input() -> DoctorInput {
    DoctorInput {
        profile: None,
        aws_config_file: home_file("AWS_CONFIG_FILE", ".aws/config"),
        aws_credentials_file: home_file("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials"),
        program: cli_program(),
        env: AWS_VARS.iter().filter_map(|k| std::env::var(k).ok().map(|v| (k.to_string(), v))).collect(),
    }
}

/// Runs every check (network, keychain: a few seconds at most) and returns the lines to show.
#[tauri::command]
pub async fn check_setup(state: State<'_, WindowState>) -> Result<Vec<CheckView>, ()> {
    let report = state.core.doctor(&input()).await;
    let problems = report.problems().count();
    eprintln!("idbridge-app: setup checked: {} checks, {problems} problems", report.checks.len());
    Ok(view(&report, &state.tr, state.lang()))
}

/// "Use with the AWS CLI": idbridge's block in the AWS CLI's config for every profile, as
/// `idbridge configure-aws` writes it (a person's own profile of the same name is kept, never replaced).
/// Returns the profiles written; an error is the one line to show.
#[tauri::command]
pub async fn use_with_aws_cli(state: State<'_, WindowState>) -> Result<Vec<String>, String> {
    let core = state.core.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let config = core.load_config().map_err(|e| e.to_string())?;
        let profiles: Vec<ManagedProfile> = config
            .profiles
            .iter()
            .map(|(name, p)| ManagedProfile { name: name.clone(), region: p.region.clone() })
            .collect();
        let program = cli_program().ok_or("the idbridge command was not found next to this app or on PATH")?;
        let input = input();
        let report =
            config_file::configure(&input.aws_config_file, &input.aws_credentials_file, &program, &profiles, false)
                .map_err(|e| idbridge_core::sys::sanitize::one_line(&e))?;
        eprintln!("idbridge-app: AWS CLI config: {} profiles written", report.outcome.written.len());
        Ok(report.outcome.written)
    })
    .await
    .map_err(|e| e.to_string())?
}

#[cfg(test)]
mod tests {
    use super::*;
    use idbridge_core::app::doctor::Code;

    fn report() -> DoctorReport {
        let mut r = DoctorReport::default();
        r.checks.push(Check {
            id: "discovery",
            subject: "provider a".into(),
            status: Status::Ok,
            message: "found".into(),
            fix: None,
            ..Check::default()
        });
        r.checks.push(Check {
            id: "clock_idp",
            subject: "provider a".into(),
            status: Status::Problem,
            message: "the clock is 5 min off".into(),
            fix: Some("sync the clock".into()),
            ..Check::default()
        });
        r
    }

    #[test]
    fn english_shows_the_doctors_sentences() {
        let v = view(&report(), &Tr::new(), Lang::En);
        assert!(v[0].ok && v[0].message == "found" && v[0].details.is_none(), "{v:?}");
        assert!(!v[1].ok && v[1].fix.as_deref() == Some("sync the clock"), "{v:?}");
        assert!(v[0].label.ends_with(" · provider a") && !v[0].label.starts_with("doctor-"), "{v:?}");
    }

    #[test]
    fn japanese_names_the_check_and_keeps_the_english_as_details() {
        let v = view(&report(), &Tr::new(), Lang::Ja);
        assert_eq!(v[1].details.as_deref(), Some("the clock is 5 min off\n→ sync the clock"));
        assert!(v[1].fix.is_none() && !v[1].message.contains("clock"), "{v:?}");
        assert!(!v[0].label.is_ascii(), "the check's name in Japanese: {v:?}");
    }

    #[test]
    fn every_check_of_the_doctor_has_a_name_in_both_languages() {
        let tr = Tr::new();
        for id in DOCTOR_IDS {
            for lang in [Lang::En, Lang::Ja] {
                let key = format!("doctor-{id}");
                assert_ne!(tr.s(lang, &key), key, "{key} is missing");
            }
        }
    }

    #[test]
    fn a_coded_check_speaks_japanese_under_the_name_of_what_it_checks_and_offers_its_fix() {
        let mut r = DoctorReport::default();
        let mut sts = Check { id: "sts", subject: "STS http://127.0.0.1:9".into(), ..Check::default() };
        sts.status = Status::Problem;
        sts.message = "cannot reach http://127.0.0.1:9: refused".into();
        sts.code = Some(Code::StsUnreachable);
        sts.params.insert("endpoint", "http://127.0.0.1:9".into());
        let mut cli =
            Check { id: "aws_config", status: Status::Problem, code: Some(Code::AwsConfigMissing), ..Check::default() };
        cli.params.insert("file", "/home/a/.aws/config".into());
        cli.params.insert("profile", "dev".into());
        cli.action = Some(Action::ConfigureAws);
        r.checks.extend([sts, cli]);
        let v = view(&r, &Tr::new(), Lang::Ja);
        assert!(v[0].label.starts_with("AWS STS") && !v[0].label.contains("時計"), "{v:?}");
        assert!(v[0].message.contains("http://127.0.0.1:9") && v[0].message.contains("接続できません"), "{v:?}");
        assert!(v[0].fix.as_deref().is_some_and(|f| !f.is_ascii()), "{v:?}");
        assert_eq!(v[0].details.as_deref(), Some("cannot reach http://127.0.0.1:9: refused"));
        assert!(v[1].message.contains("/home/a/.aws/config") && !v[1].message.is_ascii(), "{v:?}");
        assert_eq!(v[1].action, Some(Action::ConfigureAws));
        let en = view(&r, &Tr::new(), Lang::En);
        assert!(en[0].label.starts_with("AWS STS") && en[0].message.contains("could not be reached"), "{en:?}");
    }

    #[test]
    fn a_japanese_row_names_what_it_looked_at_in_japanese_and_an_ok_one_has_no_english_details() {
        let mut ok =
            Check { id: "discovery", subject: "provider a".into(), code: Some(Code::DiscoveryOk), ..Check::default() };
        ok.params.insert("issuer", "https://a/".into());
        let env = Check {
            id: "environment",
            subject: "environment".into(),
            code: Some(Code::EnvironmentOk),
            ..Check::default()
        };
        let r = DoctorReport { checks: vec![ok, env] };
        let v = view(&r, &Tr::new(), Lang::Ja);
        assert_eq!(v[0].label, "ID プロバイダーの検出 · プロバイダー a");
        assert!(v[0].message.contains("https://a/") && v[0].details.is_none(), "{v:?}");
        assert_eq!(v[1].label, "環境変数", "no English subject after the name");
    }

    /// Every code the core's doctor can give (`Code::ALL`, which the core builds from the codes
    /// themselves) has its sentence in both languages, a problem also its fix; and the Japanese row of
    /// each says it, never only "problem, see Details". A check the core makes without a code does not
    /// compile: `DoctorReport::ok` and `problem` take one.
    #[test]
    fn every_coded_check_has_its_sentence_in_both_languages() {
        let tr = Tr::new();
        assert!(Code::ALL.len() > 40, "the doctor's codes: {}", Code::ALL.len());
        for &code in Code::ALL {
            let kinds: &[&str] = if code.is_problem() { &["msg", "fix"] } else { &["msg"] };
            for lang in [Lang::En, Lang::Ja] {
                for kind in kinds {
                    let key = format!("doctor-{kind}-{code}");
                    let text = tr.s(lang, &key);
                    assert_ne!(text, key, "{key} is missing");
                    assert!(lang == Lang::En || !text.is_ascii(), "{key} falls back to English");
                }
            }
            let status = if code.is_problem() { Status::Problem } else { Status::Ok };
            let check = Check { id: "config", status, code: Some(code), fix: Some("x".into()), ..Check::default() };
            let row = check_view(&check, &tr, Lang::Ja);
            let vague = [tr.s(Lang::Ja, "doctor_problem"), tr.s(Lang::Ja, "doctor_ok")];
            assert!(!vague.contains(&row.message), "{code}: {row:?}");
            assert_eq!(row.fix.is_some(), code.is_problem(), "{code}: {row:?}");
        }
    }

    /// The ids the core's doctor uses (`Check::id`); a test keeps the .ftl files complete.
    const DOCTOR_IDS: [&str; 14] = [
        "sts",
        "aws_config",
        "clock_idp",
        "clock_sts",
        "config",
        "credentials",
        "discovery",
        "endpoint",
        "environment",
        "keychain",
        "partition",
        "signed_in",
        "state_dir",
        "static_keys",
    ];
}
