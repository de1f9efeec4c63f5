// Import team config: Preview lists what each entry gets, Import writes (fetched and planned again).
// A change to where secrets are sent is listed apart, and Import waits for its own tick; the ticked
// changes go back as they were shown, so a team file changed since the preview is refused, not applied.
import { $, el } from "../dom.js";
import { tr } from "../i18n.js";
import { invoke } from "../tauri.js";
import { clearErrors, ok, result, showError } from "./forms.js";
import { reload } from "./state.js";

const form = $("#import-form");
const apply = $("#import-apply");
const overwrite = $("#import-overwrite");
const allow = $("#import-allow-sensitive");
// kept so that ticking Overwrite shows whether Import would then write something, without fetching again
let lastPreview = null;

// a key the team added, changed or dropped, in the person's words ("(removed)" is a sentence too)
const keyChange = (k) => el("div", { class: "fix" }, k.old == null
  ? `${k.key} = ${k.new}`
  : `${k.key}: ${k.old} → ${k.new ?? tr("import_removed")}`);

const line = (c) => el("li", { class: "check-line", dataset: { entry: c.entry, action: c.action } },
  `${tr(`import_${c.action}`)} [${c.entry}]`, ...c.keys.map(keyChange));

const sensitiveLine = (s) => el("li", { class: "check-line", dataset: { entry: s.entry, key: s.key } },
  `[${s.entry}] ${s.key}: ${s.old ?? tr("import_default")} → ${s.new ?? tr("import_default")}`,
  el("div", { class: "fix" }, tr(`import_effect_${s.key}`, { new: s.new ?? tr("import_default") })));

const sensitiveNow = () => (lastPreview ? (overwrite.checked ? lastPreview.sensitive_if_overwriting : lastPreview.sensitive) : []);

function show(preview) {
  lastPreview = preview;
  $("#import-list").replaceChildren(...preview.changes.map(line));
  const sensitive = sensitiveNow();
  $("#import-sensitive-list").replaceChildren(...sensitive.map(sensitiveLine));
  $("#import-sensitive").hidden = sensitive.length === 0;
  allow.checked = false;
  apply.hidden = !(overwrite.checked ? preview.writes_if_overwriting : preview.writes);
  apply.disabled = sensitive.length > 0;
}

function forget() {
  lastPreview = null;
  apply.hidden = true;
  $("#import-list").replaceChildren();
  $("#import-sensitive").hidden = true;
}

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  clearErrors(form);
  result(form, "", "");
  try {
    show(await invoke("preview_import", { source: form.source.value }));
    if (apply.hidden) result(form, "muted", tr("import_nothing"));
  } catch (err) { forget(); showError(form, err); }
});

// Import applies what was previewed: another source needs its own preview
form.source.addEventListener("input", forget);
overwrite.addEventListener("change", () => { if (lastPreview) show(lastPreview); });
allow.addEventListener("change", () => { apply.disabled = sensitiveNow().length > 0 && !allow.checked; });

apply.addEventListener("click", async () => {
  const approved = allow.checked ? sensitiveNow().map((s) => s.change) : [];
  try {
    await invoke("apply_import", { source: form.source.value, overwriteLocal: overwrite.checked, approved });
    await reload();
    forget();
    ok(form, tr("import_done"));
  } catch (err) { showError(form, err); }
});
