// Every string the windows show, in English and Japanese. Elements carry data-i18n="key";
// the language comes from the app (config.toml's [app] language, else the OS locale).
const STRINGS = {
  en: {
    settings_title: "idbridge settings", providers: "Identity providers", profiles: "AWS profiles", general: "General",
    name: "Name", issuer: "Issuer URL", client_id: "Client ID", scopes: "Scopes (space separated)",
    provider: "Provider", role_arn: "Role ARN", region: "Region", duration: "Session length (seconds)",
    session_claim: "Session name claim", destination: "Console page (optional)",
    add_provider: "Add or change a provider", add_profile: "Add or change a profile", save: "Save", delete: "Delete", test: "Test",
    notify_lead: "Warn before expiry (minutes)", language: "Language", lang_auto: "Follow the system",
    autostart: "Start idbridge when I log in", saved: "Saved.", testing: "Contacting the identity provider…",
    test_ok: "Found the provider. Device sign-in endpoint:", config_file: "Settings file",
    none_yet: "None yet.", new_entry: "(new)", edit: "Edit",
    signin_title: "Sign in", signin_compare: "Check that your browser shows this code, then approve there:",
    signin_waiting: "Waiting for approval…", signin_starting: "Contacting the identity provider…",
    signin_expires: "The code expires in {}", signin_open: "If no browser opened, go to",
    signin_failed: "Sign-in failed", cancel: "Cancel", close: "Close",
  },
  ja: {
    settings_title: "idbridge の設定", providers: "ID プロバイダー", profiles: "AWS プロファイル", general: "全般",
    name: "名前", issuer: "発行者 (Issuer) URL", client_id: "クライアント ID", scopes: "スコープ (スペース区切り)",
    provider: "プロバイダー", role_arn: "ロール ARN", region: "リージョン", duration: "セッションの長さ (秒)",
    session_claim: "セッション名に使うクレーム", destination: "コンソールのページ (任意)",
    add_provider: "プロバイダーの追加・変更", add_profile: "プロファイルの追加・変更", save: "保存", delete: "削除", test: "接続テスト",
    notify_lead: "期限切れの何分前に知らせるか", language: "言語", lang_auto: "システムに合わせる",
    autostart: "ログイン時に idbridge を起動する", saved: "保存しました。", testing: "ID プロバイダーに接続しています…",
    test_ok: "プロバイダーが見つかりました。デバイスサインインのエンドポイント:", config_file: "設定ファイル",
    none_yet: "まだありません。", new_entry: "(新規)", edit: "編集",
    signin_title: "サインイン", signin_compare: "ブラウザーに同じコードが表示されていることを確かめてから承認してください:",
    signin_waiting: "承認を待っています…", signin_starting: "ID プロバイダーに接続しています…",
    signin_expires: "コードの有効期限まであと {}", signin_open: "ブラウザーが開かない場合はこちらへ:",
    signin_failed: "サインインできませんでした", cancel: "キャンセル", close: "閉じる",
  },
};

let LANG = "en";

function tr(key, ...args) {
  let s = (STRINGS[LANG] && STRINGS[LANG][key]) || STRINGS.en[key] || key;
  for (const a of args) s = s.replace("{}", a);
  return s;
}

function applyLanguage(lang) {
  LANG = STRINGS[lang] ? lang : "en";
  document.documentElement.lang = LANG;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = tr(el.dataset.i18n);
  for (const el of document.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = tr(el.dataset.i18nPlaceholder);
}

const invoke = (cmd, args) => window.__TAURI__.core.invoke(cmd, args);
