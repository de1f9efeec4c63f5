// Identity providers: the list, and the form to add, edit and test one.
import { $ } from "../dom.js";
import { tr } from "../i18n.js";
import { invoke } from "../tauri.js";
import { base, clean, clearErrors, heading, isDirty, ok, original, setBase, setOriginal, result, showError, startNew } from "./forms.js";
import { fillList, listItem } from "./list.js";
import { onRender, reload } from "./state.js";

const form = $("#provider-form");
const HEADING = "editing_provider";

// focus: false when the file changed and the form follows it
function edit(name, p, focus = true) {
  clearErrors(form);
  setOriginal(form, name);
  form.name.value = name; form.issuer.value = p.issuer; form.client_id.value = p.client_id; form.scopes.value = p.scopes.join(" ");
  setBase(form, fields());
  clean(form);
  heading(form, HEADING);
  if (focus) form.name.focus();
}

// scopes are typed as OAuth writes them, separated by spaces
function fields() {
  return { issuer: form.issuer.value, client_id: form.client_id.value, scopes: form.scopes.value.split(/\s+/).filter(Boolean) };
}

onRender((state) => {
  // the entry being edited was deleted (here or in the file): Save makes a new one
  if (original(form) !== null && !(original(form) in state.providers)) { setOriginal(form, null); setBase(form, null); }
  // a form without unsaved edits shows the entry as the file has it now
  if (original(form) !== null && !isDirty(form)) edit(original(form), state.providers[original(form)], false);
  fillList($("#provider-list"), Object.entries(state.providers).map(([name, p]) =>
    listItem("providers", name, p.issuer, form, () => edit(name, p),
      Object.values(state.profiles).some((profile) => profile.provider === name))));
  heading(form, HEADING);
});

form.addEventListener("input", (e) => { if (e.target.name === "name") heading(form, HEADING); });

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  const name = form.name.value.trim();
  try {
    await invoke("save_provider", { name, original: original(form), form: fields(), base: base(form) });
    setOriginal(form, name);
    clean(form);
    await reload();
    ok(form, tr("saved_named", { name }));
  } catch (err) { showError(form, err); }
});

$("#provider-test").addEventListener("click", async () => {
  clearErrors(form);
  result(form, "muted", tr("testing"));
  try {
    await invoke("test_provider", { form: fields() });
    ok(form, tr("test_ok"));
  } catch (err) { showError(form, err); }
});

$("#provider-new").addEventListener("click", () => startNew(form, HEADING));
