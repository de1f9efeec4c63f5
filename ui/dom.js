// Builds elements in one expression, so the windows never need innerHTML (text from data stays text).

// el("button", {type: "button", class: "small", onclick: copy}, "Copy"): strings become text nodes; null,
// undefined and false children are left out, so an optional part can be written inline
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node[key] = value;
  }
  node.append(...children.filter((c) => c != null && c !== false));
  return node;
}

export const $ = (selector) => document.querySelector(selector);
