// Strings, errors and keys shared by the windows. The strings come from the app (the same Fluent files
// as the tray menu), in the language config.toml asks for, else the system's.
let LANG = "en";
let STRINGS = {};

const invoke = (cmd, args) => window.__TAURI__.core.invoke(cmd, args);

// tr("signin_expires", {time: "4:59"}): the app leaves placeholders as {$name}
function tr(key, args) {
  let s = STRINGS[key] ?? key;
  for (const [k, v] of Object.entries(args || {})) s = s.split(`{$${k}}`).join(String(v));
  return s;
}

async function loadStrings() {
  const got = await invoke("ui_strings");
  LANG = got.lang;
  STRINGS = got.strings;
  applyLanguage();
}

function applyLanguage() {
  document.documentElement.lang = LANG;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = tr(el.dataset.i18n);
}

// Escape and Ctrl+W close the window (or cancel, for the sign-in)
function onCloseKeys(close) {
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" || ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "w")) {
      e.preventDefault();
      close();
    }
  });
}

// An error as {code, message, details}: the sentence, then the technical text folded under "Details"
// with a button to copy it (for a bug report or the help desk).
function errorView(err) {
  const box = document.createElement("div");
  box.className = "error-box";
  const message = document.createElement("p");
  message.className = "error";
  message.textContent = (err && err.message) || String(err);
  box.append(message);
  if (err && err.details) {
    const more = document.createElement("details");
    const summary = document.createElement("summary");
    summary.textContent = tr("details");
    const pre = document.createElement("pre");
    pre.textContent = err.details;
    const copy = document.createElement("button");
    copy.type = "button";
    copy.className = "small";
    copy.textContent = tr("copy-details");
    copy.addEventListener("click", async () => {
      if (await invoke("copy_text", { text: err.details })) copy.textContent = tr("copied");
    });
    more.append(summary, pre, copy);
    box.append(more);
  }
  return box;
}
