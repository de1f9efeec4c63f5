//! Role credentials as environment variables, for tools that do not read `~/.aws/config`
//! (`idbridge exec` and `idbridge env`).

use crate::aws::credentials::{Credentials, format_expiration};

/// Variables that would make a child pick other credentials than the ones handed to it.
pub const REMOVED: [&str; 3] = ["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Sh,
    Fish,
    Powershell,
    Json,
    /// `KEY=value` lines, as `aws configure export-credentials --format env-no-export` (docker --env-file).
    EnvNoExport,
    /// `set "KEY=value"` lines for cmd.exe.
    WindowsCmd,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "sh" | "bash" | "zsh" => Ok(Self::Sh),
            "fish" => Ok(Self::Fish),
            "powershell" | "pwsh" => Ok(Self::Powershell),
            "json" => Ok(Self::Json),
            "env-no-export" => Ok(Self::EnvNoExport),
            "windows-cmd" | "cmd" => Ok(Self::WindowsCmd),
            _ => {
                Err(format!("unknown format '{s}': expected sh, fish, powershell, json, env-no-export or windows-cmd"))
            }
        }
    }
}

/// The variables to set, in a stable order.
pub fn variables(c: &Credentials, region: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ACCESS_KEY_ID", c.access_key_id.clone()),
        ("AWS_SECRET_ACCESS_KEY", c.secret_access_key.expose().to_string()),
        ("AWS_SESSION_TOKEN", c.session_token.expose().to_string()),
        ("AWS_CREDENTIAL_EXPIRATION", format_expiration(c.expiration)),
        ("AWS_REGION", region.to_string()),
        ("AWS_DEFAULT_REGION", region.to_string()),
    ]
}

/// What a format without quoting (env-no-export, windows-cmd) can carry: keys, tokens, dates, regions.
fn is_unquotable(value: &str) -> bool {
    value.chars().all(|c| c.is_ascii_alphanumeric() || "+/=._:-".contains(c))
}

/// Lines a shell evaluates (`eval "$(idbridge env --profile dev)"`), or one JSON object. `Err` names a
/// variable whose value a format without quoting cannot carry.
pub fn render(format: Format, vars: &[(&'static str, String)]) -> Result<String, String> {
    render_removing(format, vars, &REMOVED)
}

/// [`render`], with `removed` as the variables to unset (the sh, fish, PowerShell and cmd forms).
pub fn render_removing(format: Format, vars: &[(&'static str, String)], removed: &[&str]) -> Result<String, String> {
    if matches!(format, Format::EnvNoExport | Format::WindowsCmd)
        && let Some((k, _)) = vars.iter().find(|(_, v)| !is_unquotable(v))
    {
        return Err(format!("{k} holds characters this format cannot quote: use sh, powershell or json"));
    }
    let single = |v: &str, escaped: &str| format!("'{}'", v.replace('\'', escaped));
    let mut out = String::new();
    match format {
        Format::Json => {
            let map: serde_json::Map<String, serde_json::Value> =
                vars.iter().map(|(k, v)| (k.to_string(), v.clone().into())).collect();
            out = serde_json::Value::Object(map).to_string() + "\n";
        }
        Format::Sh => {
            for (k, v) in vars {
                out += &format!("export {k}={}\n", single(v, "'\\''"));
            }
            out += &format!("unset {}\n", removed.join(" "));
        }
        Format::Fish => {
            for (k, v) in vars {
                out += &format!("set -gx {k} {}\n", single(&v.replace('\\', "\\\\"), "\\'"));
            }
            out += &format!("set -e {}\n", removed.join(" "));
        }
        Format::Powershell => {
            for (k, v) in vars {
                out += &format!("$Env:{k} = {}\n", single(v, "''"));
            }
            for k in removed {
                out += &format!("Remove-Item Env:{k} -ErrorAction SilentlyContinue\n");
            }
        }
        Format::EnvNoExport => {
            for (k, v) in vars {
                out += &format!("{k}={v}\n");
            }
        }
        Format::WindowsCmd => {
            for (k, v) in vars {
                out += &format!("set \"{k}={v}\"\r\n");
            }
            for k in removed {
                out += &format!("set \"{k}=\"\r\n");
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::secret::Secret;

    fn vars() -> Vec<(&'static str, String)> {
        let c = Credentials {
            access_key_id: "ASIA1".into(),
            secret_access_key: Secret::new("a'b\\c"),
            session_token: Secret::new("tok"),
            expiration: time::macros::datetime!(2026-01-01 00:00 UTC),
        };
        variables(&c, "eu-west-1")
    }

    #[test]
    fn each_shell_gets_its_own_quoting() {
        let r = |f| render(f, &vars()).unwrap();
        let sh = r(Format::Sh);
        assert!(sh.contains("export AWS_SECRET_ACCESS_KEY='a'\\''b\\c'\n"), "{sh}");
        assert!(sh.ends_with("unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SECURITY_TOKEN\n"));
        let fish = r(Format::Fish);
        assert!(fish.contains("set -gx AWS_SECRET_ACCESS_KEY 'a\\'b\\\\c'\n"), "{fish}");
        let ps = r(Format::Powershell);
        assert!(ps.contains("$Env:AWS_SECRET_ACCESS_KEY = 'a''b\\c'\n"), "{ps}");
        let json: serde_json::Value = serde_json::from_str(&r(Format::Json)).unwrap();
        assert_eq!(json["AWS_SECRET_ACCESS_KEY"], "a'b\\c");
        assert_eq!(json["AWS_DEFAULT_REGION"], "eu-west-1");
        assert_eq!(json["AWS_CREDENTIAL_EXPIRATION"], "2026-01-01T00:00:00Z");
    }

    #[test]
    fn formats_without_quoting_carry_only_plain_values() {
        let plain = variables(&crate::aws::credentials::sample(), "eu-west-1");
        let env = render(Format::EnvNoExport, &plain).unwrap();
        assert!(env.starts_with("AWS_ACCESS_KEY_ID=ASIAEXAMPLE\nAWS_SECRET_ACCESS_KEY=s3cr3t\n"), "{env}");
        assert!(!env.contains("export") && !env.contains("unset"));
        let cmd = render(Format::WindowsCmd, &plain).unwrap();
        assert!(cmd.contains("set \"AWS_REGION=eu-west-1\"\r\n") && cmd.ends_with("set \"AWS_SECURITY_TOKEN=\"\r\n"));
        let e = render(Format::EnvNoExport, &vars()).unwrap_err();
        assert!(e.starts_with("AWS_SECRET_ACCESS_KEY holds characters"), "{e}");
        assert!(render(Format::WindowsCmd, &vars()).is_err());
    }

    #[test]
    fn formats_parse_by_name() {
        assert_eq!("pwsh".parse::<Format>().unwrap(), Format::Powershell);
        assert_eq!("env-no-export".parse::<Format>().unwrap(), Format::EnvNoExport);
        assert_eq!("windows-cmd".parse::<Format>().unwrap(), Format::WindowsCmd);
        assert!("csh".parse::<Format>().unwrap_err().contains("env-no-export or windows-cmd"));
    }
}
