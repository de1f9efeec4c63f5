//! Where in config.toml a load failed, for a person to fix it: the line and the dotted key
//! (`providers.corp.issuer`), found from the error and the file's text.

use crate::config::ConfigError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spot {
    /// 1-based, as editors count.
    pub line: Option<usize>,
    /// The setting's full name, e.g. `providers.corp.issuer`.
    pub key: Option<String>,
    /// An unknown key (a typo, or a setting of another version), rather than a wrong value.
    pub unknown: bool,
}

pub fn spot(text: &str, err: &ConfigError) -> Option<Spot> {
    match err {
        ConfigError::Invalid { key, .. } => {
            Some(Spot { line: line_of_key(text, key), key: Some(key.clone()), unknown: false })
        }
        ConfigError::Syntax { message, .. } => {
            let line =
                message.rsplit_once("(line ").and_then(|(_, rest)| rest.trim_end_matches(')').parse::<usize>().ok());
            let field = message.strip_prefix("unknown field `").and_then(|m| m.split('`').next());
            let key = field.zip(line).map(|(f, l)| match table_at(text, l) {
                Some(table) => format!("{table}.{f}"),
                None => f.to_string(),
            });
            Some(Spot { line, key, unknown: field.is_some() })
        }
        _ => None,
    }
}

fn header(line: &str) -> Option<String> {
    let t = line.trim();
    let inner = t.strip_prefix('[')?.split(']').next()?;
    Some(inner.split('.').map(|p| p.trim().trim_matches('"')).collect::<Vec<_>>().join("."))
}

/// The table (`providers.corp`) that line `line` belongs to.
fn table_at(text: &str, line: usize) -> Option<String> {
    text.lines().take(line).filter_map(header).last()
}

/// The line of `a.b.key = …` under `[a.b]`, else of the `[a.b]` header.
fn line_of_key(text: &str, key: &str) -> Option<usize> {
    let (table, leaf) = key.rsplit_once('.').unwrap_or(("", key));
    let mut in_table = table.is_empty();
    let mut header_line = None;
    for (i, line) in text.lines().enumerate() {
        if let Some(h) = header(line) {
            in_table = h == table;
            if in_table {
                header_line = Some(i + 1);
            }
            continue;
        }
        let t = line.trim_start();
        if in_table && t.strip_prefix(leaf).is_some_and(|rest| rest.trim_start().starts_with('=')) {
            return Some(i + 1);
        }
    }
    header_line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use std::path::Path;

    const GOOD: &str = "[providers.corp]\nissuer = \"https://a.example.com/\"\nclient_id = \"c\"\n";

    fn spot_of(text: &str) -> Spot {
        let err = Config::parse(text, Path::new("config.toml")).unwrap_err();
        spot(text, &err).unwrap()
    }

    #[test]
    fn an_unknown_key_is_named_with_its_table_and_line() {
        let s = spot_of(&format!("# mine\n{GOOD}bogus_key = 1\n"));
        assert_eq!(s, Spot { line: Some(5), key: Some("providers.corp.bogus_key".into()), unknown: true });
    }

    #[test]
    fn a_wrong_value_is_found_on_its_line() {
        let s = spot_of(&GOOD.replace("https://a", "http://a"));
        assert_eq!(s, Spot { line: Some(2), key: Some("providers.corp.issuer".into()), unknown: false });
    }

    #[test]
    fn a_syntax_error_has_its_line_only() {
        let s = spot_of(&format!("{GOOD}client_id = \n"));
        assert!(s.line.is_some() && !s.unknown && s.key.is_none(), "{s:?}");
    }
}
