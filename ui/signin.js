// The sign-in window: shows the user code to compare with the browser, a countdown, Cancel.
let expiresAt = null;

function render(view) {
  if (!view) return;
  document.getElementById("provider").textContent = view.provider;
  const show = (id, on) => { document.getElementById(id).hidden = !on; };
  show("starting", view.status === "starting");
  show("waiting", view.status === "waiting");
  show("failed", view.status === "failed");
  if (view.user_code) document.getElementById("user-code").textContent = view.user_code;
  if (view.verification_uri) document.getElementById("uri").textContent = view.verification_uri;
  expiresAt = view.expires_at;
  if (view.error) document.getElementById("error-message").textContent = view.error.message;
  document.getElementById("cancel").textContent = tr(view.status === "failed" ? "close" : "cancel");
  tick();
}

function tick() {
  if (!expiresAt) return;
  const left = Math.max(0, Math.round(expiresAt - Date.now() / 1000));
  const mmss = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
  document.getElementById("countdown").textContent = tr("signin_expires", mmss);
}

async function start() {
  applyLanguage(await invoke("ui_language"));
  render(await invoke("signin_state"));
  window.__TAURI__.event.listen("signin-changed", (e) => render(e.payload));
  document.getElementById("cancel").addEventListener("click", () => invoke("cancel_signin"));
  setInterval(tick, 1000);
}

start();
