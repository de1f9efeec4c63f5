// The Settings window (its own process): wires the sections, each a module that redraws itself on every reload.
import { loadStrings } from "./i18n.js";
import { onCloseKeys } from "./keys.js";
import { clearOnEdit, trackEdits } from "./settings/forms.js";
import { reload } from "./settings/state.js";
import { invoke } from "./tauri.js";
// (the sections draw in the order imported)
import "./settings/general.js";
import "./settings/setup.js";
import "./settings/providers.js";
import "./settings/profiles.js";
import "./settings/import.js";
import "./settings/doctor.js";

for (const form of document.querySelectorAll("form")) clearOnEdit(form);
// the forms that write config.toml (not Import's source): their unsaved edits are protected from a reload
for (const id of ["#provider-form", "#profile-form", "#app-form"]) trackEdits(document.querySelector(id));
onCloseKeys(() => invoke("close_window"));

async function start() {
  await loadStrings();
  await reload();
  invoke("page_ready");
}

start();
