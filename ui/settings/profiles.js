// AWS profiles: the list, and the form to add or edit one (its provider chosen among those saved).
import { $ } from "../dom.js";
import { tr } from "../i18n.js";
import { invoke } from "../tauri.js";
import { base, clean, clearErrors, heading, isDirty, ok, original, setBase, setOriginal, showError, startNew } from "./forms.js";
import { fillList, listItem } from "./list.js";
import { onRender, reload } from "./state.js";

const form = $("#profile-form");
const HEADING = "editing_profile";

// focus: false when the file changed and the form follows it
function edit(name, p, focus = true) {
  clearErrors(form);
  setOriginal(form, name);
  form.name.value = name; form.provider.value = p.provider; form.role_arn.value = p.role_arn; form.region.value = p.region;
  form.duration_minutes.value = p.duration_minutes; form.session_name_claim.value = p.session_name_claim || "";
  form.console_destination.value = p.console_destination || "";
  setBase(form, fields());
  clean(form);
  heading(form, HEADING);
  if (focus) form.name.focus();
}

// an optional field left empty means none (null), not an empty value
function fields() {
  return {
    provider: form.provider.value, role_arn: form.role_arn.value, region: form.region.value,
    duration_minutes: Number(form.duration_minutes.value), session_name_claim: form.session_name_claim.value || null,
    console_destination: form.console_destination.value || null,
  };
}

onRender((state) => {
  // the entry being edited was deleted (here or in the file): Save makes a new one
  if (original(form) !== null && !(original(form) in state.profiles)) { setOriginal(form, null); setBase(form, null); }
  // a reload must not lose the provider being chosen
  const providers = Object.keys(state.providers);
  const chosen = form.provider.value;
  form.provider.replaceChildren(...providers.map((n) => new Option(n, n)));
  if (providers.includes(chosen)) form.provider.value = chosen;
  // a form without unsaved edits shows the entry as the file has it now
  if (original(form) !== null && !isDirty(form)) edit(original(form), state.profiles[original(form)], false);
  fillList($("#profile-list"), Object.entries(state.profiles).map(([name, p]) =>
    listItem("profiles", name, `${p.role_arn} · ${p.region}`, form, () => edit(name, p))));
  heading(form, HEADING);
});

form.addEventListener("input", (e) => { if (e.target.name === "name") heading(form, HEADING); });

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  const name = form.name.value.trim();
  try {
    await invoke("save_profile", { name, original: original(form), form: fields(), base: base(form) });
    setOriginal(form, name);
    clean(form);
    await reload();
    ok(form, tr("saved_named", { name }));
  } catch (err) { showError(form, err); }
});

$("#profile-new").addEventListener("click", () => startNew(form, HEADING));
