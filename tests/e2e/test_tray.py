"""The tray app as a person uses it: its real menu (read and clicked over D-Bus, as a desktop panel does),
notifications seen on D-Bus, against the same local IdP, STS and federation stand-ins as the CLI."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from conftest import ROOT, ROLE_DEV, wait_for

sys.path.insert(0, str(ROOT / "tests" / "support"))
from sni_host import SniHost, find  # noqa: E402

APP = Path(os.environ.get("IDBRIDGE_APP_BIN", ROOT / "target" / "debug" / "idbridge-app"))
ICON_COLOURS = {"signed-out": (0x78, 0x90, 0x9c), "ok": (0x2e, 0x7d, 0x32), "expiring": (0xef, 0x8f, 0x00),
                "error": (0xc6, 0x28, 0x28)}


@pytest.fixture
def desktop():
    if not os.environ.get("DISPLAY"):
        pytest.fail("the tray tests need an X display: run them through ./tests/run (Xvfb)")
    host = SniHost()
    yield host
    host.stop()


class TrayApp:
    def __init__(self, world, host):
        self.world, self.host = world, host
        self.log = world.tmp / "app.log"
        self.proc = subprocess.Popen([str(APP)], env=world.env(), stdout=subprocess.DEVNULL,
                                     stderr=open(self.log, "w"))
        host.wait_item()

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def menu(self):
        return self.host.layout()

    def click(self, prefix, within=None):
        # the app rebuilds its menu when what it shows changes; a panel then re-reads it, and so do we
        for attempt in range(5):
            layout = self.menu()
            parent = find(layout, within) if within else layout
            item = find(parent, prefix)
            assert item["enabled"], item
            try:
                return self.host.click(item["id"])
            except Exception as e:  # dbus-next's DBusError: the id belongs to a menu just replaced
                if "does not refer to a menu item" not in str(e) or attempt == 4:
                    raise

    def wait_menu(self, prefix, timeout=30):
        def seen():
            try:
                return find(self.menu(), prefix)
            except AssertionError:
                return None
        return wait_for(seen, timeout, f"menu item {prefix!r}")

    def icon_state(self):
        """Which of icons/tray-*.png the tray shows, by the colour of the icon the panel is given."""
        item = self.host.item()
        path = Path(item["icon_theme_path"]) / (item["icon_name"] + ".png")
        if not path.exists():
            path = Path(item["icon_name"])
        pixel = Image.open(path).convert("RGB").resize((64, 64)).getpixel((20, 10))
        return min(ICON_COLOURS, key=lambda k: sum((a - b) ** 2 for a, b in zip(ICON_COLOURS[k], pixel)))

    def wait_icon(self, state, timeout=30):
        return wait_for(lambda: self.icon_state() == state, timeout, f"the {state} icon")

    def notifications(self):
        return list(self.host.notifications.shown)

    def wait_notification(self, summary_prefix, timeout=30):
        return wait_for(lambda: next((n for n in self.notifications() if n["summary"].startswith(summary_prefix)), None),
                        timeout, f"a notification {summary_prefix!r}")


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
    assert note["body"] == "Signed in as alice@example.com — 1 profiles ready"
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
    # refresh when less than 59 min 50 s are left: due right after the sign-in
    world.write_config(extra_provider="")
    with open(world.home / "config.toml", "a") as f:
        f.write("\n[app]\nrefresh_before_expiry_seconds = 3590\n")
    assert world.login().code == 0
    first = json.loads(world.credential_file().read_text())["AccessKeyId"]
    app = tray()
    wait_for(lambda: json.loads(world.credential_file().read_text())["AccessKeyId"] != first, 60,
             "the background refresh")
    assert len(world.assumes()) >= 2
    assert "refreshed profile dev" in app.log.read_text()


def test_a_revoked_refresh_token_asks_for_sign_in_once(make_world, desktop):
    world = make_world(IDP_TTL_ID_TOKEN=60)  # refreshing needs the refresh token
    with open(world.home / "config.toml", "a") as f:
        f.write("\n[app]\nrefresh_before_expiry_seconds = 3590\n")
    assert world.login().code == 0
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
