//! Changing `config.toml` from the app's Settings window without losing what the person wrote: a
//! format-preserving edit (toml_edit keeps comments, order and spacing), checked by the same rules as a
//! load before it is written atomically.

use std::path::Path;

use toml_edit::{Array, DocumentMut, Item, Table};

use crate::config::{Config, ConfigError, Language, Profile, Provider};

#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot write {path}: {source}")]
    Write { path: String, source: std::io::Error },
    #[error("'{name}' is used by profiles {profiles}: delete or move them first")]
    InUse { name: String, profiles: String },
    /// A new entry, or a rename, under a name the file already has: refused, never a silent replacement.
    #[error("[{section}.{name}] exists: edit it, or choose another name")]
    Exists { section: String, name: String },
}

pub struct ConfigEditor {
    doc: DocumentMut,
}

pub(crate) fn table<'d>(doc: &'d mut DocumentMut, key: &str) -> &'d mut Table {
    let item = doc.entry(key).or_insert_with(|| {
        let mut t = Table::new();
        t.set_implicit(true);
        Item::Table(t)
    });
    if !item.is_table() {
        *item = Item::Table(Table::new());
    }
    item.as_table_mut().expect("just made a table")
}

/// Sets `key` to `v`, or removes it when `v` is None, keeping the key's decoration if it exists.
fn set_opt(t: &mut Table, key: &str, v: Option<toml_edit::Value>) {
    match v {
        Some(v) => match t.get_mut(key).and_then(Item::as_value_mut) {
            Some(existing) => {
                let decor = existing.decor().clone();
                *existing = v;
                *existing.decor_mut() = decor;
            }
            None => {
                t.insert(key, Item::Value(v));
            }
        },
        None => {
            t.remove(key);
        }
    }
}

impl ConfigEditor {
    /// The file as it is (an absent file is an empty config).
    pub fn open(path: &Path) -> Result<Self, ConfigError> {
        let text = crate::config::read_text(path)?.unwrap_or_default();
        let doc = text
            .parse::<DocumentMut>()
            .map_err(|e| ConfigError::Syntax { path: path.to_owned(), message: e.message().to_string() })?;
        Ok(Self { doc })
    }

    pub fn set_provider(&mut self, name: &str, p: &Provider) {
        let providers = table(&mut self.doc, "providers");
        providers.set_implicit(true);
        let t = providers.entry(name).or_insert_with(|| Item::Table(Table::new()));
        let t = t.as_table_mut().expect("a provider is a table");
        set_opt(t, "issuer", Some(p.issuer.as_str().into()));
        set_opt(t, "client_id", Some(p.client_id.as_str().into()));
        set_opt(t, "scopes", Some(Array::from_iter(p.scopes.iter().map(String::as_str)).into()));
        let params = (!p.params.is_empty()).then(|| {
            let mut inline = toml_edit::InlineTable::new();
            for (k, v) in &p.params {
                inline.insert(k, v.as_str().into());
            }
            toml_edit::Value::InlineTable(inline)
        });
        set_opt(t, "params", params);
    }

    pub fn set_profile(&mut self, name: &str, p: &Profile) {
        let profiles = table(&mut self.doc, "profiles");
        profiles.set_implicit(true);
        let t = profiles.entry(name).or_insert_with(|| Item::Table(Table::new()));
        let t = t.as_table_mut().expect("a profile is a table");
        let s = |v: &Option<String>| v.as_deref().map(toml_edit::Value::from);
        set_opt(t, "provider", Some(p.provider.as_str().into()));
        set_opt(t, "role_arn", Some(p.role_arn.as_str().into()));
        set_opt(t, "region", Some(p.region.as_str().into()));
        set_opt(t, "duration_seconds", Some(i64::from(p.duration_seconds).into()));
        set_opt(t, "session_name_claim", s(&p.session_name_claim));
        set_opt(t, "sts_endpoint", s(&p.sts_endpoint));
        set_opt(t, "federation_endpoint", s(&p.federation_endpoint));
        set_opt(t, "console_destination", s(&p.console_destination));
    }

    pub fn remove(&mut self, section: &str, name: &str) -> Result<(), EditError> {
        if section == "providers" {
            let users: Vec<String> = self
                .doc
                .get("profiles")
                .and_then(Item::as_table)
                .map(|t| {
                    t.iter()
                        .filter(|(_, v)| v.get("provider").and_then(Item::as_str) == Some(name))
                        .map(|(k, _)| k.to_string())
                        .collect()
                })
                .unwrap_or_default();
            if !users.is_empty() {
                return Err(EditError::InUse { name: name.to_string(), profiles: users.join(", ") });
            }
        }
        if let Some(t) = self.doc.get_mut(section).and_then(Item::as_table_mut) {
            t.remove(name);
        }
        Ok(())
    }

    /// Whether `[section.name]` is in the file as it is now.
    pub fn exists(&self, section: &str, name: &str) -> bool {
        self.doc.get(section).and_then(Item::as_table_like).is_some_and(|t| t.contains_key(name))
    }

    /// Refuses a name the file already has (for a new entry).
    pub fn check_new(&self, section: &str, name: &str) -> Result<(), EditError> {
        if self.exists(section, name) {
            return Err(EditError::Exists { section: section.to_string(), name: name.to_string() });
        }
        Ok(())
    }

    /// Renames `[section.from]` to `to`, keeping its keys and comments, and points what refers to it
    /// (a profile's `provider`, a chained profile's `source_profile`) at the new name.
    pub fn rename(&mut self, section: &str, from: &str, to: &str) -> Result<(), EditError> {
        if from == to {
            return Ok(());
        }
        self.check_new(section, to)?;
        let Some(t) = self.doc.get_mut(section).and_then(Item::as_table_mut) else { return Ok(()) };
        let Some(entry) = t.remove(from) else { return Ok(()) };
        t.insert(to, entry);
        let reference = match section {
            "providers" => "provider",
            "profiles" => "source_profile",
            _ => return Ok(()),
        };
        if let Some(profiles) = self.doc.get_mut("profiles").and_then(Item::as_table_mut) {
            for (_, p) in profiles.iter_mut() {
                if let Some(v) = p.get_mut(reference).filter(|v| v.as_str() == Some(from))
                    && let Some(v) = v.as_value_mut()
                {
                    let decor = v.decor().clone();
                    *v = to.into();
                    *v.decor_mut() = decor;
                }
            }
        }
        Ok(())
    }

    pub fn set_app(&mut self, notify_minutes: u32, language: Option<Language>) {
        let t = table(&mut self.doc, "app");
        set_opt(t, "notify_before_expiry_minutes", Some(i64::from(notify_minutes).into()));
        set_opt(t, "language", language.map(|l| l.code().into()));
    }

    pub fn text(&self) -> String {
        self.doc.to_string()
    }

    /// Checks the result like a load would, then replaces the file atomically (0600).
    pub fn save(&self, path: &Path) -> Result<Config, EditError> {
        let text = self.text();
        let config = Config::parse(&text, path)?;
        let err = |source| EditError::Write { path: path.display().to_string(), source };
        // a config.toml linked from a dotfiles repository stays a link: its target is replaced
        let target = crate::sys::safe_fs::resolve_link(path).map_err(err)?;
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).map_err(err)?;
        }
        crate::sys::atomic::write_atomically(&target, text.as_bytes(), 0o600).map_err(err)?;
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# my providers\n[providers.auth0]  # the company IdP\nissuer = \"https://a.example.com/\" # keep\nclient_id = \"c\"\n\n[profiles.dev]\nprovider = \"auth0\"\nrole_arn = \"arn:aws:iam::123456789012:role/dev\"\n";

    fn edit(f: impl FnOnce(&mut ConfigEditor)) -> (String, Result<Config, EditError>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, TEXT).unwrap();
        let mut e = ConfigEditor::open(&path).unwrap();
        f(&mut e);
        let saved = e.save(&path);
        (std::fs::read_to_string(&path).unwrap(), saved)
    }

    #[test]
    fn edits_keep_the_persons_comments() {
        let (text, saved) = edit(|e| {
            let mut c = Config::parse(TEXT, Path::new("c")).unwrap();
            let p = c.providers.get_mut("auth0").unwrap();
            p.client_id = "new".into();
            e.set_provider("auth0", p);
            let mut prof = c.profiles["dev"].clone();
            prof.region = "eu-west-1".into();
            e.set_profile("prod", &prof);
            e.set_app(15, Some(Language::Ja));
        });
        saved.unwrap();
        assert!(text.starts_with("# my providers\n[providers.auth0]  # the company IdP\n"), "{text}");
        assert!(text.contains("issuer = \"https://a.example.com/\" # keep\nclient_id = \"new\""), "{text}");
        let c = Config::parse(&text, Path::new("c")).unwrap();
        assert_eq!(c.profiles["prod"].region, "eu-west-1");
        assert_eq!(c.app.language, Some(crate::config::Language::Ja));
    }

    #[test]
    fn an_invalid_result_is_refused_and_the_file_left_alone() {
        let (text, saved) = edit(|e| {
            let mut p = Config::parse(TEXT, Path::new("c")).unwrap().providers["auth0"].clone();
            p.issuer = "http://not-loopback.example.com/".into();
            e.set_provider("auth0", &p);
        });
        assert!(saved.unwrap_err().to_string().contains("providers.auth0.issuer"));
        assert_eq!(text, TEXT);
    }

    #[test]
    fn a_new_entry_under_an_existing_name_is_refused() {
        let (text, _) = edit(|e| {
            assert!(e.exists("profiles", "dev") && !e.exists("profiles", "prod"));
            let err = e.check_new("profiles", "dev").unwrap_err();
            assert_eq!(err.to_string(), "[profiles.dev] exists: edit it, or choose another name");
            assert!(matches!(e.check_new("providers", "auth0"), Err(EditError::Exists { .. })));
            e.check_new("providers", "other").unwrap();
        });
        assert_eq!(text, TEXT);
    }

    #[test]
    fn a_rename_keeps_the_entry_and_moves_what_refers_to_it() {
        let (text, saved) = edit(|e| {
            e.rename("providers", "auth0", "corp").unwrap();
            e.rename("profiles", "dev", "staging").unwrap();
            // a rename onto a name in use is refused like a new entry
            let err = e.rename("profiles", "staging", "staging").map(|()| e.check_new("providers", "corp"));
            assert!(matches!(err, Ok(Err(EditError::Exists { .. }))));
        });
        saved.unwrap();
        assert!(
            text.contains("[providers.corp]  # the company IdP\nissuer = \"https://a.example.com/\" # keep"),
            "{text}"
        );
        let c = Config::parse(&text, Path::new("c")).unwrap();
        assert_eq!(c.profiles["staging"].provider, "corp");
        assert!(!c.profiles.contains_key("dev") && !c.providers.contains_key("auth0"));
    }

    #[test]
    fn a_provider_in_use_cannot_be_removed() {
        let (_, saved) = edit(|e| {
            let err = e.remove("providers", "auth0").unwrap_err();
            assert_eq!(err.to_string(), "'auth0' is used by profiles dev: delete or move them first");
            e.remove("profiles", "dev").unwrap();
            e.remove("providers", "auth0").unwrap();
        });
        let c = saved.unwrap();
        assert!(c.providers.is_empty() && c.profiles.is_empty());
    }
}
