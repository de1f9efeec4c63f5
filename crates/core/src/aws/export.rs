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
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "sh" | "bash" | "zsh" => Ok(Self::Sh),
            "fish" => Ok(Self::Fish),
            "powershell" | "pwsh" => Ok(Self::Powershell),
            "json" => Ok(Self::Json),
            _ => Err(format!("unknown format '{s}': expected sh, fish, powershell or json")),
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

/// Lines a shell evaluates (`eval "$(idbridge env --profile dev)"`), or one JSON object.
pub fn render(format: Format, vars: &[(&'static str, String)]) -> String {
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
            out += &format!("unset {}\n", REMOVED.join(" "));
        }
        Format::Fish => {
            for (k, v) in vars {
                out += &format!("set -gx {k} {}\n", single(&v.replace('\\', "\\\\"), "\\'"));
            }
            out += &format!("set -e {}\n", REMOVED.join(" "));
        }
        Format::Powershell => {
            for (k, v) in vars {
                out += &format!("$Env:{k} = {}\n", single(v, "''"));
            }
            for k in REMOVED {
                out += &format!("Remove-Item Env:{k} -ErrorAction SilentlyContinue\n");
            }
        }
    }
    out
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
        let sh = render(Format::Sh, &vars());
        assert!(sh.contains("export AWS_SECRET_ACCESS_KEY='a'\\''b\\c'\n"), "{sh}");
        assert!(sh.ends_with("unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SECURITY_TOKEN\n"));
        let fish = render(Format::Fish, &vars());
        assert!(fish.contains("set -gx AWS_SECRET_ACCESS_KEY 'a\\'b\\\\c'\n"), "{fish}");
        let ps = render(Format::Powershell, &vars());
        assert!(ps.contains("$Env:AWS_SECRET_ACCESS_KEY = 'a''b\\c'\n"), "{ps}");
        let json: serde_json::Value = serde_json::from_str(&render(Format::Json, &vars())).unwrap();
        assert_eq!(json["AWS_SECRET_ACCESS_KEY"], "a'b\\c");
        assert_eq!(json["AWS_DEFAULT_REGION"], "eu-west-1");
        assert_eq!(json["AWS_CREDENTIAL_EXPIRATION"], "2026-01-01T00:00:00Z");
    }

    #[test]
    fn formats_parse_by_name() {
        assert_eq!("pwsh".parse::<Format>().unwrap(), Format::Powershell);
        assert!("cmd".parse::<Format>().unwrap_err().contains("expected sh, fish, powershell or json"));
    }
}
