// The first run's steps (provider, profile, sign in, use with the AWS CLI), each marked done or current.
// The last two are not in config.toml: the app reports them, again whenever the state folder changes
// (a sign-in by the tray or the CLI). The welcome stays until the last step is done.
import { $ } from "../dom.js";
import { tr } from "../i18n.js";
import { invoke, listen } from "../tauri.js";
import { onRender, state } from "./state.js";

const ids = ["#step-provider", "#step-profile", "#step-signin", "#step-aws"];
let steps = { signed_in: false, aws_cli: false };
// set once the last step is done in this window: its end (what to type) stays on screen
let finished = false;
let asked = 0;

function draw() {
  if (!state) return;
  const profiles = Object.keys(state.profiles);
  const done = [Object.keys(state.providers).length > 0, profiles.length > 0,
    profiles.length > 0 && steps.signed_in, profiles.length > 0 && steps.aws_cli];
  const current = done.indexOf(false);
  ids.forEach((id, i) => { $(id).className = done[i] ? "done" : i === current ? "current" : ""; });
  // a broken file is a place to fix it, not a first run
  $("#setup").hidden = Boolean(state.config_error) || (current === -1 && !finished);
  $("#setup-signin").hidden = current !== 2;
  $("#setup-aws").hidden = current !== 3;
  $("#setup-done").hidden = current !== -1;
  $("#setup-command").textContent = `aws sts get-caller-identity --profile ${profiles[0] || ""}`;
}

// answers may cross: only the latest one is drawn
async function ask() {
  const mine = ++asked;
  const answer = await invoke("setup_steps").catch(() => null);
  if (answer && mine === asked) steps = answer;
  draw();
}

onRender(() => { draw(); ask(); });
listen("state-changed", ask);

// signs in with the provider a profile uses, so the new profile gets its credentials
$("#sign-in-now").addEventListener("click", () => {
  const first = Object.values(state.profiles).map((p) => p.provider)[0];
  if (first) invoke("request_sign_in", { provider: first });
});

// writes idbridge's profiles into the AWS CLI's config, as `idbridge configure-aws` does
$("#use-aws-cli").addEventListener("click", async (event) => {
  const out = $("#setup-aws-result");
  event.target.disabled = true;
  out.textContent = "";
  try {
    await invoke("use_with_aws_cli");
    finished = true;
    await ask();
    if (!steps.aws_cli) out.textContent = tr("setup_aws_kept");
  } catch (e) {
    out.className = "result bad";
    out.textContent = String(e);
  } finally {
    event.target.disabled = false;
  }
});
