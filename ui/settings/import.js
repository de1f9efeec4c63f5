// Import team config: Preview lists what each entry gets, Import writes (fetched and planned again).
import { $, el } from "../dom.js";
import { tr } from "../i18n.js";
import { invoke } from "../tauri.js";
import { clearErrors, ok, result, showError } from "./forms.js";
import { reload } from "./state.js";

const form = $("#import-form");
const apply = $("#import-apply");
const overwrite = $("#import-overwrite");
// kept so that ticking Overwrite shows whether Import would then write something, without fetching again
let lastPreview = null;

const line = (c) => el("li", { class: "check-line", dataset: { entry: c.entry, action: c.action } },
  `${tr(`import_${c.action}`)} [${c.entry}]`, ...c.details.map((d) => el("div", { class: "fix" }, d)));

function show(preview) {
  lastPreview = preview;
  $("#import-list").replaceChildren(...preview.changes.map(line));
  apply.hidden = !(overwrite.checked ? preview.writes_if_overwriting : preview.writes);
}

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  clearErrors(form);
  result(form, "", "");
  try {
    show(await invoke("preview_import", { source: form.source.value }));
    if (apply.hidden) result(form, "muted", tr("import_nothing"));
  } catch (err) { $("#import-list").replaceChildren(); apply.hidden = true; showError(form, err); }
});

overwrite.addEventListener("change", () => { if (lastPreview) show(lastPreview); });

apply.addEventListener("click", async () => {
  try {
    await invoke("apply_import", { source: form.source.value, overwriteLocal: overwrite.checked });
    await reload();
    apply.hidden = true;
    ok(form, tr("import_done"));
  } catch (err) { showError(form, err); }
});
