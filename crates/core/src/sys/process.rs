//! Starting helper programs (a browser, the tray's window processes) the same way on every system.

use std::process::Command;

/// A program started for the person shows its own window, never a console window as well: on Windows
/// a console program (or one started from a GUI process) would open one.
pub fn without_console(command: &mut Command) -> &mut Command {
    #[cfg(windows)]
    {
        use std::os::windows::process::CommandExt;
        /// CREATE_NO_WINDOW (winbase.h)
        const CREATE_NO_WINDOW: u32 = 0x0800_0000;
        command.creation_flags(CREATE_NO_WINDOW);
    }
    command
}
