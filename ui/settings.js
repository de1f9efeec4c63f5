// The Settings window: providers, profiles and general settings, saved to config.toml by the app.
// Errors come back as {code, message, field}; a field error is shown under its input.
let state = null;

const $ = (sel) => document.querySelector(sel);

function clearErrors(form) {
  for (const el of form.querySelectorAll(".invalid")) el.classList.remove("invalid");
  for (const el of form.querySelectorAll(".error")) el.remove();
}

function showError(form, err, resultEl) {
  clearErrors(form);
  const input = err.field && form.querySelector(`[data-field="${err.field}"]`);
  if (input) {
    input.classList.add("invalid");
    const msg = document.createElement("div");
    msg.className = "error";
    msg.textContent = err.message;
    input.insertAdjacentElement("afterend", msg);
    resultEl.textContent = "";
  } else {
    resultEl.className = "error";
    resultEl.textContent = err.message || String(err);
  }
}

function ok(form, resultEl, text) {
  clearErrors(form);
  resultEl.className = "ok";
  resultEl.textContent = text;
}

function listItem(name, detail, onEdit, onDelete) {
  const row = document.createElement("div");
  row.className = "list-item";
  const text = document.createElement("div");
  text.innerHTML = "<strong></strong> <span class='muted'></span>";
  text.querySelector("strong").textContent = name;
  text.querySelector("span").textContent = detail;
  const buttons = document.createElement("div");
  for (const [label, cls, fn] of [[tr("edit"), "", onEdit], [tr("delete"), "danger", onDelete]]) {
    const b = document.createElement("button");
    b.textContent = label;
    b.className = cls;
    b.addEventListener("click", fn);
    buttons.append(b, " ");
  }
  row.append(text, buttons);
  return row;
}

function render() {
  applyLanguage(state.language);
  $("#config-path").textContent = state.config_path;
  $("#config-error").hidden = !state.config_error;
  $("#config-error").textContent = state.config_error || "";
  const plist = $("#provider-list");
  plist.replaceChildren();
  for (const [name, p] of Object.entries(state.providers)) {
    plist.append(listItem(name, p.issuer, () => fillProvider(name, p), () => remove("providers", name)));
  }
  if (!plist.children.length) plist.textContent = tr("none_yet");
  const select = $("#profile-form select[name=provider]");
  select.replaceChildren(...Object.keys(state.providers).map((n) => new Option(n, n)));
  const rlist = $("#profile-list");
  rlist.replaceChildren();
  for (const [name, p] of Object.entries(state.profiles)) {
    rlist.append(listItem(name, `${p.role_arn} · ${p.region}`, () => fillProfile(name, p), () => remove("profiles", name)));
  }
  if (!rlist.children.length) rlist.textContent = tr("none_yet");
  const app = $("#app-form");
  app.notify_minutes.value = state.notify_minutes;
  app.language.value = state.language_setting || "";
  $("#autostart").checked = state.autostart;
}

function fillProvider(name, p) {
  const f = $("#provider-form");
  f.name.value = name; f.issuer.value = p.issuer; f.client_id.value = p.client_id; f.scopes.value = p.scopes.join(" ");
}

function fillProfile(name, p) {
  const f = $("#profile-form");
  f.name.value = name; f.provider.value = p.provider; f.role_arn.value = p.role_arn; f.region.value = p.region;
  f.duration_seconds.value = p.duration_seconds; f.session_name_claim.value = p.session_name_claim || "";
  f.console_destination.value = p.console_destination || "";
}

async function reload() {
  state = await invoke("get_settings");
  render();
}

async function remove(section, name) {
  try {
    await invoke("delete_entry", { section, name });
    await reload();
  } catch (err) {
    showError($(section === "providers" ? "#provider-form" : "#profile-form"), err,
      $(section === "providers" ? "#provider-result" : "#profile-result"));
  }
}

function providerForm() {
  const f = $("#provider-form");
  return { issuer: f.issuer.value, client_id: f.client_id.value, scopes: f.scopes.value.split(/\s+/).filter(Boolean) };
}

$("#provider-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const f = e.target;
  try {
    await invoke("save_provider", { name: f.name.value.trim(), form: providerForm() });
    await reload();
    ok(f, $("#provider-result"), tr("saved"));
  } catch (err) { showError(f, err, $("#provider-result")); }
});

$("#provider-test").addEventListener("click", async () => {
  const f = $("#provider-form");
  const out = $("#provider-result");
  out.className = "muted";
  out.textContent = tr("testing");
  try {
    const found = await invoke("test_provider", { form: providerForm() });
    ok(f, out, `${tr("test_ok")} ${found.device_authorization_endpoint}`);
  } catch (err) { showError(f, err, out); }
});

$("#profile-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const f = e.target;
  const form = {
    provider: f.provider.value, role_arn: f.role_arn.value, region: f.region.value,
    duration_seconds: Number(f.duration_seconds.value), session_name_claim: f.session_name_claim.value || null,
    console_destination: f.console_destination.value || null,
  };
  try {
    await invoke("save_profile", { name: f.name.value.trim(), form });
    await reload();
    ok(f, $("#profile-result"), tr("saved"));
  } catch (err) { showError(f, err, $("#profile-result")); }
});

$("#app-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const f = e.target;
  try {
    await invoke("save_app_settings", { notifyMinutes: Number(f.notify_minutes.value), language: f.language.value || null });
    if ($("#autostart").checked !== state.autostart) await invoke("set_autostart", { enabled: $("#autostart").checked });
    await reload();
    ok(f, $("#app-result"), tr("saved"));
  } catch (err) { showError(f, err, $("#app-result")); }
});

reload();
