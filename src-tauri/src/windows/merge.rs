//! A Save written against config.toml as it is on disk now: only the fields the person changed in the
//! form (form ≠ what the form was filled with) are written; every other field keeps what the file has,
//! so a key another program or the person's editor changed meanwhile is not lost.

use idbridge_core::config::{Profile, Provider};

use crate::windows::settings::{ProfileForm, ProviderForm};

/// `new` was built from the form; its unchanged fields take the file's values again.
pub fn provider(new: &mut Provider, form: &ProviderForm, base: &ProviderForm, disk: &Provider) {
    if form.issuer == base.issuer {
        new.issuer.clone_from(&disk.issuer);
    }
    if form.client_id == base.client_id {
        new.client_id.clone_from(&disk.client_id);
    }
    if form.scopes == base.scopes {
        new.scopes.clone_from(&disk.scopes);
    }
}

pub fn profile(new: &mut Profile, form: &ProfileForm, base: &ProfileForm, disk: &Profile) {
    if form.provider == base.provider {
        new.provider.clone_from(&disk.provider);
    }
    if form.role_arn == base.role_arn {
        new.role_arn.clone_from(&disk.role_arn);
    }
    if form.region == base.region {
        new.region.clone_from(&disk.region);
    }
    // also keeps seconds that are not whole minutes
    if form.duration_minutes == base.duration_minutes {
        new.duration_seconds = disk.duration_seconds;
    }
    if form.session_name_claim == base.session_name_claim {
        new.session_name_claim.clone_from(&disk.session_name_claim);
    }
    if form.console_destination == base.console_destination {
        new.console_destination.clone_from(&disk.console_destination);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(region: &str, claim: Option<&str>) -> ProfileForm {
        ProfileForm {
            provider: "corp".into(),
            role_arn: "arn:aws:iam::123456789012:role/dev".into(),
            region: region.into(),
            duration_minutes: 60,
            session_name_claim: claim.map(Into::into),
            console_destination: None,
        }
    }

    fn profile_of(f: &ProfileForm) -> Profile {
        let text = format!(
            "[providers.corp]\nissuer = \"https://idp.example.com/\"\nclient_id = \"c\"\n[profiles.dev]\nprovider = \"corp\"\nrole_arn = \"{}\"\nregion = \"{}\"\n",
            f.role_arn, f.region
        );
        let c = idbridge_core::config::Config::parse(&text, std::path::Path::new("c")).unwrap();
        Profile { session_name_claim: f.session_name_claim.clone(), ..c.profiles["dev"].clone() }
    }

    #[test]
    fn the_persons_change_is_written_and_a_key_added_on_disk_meanwhile_is_kept() {
        let base = form("us-east-1", None);
        let edited = form("eu-west-1", None);
        let disk = profile_of(&form("us-east-1", Some("email")));
        let mut new = profile_of(&edited);
        profile(&mut new, &edited, &base, &disk);
        assert_eq!(new.region, "eu-west-1");
        assert_eq!(new.session_name_claim.as_deref(), Some("email"));
    }

    #[test]
    fn a_field_the_person_cleared_is_cleared() {
        let base = form("us-east-1", Some("email"));
        let edited = form("us-east-1", None);
        let disk = profile_of(&base);
        let mut new = profile_of(&edited);
        profile(&mut new, &edited, &base, &disk);
        assert_eq!(new.session_name_claim, None);
    }
}
