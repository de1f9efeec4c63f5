"""The tray app as a person uses it: its real menu (read and clicked over D-Bus, as a desktop panel does),
notifications and their action buttons seen on D-Bus, against the same local IdP, STS and federation
stand-ins as the CLI. At every moment the menu's first line says what to do next."""
import json
import os
import socket
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

from conftest import APP, ROLE_DEV, SUPPORT, TrayApp, find, wait_for


def first_action(app):
    return next(i for i in app.menu()["children"] if i["enabled"])["label"]


def test_sign_in_from_the_menu_then_the_aws_cli_and_open_console_work(world, tray):
    app = tray()
    app.wait_menu(f"Sign in to {world.provider}…")
    app.wait_icon("signed-out")
    assert first_action(app) == f"Sign in to {world.provider}…", "signing in is the first thing offered"
    assert find(app.menu(), "dev · signed out")
    app.click(f"Sign in to {world.provider}")
    note = app.wait_notification(f"Signed in to {world.provider}")
    assert note["body"] == "alice@example.com · 1 profile ready"
    assert note["icon"].endswith(".png"), "the app's own icon, not a generic one"
    [browser] = world.browser_entries()
    assert browser["outcome"] == "success"
    assert world.credential_file().exists()
    aws = world.aws_cli("sts", "get-caller-identity")
    assert aws.code == 0 and json.loads(aws.out)["Arn"].endswith(":assumed-role/dev/alice@example.com"), aws.err
    app.wait_menu(f"{world.provider} · signed in as alice@example.com")
    app.wait_menu(f"Sign out of {world.provider}")
    app.wait_menu("dev · ready until")
    assert find(app.menu(), "Renews automatically · valid until")
    app.wait_icon("ok")
    wait_for(lambda: not app.children(), 20, "the sign-in window's process to end")

    app.click("Open Console", within="dev · ready until")
    _, console = world.browser_entries(2)
    assert console["outcome"] == "followed" and console["status"] == 302, console
    assert console["location"] == "https://console.aws.amazon.com/console/home?region=ap-northeast-1"
    assert "SigninToken" not in app.log.read_text(), "the console URL is never logged"

    app.click(f"Sign out of {world.provider}")
    app.wait_menu("dev · signed out")
    app.wait_icon("signed-out")
    assert not world.credential_file().exists()
    assert first_action(app) == f"Sign in to {world.provider}…"


def test_background_refresh_replaces_the_credential_file_before_expiry(world, tray):
    # 50 minutes pass: with the default 20-minute lead the refresh is due at once
    assert world.login().code == 0
    world.age_credentials(minutes_left=10)
    first = json.loads(world.credential_file().read_text())["AccessKeyId"]
    app = tray()
    wait_for(lambda: json.loads(world.credential_file().read_text())["AccessKeyId"] != first, 60,
             "the background refresh")
    assert len(world.assumes()) >= 2
    # the file is replaced inside the refresh; the app logs once the refresh returns
    wait_for(lambda: "refreshed profile dev" in app.log.read_text(), 20, "the refresh to be logged")
    app.wait_menu("dev · ready until")


def test_a_revoked_refresh_token_puts_sign_in_on_top_and_the_notification_button_signs_in(make_world, desktop):
    world = make_world(IDP_TTL_ID_TOKEN=60)  # refreshing needs the refresh token
    assert world.login().code == 0
    world.age_credentials(minutes_left=10)
    world.idp_post("/_test/revoke")
    app = TrayApp(world, desktop)
    try:
        note = app.wait_notification(f"Sign-in needed for {world.provider}", timeout=60)
        # (with the expiry warning of the same moment as a further line)
        assert note["body"].startswith("Your sign-in has ended.\nSign in to continue."), note
        assert note["actions"] == [(f"signin:{world.provider}", "Sign in")]
        app.wait_icon("error")
        app.wait_menu("dev · sign-in needed")
        assert first_action(app) == f"Sign in to {world.provider}…", "not a dead end"
        assert not [i for i in app.menu()["children"] if i["label"].startswith("Retry")], "retrying would not help"
        # the same event is not told twice
        assert len([n for n in app.notifications() if n["summary"].startswith("Sign-in needed")]) == 1
        # a click on the notification's button signs in (the browser stand-in approves)
        app.host.invoke_action(note, f"signin:{world.provider}")
        app.wait_notification(f"Signed in to {world.provider}", timeout=60)
        app.wait_menu("dev · ready until")
        app.wait_icon("ok")
    finally:
        app.stop()


def test_sts_out_of_reach_offers_retry_with_the_reason_and_retry_recovers(signed_in, tray):
    world = signed_in
    world.age_credentials(minutes_left=15)  # due for a refresh, still valid, not yet worth a warning
    # one refresh tries STS three times, and the SDK twice each: all six fail, the next try works
    world.aws_post("/_test/fail?code=IDPCommunicationError&count=6")
    app = tray()
    note = app.wait_notification("dev: credentials not renewed", timeout=60)
    assert note["body"] == "AWS could not be reached.\nidbridge tries again automatically."
    assert note["actions"] == [("retry", "Retry now")]
    app.wait_menu("dev · not renewed · valid until")
    assert first_action(app) == "Retry now", "the next action, not a sign-in that would not help"
    assert find(app.menu(), "dev: AWS could not be reached.")["enabled"] is False, "the reason, named, on its own line"
    app.wait_icon("expiring")
    labels = " ".join(label for _, label in all_labels(app.menu()))
    assert "IDPCommunicationError" not in labels and "dispatch failure" not in labels, labels
    # the notification's button is "Retry now": STS answers again
    app.host.invoke_action(note, "retry")
    # the Retry's own refresh takes a moment; what it did shows at once, not at the next minute's tick
    app.wait_menu("dev · ready until", timeout=10)
    app.wait_icon("ok", timeout=2)
    assert not [i for i in app.menu()["children"] if i["label"] == "Retry now"]


def test_a_refused_role_names_the_profile_and_its_fix_and_offers_no_retry(world, tray):
    # a role whose trust policy does not name this IdP: STS answers AccessDenied, whatever the retries
    world.write_config(profiles={"dev": ROLE_DEV, "prod": "arn:aws:iam::123456789012:role/not-trusted"})
    r = world.login()
    assert "prod" in r.err, r.err
    app = tray()
    refused = "prod: AWS refused this role: check the role ARN and the role's trust policy."
    app.wait_menu(refused, timeout=60)
    app.wait_icon("error")
    labels = [label for _, label in all_labels(app.menu())]
    assert not [x for x in labels if x.startswith("Retry")], labels
    app.click("Refresh now", within="prod · ")  # the person tries anyway: the notification says what helps
    note = app.wait_notification("prod: credentials not renewed", timeout=60)
    assert "trust policy" in note["body"] and "automatically" not in note["body"], note
    assert note["actions"] == [("settings", "Open Settings")], note


def all_labels(node, depth=0):
    return [(depth, c["label"]) for c in node["children"]] + [x for c in node["children"] for x in all_labels(c, depth + 1)]


def window_named(name):
    return subprocess.run(["xdotool", "search", "--name", name], capture_output=True, text=True).stdout.split()


def test_first_run_opens_the_setup_view_and_the_menu_says_set_up(world, tray):
    (world.home / "config.toml").unlink()
    app = tray()
    wait_for(lambda: window_named("idbridge — Settings"), 30, "the setup view on first run")
    assert first_action(app) == "Set up idbridge…"
    assert not [i for i in app.menu()["children"] if i["label"] == "Settings…"], "Set up opens Settings: not twice"


def test_escape_cancels_the_sign_in_and_the_menu_offers_it_again(world, tray, window_manager):
    app = tray(STANDIN_ACTION="ignore")  # the browser never approves: the window waits
    app.click(f"Sign in to {world.provider}")
    app.wait_menu(f"Signing in to {world.provider}… (show window)")
    [wid] = wait_for(lambda: window_named("idbridge — Sign in"), 30, "the sign-in window")
    wait_for(lambda: len(world.browser_entries()) >= 1, 30, "the browser opened on the sign-in page")
    wait_for(lambda: "signin window ready" in app.log.read_text(), 30, "the sign-in page")
    subprocess.run(["xdotool", "windowactivate", "--sync", wid, "key", "--clearmodifiers", "Escape"], check=True)
    wait_for(lambda: not window_named("idbridge — Sign in"), 20, "the sign-in window to close")
    app.wait_menu(f"Sign in to {world.provider}…")
    wait_for(lambda: not app.children(), 20, "the sign-in process to end")


def new_windows(name, before):
    """Windows called `name` that were not there `before` (another test's leftover on the display is not ours)."""
    return [w for w in window_named(name) if w not in before]


def test_a_second_launch_opens_settings_in_the_running_app(world, tray):
    before = window_named("idbridge — Settings")
    app = tray()
    assert new_windows("idbridge — Settings", before) == []
    second = subprocess.run([str(APP)], env=world.env(), capture_output=True, text=True, timeout=30)
    assert second.returncode == 0
    wait_for(lambda: new_windows("idbridge — Settings", before), 20, "the Settings window of the running app")
    assert app.proc.poll() is None, "the first instance keeps running"


def test_closing_settings_leaves_no_web_process_behind(world, tray, window_manager):
    before = window_named("idbridge — Settings")
    app = tray()
    assert web_processes(app.proc.pid) == [], "the idle tray app runs no WebKit"
    app.click("Settings…")
    [wid] = wait_for(lambda: new_windows("idbridge — Settings", before), 20, "the Settings window")
    wait_for(lambda: web_processes(app.proc.pid), 20, "the WebKit processes of the window")
    # as a person closes it: the window manager's close (Alt+F4 in openbox) asks the app politely
    subprocess.run(["xdotool", "windowactivate", "--sync", wid, "key", "--clearmodifiers", "alt+F4"], check=True)
    try:
        wait_for(lambda: not descendants(app.proc.pid), 20, "the Settings process and its WebKit processes to end")
    except AssertionError as e:
        raise AssertionError(f"{e}: {descendants(app.proc.pid)}") from None
    assert app.proc.poll() is None, "closing the last window does not quit the tray app"
    ready = app.log.read_text().count("settings window ready")
    app.click("Settings…")
    [wid] = wait_for(lambda: new_windows("idbridge — Settings", before), 20, "Settings opened a second time")
    wait_for(lambda: app.log.read_text().count("settings window ready") > ready, 30, "the Settings page")
    # choosing Settings again while it is open raises it: still one window, one process
    app.click("Settings…")
    assert len(new_windows("idbridge — Settings", before)) == 1
    subprocess.run(["xdotool", "windowactivate", "--sync", wid, "key", "--clearmodifiers", "ctrl+w"], check=True)
    wait_for(lambda: not descendants(app.proc.pid), 20, "Ctrl+W to close Settings")


def cmdline(pid):
    """The command line of a process, or None if it ended since it was listed."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
    except (FileNotFoundError, ProcessLookupError):
        return None


def descendants(pid):
    kids = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    alive = [(k, cmd) for k in kids if (cmd := cmdline(k)) is not None]
    return alive + [d for k, _ in alive for d in descendants(int(k))]


def web_processes(pid):
    return [k for k, cmd in descendants(pid) if "WebKit" in cmd]


def test_open_console_from_the_menu_uses_the_profiles_own_browser(signed_in, tray):
    w = signed_in
    w.write_config(profiles={})
    text = (w.home / "config.toml").read_text()
    text += w.profile_toml("dev", ROLE_DEV, browser=[sys.executable, str(SUPPORT / "browser.py"), "-P", "work"]) + "\n"
    (w.home / "config.toml").write_text(text)
    app = tray()
    app.click("Open Console", within="dev · ready until")
    entry = w.browser_entries(2)[1]
    assert entry["argv"] == ["-P", "work"], "the profile's browser, not the system's: %r" % entry
    assert entry["status"] == 302 and entry["location"].startswith("https://console.aws.amazon.com/"), entry
    assert "SigninToken" not in app.log.read_text(), "the console URL is never logged"


def test_sign_in_from_the_menu_with_the_browser_flow(world, tray):
    world.write_config(extra_provider='flow = "browser"\n')
    app = tray()
    app.click(f"Sign in to {world.provider}")
    note = app.wait_notification(f"Signed in to {world.provider}")
    assert note["body"] == "alice@example.com · 1 profile ready"
    [entry] = world.browser_entries(1)
    assert entry["url_path"] == "/auth" and entry["outcome"] == "callback" and entry["status"] == 200, entry
    assert any(e.get("grant_type") == "authorization_code" for e in world.idp_log()), "code + PKCE, not the device flow"
    assert world.aws_cli("sts", "get-caller-identity").code == 0
    app.wait_menu("dev · ready until")
    wait_for(lambda: not app.children(), 20, "the sign-in window's process to end")


def test_escape_cancels_a_browser_sign_in_and_its_listener_closes(world, tray, window_manager):
    world.write_config(extra_provider='flow = "browser"\n')
    app = tray(STANDIN_ACTION="ignore")  # the browser opens the page and nobody signs in
    app.click(f"Sign in to {world.provider}")
    [wid] = wait_for(lambda: window_named("idbridge — Sign in"), 30, "the sign-in window")
    [entry] = world.browser_entries(1)
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(entry["url"]).query))
    port = urllib.parse.urlparse(q["redirect_uri"]).port
    socket.create_connection(("127.0.0.1", port), timeout=5).close()  # the window's listener waits
    wait_for(lambda: "signin window ready" in app.log.read_text(), 30, "the sign-in page")
    subprocess.run(["xdotool", "windowactivate", "--sync", wid, "key", "--clearmodifiers", "Escape"], check=True)
    wait_for(lambda: not window_named("idbridge — Sign in"), 20, "the sign-in window to close")
    app.wait_menu(f"Sign in to {world.provider}…")
    wait_for(lambda: not app.children(), 20, "the sign-in process to end")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5)


def test_sigterm_ends_the_tray_as_the_signal_asks(world, tray):
    # the session ending sends SIGTERM: with no refresh-token rotation in flight the app ends at once,
    # killed by that signal (a rotation in flight would be stored first: see the core's Shield)
    app = tray()
    app.proc.send_signal(signal.SIGTERM)
    assert app.proc.wait(timeout=10) == -signal.SIGTERM


def dev_line(app):
    return next(label for label in labels(app.menu()) if label.startswith("dev · "))


def labels(node):
    yield node.get("label", "")
    for child in node.get("children", []):
        yield from labels(child)


def delay_until(app, check, limit=10.0):
    """Seconds from now until `check(menu's dev line)` holds (the menu read as a panel does, every 50 ms)."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        if check(dev_line(app)):
            return time.monotonic() - start
        time.sleep(0.05)
    return float("inf")


def test_the_tray_shows_a_cli_refresh_a_config_edit_and_a_cli_logout_within_2_s(world, tray):
    # the tray refreshes 5 minutes ahead: credentials 10 minutes from expiry are the CLI's to renew
    config = world.home / "config.toml"
    config.write_text(config.read_text() + "\n[app]\nrefresh_before_expiry_seconds = 300\n")
    assert world.login().code == 0
    world.age_credentials(minutes_left=10)
    app = tray()
    aged = app.wait_menu("dev · ready until")["label"]

    assert world.run("credential-process", "--profile", "dev").code == 0
    refreshed = delay_until(app, lambda line: line.startswith("dev · ready until") and line != aged)
    print(f"\ntray delay after a CLI refresh: {refreshed:.2f} s")
    assert refreshed <= 2.0, f"the menu still said {aged!r} after {refreshed} s"

    config.write_text(config.read_text() + "\n" + world.profile_toml("prod", ROLE_DEV))
    start = time.monotonic()
    app.wait_menu("prod · ", timeout=10)
    print(f"tray delay after a config edit: {time.monotonic() - start:.2f} s")
    assert time.monotonic() - start <= 2.0

    assert world.run("logout").code == 0
    signed_out = delay_until(app, lambda line: line.startswith("dev · signed out"))
    print(f"tray delay after a CLI logout: {signed_out:.2f} s")
    assert signed_out <= 2.0, f"the menu still said {dev_line(app)!r} after {signed_out} s"
    app.wait_icon("signed-out", timeout=2)


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_idle_with_the_watcher_on_costs_no_cpu(world, tray):
    assert world.login().code == 0
    app = tray()
    app.wait_menu("dev · ready until")
    app.wait_icon("ok")
    # a change is seen (the watcher is on), then nothing more happens: the tray must not wake itself
    world.age_credentials(minutes_left=50)
    app.wait_menu("dev · ready until")
    before, start = cpu_seconds(app.proc.pid), time.monotonic()
    time.sleep(20)  # the measurement itself: twenty idle seconds
    used = cpu_seconds(app.proc.pid) - before
    share = used / (time.monotonic() - start)
    print(f"\ntray idle CPU with the watcher on: {used:.2f} s in 20 s ({share:.2%})")
    assert share < 0.01, f"{share:.2%}"
