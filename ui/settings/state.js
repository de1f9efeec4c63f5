// The settings as the app last returned them; a save changes config.toml, so every section redraws from a fresh copy.
import { applyLanguage } from "../i18n.js";
import { invoke } from "../tauri.js";

export let state = null;
const renderers = [];

export function onRender(render) {
  renderers.push(render);
}

export async function reload() {
  state = await invoke("get_settings");
  applyLanguage();
  for (const render of renderers) render(state);
}
