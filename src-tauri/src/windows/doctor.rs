//! Settings' "Check setup": the core's doctor (the same checks as `idbridge doctor`), each check as a
//! line the window shows: its name in the person's language, ok or the problem and what to do. The
//! doctor's own sentences are English: in another language they are the Details text.

use std::path::{Path, PathBuf};

use idbridge_core::app::doctor::{Check, DoctorInput, DoctorReport, Status};
use serde::Serialize;
use tauri::State;

use crate::i18n::{Lang, Tr};
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
    let details = match (&c.fix, english) {
        (_, true) => None,
        (Some(fix), false) => Some(format!("{}\n→ {fix}", c.message)),
        (None, false) => Some(c.message.clone()),
    };
    CheckView {
        id: c.id.to_string(),
        label: format!("{name} · {}", c.subject),
        ok,
        message: if english { c.message.clone() } else { tr.s(lang, if ok { "doctor_ok" } else { "doctor_problem" }) },
        fix: if english { c.fix.clone() } else { None },
        details,
    }
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

fn input() -> DoctorInput {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> DoctorReport {
        let mut r = DoctorReport::default();
        r.checks.push(Check {
            id: "discovery",
            subject: "provider a".into(),
            status: Status::Ok,
            message: "found".into(),
            fix: None,
        });
        r.checks.push(Check {
            id: "clock_idp",
            subject: "provider a".into(),
            status: Status::Problem,
            message: "the clock is 5 min off".into(),
            fix: Some("sync the clock".into()),
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

    /// The ids the core's doctor uses (`Check::id`); a test keeps the .ftl files complete.
    const DOCTOR_IDS: [&str; 13] = [
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
