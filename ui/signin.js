// The sign-in window: the code to compare with the browser's, a countdown; on failure the reason and Retry.
import { $ } from "./dom.js";
import { errorView } from "./error-view.js";
import { loadStrings, tr } from "./i18n.js";
import { onCloseKeys } from "./keys.js";
import { invoke, listen } from "./tauri.js";

let expiresAt = null;
let viewFlow = "device";

function render(view) {
  if (!view) return;
  $("#title").textContent = tr("signin_title", { provider: view.provider });
  $("#starting").hidden = view.status !== "starting";
  $("#waiting").hidden = view.status !== "waiting";
  $("#failed").hidden = view.status !== "failed";
  $("#retry").hidden = view.status !== "failed";
  // the browser flow has no code to compare: the window says to continue in the browser
  const device = view.flow !== "browser";
  for (const id of ["#compare", "#user-code", "#copy-code", "#address"]) $(id).hidden = !device;
  $("#continue").hidden = device;
  if (view.user_code) $("#user-code").textContent = view.user_code;
  if (view.verification_uri) $("#uri").textContent = view.verification_uri;
  // a refused stray request: its browser tab shows an error, but this sign-in goes on
  $("#stray").hidden = !view.strays;
  $("#stray").textContent = view.strays ? tr("signin_stray", { count: view.strays }) : "";
  expiresAt = view.expires_at;
  viewFlow = view.flow;
  $("#error").replaceChildren(...(view.error ? [errorView(view.error)] : []));
  $("#cancel").textContent = tr(view.status === "failed" ? "close" : "cancel");
  (view.status === "failed" ? $("#retry") : $("#cancel")).focus();
  tick();
  fit();
}

// as tall as the content: no empty space below, nothing cut off
function fit() {
  requestAnimationFrame(() => invoke("fit_window", { height: Math.ceil($("#page").getBoundingClientRect().height) }));
}

function tick() {
  if (!expiresAt) return;
  const left = Math.max(0, Math.round(expiresAt - Date.now() / 1000));
  const mmss = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
  const browser = viewFlow === "browser";
  // the browser flow has nothing to approve: the person signs in there
  $("#waiting-text").textContent = tr(browser ? "signin_browser_waiting" : "signin_waiting");
  $("#countdown").textContent = tr(browser ? "signin_browser_expires" : "signin_expires", { time: mmss });
}

async function start() {
  await loadStrings();
  render(await invoke("signin_state"));
  listen("signin-changed", (e) => render(e.payload));
  const cancel = () => invoke("cancel_signin");
  $("#cancel").addEventListener("click", cancel);
  onCloseKeys(cancel);
  $("#retry").addEventListener("click", () => invoke("retry_signin"));
  $("#open-again").addEventListener("click", async () => {
    try { await invoke("open_browser_again"); } catch (err) { $("#error").replaceChildren(errorView(err)); $("#failed").hidden = false; fit(); }
  });
  $("#copy-code").addEventListener("click", async () => {
    if (await invoke("copy_text", { text: $("#user-code").textContent })) $("#copy-code").textContent = tr("copied");
  });
  setInterval(tick, 1000);
  invoke("page_ready");
}

start();
