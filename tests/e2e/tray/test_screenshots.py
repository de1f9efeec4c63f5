"""What a person sees on a real desktop, saved as pictures in artifacts/screenshots/ (English and Japanese):
Xfce's panel (xfce4-panel, whose systray is a StatusNotifier host) shows the tray icon and its menu,
xfce4-notifyd shows the notifications, xfwm4 frames the windows. One picture per state, each with the
next action visible: first run, signed out, signed in, sign-in needed, AWS out of reach, the sign-in
window (waiting and failed) and Settings. The tests also check what the picture must show (the icon's
colour, a menu drawn, a window of the right size); a person looks at the pictures."""
import contextlib
import os
import shutil
import subprocess
import time

import pytest
from PIL import Image

from conftest import APP, ROOT, ROLE_DEV, ROLE_PROD, AppProcess, wait_for

SHOTS = ROOT / "artifacts" / "screenshots"
W, H = 1280, 800
PANEL_HEIGHT = 28
ICON_COLOURS = {"signed-out": (0x78, 0x90, 0x9c), "ok": (0x2e, 0x7d, 0x32), "expiring": (0xef, 0x8f, 0x00),
                "error": (0xc6, 0x28, 0x28)}


def grab():
    raw = subprocess.run(["import", "-window", "root", "png:-"], capture_output=True, check=True).stdout
    from io import BytesIO
    return Image.open(BytesIO(raw)).convert("RGB")


def save(image, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    image.save(SHOTS / f"{name}.png")


def colours(image):
    return len(image.getcolors(maxcolors=1 << 24))


def changed(a, b):
    """How many pixels differ."""
    return sum(1 for p, q in zip(a.tobytes()[::3], b.tobytes()[::3]) if p != q)


def bus_has(name):
    out = subprocess.run(["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
                          "org.freedesktop.DBus.NameHasOwner", f"string:{name}"], capture_output=True, text=True).stdout
    return "boolean true" in out


@pytest.fixture(scope="module")
def xfce(tmp_path_factory):
    """Xfce's window manager, panel and notification daemon, with their stock settings."""
    if not shutil.which("xfce4-panel"):
        pytest.fail("xfce4-panel is needed (scripts/setup installs it)")
    home = tmp_path_factory.mktemp("xfce")
    env = {**os.environ, "XDG_CONFIG_HOME": str(home / ".config"), "XDG_CACHE_HOME": str(home / ".cache")}
    subprocess.run(["xsetroot", "-solid", "#3b4652"], check=False)
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for cmd in (
        ["xfwm4"], ["xfce4-panel", "--disable-wm-check"])]
    wait_for(lambda: bus_has("org.kde.StatusNotifierWatcher"), 30, "the panel's StatusNotifier host")
    yield env
    for p in procs:
        p.terminate()
    for p in procs:
        p.wait(timeout=10)


def write_lang(world, lang, profiles=None, app=""):
    world.write_config(profiles=profiles or {"dev": ROLE_DEV, "prod": ROLE_PROD})
    with open(world.home / "config.toml", "a") as f:
        f.write(f'\n[app]\nlanguage = "{lang}"\n{app}')


def find_icon(state):
    """Where the panel draws our icon in `state`: the pixels of its colour in the panel's right half."""
    image = grab().crop((W // 2, 0, W, PANEL_HEIGHT))
    want = ICON_COLOURS[state]
    xs = [x for x in range(image.width) for y in range(4, PANEL_HEIGHT - 4)
          if sum(abs(a - b) for a, b in zip(image.getpixel((x, y)), want)) < 40]
    if len(xs) < 12:
        return None
    # the first run of columns close together is the icon (text further right may share its grey)
    xs = sorted(set(xs))
    end = next((a for a, b in zip(xs, xs[1:]) if b - a > 3), xs[-1])
    return W // 2 + (xs[0] + end) // 2, PANEL_HEIGHT // 2


class Desktop(AppProcess):
    """The tray app on the Xfce desktop, and what a person sees of it."""

    def wait_log(self, text, timeout=60):
        wait_for(lambda: text in self.log.read_text(), timeout, repr(text))

    def menu_shot(self, state, name):
        """Clicks the icon as a person does and saves the menu it opens."""
        x, y = wait_for(lambda: find_icon(state), 60, f"the {state} icon in the panel")
        below = (x - 420, PANEL_HEIGHT + 2, min(W, x + 260), PANEL_HEIGHT + 120)
        before = grab().crop(below)
        subprocess.run(["xdotool", "mousemove", str(x), str(y), "click", "1"], check=True)
        wait_for(lambda: changed(before, grab().crop(below)) > 3000, 20, "the menu to be drawn")
        time.sleep(0.5)  # the menu fades in; no signal says it is fully drawn
        save(grab().crop((max(0, x - 760), 0, W, 480)), name)
        subprocess.run(["xdotool", "key", "Escape"], check=True)

    def window_shot(self, title, name, settle=1.5):
        wid = wait_for(lambda: self.find_window(title), 30, f"a window named {title!r}")[-1]
        time.sleep(settle)  # WebKit draws fonts and text asynchronously
        out = subprocess.run(["xwininfo", "-id", wid], capture_output=True, text=True).stdout
        g = {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in out.splitlines() if ":" in line)}
        x, y = int(g["Absolute upper-left X"]), int(g["Absolute upper-left Y"])
        w, h = int(g["Width"]), int(g["Height"])
        image = grab().crop((x - 6, y - 30, x + w + 6, y + h + 6))  # with the title bar
        save(image, name)
        assert colours(image) > 30, "the window was drawn"
        return w, h

    def find_window(self, title):
        if title is not None:
            return subprocess.run(["xdotool", "search", "--name", title], capture_output=True, text=True).stdout.split()
        # the window of the app's child process (its title may not be readable under a missing locale)
        kids = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout.split()
        return [w for k in kids for w in subprocess.run(["xdotool", "search", "--onlyvisible", "--pid", k],
                                                        capture_output=True, text=True).stdout.split()]

    def notification_shot(self, name):
        subprocess.run(["xdotool", "mousemove", "10", str(H - 10)], check=True)  # no tooltip in the way
        time.sleep(1.0)  # xfce4-notifyd fades the bubble in
        save(grab().crop((W - 560, 0, W, 260)), name)


@pytest.fixture
def notifyd(xfce):
    """xfce4-notifyd, one per test: bubbles of the test before are gone."""
    proc = subprocess.Popen(["/usr/lib/x86_64-linux-gnu/xfce4/notifyd/xfce4-notifyd"], env=xfce,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: bus_has("org.freedesktop.Notifications"), 30, "xfce4-notifyd")
    yield
    proc.terminate()
    proc.wait(timeout=10)
    wait_for(lambda: not bus_has("org.freedesktop.Notifications"), 10, "xfce4-notifyd to end")


@pytest.fixture
def desktop_app(notifyd):
    apps = []

    def start(world, **env):
        apps.append(Desktop(world, **env))
        return apps[-1]
    yield start
    for a in apps:
        a.stop()


TITLES = {"en": {"settings": "idbridge — Settings", "signin": "idbridge — Sign in"},
          "ja": {"settings": "idbridge — 設定", "signin": "idbridge — サインイン"}}
LANGS = ["en", "ja"]


@pytest.mark.parametrize("lang", LANGS)
def test_first_run(world, desktop_app, lang):
    (world.home / "config.toml").unlink()
    env = {"LANG": "ja_JP.UTF-8", "LC_ALL": "ja_JP.UTF-8"} if lang == "ja" else {}
    app = desktop_app(world, **env)
    # (the C library here lacks the Japanese locale, and the title cannot be searched for: find it by process)
    app.window_shot(TITLES[lang]["settings"] if lang == "en" else None, f"first-run-setup-{lang}")
    app.menu_shot("signed-out", f"first-run-menu-{lang}")


@pytest.mark.parametrize("lang", LANGS)
def test_signed_out(world, desktop_app, lang):
    write_lang(world, lang)
    app = desktop_app(world)
    app.menu_shot("signed-out", f"signed-out-menu-{lang}")


@pytest.mark.parametrize("lang", LANGS)
def test_signed_in(world, desktop_app, lang):
    write_lang(world, lang)
    assert world.login().code == 0
    app = desktop_app(world)
    app.menu_shot("ok", f"signed-in-menu-{lang}")
    # the panel's tooltip: the app's name (libappindicator gives no live title)
    x, y = find_icon("ok")
    subprocess.run(["xdotool", "mousemove", str(x - 1), str(y), "mousemove", str(x), str(y)], check=True)
    time.sleep(1.5)  # the tooltip appears after a hover delay
    save(grab().crop((x - 300, 0, W, 120)), f"signed-in-tooltip-{lang}")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("trouble,icon", [("sign-in-needed", "error"), ("aws-out-of-reach", "expiring")])
def test_trouble(make_world, desktop_app, lang, trouble, icon):
    world = make_world(IDP_TTL_ID_TOKEN=60)  # refreshing needs the refresh token
    write_lang(world, lang, profiles={"dev": ROLE_DEV})
    assert world.login().code == 0
    world.age_credentials(minutes_left=15)  # a refresh is due
    if trouble == "sign-in-needed":
        world.idp_post("/_test/revoke")
    else:
        world.aws_post("/_test/fail?code=IDPCommunicationError&count=100")
    app = desktop_app(world)
    app.wait_log("notify:")
    app.notification_shot(f"{trouble}-notification-{lang}")
    app.menu_shot(icon, f"{trouble}-menu-{lang}")


@contextlib.contextmanager
def window_process(world, *args, **env):
    """A window process started by hand, as the tray starts it."""
    proc = AppProcess(world, "--window", *args, **env)
    try:
        yield proc
    finally:
        proc.stop()


@pytest.mark.parametrize("lang", LANGS)
def test_sign_in_window_waiting_and_failed(world, desktop_app, lang):
    write_lang(world, lang)
    app = desktop_app(world)
    wait_for(lambda: find_icon("signed-out"), 60, "the icon")
    with window_process(world, "signin", "--provider", world.provider, STANDIN_ACTION="ignore"):
        # the browser never approves: the code stays up
        w, h = app.window_shot(TITLES[lang]["signin"], f"signin-waiting-{lang}", settle=2.0)
        assert h < 420, f"no empty space below: {w}x{h}"
    world.write_config(extra_provider='flow = "browser"\n')  # no code to compare: continue in the browser
    with open(world.home / "config.toml", "a") as f:
        f.write(f'\n[app]\nlanguage = "{lang}"\n')
    with window_process(world, "signin", "--provider", world.provider, STANDIN_ACTION="ignore"):
        w, h = app.window_shot(TITLES[lang]["signin"], f"signin-browser-{lang}", settle=2.0)
        assert h < 300, f"no code block, no empty space below: {w}x{h}"
    world.write_config(issuer="http://127.0.0.1:9/")  # nothing answers there: the sign-in fails
    with open(world.home / "config.toml", "a") as f:
        f.write(f'\n[app]\nlanguage = "{lang}"\n')
    with window_process(world, "signin", "--provider", world.provider):
        w, h = app.window_shot(TITLES[lang]["signin"], f"signin-failed-{lang}", settle=3.0)
        assert h < 300, f"no empty space below: {w}x{h}"


@pytest.mark.parametrize("lang", LANGS)
def test_settings(world, desktop_app, lang):
    write_lang(world, lang)
    app = desktop_app(world)
    wait_for(lambda: find_icon("signed-out"), 60, "the icon")
    with window_process(world, "settings"):
        app.window_shot(TITLES[lang]["settings"], f"settings-{lang}")


@pytest.mark.parametrize("lang", LANGS)
def test_refused_role(world, desktop_app, lang):
    # prod's role does not trust this IdP: the menu names prod, says what to check, and offers no Retry
    write_lang(world, lang, profiles={"dev": ROLE_DEV, "prod": "arn:aws:iam::123456789012:role/not-trusted"})
    assert "prod" in world.login().err
    app = desktop_app(world)
    app.menu_shot("error", f"refused-role-menu-{lang}")
