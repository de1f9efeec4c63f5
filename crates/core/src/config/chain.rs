//! Role chaining in config.toml: which provider a chained profile signs in with (its root's), and the
//! limits AWS puts on a chained session.

use std::path::Path;

use super::{CHAINED_MAX_DURATION_SECONDS, Config, ConfigError, MAX_CHAIN_DEPTH, Profile};

/// Fills in the provider of each chained profile from the root of its chain, refusing unknown sources,
/// loops and chains longer than [`MAX_CHAIN_DEPTH`].
pub(crate) fn resolve_providers(config: &mut Config, path: &Path) -> Result<(), ConfigError> {
    let invalid = |name: &str, key: &str, expected: String| ConfigError::Invalid {
        path: path.to_owned(),
        key: format!("profiles.{name}.{key}"),
        expected,
    };
    let mut roots = Vec::new();
    for (name, p) in &config.profiles {
        let Some(mut source) = p.source_profile.clone() else {
            if p.provider.is_empty() {
                return Err(invalid(
                    name,
                    "provider",
                    "the name of a [providers.NAME] section (or source_profile = \"PROFILE\" to chain roles)".into(),
                ));
            }
            continue;
        };
        let mut seen = vec![name.clone()];
        let root = loop {
            let Some(s) = config.profiles.get(&source) else {
                return Err(invalid(
                    name,
                    "source_profile",
                    format!("the name of another profile; '{source}' is not one"),
                ));
            };
            if seen.contains(&source) {
                return Err(invalid(
                    name,
                    "source_profile",
                    format!("a chain that ends at a sign-in, not a loop ({} -> {source})", seen.join(" -> ")),
                ));
            }
            if seen.len() > MAX_CHAIN_DEPTH {
                return Err(invalid(name, "source_profile", format!("a chain of at most {MAX_CHAIN_DEPTH} roles")));
            }
            seen.push(source.clone());
            match &s.source_profile {
                Some(next) => source = next.clone(),
                None => break s.provider.clone(),
            }
        };
        if !p.provider.is_empty() && p.provider != root {
            return Err(invalid(name, "provider", format!("'{root}' (the provider of its source profile) or nothing")));
        }
        roots.push((name.clone(), root));
    }
    for (name, root) in roots {
        if let Some(p) = config.profiles.get_mut(&name) {
            p.provider = root;
        }
    }
    Ok(())
}

/// Checks of a chained profile's own settings: (key, what is expected).
pub(crate) fn validate(p: &Profile) -> Result<(), (&'static str, String)> {
    if p.source_profile.is_none() {
        return match p.external_id {
            Some(_) => Err(("external_id", "only together with source_profile (role chaining)".into())),
            None => Ok(()),
        };
    }
    if p.duration_seconds > CHAINED_MAX_DURATION_SECONDS {
        return Err((
            "duration_seconds",
            format!(
                "at most {CHAINED_MAX_DURATION_SECONDS} for a chained role: AWS limits role-chained sessions to one hour (got {})",
                p.duration_seconds
            ),
        ));
    }
    if let Some(id) = &p.external_id
        && !((2..=1224).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@:/-_".contains(c)))
    {
        return Err(("external_id", "2 to 1224 characters of letters, digits and +=,.@:/-_".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use std::path::Path;

    const BASE: &str = "[providers.p]\nissuer='https://i.example.com/'\nclient_id='c'\n\
        [profiles.dev]\nprovider='p'\nrole_arn='arn:aws:iam::123456789012:role/dev'\n";

    fn load(extra: &str) -> Result<Config, String> {
        Config::parse(&format!("{BASE}{extra}"), Path::new("c.toml")).map_err(|e| e.to_string())
    }

    #[test]
    fn a_chained_profile_takes_the_provider_of_its_root() {
        let c = load("[profiles.deploy]\nsource_profile='dev'\nrole_arn='arn:aws:iam::210987654321:role/deploy'\n\
                      external_id='team-42'\n[profiles.deeper]\nsource_profile='deploy'\nrole_arn='arn:aws:iam::210987654321:role/x'\n")
            .unwrap();
        assert_eq!(c.profiles["deploy"].provider, "p");
        assert_eq!(c.profiles["deeper"].provider, "p");
        assert_eq!(c.profiles_of("p").count(), 3);
    }

    #[test]
    fn chains_are_checked() {
        let arn = "role_arn='arn:aws:iam::123456789012:role/x'";
        let cases = [
            (
                format!("[profiles.a]\nsource_profile='nope'\n{arn}\n"),
                "profiles.a.source_profile: the name of another profile; 'nope'",
            ),
            (
                format!("[profiles.a]\nsource_profile='b'\n{arn}\n[profiles.b]\nsource_profile='a'\n{arn}\n"),
                "not a loop",
            ),
            (
                format!("[profiles.a]\nsource_profile='dev'\nduration_seconds=7200\n{arn}\n"),
                "at most 3600 for a chained role",
            ),
            (format!("[profiles.a]\nsource_profile='dev'\nprovider='other'\n{arn}\n"), "profiles.a.provider: 'p'"),
            (
                format!("[profiles.a]\n{arn}\n"),
                "profiles.a.provider: the name of a [providers.NAME] section (or source_profile",
            ),
            (format!("[profiles.a]\nprovider='p'\nexternal_id='x1'\n{arn}\n"), "only together with source_profile"),
            (format!("[profiles.a]\nsource_profile='dev'\nexternal_id='bad id!'\n{arn}\n"), "profiles.a.external_id"),
        ];
        for (extra, expected) in cases {
            let e = load(&extra).unwrap_err();
            assert!(e.contains(expected), "{extra}: {e}");
        }
    }
}
