"""The Settings window driven through WebDriver (tauri-driver + WebKitWebDriver), as a person fills it in."""
import socket
import subprocess
import tomllib

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.options import ArgOptions
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import APP, wait_for


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def settings(world):
    port, native = free_port(), free_port()
    driver_proc = subprocess.Popen(["tauri-driver", "--port", str(port), "--native-port", str(native)],
                                   env=world.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: listening(port) and listening(native), 20, "tauri-driver and WebKitWebDriver")
    options = ArgOptions()
    options.set_capability("browserName", "wry")
    # the Settings window runs in a process of its own, as the tray app starts it
    options.set_capability("tauri:options", {"application": str(APP), "args": ["--window", "settings"]})
    driver = webdriver.Remote(command_executor=f"http://127.0.0.1:{port}", options=options)
    driver.implicitly_wait(0)
    WebDriverWait(driver, 20).until(lambda d: d.find_element(By.CSS_SELECTOR, "h1").text.strip())
    yield driver
    driver.quit()
    driver_proc.terminate()
    driver_proc.wait(timeout=10)


def fill(form, **fields):
    for name, value in fields.items():
        el = form.find_element(By.NAME, name)
        el.clear()
        el.send_keys(value)


def test_an_invalid_issuer_is_shown_next_to_its_field_and_nothing_is_saved(world, settings):
    before = (world.home / "config.toml").read_text()
    form = settings.find_element(By.ID, "provider-form")
    fill(form, name="corp", issuer="http://idp.example.com/", client_id="abc")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    error = WebDriverWait(settings, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, "#provider-form .error"))
    assert error.text == "an https:// URL (plain http:// is allowed only for 127.0.0.1, ::1 or localhost)"
    assert "invalid" in form.find_element(By.NAME, "issuer").get_attribute("class")
    assert (world.home / "config.toml").read_text() == before


def test_a_valid_provider_and_profile_are_saved_keeping_comments(world, settings):
    form = settings.find_element(By.ID, "provider-form")
    fill(form, name="corp", issuer=world.issuer, client_id="corp-client")
    form.find_element(By.ID, "provider-test").click()
    WebDriverWait(settings, 15).until(lambda d: "/device/auth" in d.find_element(By.ID, "provider-result").text)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(settings, 10).until(lambda d: "corp" in d.find_element(By.ID, "provider-list").text)

    profile = settings.find_element(By.ID, "profile-form")
    fill(profile, name="staging", role_arn="arn:aws:iam::123456789012:role/staging", region="eu-west-1")
    Select(profile.find_element(By.NAME, "provider")).select_by_value("corp")
    profile.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(settings, 10).until(lambda d: "staging" in d.find_element(By.ID, "profile-list").text)

    text = (world.home / "config.toml").read_text()
    assert text.startswith("# written by the test\n"), "the person's comments are kept"
    config = tomllib.loads(text)
    assert config["providers"]["corp"] == {"issuer": world.issuer, "client_id": "corp-client",
                                           "scopes": ["openid", "offline_access", "email"]}
    assert config["profiles"]["staging"]["provider"] == "corp"
    assert config["profiles"]["staging"]["region"] == "eu-west-1"
    assert config["profiles"]["dev"]["sts_endpoint"] == world.aws_url, "profiles not edited stay as they were"


def test_switching_to_japanese_changes_the_labels(world, settings):
    assert settings.find_element(By.CSS_SELECTOR, "h1").text == "idbridge settings"
    form = settings.find_element(By.ID, "app-form")
    Select(form.find_element(By.NAME, "language")).select_by_value("ja")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(settings, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, "h1").text == "idbridge の設定")
    assert settings.find_element(By.CSS_SELECTOR, "#provider-form button[type=submit]").text == "保存"
    assert tomllib.loads((world.home / "config.toml").read_text())["app"]["language"] == "ja"


def test_start_at_login_writes_and_removes_the_autostart_entry(world, settings):
    entry = world.tmp / ".config" / "autostart" / "idbridge.desktop"
    box = settings.find_element(By.ID, "autostart")
    assert not box.is_selected() and not entry.exists()
    box.click()
    settings.find_element(By.CSS_SELECTOR, "#app-form button[type=submit]").click()
    WebDriverWait(settings, 10).until(lambda d: d.find_element(By.ID, "app-result").text)
    assert settings.find_element(By.ID, "app-result").text == "Saved."
    wait_for(entry.exists, 10, "the autostart entry")
    assert f"Exec={APP}" in entry.read_text() or str(APP) in entry.read_text()
    settings.find_element(By.ID, "autostart").click()
    settings.find_element(By.CSS_SELECTOR, "#app-form button[type=submit]").click()
    wait_for(lambda: not entry.exists(), 10, "the autostart entry to go")
