// The app's commands and events, through the global the app injects (withGlobalTauri): the UI has no bundler.
export const invoke = (cmd, args) => window.__TAURI__.core.invoke(cmd, args);
export const listen = (event, handler) => window.__TAURI__.event.listen(event, handler);
