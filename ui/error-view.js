// Shows an app error ({code, message, details}): the sentence, the technical text folded under "Details".
import { el } from "./dom.js";
import { tr } from "./i18n.js";
import { invoke } from "./tauri.js";

// the Copy button is for a bug report or the help desk: the sentence alone says too little to them
export function errorView(err) {
  const message = el("p", { class: "error" }, (err && err.message) || String(err));
  if (!(err && err.details)) return el("div", { class: "error-box" }, message);
  const copy = el("button", { type: "button", class: "small", onclick: async () => {
    if (await invoke("copy_text", { text: err.details })) copy.textContent = tr("copied");
  } }, tr("copy-details"));
  return el("div", { class: "error-box" }, message,
    el("details", null, el("summary", null, tr("details")), el("pre", null, err.details), copy));
}
