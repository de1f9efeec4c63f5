// The windows' strings, from the app (the tray menu's Fluent files), in config.toml's language, else the system's.
import { invoke } from "./tauri.js";

let lang = "en";
let strings = {};

// tr("signin_expires", {time: "4:59"}): the app leaves placeholders as {$name}
export function tr(key, args) {
  let s = strings[key] ?? key;
  for (const [k, v] of Object.entries(args || {})) s = s.split(`{$${k}}`).join(String(v));
  return s;
}

export async function loadStrings() {
  const got = await invoke("ui_strings");
  lang = got.lang;
  strings = got.strings;
  applyLanguage();
}

// the static labels of the page name their string in data-i18n
export function applyLanguage() {
  document.documentElement.lang = lang;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = tr(node.dataset.i18n);
}
