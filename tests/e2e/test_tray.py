"""The tray app as a person uses it: its real menu (read and clicked over D-Bus, as a desktop panel does),
notifications seen on D-Bus, against the same local IdP, STS and federation stand-ins as the CLI."""
import json
import subprocess

import pytest

from conftest import APP, TrayApp, find, wait_for

@pytest.fixture
def tray(world, desktop):
    apps = []

    def start():
        app = TrayApp(world, desktop)
        apps.append(app)
        return app
    yield start
    for a in apps:
        a.stop()


def test_sign_in_from_the_menu_then_the_aws_cli_and_open_console_work(world, tray):
    app = tray()
    app.wait_icon("signed-out")
    assert find(app.menu(), "dev · dev · signed out")
    app.click(f"Sign in to {world.provider}")
    note = app.wait_notification("idbridge: signed in")
    assert note["body"] == "Signed in as alice@example.com — 1 profile ready"
    [browser] = world.browser_entries()
    assert browser["outcome"] == "success"
    assert world.credential_file().exists()
    aws = world.aws_cli("sts", "get-caller-identity")
    assert aws.code == 0 and json.loads(aws.out)["Arn"].endswith(":assumed-role/dev/alice@example.com"), aws.err
    app.wait_menu(f"Sign out of {world.provider}")
    line = app.wait_menu("dev · dev · expires in")
    assert line["label"] in ("dev · dev · expires in 59 min", "dev · dev · expires in 60 min")
    app.wait_icon("ok")

    app.click("Open Console", within="dev · dev ·")
    _, console = world.browser_entries(2)
    assert console["outcome"] == "followed" and console["status"] == 302, console
    assert console["location"] == "https://console.aws.amazon.com/console/home?region=ap-northeast-1"
    assert "SigninToken" not in app.log.read_text(), "the console URL is never logged"


def test_background_refresh_replaces_the_credential_file_before_expiry(world, tray):
    # 50 minutes pass: with the default 20-minute lead the refresh is due at once
    assert world.login().code == 0
    world.age_credentials(minutes_left=10)
    first = json.loads(world.credential_file().read_text())["AccessKeyId"]
    app = tray()
    wait_for(lambda: json.loads(world.credential_file().read_text())["AccessKeyId"] != first, 60,
             "the background refresh")
    assert len(world.assumes()) >= 2
    assert "refreshed profile dev" in app.log.read_text()


def test_a_revoked_refresh_token_asks_for_sign_in_once(make_world, desktop):
    world = make_world(IDP_TTL_ID_TOKEN=60)  # refreshing needs the refresh token
    assert world.login().code == 0
    world.age_credentials(minutes_left=10)
    world.idp_post("/_test/revoke")
    app = TrayApp(world, desktop)
    try:
        note = app.wait_notification(f"Sign-in needed for {world.provider}", timeout=60)
        assert note["body"] == "Choose “Sign in” in the idbridge menu."
        assert "(dev)" in note["summary"]
        app.wait_icon("error")
        app.wait_menu("dev · dev · sign-in needed")
        # asking again gets the same answer, and the same event is not told twice
        app.click("Refresh now", within="dev · dev ·")
        app.wait_menu("dev · dev · sign-in needed")
        assert len([n for n in app.notifications() if n["summary"].startswith("Sign-in needed")]) == 1
    finally:
        app.stop()


def window_named(name):
    return subprocess.run(["xdotool", "search", "--name", name], capture_output=True, text=True).stdout.split()


def test_a_second_launch_opens_settings_in_the_running_app(world, tray):
    app = tray()
    assert window_named("idbridge — Settings") == []
    second = subprocess.run([str(APP)], env=world.env(), capture_output=True, text=True, timeout=30)
    assert second.returncode == 0
    wait_for(lambda: window_named("idbridge — Settings"), 20, "the Settings window of the running app")
    assert app.proc.poll() is None, "the first instance keeps running"


def test_closing_settings_leaves_no_web_process_behind(world, tray, window_manager):
    app = tray()
    assert web_processes(app.proc.pid) == [], "the idle tray app runs no WebKit"
    app.click("Settings…")
    [wid] = wait_for(lambda: window_named("idbridge — Settings"), 20, "the Settings window")
    wait_for(lambda: web_processes(app.proc.pid), 20, "the WebKit processes of the window")
    # as a person closes it: the window manager's close (Alt+F4 in openbox) asks the app politely
    subprocess.run(["xdotool", "windowactivate", "--sync", wid, "key", "--clearmodifiers", "alt+F4"], check=True)
    try:
        wait_for(lambda: not descendants(app.proc.pid), 20, "the Settings process and its WebKit processes to end")
    except AssertionError as e:
        raise AssertionError(f"{e}: {descendants(app.proc.pid)}") from None
    assert app.proc.poll() is None, "closing the last window does not quit the tray app"
    app.click("Settings…")
    wait_for(lambda: window_named("idbridge — Settings"), 20, "Settings opened a second time")


def descendants(pid):
    kids = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [(k, open(f"/proc/{k}/cmdline").read().replace("\0", " ")) for k in kids] + \
        [d for k in kids for d in descendants(int(k))]


def web_processes(pid):
    return [k for k, cmd in descendants(pid) if "WebKit" in cmd]
