"""The sign-in window of the browser flow says when its loopback listener refused a stray request (a web
page, an old tab, another local process), so the error page that request got does not look like the end of
the sign-in: EN and JA, a count only, and the real answer still signs in."""
import subprocess
import urllib.parse

import pytest
import requests
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.options import ArgOptions
from selenium.webdriver.support.ui import WebDriverWait

from browser import code_flow
from conftest import APP, free_port, listening, wait_for

STRAY = {
    "en": "Refused requests that were not this sign-in’s answer: {n}. Still waiting for yours.",
    "ja": "このサインインの応答ではない要求を拒否しました（{n} 件）。引き続きお待ちしています。",
}


@pytest.fixture
def signin_window(world):
    """The sign-in window of `world`'s provider, in a process of its own as the tray starts it; the browser
    stand-in opens the page and does nothing, so the test answers the listener itself."""
    procs, drivers = [], []

    def start():
        port, native = free_port(), free_port()
        procs.append(subprocess.Popen(["tauri-driver", "--port", str(port), "--native-port", str(native)],
                                      env=world.env(STANDIN_ACTION="ignore"), stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL))
        wait_for(lambda: listening(port) and listening(native), 20, "tauri-driver and WebKitWebDriver")
        options = ArgOptions()
        options.set_capability("browserName", "wry")
        options.set_capability("tauri:options", {"application": str(APP),
                                                 "args": ["--window", "signin", "--provider", world.provider]})
        drivers.append(webdriver.Remote(command_executor=f"http://127.0.0.1:{port}", options=options))
        return drivers[-1]

    yield start
    for d in drivers:
        try:
            d.quit()
        except Exception:  # the window process ended itself after signing in
            pass
    for p in procs:
        p.terminate()
        p.wait(timeout=10)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_refused_stray_request_is_said_in_the_window_and_the_sign_in_goes_on(world, signin_window, lang):
    world.write_config(extra_provider='flow = "browser"\n')
    with open(world.home / "config.toml", "a") as f:
        f.write(f'\n[app]\nlanguage = "{lang}"\n')
    driver = signin_window()
    [entry] = world.browser_entries(1)
    stray = driver.find_element(By.ID, "stray")
    WebDriverWait(driver, 20).until(lambda d: d.find_element(By.ID, "waiting").is_displayed())
    assert not stray.is_displayed(), "nothing refused yet"
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(entry["url"]).query))
    for n in (1, 2):
        forged = {"code": "stolen", "state": f"forged-{n}", "iss": world.issuer}
        page = requests.get(q["redirect_uri"] + "?" + urllib.parse.urlencode(forged), timeout=10)
        assert page.status_code == 400
        want = STRAY[lang].format(n=n)
        WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, "stray").text == want)
    assert not driver.find_element(By.ID, "failed").is_displayed(), "the sign-in goes on"
    assert "stolen" not in driver.find_element(By.ID, "page").text
    # the real answer still signs in (and the window's process ends)
    real = code_flow(entry["url"], "approve", "alice")
    assert real["outcome"] == "callback" and real["status"] == 200, real
    wait_for(lambda: world.credential_file().exists(), 30, "credentials from the sign-in")
