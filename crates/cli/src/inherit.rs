//! Windows: the refresh helper must not hold its caller's standard handles. std starts a child with every
//! inheritable handle of the parent, and the stdin/stdout/stderr an AWS tool gave us are inheritable: a
//! helper holding the caller's stdout kept that pipe open after the caller was killed (the Go SDK's
//! timeout), so the tool waited for end-of-file until the helper had stored the successor (up to the
//! IdP's 15 s and a keychain write). Marked not inheritable here, they are still given to a command on
//! purpose: std duplicates a handle as inheritable for `Stdio::inherit` (`exec`, `sh -c`), so only the
//! handles nobody asked for are left behind. On Unix the helper gets the lock, a socket and /dev/null as its
//! stdio, and std opens every other descriptor close-on-exec (sys::detached).

/// Makes this process's standard handles not inheritable. Called before any child starts; a handle that
/// is absent or cannot be changed is left as it is (its only cost is the wait above).
#[cfg(windows)]
pub fn keep_std_handles_from_children() {
    use windows_sys::Win32::Foundation::{HANDLE_FLAG_INHERIT, INVALID_HANDLE_VALUE, SetHandleInformation};
    use windows_sys::Win32::System::Console::{GetStdHandle, STD_ERROR_HANDLE, STD_INPUT_HANDLE, STD_OUTPUT_HANDLE};

    for id in [STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, STD_ERROR_HANDLE] {
        // SAFETY: GetStdHandle takes a constant and returns a handle this process owns (or null/invalid);
        // SetHandleInformation only changes the inherit flag of that handle, which stays open and usable.
        #[allow(unsafe_code)]
        unsafe {
            let handle = GetStdHandle(id);
            if !handle.is_null() && handle != INVALID_HANDLE_VALUE {
                SetHandleInformation(handle, HANDLE_FLAG_INHERIT, 0);
            }
        }
    }
}

#[cfg(not(windows))]
pub fn keep_std_handles_from_children() {}
