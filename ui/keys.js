// Escape and Ctrl+W close a window, as a dialog does (the sign-in window cancels).
export function onCloseKeys(close) {
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" || ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "w")) {
      e.preventDefault();
      close();
    }
  });
}
