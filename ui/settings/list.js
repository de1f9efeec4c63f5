// A row of the provider or profile list: the entry, Edit, Delete (and Sign in now for a provider).
import { el } from "../dom.js";
import { tr } from "../i18n.js";
import { invoke } from "../tauri.js";
import { ok, showError } from "./forms.js";
import { reload } from "./state.js";

// form: where the outcome of a delete is reported; canSignIn: a provider that some profile uses
// (a sign-in without a profile would end in "0 profiles ready")
export function listItem(section, name, detail, form, edit, canSignIn = false) {
  const buttons = el("div", { class: "actions" });
  const button = (label, cls, onclick) => el("button", { type: "button", class: cls, onclick }, label);
  const normal = () => {
    const list = [button(tr("edit"), "", () => edit()), button(tr("delete"), "danger", confirm)];
    if (section === "providers" && canSignIn) list.unshift(button(tr("sign_in_now"), "", () => invoke("request_sign_in", { provider: name })));
    buttons.replaceChildren(...list);
  };
  // Delete asks first, in place: "Delete dev?" [Yes, delete] [Cancel]
  const confirm = () => {
    const yes = button(tr("really_delete"), "danger", () => remove(section, name, form));
    buttons.replaceChildren(el("span", { class: "error" }, tr("confirm_delete", { name })), yes, button(tr("cancel"), "", normal));
    yes.focus();
  };
  normal();
  const text = el("div", { class: "list-text" }, el("strong", null, name), el("span", { class: "muted" }, ` ${detail}`));
  return el("div", { class: "list-item" }, text, buttons);
}

// the list, or "none yet" in its place
export function fillList(list, rows) {
  list.replaceChildren(...rows);
  if (!rows.length) list.textContent = tr("none_yet");
}

async function remove(section, name, form) {
  try {
    await invoke("delete_entry", { section, name });
    await reload();
    ok(form, tr("deleted", { name }));
  } catch (err) { showError(form, err); }
}
