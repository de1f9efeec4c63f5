// no console window on Windows release builds
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // WebKitGTK probes the GPU for its DMA-BUF renderer as soon as the app starts, even with no window
    // open, loading Mesa and LLVM: ~30 MB for an app that idles in the tray with at most a settings
    // page. Shared-memory rendering is plenty for that page. A value the person set is kept.
    if std::env::var_os("WEBKIT_DISABLE_DMABUF_RENDERER").is_none() {
        // SAFETY: first statement of main, before any thread exists, so nothing reads the environment
        // concurrently.
        #[allow(unsafe_code)]
        unsafe {
            std::env::set_var("WEBKIT_DISABLE_DMABUF_RENDERER", "1");
        }
    }
    idbridge_app::run();
}
