; The tray, idbridge-app.exe, runs all day beside the bundle's main executable (idbridge-app-window.exe, the
; Settings and sign-in windows), and Tauri's installer only looks for the main one. So the tray is ended here
; too before files are replaced (an update) or removed (an uninstall); it starts again at the next login or
; from the Start menu.
!macro idbridge_EndTray
  nsis_tauri_utils::FindProcessCurrentUser "idbridge-app.exe"
  Pop $R0
  ${If} $R0 = 0
    nsis_tauri_utils::KillProcessCurrentUser "idbridge-app.exe"
    Pop $R0
    Sleep 500
  ${EndIf}
!macroend

!macro NSIS_HOOK_PREINSTALL
  !insertmacro idbridge_EndTray
!macroend

!macro NSIS_HOOK_PREUNINSTALL
  !insertmacro idbridge_EndTray
!macroend
