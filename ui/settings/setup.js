// The first run's steps (provider, profile, sign in), each marked done or current as the settings fill in.
import { $ } from "../dom.js";
import { invoke } from "../tauri.js";
import { onRender, state } from "./state.js";

onRender((s) => {
  const providers = Object.keys(s.providers).length;
  const profiles = Object.keys(s.profiles).length;
  $("#setup").hidden = !s.first_run;
  $("#step-provider").className = providers ? "done" : "current";
  $("#step-profile").className = profiles ? "done" : providers ? "current" : "";
  $("#step-signin").className = providers && profiles ? "current" : "";
  $("#setup-signin").hidden = !(providers && profiles);
});

// signs in with the provider a profile uses, so the new profile gets its credentials
$("#sign-in-now").addEventListener("click", () => {
  const first = Object.values(state.profiles).map((p) => p.provider)[0] || Object.keys(state.providers)[0];
  if (first) invoke("request_sign_in", { provider: first });
});
