//! Menu and notification strings in English and Japanese. The windows carry their own table
//! (`ui/i18n.js`); the language is one setting for both.

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    En,
    Ja,
}

impl Lang {
    /// The configured language, else the OS locale, else English.
    pub fn pick(configured: Option<&str>) -> Self {
        let raw = configured.map(str::to_string).or_else(sys_locale::get_locale).unwrap_or_default();
        if raw.to_ascii_lowercase().starts_with("ja") { Self::Ja } else { Self::En }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Ja => "ja",
        }
    }
}

/// One entry per string; `{}` placeholders are filled in order by [`fill`].
pub fn t(lang: Lang, key: &str) -> &'static str {
    let (en, ja) = match key {
        "open_console" => ("Open Console", "コンソールを開く"),
        "refresh_now" => ("Refresh now", "今すぐ更新"),
        "copy_profile" => ("Copy profile name", "プロファイル名をコピー"),
        "sign_in" => ("Sign in to {}…", "{} にサインイン…"),
        "sign_out" => ("Sign out of {}", "{} からサインアウト"),
        "settings" => ("Settings…", "設定…"),
        "quit" => ("Quit idbridge", "idbridge を終了"),
        "no_profiles" => ("No profiles yet — open Settings", "プロファイルがありません — 設定を開いてください"),
        "expires_in" => ("expires in {} min", "あと {} 分で期限切れ"),
        "expired" => ("expired", "期限切れ"),
        "signed_out" => ("signed out", "サインアウト済み"),
        "sign_in_needed" => ("sign-in needed", "サインインが必要"),
        "refreshing" => ("refreshing…", "更新中…"),
        "n_profiles_ready" => ("Signed in as {} — {} profiles ready", "{} としてサインインしました — {} 個のプロファイルが使えます"),
        "one_profile_ready" => ("Signed in as {} — {} profile ready", "{} としてサインインしました — {} 個のプロファイルが使えます"),
        "signed_in_title" => ("idbridge: signed in", "idbridge: サインインしました"),
        "sign_in_needed_title" => ("Sign-in needed for {} ({})", "{} へのサインインが必要です ({})"),
        "sign_in_needed_body" => ("Choose “Sign in” in the idbridge menu.", "idbridge のメニューから「サインイン」を選んでください。"),
        "expiring_title" => ("{}: AWS credentials expire in {} min", "{}: AWS 認証情報はあと {} 分で期限切れです"),
        "expired_title" => ("{}: AWS credentials expired", "{}: AWS 認証情報の期限が切れました"),
        "refresh_failed_title" => ("{}: refresh failed", "{}: 更新に失敗しました"),
        "error_title" => ("idbridge", "idbridge"),
        _ => ("?", "?"),
    };
    match lang {
        Lang::En => en,
        Lang::Ja => ja,
    }
}

/// Replaces each `{}` in `template` with the next argument.
pub fn fill(template: &str, args: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut args = args.iter();
    let mut rest = template;
    while let Some(i) = rest.find("{}") {
        out.push_str(&rest[..i]);
        out.push_str(args.next().copied().unwrap_or(""));
        rest = &rest[i + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_both_languages_and_placeholders_match() {
        for key in ["open_console", "refresh_now", "copy_profile", "sign_in", "sign_out", "settings", "quit", "no_profiles",
            "expires_in", "expired", "signed_out", "sign_in_needed", "refreshing", "n_profiles_ready", "one_profile_ready", "signed_in_title",
            "sign_in_needed_title", "sign_in_needed_body", "expiring_title", "expired_title", "refresh_failed_title"]
        {
            let (en, ja) = (t(Lang::En, key), t(Lang::Ja, key));
            assert_ne!(en, "?", "{key}");
            assert_ne!(en, ja, "{key} is translated");
            assert_eq!(en.matches("{}").count(), ja.matches("{}").count(), "{key}");
        }
    }

    #[test]
    fn fill_and_pick() {
        assert_eq!(fill(t(Lang::En, "expires_in"), &["42"]), "expires in 42 min");
        assert_eq!(fill(t(Lang::Ja, "sign_in"), &["auth0"]), "auth0 にサインイン…");
        assert_eq!(Lang::pick(Some("ja")), Lang::Ja);
        assert_eq!(Lang::pick(Some("en")), Lang::En);
    }
}
