"""The tray as processes: it carries no web engine (Settings and sign-in are its window helper's), one runs
per idbridge home however it was started or ended, the helper started by a launcher hands over to the tray,
and what the tray copies reaches the clipboard."""
import os
import signal
import subprocess
from pathlib import Path

from conftest import APP, wait_for

HELPER = APP.parent / "idbridge-app-window"
WEB_ENGINE = ("libwebkit2gtk", "libjavascriptcoregtk", "libWebKit")


def mapped(pid):
    return {line.split()[-1] for line in Path(f"/proc/{pid}/maps").read_text().splitlines() if "/" in line}


def exe(pid):
    return os.path.realpath(f"/proc/{pid}/exe")


def trays_of(world):
    """The tray processes running for this world's idbridge home (their executable is the tray's)."""
    found = []
    for p in Path("/proc").iterdir():
        try:
            if p.name.isdigit() and exe(p.name) == str(APP.resolve()) and \
                    f"IDBRIDGE_HOME={world.home}".encode() in (p / "environ").read_bytes().split(b"\0"):
                found.append(int(p.name))
        except OSError:
            pass
    return found


def test_the_tray_maps_no_web_engine_and_its_windows_are_the_helpers(world, tray):
    app = tray()
    engine = [m for m in mapped(app.proc.pid) if any(w in m for w in WEB_ENGINE)]
    assert engine == [], engine
    app.click("Settings…")
    [child] = wait_for(lambda: app.children() or None, 20, "the Settings process")
    assert exe(child) == str(HELPER.resolve()), "Settings runs in the window helper"
    wait_for(lambda: any("libwebkit2gtk" in m for m in mapped(child)), 20, "the helper's web engine")
    assert not any(w in m for m in mapped(app.proc.pid) for w in WEB_ENGINE), "the tray still maps none"


def test_a_tray_killed_outright_does_not_block_the_next_start(world, tray, desktop):
    first = tray()
    first.proc.send_signal(signal.SIGKILL)
    first.proc.wait(timeout=10)
    assert (world.home / "tray" / "instance.json").exists(), "a killed tray leaves its file behind"
    registered = len(desktop.registrations)
    second = tray()
    wait_for(lambda: len(desktop.registrations) > registered, 10, "the new tray's icon")
    assert second.proc.poll() is None
    # and a launch now reaches the new one, not the dead one's port
    again = subprocess.run([str(APP)], env=world.env(), capture_output=True, text=True, timeout=30)
    assert again.returncode == 0, again.stderr
    wait_for(lambda: second.children() or None, 20, "Settings opened by the running tray")


def test_two_starts_at_once_leave_one_tray(world, desktop):
    procs = [subprocess.Popen([str(APP)], env=world.env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for _ in range(3)]
    try:
        desktop.wait_item()
        ended = wait_for(lambda: [p for p in procs if p.poll() is not None] if
                         sum(p.poll() is not None for p in procs) == 2 else None, 20, "two of three to end")
        assert all(p.returncode == 0 for p in ended), [p.stderr.read() for p in ended]
        assert len(trays_of(world)) == 1
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
                p.wait(timeout=10)


def test_the_window_helper_started_by_a_launcher_starts_the_tray(world, desktop):
    """An app menu, the macOS .app and the Windows shortcut start the bundle's main executable: the helper."""
    proc = subprocess.Popen([str(HELPER)], env=world.env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        desktop.wait_item()
        assert exe(proc.pid) == str(APP.resolve()), "the same process now runs the tray (exec)"
        assert not any(w in m for m in mapped(proc.pid) for w in WEB_ENGINE)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_garbage_instance_file_does_not_stop_the_tray(world, tray):
    (world.home / "tray").mkdir(mode=0o700, parents=True, exist_ok=True)
    planted = world.home / "tray" / "instance.json"
    planted.write_bytes(b"\x1b]52;c;garbage\x07" * 100)
    planted.chmod(0o600)
    app = tray()
    assert app.proc.poll() is None
    again = subprocess.run([str(APP)], env=world.env(), capture_output=True, text=True, timeout=30)
    assert again.returncode == 0, again.stderr
    wait_for(lambda: app.children() or None, 20, "Settings opened by the running tray")


def test_copy_profile_name_puts_it_on_the_clipboard(world, tray):
    app = tray()
    app.click("Copy profile name", within="dev ·")

    def clipboard():
        out = subprocess.run(["xclip", "-selection", "clipboard", "-o"], capture_output=True, text=True, timeout=5)
        return out.stdout if out.returncode == 0 and out.stdout else None
    assert wait_for(clipboard, 10, "the profile name on the clipboard") == "dev"
    assert app.proc.poll() is None


def test_a_tray_ended_by_sigterm_withdraws_its_files(world, tray):
    app = tray()
    files = [world.home / "tray" / "instance.json", world.home / "tray" / "endpoint.json"]
    wait_for(lambda: all(f.exists() for f in files), 10, "the tray's files")
    app.proc.send_signal(signal.SIGTERM)
    app.proc.wait(timeout=40)
    assert [f.name for f in files if f.exists()] == []
