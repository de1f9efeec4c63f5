//! Every string a person sees, in English and Japanese, from Project Fluent files (`locales/*.ftl`):
//! plural forms and placeholders without code, and one source for the menu, notifications, errors and
//! the web views (they receive the resolved table from [`Tr::table`]).

use std::collections::BTreeMap;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// The core's language type: one for config.toml, the tray, the windows and the loopback page.
pub use idbridge_core::config::Language as Lang;

/// The configured language, else the OS locale, else English.
pub fn pick(configured: Option<Lang>) -> Lang {
    configured.unwrap_or_else(|| sys_locale::get_locale().map_or(Lang::En, |tag| Lang::of_tag(&tag)))
}

/// The one short sentence for an error code (the human error layer): the core's codes and the
/// windows' own (`browser`, `window`, …); an unknown code gets the generic sentence.
pub fn reason(tr: &Tr, lang: Lang, code: &str) -> String {
    let id = format!("err-{code}");
    let text = tr.s(lang, &id);
    if text == id { tr.s(lang, "err-unknown") } else { text }
}

const SOURCES: [(Lang, &str); 2] =
    [(Lang::En, include_str!("../locales/en.ftl")), (Lang::Ja, include_str!("../locales/ja.ftl"))];

/// The translations, built once per process and passed to whoever renders text (no global).
pub struct Tr {
    bundles: Vec<(Lang, FluentBundle<FluentResource>)>,
}

impl Default for Tr {
    fn default() -> Self {
        Self::new()
    }
}

impl Tr {
    pub fn new() -> Self {
        let bundles = SOURCES
            .iter()
            .map(|(lang, source)| {
                let locale = lang.code().parse().unwrap_or_default();
                let mut bundle = FluentBundle::new_concurrent(vec![locale]);
                // the menu and notifications are plain text: no Unicode isolation marks around values
                bundle.set_use_isolating(false);
                // the files are ours and checked by a unit test; a broken entry only loses that entry
                let resource = FluentResource::try_new((*source).to_string()).unwrap_or_else(|(partial, _)| partial);
                let _ = bundle.add_resource(resource);
                (*lang, bundle)
            })
            .collect();
        Self { bundles }
    }

    fn bundle(&self, lang: Lang) -> Option<&FluentBundle<FluentResource>> {
        self.bundles.iter().find(|(l, _)| *l == lang).map(|(_, b)| b)
    }

    /// The message `id` with `args` (name, value) filled in; English when the language lacks it, the id
    /// itself when both do (a visible slip rather than a crash).
    pub fn t(&self, lang: Lang, id: &str, args: &[(&str, Arg<'_>)]) -> String {
        let mut fargs = FluentArgs::new();
        for (name, value) in args {
            match value {
                Arg::Str(s) => fargs.set(*name, FluentValue::from(*s)),
                Arg::Num(n) => fargs.set(*name, FluentValue::from(*n)),
            }
        }
        for l in [lang, Lang::En] {
            let Some(bundle) = self.bundle(l) else { continue };
            if let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) {
                let mut errors = Vec::new();
                return bundle.format_pattern(pattern, Some(&fargs), &mut errors).trim_end().to_string();
            }
        }
        id.to_string()
    }

    /// A plain message without placeholders.
    pub fn s(&self, lang: Lang, id: &str) -> String {
        self.t(lang, id, &[])
    }

    /// Every message of a language for a web view; placeholders stay as `{$name}` for the page to fill.
    pub fn table(&self, lang: Lang) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let Some(bundle) = self.bundle(lang) else { return out };
        for (_, source) in SOURCES.iter().filter(|(l, _)| *l == lang) {
            for id in message_ids(source) {
                if let Some(pattern) = bundle.get_message(&id).and_then(|m| m.value()) {
                    let mut errors = Vec::new();
                    // a missing variable is written back as `{$name}`, which is what the page replaces
                    out.insert(id, bundle.format_pattern(pattern, None, &mut errors).trim_end().to_string());
                }
            }
        }
        out
    }
}

#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    Str(&'a str),
    Num(i64),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(s: &'a str) -> Self {
        Arg::Str(s)
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(s: &'a String) -> Self {
        Arg::Str(s)
    }
}

impl From<i64> for Arg<'_> {
    fn from(n: i64) -> Self {
        Arg::Num(n)
    }
}

fn message_ids(source: &str) -> Vec<String> {
    source
        .lines()
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
        .filter_map(|l| l.split_once(" =").map(|(id, _)| id.trim().to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_parse_and_have_the_same_messages() {
        for (lang, source) in SOURCES {
            if let Err((_, errors)) = FluentResource::try_new(source.to_string()) {
                panic!("{lang:?}: {errors:?}");
            }
        }
        let en: Vec<_> = message_ids(SOURCES[0].1);
        let ja: Vec<_> = message_ids(SOURCES[1].1);
        let missing: Vec<_> = en.iter().filter(|k| !ja.contains(k)).collect();
        let extra: Vec<_> = ja.iter().filter(|k| !en.contains(k)).collect();
        assert!(missing.is_empty() && extra.is_empty(), "ja lacks {missing:?}, has extra {extra:?}");
        let tr = Tr::new();
        assert_eq!(tr.table(Lang::Ja).len(), ja.len(), "every Japanese message resolves");
    }

    #[test]
    fn every_core_error_code_has_a_sentence_in_both_languages() {
        let tr = Tr::new();
        for lang in Lang::ALL {
            // the language's own table: a lookup would fall back to English
            let table = tr.table(lang);
            for code in idbridge_core::ErrorCode::ALL {
                assert!(table.contains_key(&format!("err-{code}")), "{lang:?} has no sentence for {code}");
            }
        }
    }

    #[test]
    fn placeholders_and_plurals() {
        let tr = Tr::new();
        assert_eq!(tr.t(Lang::En, "menu-sign-in", &[("provider", "auth0".into())]), "Sign in to auth0…");
        assert_eq!(tr.t(Lang::Ja, "menu-sign-in", &[("provider", "auth0".into())]), "auth0 にサインイン…");
        let body =
            |n| tr.t(Lang::En, "note-signed-in-body", &[("who", "alice@example.com".into()), ("count", Arg::Num(n))]);
        assert_eq!(body(1), "alice@example.com · 1 profile ready");
        assert_eq!(body(2), "alice@example.com · 2 profiles ready");
        assert_eq!(tr.table(Lang::En)["signin_expires"], "The code expires in {$time}");
        assert_eq!(tr.s(Lang::Ja, "no-such-message"), "no-such-message");
    }
}
