// AWS profiles: the list, and the form to add or edit one (its provider chosen among those saved).
import { $ } from "../dom.js";
import { tr } from "../i18n.js";
import { invoke } from "../tauri.js";
import { clearErrors, heading, ok, original, setOriginal, showError, startNew } from "./forms.js";
import { fillList, listItem } from "./list.js";
import { onRender, reload } from "./state.js";

const form = $("#profile-form");
const HEADING = "editing_profile";

function edit(name, p) {
  clearErrors(form);
  setOriginal(form, name);
  form.name.value = name; form.provider.value = p.provider; form.role_arn.value = p.role_arn; form.region.value = p.region;
  form.duration_minutes.value = p.duration_minutes; form.session_name_claim.value = p.session_name_claim || "";
  form.console_destination.value = p.console_destination || "";
  heading(form, HEADING);
  form.name.focus();
}

onRender((state) => {
  // the entry being edited was deleted (here or in the file): Save makes a new one
  if (original(form) !== null && !(original(form) in state.profiles)) setOriginal(form, null);
  // a reload must not lose the provider being chosen
  const providers = Object.keys(state.providers);
  const chosen = form.provider.value;
  form.provider.replaceChildren(...providers.map((n) => new Option(n, n)));
  if (providers.includes(chosen)) form.provider.value = chosen;
  fillList($("#profile-list"), Object.entries(state.profiles).map(([name, p]) =>
    listItem("profiles", name, `${p.role_arn} · ${p.region}`, form, () => edit(name, p))));
  heading(form, HEADING);
});

form.addEventListener("input", (e) => { if (e.target.name === "name") heading(form, HEADING); });

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  const name = form.name.value.trim();
  // an optional field left empty means none (null), not an empty value
  const fields = {
    provider: form.provider.value, role_arn: form.role_arn.value, region: form.region.value,
    duration_minutes: Number(form.duration_minutes.value), session_name_claim: form.session_name_claim.value || null,
    console_destination: form.console_destination.value || null,
  };
  try {
    await invoke("save_profile", { name, original: original(form), form: fields });
    setOriginal(form, name);
    await reload();
    ok(form, tr("saved_named", { name }));
  } catch (err) { showError(form, err); }
});

$("#profile-new").addEventListener("click", () => startNew(form, HEADING));
