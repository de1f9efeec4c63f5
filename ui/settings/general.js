// General settings (notice lead time, language, start at login), and config.toml's path and read error.
import { $ } from "../dom.js";
import { errorView } from "../error-view.js";
import { loadStrings, tr } from "../i18n.js";
import { invoke } from "../tauri.js";
import { clean, isDirty, ok, showError } from "./forms.js";
import { onRender, reload, state } from "./state.js";

const form = $("#app-form");

onRender((s) => {
  $("#config-path").textContent = s.config_path;
  $("#config-error").hidden = !s.config_error;
  $("#config-error").replaceChildren(...(s.config_error ? [errorView(s.config_error)] : []));
  // values typed and not saved yet stay
  if (isDirty(form)) return;
  form.notify_minutes.value = s.notify_minutes;
  form.language.value = s.language_setting || "";
  $("#autostart").checked = s.autostart;
});

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  try {
    await invoke("save_app_settings", { notifyMinutes: Number(form.notify_minutes.value), language: form.language.value || null });
    // start at login is a file outside config.toml: touched only when the box changed
    if ($("#autostart").checked !== state.autostart) await invoke("set_autostart", { enabled: $("#autostart").checked });
    clean(form);
    // a new language: the strings first, so the redraw uses them
    await loadStrings();
    await reload();
    ok(form, tr("saved"));
  } catch (err) { showError(form, err); }
});
