//! The AWS half of the recipe, written out for a person to paste: the IAM OIDC identity provider for a
//! profile's IdP and the role's trust policy. Nothing here calls AWS: setting up IAM needs an
//! administrator's credentials, which idbridge never holds.

use serde::Serialize;

use crate::app::Idbridge;
use crate::app::error::Result;
use crate::config::{Profile, Provider};
use crate::oidc::id_token::IdClaims;

/// Everything `idbridge aws-setup` prints.
#[derive(Debug, Clone, Serialize)]
pub struct AwsSetup {
    pub profile: String,
    pub provider: String,
    /// The URL to register: exactly the issuer (IAM compares it with the token's `iss`).
    pub issuer: String,
    pub client_id: String,
    pub account: String,
    pub partition: String,
    pub role_name: String,
    /// arn:PARTITION:iam::ACCOUNT:oidc-provider/ISSUER-WITHOUT-SCHEME
    pub oidc_provider_arn: String,
    /// The `aws iam create-open-id-connect-provider` command as argv and as one shell line.
    pub create_provider_argv: Vec<String>,
    pub create_provider_command: String,
    /// The role's trust policy (JSON document).
    pub trust_policy: serde_json::Value,
    /// `aws iam create-role` with the trust policy from a file, as one shell line.
    pub create_role_command: String,
    /// The `sub` of the person's stored ID token, when they have signed in.
    pub subject: Option<String>,
    /// Things to know before pasting (http issuer, missing sign-in...).
    pub notes: Vec<String>,
}

impl Idbridge {
    /// The IAM side for one profile. Reads the keychain (blocking) for the `sub` of a past sign-in; a
    /// keychain that cannot be asked only leaves the `sub` condition out, with a note.
    pub fn aws_setup(&self, profile_name: &str) -> Result<AwsSetup> {
        let config = self.load_config()?;
        let profile = config.profile(profile_name, &self.paths.config_file)?;
        let provider = config.provider(&profile.provider, &self.paths.config_file)?;
        let mut notes = Vec::new();
        let subject = match self.store.load(&profile.provider) {
            Ok(Some(t)) if t.belongs_to(provider) => IdClaims::decode(t.id_token.expose()).ok().map(|c| c.subject),
            Ok(_) => None,
            Err(e) => {
                notes.push(format!("the keychain could not be read ({e}); the `sub` condition is left out"));
                None
            }
        };
        if subject.is_none() {
            notes.push(format!(
                "sign in first (`idbridge login --profile {profile_name}`) to get a trust policy limited to your own `sub`"
            ));
        }
        let mut setup = build(profile_name, profile, provider, subject, notes);
        if let Some(source) = &profile.source_profile {
            let source_arn = &config.profile(source, &self.paths.config_file)?.role_arn;
            chained(&mut setup, profile, source, source_arn);
        }
        Ok(setup)
    }
}

/// A chained role trusts the source profile's role (sts:AssumeRole), not the IdP: no OIDC provider to
/// register for it.
fn chained(s: &mut AwsSetup, profile: &Profile, source: &str, source_arn: &str) {
    let mut statement = serde_json::json!({
        "Effect": "Allow",
        "Principal": { "AWS": source_arn },
        "Action": "sts:AssumeRole",
    });
    if let Some(id) = &profile.external_id {
        statement["Condition"] = serde_json::json!({ "StringEquals": { "sts:ExternalId": id } });
    }
    s.trust_policy = serde_json::json!({ "Version": "2012-10-17", "Statement": [statement] });
    s.create_provider_argv.clear();
    s.create_provider_command.clear();
    s.notes = vec![format!(
        "'{}' chains from profile '{source}': its role trusts {source_arn}, which also needs permission for sts:AssumeRole on {}",
        s.profile, profile.role_arn
    )];
}

fn build(
    profile_name: &str,
    profile: &Profile,
    provider: &Provider,
    subject: Option<String>,
    mut notes: Vec<String>,
) -> AwsSetup {
    // config validation guarantees arn:PARTITION:iam::ACCOUNT:role/PATH/NAME
    let parts: Vec<&str> = profile.role_arn.splitn(6, ':').collect();
    let (partition, account) = (parts[1].to_string(), parts[4].to_string());
    let role_path = parts[5].trim_start_matches("role/");
    let role_name = role_path.rsplit('/').next().unwrap_or(role_path).to_string();
    let host_path = condition_prefix(&provider.issuer);
    let oidc_provider_arn = format!("arn:{partition}:iam::{account}:oidc-provider/{host_path}");
    if !provider.issuer.starts_with("https://") {
        notes.push(format!("IAM accepts only https:// provider URLs; {} is a local test issuer", provider.issuer));
    }
    let trust_policy = trust_policy(&oidc_provider_arn, &host_path, &provider.client_id, subject.as_deref());
    let create_provider_argv: Vec<String> = [
        "aws",
        "iam",
        "create-open-id-connect-provider",
        "--url",
        &provider.issuer,
        "--client-id-list",
        &provider.client_id,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let create_provider_command = command_line(&create_provider_argv);
    let create_role_command = command_line(&create_role_argv(role_path, &role_name, profile.duration_seconds));
    AwsSetup {
        profile: profile_name.to_string(),
        provider: profile.provider.clone(),
        issuer: provider.issuer.clone(),
        client_id: provider.client_id.clone(),
        account,
        partition,
        role_name,
        oidc_provider_arn,
        create_provider_argv,
        create_provider_command,
        trust_policy,
        create_role_command,
        subject,
        notes,
    }
}

/// Trusts web identities of this provider's client (and, once known, this person only).
fn trust_policy(oidc_provider_arn: &str, host_path: &str, client_id: &str, subject: Option<&str>) -> serde_json::Value {
    let mut equals = serde_json::Map::new();
    equals.insert(format!("{host_path}:aud"), client_id.into());
    if let Some(sub) = subject {
        equals.insert(format!("{host_path}:sub"), sub.into());
    }
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": { "Federated": oidc_provider_arn },
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": { "StringEquals": equals },
        }],
    })
}

/// `aws iam create-role` for `role/PATH/NAME`, allowing the session length the profile asks for.
fn create_role_argv(role_path: &str, role_name: &str, duration_seconds: u32) -> Vec<String> {
    let mut argv: Vec<String> = ["aws", "iam", "create-role", "--role-name", role_name]
        .into_iter()
        .chain(["--assume-role-policy-document", "file://trust-policy.json"])
        .map(String::from)
        .collect();
    let prefix = &role_path[..role_path.len() - role_name.len()];
    if !prefix.is_empty() {
        argv.extend(["--path".to_string(), format!("/{prefix}")]);
    }
    if duration_seconds > 3600 {
        argv.extend(["--max-session-duration".to_string(), duration_seconds.to_string()]);
    }
    argv
}

fn command_line(argv: &[String]) -> String {
    argv.iter().map(|a| shell_quote(a)).collect::<Vec<_>>().join(" ")
}

/// The issuer without its scheme: the name IAM gives the provider and the prefix of its condition keys
/// (`HOST/PATH:aud`). A trailing '/' stays, since IAM matches the token's `iss` with it.
pub fn condition_prefix(issuer: &str) -> String {
    issuer.split_once("://").map_or(issuer, |(_, rest)| rest).to_string()
}

/// POSIX single quotes when needed, so the line pastes into any sh-like shell unchanged.
pub fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:=@+,%".contains(c));
    if plain { s.to_string() } else { format!("'{}'", s.replace('\'', "'\\''")) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn config(issuer: &str, role: &str, duration: u32) -> Config {
        let text = format!(
            "[providers.a]\nissuer='{issuer}'\nclient_id='cid 1'\n[profiles.dev]\nprovider='a'\n\
             role_arn='{role}'\nduration_seconds={duration}\n"
        );
        Config::parse(&text, std::path::Path::new("c.toml")).unwrap()
    }

    #[test]
    fn the_provider_url_is_the_issuer_exactly_and_the_policy_names_aud_and_sub() {
        let c = config("https://dev-x.us.auth0.com/", "arn:aws:iam::123456789012:role/team/dev", 7200);
        let s = build("dev", &c.profiles["dev"], &c.providers["a"], Some("auth0|abc".into()), vec![]);
        assert_eq!(
            s.create_provider_command,
            "aws iam create-open-id-connect-provider --url https://dev-x.us.auth0.com/ --client-id-list 'cid 1'"
        );
        assert_eq!(s.oidc_provider_arn, "arn:aws:iam::123456789012:oidc-provider/dev-x.us.auth0.com/");
        let cond = &s.trust_policy["Statement"][0]["Condition"]["StringEquals"];
        assert_eq!(cond["dev-x.us.auth0.com/:aud"], "cid 1");
        assert_eq!(cond["dev-x.us.auth0.com/:sub"], "auth0|abc");
        assert_eq!(
            s.create_role_command,
            "aws iam create-role --role-name dev --assume-role-policy-document file://trust-policy.json \
             --path /team/ --max-session-duration 7200"
        );
        assert!(s.notes.is_empty());
    }

    #[test]
    fn partitions_and_http_issuers_are_handled() {
        let c = config("http://127.0.0.1:9/", "arn:aws-cn:iam::123456789012:role/dev", 3600);
        let s = build("dev", &c.profiles["dev"], &c.providers["a"], None, vec![]);
        assert_eq!(s.oidc_provider_arn, "arn:aws-cn:iam::123456789012:oidc-provider/127.0.0.1:9/");
        assert!(s.trust_policy["Statement"][0]["Condition"]["StringEquals"].get("127.0.0.1:9/:sub").is_none());
        assert!(s.notes[0].contains("only https://"), "{:?}", s.notes);
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
    }
}
