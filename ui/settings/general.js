// General settings (notice lead time, language, start at login), and config.toml's path and read error.
import { $ } from "../dom.js";
import { loadStrings, tr } from "../i18n.js";
import { invoke } from "../tauri.js";
import { errorView } from "../error-view.js";
import { clean, isDirty, ok, result, showError } from "./forms.js";
import { onRender, reload, state } from "./state.js";

const form = $("#app-form");
const broken = $("#config-error");

onRender((s) => {
  $("#config-path").textContent = s.config_path;
  // a broken file: where and what to fix, and no forms that would show it as empty
  const broken = s.config_error;
  $("#config-error").hidden = !broken;
  $("#editing").hidden = !!broken;
  if (broken) {
    $("#broken-path").textContent = broken.path;
    $("#broken-line").textContent = broken.line ? tr("config_line", { line: broken.line }) : "";
    $("#broken-what").textContent = broken.what;
    $("#broken-details").textContent = broken.details;
  }
  // values typed and not saved yet stay
  if (isDirty(form)) return;
  form.notify_minutes.value = s.notify_minutes;
  form.language.value = s.language_setting || "";
  $("#autostart").checked = s.autostart;
});

$("#open-config").addEventListener("click", async () => {
  try {
    await invoke("open_config");
    result(broken, "", "");
  } catch (err) { result(broken, "bad", errorView(err)); }
});

$("#check-again").addEventListener("click", () => reload());

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  try {
    await invoke("save_app_settings", { notifyMinutes: Number(form.notify_minutes.value), language: form.language.value || null });
    // start at login is a file outside config.toml: touched only when the box changed
    if ($("#autostart").checked !== state.autostart) await invoke("set_autostart", { enabled: $("#autostart").checked });
    clean(form);
    // a new language: the strings first, so the redraw uses them
    await loadStrings();
    invoke("retitle");
    await reload();
    ok(form, tr("saved"));
  } catch (err) { showError(form, err); }
});
