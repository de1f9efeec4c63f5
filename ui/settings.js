// The Settings window (its own process): providers, profiles and general settings, saved to config.toml
// by the app. Errors come back as {code, message, details, field}: a field error sits under its input
// until that input is edited; each form's result line stays until the next action on that form.
let state = null;

const $ = (sel) => document.querySelector(sel);

function clearFieldError(input) {
  input.classList.remove("invalid");
  const next = input.nextElementSibling;
  if (next && next.classList.contains("field-error")) next.remove();
}

function clearErrors(form) {
  for (const el of form.querySelectorAll(".invalid")) clearFieldError(el);
}

function result(form, kind, content) {
  const el = form.querySelector(".result");
  el.className = `result ${kind}`;
  el.replaceChildren(...(typeof content === "string" ? [document.createTextNode(content)] : [content]));
}

function showError(form, err) {
  clearErrors(form);
  const input = err && err.field && form.querySelector(`[data-field="${err.field}"]`);
  if (input) {
    const advanced = input.closest("details");
    if (advanced) advanced.open = true;
    input.classList.add("invalid");
    const msg = document.createElement("div");
    msg.className = "field-error error";
    msg.textContent = err.message;
    input.insertAdjacentElement("afterend", msg);
    result(form, "", "");
    input.focus();
  } else {
    result(form, "bad", errorView(err));
  }
}

function ok(form, text) {
  clearErrors(form);
  result(form, "ok", text);
}

function listItem(section, name, detail, form, fillFn) {
  const row = document.createElement("div");
  row.className = "list-item";
  const text = document.createElement("div");
  text.className = "list-text";
  const strong = document.createElement("strong");
  strong.textContent = name;
  const span = document.createElement("span");
  span.className = "muted";
  span.textContent = ` ${detail}`;
  text.append(strong, span);
  const buttons = document.createElement("div");
  buttons.className = "actions";
  const button = (label, cls, fn) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.className = cls;
    b.addEventListener("click", fn);
    return b;
  };
  const normal = () => {
    const list = [button(tr("edit"), "", () => fillFn()), button(tr("delete"), "danger", confirm)];
    if (section === "providers") list.unshift(button(tr("sign_in_now"), "", () => invoke("request_sign_in", { provider: name })));
    buttons.replaceChildren(...list);
  };
  // Delete asks first, in place: "Delete dev?" [Yes, delete] [Cancel]
  const confirm = () => {
    const question = document.createElement("span");
    question.className = "error";
    question.textContent = tr("confirm_delete", { name });
    const yes = button(tr("really_delete"), "danger", () => remove(section, name, form));
    buttons.replaceChildren(question, yes, button(tr("cancel"), "", normal));
    yes.focus();
  };
  normal();
  row.append(text, buttons);
  return row;
}

function heading(form) {
  const f = $(form);
  const key = form === "#provider-form" ? "editing_provider" : "editing_profile";
  const name = f.name.value.trim() || tr("new_entry");
  f.querySelector("h3").textContent = tr(key, { name });
}

function render() {
  applyLanguage();
  $("#config-path").textContent = state.config_path;
  $("#config-error").hidden = !state.config_error;
  $("#config-error").replaceChildren(...(state.config_error ? [errorView(state.config_error)] : []));
  const providers = Object.keys(state.providers);
  const profiles = Object.keys(state.profiles);
  $("#setup").hidden = !state.first_run;
  $("#step-provider").className = providers.length ? "done" : "current";
  $("#step-profile").className = profiles.length ? "done" : providers.length ? "current" : "";
  $("#step-signin").className = providers.length && profiles.length ? "current" : "";
  $("#setup-signin").hidden = !(providers.length && profiles.length);
  const plist = $("#provider-list");
  plist.replaceChildren(...providers.map((name) =>
    listItem("providers", name, state.providers[name].issuer, "#provider-form", () => fillProvider(name, state.providers[name]))));
  if (!providers.length) plist.textContent = tr("none_yet");
  const select = $("#profile-form select[name=provider]");
  const chosen = select.value;
  select.replaceChildren(...providers.map((n) => new Option(n, n)));
  if (providers.includes(chosen)) select.value = chosen;
  const rlist = $("#profile-list");
  rlist.replaceChildren(...profiles.map((name) => {
    const p = state.profiles[name];
    return listItem("profiles", name, `${p.role_arn} · ${p.region}`, "#profile-form", () => fillProfile(name, p));
  }));
  if (!profiles.length) rlist.textContent = tr("none_yet");
  const app = $("#app-form");
  app.notify_minutes.value = state.notify_minutes;
  app.language.value = state.language_setting || "";
  $("#autostart").checked = state.autostart;
  heading("#provider-form");
  heading("#profile-form");
}

function fillProvider(name, p) {
  const f = $("#provider-form");
  clearErrors(f);
  f.name.value = name; f.issuer.value = p.issuer; f.client_id.value = p.client_id; f.scopes.value = p.scopes.join(" ");
  heading("#provider-form");
  f.name.focus();
}

function fillProfile(name, p) {
  const f = $("#profile-form");
  clearErrors(f);
  f.name.value = name; f.provider.value = p.provider; f.role_arn.value = p.role_arn; f.region.value = p.region;
  f.duration_minutes.value = p.duration_minutes; f.session_name_claim.value = p.session_name_claim || "";
  f.console_destination.value = p.console_destination || "";
  heading("#profile-form");
  f.name.focus();
}

async function reload() {
  state = await invoke("get_settings");
  render();
}

async function remove(section, name, form) {
  try {
    await invoke("delete_entry", { section, name });
    await reload();
    ok($(form), tr("deleted", { name }));
  } catch (err) { showError($(form), err); }
}

function providerForm() {
  const f = $("#provider-form");
  return { issuer: f.issuer.value, client_id: f.client_id.value, scopes: f.scopes.value.split(/\s+/).filter(Boolean) };
}

// editing a field clears its error; the result line of the form is cleared too if it was an error
for (const form of document.querySelectorAll("form")) {
  form.addEventListener("input", (e) => {
    clearFieldError(e.target);
    if (form.querySelector(".result.bad")) result(form, "", "");
    if (e.target.name === "name") heading(`#${form.id}`);
  });
}

$("#provider-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const f = e.target;
  const name = f.name.value.trim();
  try {
    await invoke("save_provider", { name, form: providerForm() });
    await reload();
    ok(f, tr("saved_named", { name }));
  } catch (err) { showError(f, err); }
});

$("#provider-test").addEventListener("click", async () => {
  const f = $("#provider-form");
  clearErrors(f);
  result(f, "muted", tr("testing"));
  try {
    await invoke("test_provider", { form: providerForm() });
    ok(f, tr("test_ok"));
  } catch (err) { showError(f, err); }
});

$("#provider-new").addEventListener("click", () => {
  const f = $("#provider-form");
  f.reset(); clearErrors(f); result(f, "", ""); heading("#provider-form"); f.name.focus();
});

$("#profile-new").addEventListener("click", () => {
  const f = $("#profile-form");
  f.reset(); clearErrors(f); result(f, "", ""); heading("#profile-form"); f.name.focus();
});

$("#profile-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const f = e.target;
  const name = f.name.value.trim();
  const form = {
    provider: f.provider.value, role_arn: f.role_arn.value, region: f.region.value,
    duration_minutes: Number(f.duration_minutes.value), session_name_claim: f.session_name_claim.value || null,
    console_destination: f.console_destination.value || null,
  };
  try {
    await invoke("save_profile", { name, form });
    await reload();
    ok(f, tr("saved_named", { name }));
  } catch (err) { showError(f, err); }
});

$("#app-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const f = e.target;
  try {
    await invoke("save_app_settings", { notifyMinutes: Number(f.notify_minutes.value), language: f.language.value || null });
    if ($("#autostart").checked !== state.autostart) await invoke("set_autostart", { enabled: $("#autostart").checked });
    await loadStrings();
    await reload();
    ok(f, tr("saved"));
  } catch (err) { showError(f, err); }
});

$("#sign-in-now").addEventListener("click", () => {
  const first = Object.keys(state.profiles).map((n) => state.profiles[n].provider)[0] || Object.keys(state.providers)[0];
  if (first) invoke("request_sign_in", { provider: first });
});

// Import team config: Preview lists what each entry gets, Import writes (fetched and planned again)
function importLine(c) {
  const li = document.createElement("li");
  li.className = "check-line";
  li.dataset.entry = c.entry;
  li.dataset.action = c.action;
  li.textContent = `${tr(`import_${c.action}`)} [${c.entry}]`;
  for (const d of c.details) {
    const line = document.createElement("div");
    line.className = "fix";
    line.textContent = d;
    li.append(line);
  }
  return li;
}

let lastImport = null;

function showImport(p) {
  lastImport = p;
  $("#import-list").replaceChildren(...p.changes.map(importLine));
  $("#import-apply").hidden = !($("#import-overwrite").checked ? p.writes_if_overwriting : p.writes);
}

$("#import-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const f = e.target;
  clearErrors(f);
  result(f, "", "");
  try {
    const p = await invoke("preview_import", { source: f.source.value });
    showImport(p);
    if ($("#import-apply").hidden) result(f, "muted", tr("import_nothing"));
  } catch (err) { $("#import-list").replaceChildren(); $("#import-apply").hidden = true; showError(f, err); }
});

$("#import-overwrite").addEventListener("change", () => { if (lastImport) showImport(lastImport); });

$("#import-apply").addEventListener("click", async () => {
  const f = $("#import-form");
  try {
    await invoke("apply_import", { source: f.source.value, overwriteLocal: $("#import-overwrite").checked });
    await reload();
    $("#import-apply").hidden = true;
    ok(f, tr("import_done"));
  } catch (err) { showError(f, err); }
});

// Check setup: one line per check of the doctor; its English sentences are the Details in Japanese
function checkLine(c) {
  const li = document.createElement("li");
  li.className = `check-line ${c.ok ? "ok" : "problem"}`;
  li.dataset.check = c.id;
  const head = document.createElement("div");
  const mark = document.createElement("span");
  mark.className = "mark";
  mark.textContent = c.ok ? "✓" : "✗";
  const label = document.createElement("strong");
  label.textContent = ` ${c.label}: `;
  const message = document.createElement("span");
  message.className = "message";
  message.textContent = c.message;
  head.append(mark, label, message);
  li.append(head);
  if (c.fix) {
    const fix = document.createElement("div");
    fix.className = "fix";
    fix.textContent = `${tr("doctor_fix")} ${c.fix}`;
    li.append(fix);
  }
  if (c.details) {
    const more = document.createElement("details");
    const summary = document.createElement("summary");
    summary.textContent = tr("details");
    const pre = document.createElement("pre");
    pre.textContent = c.details;
    more.append(summary, pre);
    li.append(more);
  }
  return li;
}

$("#check-setup").addEventListener("click", async () => {
  const button = $("#check-setup");
  const out = $("#doctor-result");
  button.disabled = true;
  out.className = "result muted";
  out.textContent = tr("check_setup_running");
  $("#doctor-list").replaceChildren();
  try {
    const checks = await invoke("check_setup");
    $("#doctor-list").replaceChildren(...checks.map(checkLine));
    const problems = checks.filter((c) => !c.ok).length;
    out.className = problems ? "result bad" : "result ok";
    out.textContent = problems ? tr("check_setup_problems", { count: problems }) : tr("check_setup_all_ok");
  } catch (err) {
    out.className = "result bad";
    out.textContent = tr("check_setup_failed");
  } finally {
    button.disabled = false;
  }
});

onCloseKeys(() => invoke("close_window"));

(async () => {
  await loadStrings();
  await reload();
  invoke("page_ready");
})();
