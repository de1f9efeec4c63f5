// A form's feedback: a field error under its input until it is edited, else the result line until the next action.
import { el } from "../dom.js";
import { errorView } from "../error-view.js";
import { tr } from "../i18n.js";

export function clearFieldError(input) {
  input.classList.remove("invalid");
  const next = input.nextElementSibling;
  if (next && next.classList.contains("field-error")) next.remove();
}

export function clearErrors(form) {
  for (const input of form.querySelectorAll(".invalid")) clearFieldError(input);
}

export function result(form, kind, content) {
  const line = form.querySelector(".result");
  line.className = `result ${kind}`;
  line.replaceChildren(content);
}

// errors come back as {code, message, details, field, also}: `also` holds the other fields the same Save
// refused, so that all are shown at once; a field inside the folded Advanced part is unfolded
function markField(form, err) {
  const input = err && err.field && form.querySelector(`[data-field="${err.field}"]`);
  if (!input) return null;
  const advanced = input.closest("details");
  if (advanced) advanced.open = true;
  input.classList.add("invalid");
  input.insertAdjacentElement("afterend", el("div", { class: "field-error error" }, err.message));
  return input;
}

export function showError(form, err) {
  clearErrors(form);
  const input = markField(form, err);
  if (input) {
    for (const more of err.also ?? []) markField(form, more);
    result(form, "", "");
    input.focus();
  } else {
    result(form, "bad", errorView(err));
  }
}

export function ok(form, text) {
  clearErrors(form);
  result(form, "ok", text);
}

// a form with edits not saved yet: a change on disk then asks before it replaces them (see state.js)
export const isDirty = (form) => "dirty" in form.dataset;
export const clean = (form) => { delete form.dataset.dirty; };

export function trackEdits(form) {
  const mark = () => { form.dataset.dirty = ""; };
  form.addEventListener("input", mark);
  form.addEventListener("change", mark);
}

// what the form was filled with from the file: Save sends it, so that only the fields changed here are written
const bases = new WeakMap();
export const base = (form) => bases.get(form) ?? null;
export const setBase = (form, value) => bases.set(form, value);

// an error no longer applies once its field is edited; a success stays
export function clearOnEdit(form) {
  form.addEventListener("input", (e) => {
    clearFieldError(e.target);
    if (form.querySelector(".result.bad")) result(form, "", "");
  });
}

// the entry the form edits (its name when Edit was chosen), or none: a new entry, which must take a free name
export const original = (form) => form.dataset.original ?? null;

export function setOriginal(form, name) {
  if (name == null) delete form.dataset.original;
  else form.dataset.original = name;
}

// the heading says which entry Save writes: the name as typed, or a new one; a changed name is a rename
export function heading(form, key) {
  const name = form.name.value.trim();
  const from = original(form);
  form.querySelector("h3").textContent = from !== null && name && name !== from
    ? tr(key.replace("editing_", "renaming_"), { from, name })
    : tr(key, { name: name || tr("new_entry") });
}

export function startNew(form, key) {
  setOriginal(form, null);
  setBase(form, null);
  clean(form);
  form.reset();
  clearErrors(form);
  result(form, "", "");
  heading(form, key);
  form.name.focus();
}
