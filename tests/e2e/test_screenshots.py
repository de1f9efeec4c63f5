"""What a person sees, saved as pictures in artifacts/screenshots/ (English and Japanese): the tray menu
as an XEmbed tray shows it (trayer), the sign-in window with its code, and the Settings window."""
import subprocess
import time

import pytest
from PIL import Image

from conftest import APP, ROOT, ROLE_DEV, ROLE_PROD, TrayApp, wait_for

SHOTS = ROOT / "artifacts" / "screenshots"


def screenshot(name, crop=None):
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    subprocess.run(["import", "-window", "root", str(path)], check=True)
    image = Image.open(path).convert("RGB")
    if crop:
        image = image.crop(crop)
        image.save(path)
    return image


def colours(image):
    return len(image.getcolors(maxcolors=1 << 24))


def write_lang(world, lang, profiles=None):
    world.write_config(profiles=profiles or {"dev": ROLE_DEV, "prod": ROLE_PROD})
    with open(world.home / "config.toml", "a") as f:
        f.write(f'\n[app]\nlanguage = "{lang}"\n')


def window_geometry(name):
    wid = wait_for(lambda: subprocess.run(["xdotool", "search", "--name", name], capture_output=True, text=True).stdout.split(),
                   20, f"a window named {name!r}")[0]
    out = subprocess.run(["xdotool", "getwindowgeometry", "--shell", wid], capture_output=True, text=True).stdout
    g = dict(line.split("=") for line in out.split())
    return int(g["X"]), int(g["Y"]), int(g["WIDTH"]), int(g["HEIGHT"])


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_menu_in_an_xembed_tray(world, window_manager, lang):
    write_lang(world, lang)
    assert world.login().code == 0
    tray = subprocess.Popen(["trayer", "--edge", "top", "--align", "right", "--widthtype", "request", "--height", "32",
                             "--SetDockType", "true", "--transparent", "false"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    app = subprocess.Popen([str(APP)], env=world.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # the icon sits in trayer, at the top right corner of the screen
        wait_for(lambda: colours(screenshot(f"menu-{lang}", crop=(1280 - 40, 0, 1280, 32))) > 4, 20, "the tray icon")
        subprocess.run(["xdotool", "mousemove", str(1280 - 16), "16", "click", "1"], check=True)
        time.sleep(0.5)  # the menu has no signal we can wait on; it only needs to be drawn for the picture
        subprocess.run(["xdotool", "mousemove", str(1280 - 140), "48"], check=True)
        time.sleep(0.5)
        image = screenshot(f"menu-{lang}", crop=(1280 - 560, 0, 1280, 260))
        assert colours(image) > 50, "the menu was drawn"
    finally:
        app.terminate()
        tray.terminate()
        app.wait(timeout=10)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_sign_in_and_settings_windows(world, desktop, window_manager, lang):
    write_lang(world, lang)
    app = TrayApp(world, desktop, STANDIN_ACTION="ignore")  # the sign-in window waits, showing its code
    try:
        app.click(f"Sign in to {world.provider}" if lang == "en" else f"{world.provider} にサインイン")
        x, y, w, h = window_geometry("idbridge — Sign in")
        time.sleep(1.0)  # fonts and the code are drawn asynchronously by WebKit
        image = screenshot(f"signin-{lang}", crop=(x, y, x + w, y + h))
        assert colours(image) > 30
        app.click("Settings…" if lang == "en" else "設定…")
        x, y, w, h = window_geometry("idbridge — Settings")
        time.sleep(1.5)
        image = screenshot(f"settings-{lang}", crop=(x, y, x + w, y + h))
        assert colours(image) > 30
    finally:
        app.stop()
