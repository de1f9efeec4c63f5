// The settings as the app last returned them; a save changes config.toml, so every section redraws from a fresh copy.
// config.toml is followed on disk: a change made elsewhere reloads the page, unless a form holds unsaved
// edits; then the person chooses: Reload (the file's version) or Keep mine (their edits, saved over the rest).
import { $ } from "../dom.js";
import { applyLanguage, loadStrings } from "../i18n.js";
import { invoke, listen } from "../tauri.js";
import { clean, isDirty } from "./forms.js";

export let state = null;
const renderers = [];
const edited = () => [...document.querySelectorAll("form")].filter(isDirty);

export function onRender(render) {
  renderers.push(render);
}

export async function reload() {
  state = await invoke("get_settings");
  applyLanguage();
  for (const render of renderers) render(state);
}

const notice = $("#config-changed");

listen("config-changed", async (event) => {
  if (!state || event.payload === state.stamp) return;
  // the file may name another language: the page and the title follow it, as after a Save here
  await loadStrings();
  invoke("retitle");
  if (edited().length) notice.hidden = false;
  else reload();
});

$("#config-reload").addEventListener("click", () => {
  for (const form of edited()) clean(form);
  notice.hidden = true;
  reload();
});

// the lists follow the file; the forms keep what was typed, and Save writes only those fields
$("#config-keep").addEventListener("click", () => {
  notice.hidden = true;
  reload();
});
