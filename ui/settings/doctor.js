// Check setup: one line per check of the doctor (the same checks as `idbridge doctor`).
import { $, el } from "../dom.js";
import { tr } from "../i18n.js";
import { invoke } from "../tauri.js";

const button = $("#check-setup");
const out = $("#doctor-result");
const list = $("#doctor-list");

// a fix idbridge runs itself: write the AWS CLI's profiles, or sign in (the tray's sign-in window)
function actionButton(action) {
  const run = action.kind === "configure_aws"
    ? async () => { await invoke("use_with_aws_cli"); await check(); }
    : () => invoke("request_sign_in", { provider: action.provider });
  const label = action.kind === "configure_aws" ? tr("doctor_use_with_aws_cli") : tr("doctor_sign_in");
  const b = el("button", { type: "button", class: "fix-action", dataset: { action: action.kind } }, label);
  b.addEventListener("click", async () => {
    b.disabled = true;
    try { await run(); } catch (e) { b.after(el("p", { class: "error" }, String(e))); } finally { b.disabled = false; }
  });
  return b;
}

// in Japanese the doctor's English sentences are the Details: they are what a bug report needs
function line(c) {
  return el("li", { class: `check-line ${c.ok ? "ok" : "problem"}`, dataset: { check: c.id } },
    el("div", null, el("span", { class: "mark" }, c.ok ? "✓" : "✗"), el("strong", null, ` ${c.label}: `),
      el("span", { class: "message" }, c.message)),
    c.fix ? el("div", { class: "fix" }, `${tr("doctor_fix")} ${c.fix}`) : null,
    c.action ? actionButton(c.action) : null,
    c.details ? el("details", null, el("summary", null, tr("details")), el("pre", null, c.details)) : null);
}

button.addEventListener("click", () => check());

async function check() {
  button.disabled = true;
  out.className = "result muted";
  out.textContent = tr("check_setup_running");
  list.replaceChildren();
  try {
    const checks = await invoke("check_setup");
    list.replaceChildren(...checks.map(line));
    const problems = checks.filter((c) => !c.ok).length;
    out.className = problems ? "result bad" : "result ok";
    out.textContent = problems ? tr("check_setup_problems", { count: problems }) : tr("check_setup_all_ok");
  } catch {
    out.className = "result bad";
    out.textContent = tr("check_setup_failed");
  } finally {
    button.disabled = false;
  }
}
