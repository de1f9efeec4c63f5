"""Pictures of Settings in English and Japanese, taken through WebDriver (the whole window's page as
WebKit draws it, scrolled to the part shown): the broken-config view, Check setup, the first run at its
last step, and the import preview with a change to where secrets go. Saved in artifacts/screenshots/;
each test checks what its picture must show, and a person looks at the pictures."""
from io import BytesIO

import pytest
from PIL import Image
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.file_detector import UselessFileDetector
from selenium.webdriver.support.ui import WebDriverWait

from conftest import ROLE_PROD, ROOT, fill

SHOTS = ROOT / "artifacts" / "screenshots"
LANGS = ["en", "ja"]
HEADINGS = {"en": "idbridge settings", "ja": "idbridge の設定"}


def in_language(world, settings, lang, text=None):
    """config.toml (as it is, or `text`) with the language set, and the window reloaded in it."""
    text = (world.home / "config.toml").read_text() if text is None else text
    (world.home / "config.toml").write_text(f'[app]\nlanguage = "{lang}"\n\n' + text)
    settings.refresh()


def shoot(driver, part, name):
    """The window's page with `part` at its top, as a picture; it must not be blank."""
    # with the section's heading above it in view
    driver.execute_script("arguments[0].scrollIntoView({block: 'start'}); window.scrollBy(0, -48)", part)
    driver.execute_script("return new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    image = Image.open(BytesIO(driver.get_screenshot_as_png())).convert("RGB")
    SHOTS.mkdir(parents=True, exist_ok=True)
    image.save(SHOTS / f"{name}.png")
    assert len(image.getcolors(maxcolors=1 << 24)) > 30, f"{name}: a blank picture"
    return image


def after_sign_in(settings):
    """Waits for the welcome to show its last step, as it does once the sign-in's credentials are written."""
    WebDriverWait(settings, 20).until(
        lambda d: d.find_element(By.ID, "step-aws").get_attribute("class") == "current"
        and d.find_element(By.ID, "use-aws-cli").is_displayed())


@pytest.mark.parametrize("lang", LANGS)
def test_broken_config(world, settings, lang):
    text = (world.home / "config.toml").read_text().replace("scopes = ", "bogus_key = 1\nscopes = ", 1)
    in_language(world, settings, lang, text)
    box = WebDriverWait(settings, 20).until(lambda d: d.find_element(By.ID, "config-error").is_displayed()
                                            and d.find_element(By.ID, "config-error"))
    assert "bogus_key" in box.find_element(By.ID, "broken-what").text
    assert settings.find_element(By.CSS_SELECTOR, "h1").text == HEADINGS[lang]
    shoot(settings, box, f"broken-config-{lang}")


@pytest.mark.parametrize("lang", LANGS)
def test_check_setup(world, settings, lang):
    in_language(world, settings, lang)
    assert world.login().code == 0
    WebDriverWait(settings, 20).until(lambda d: d.find_element(By.CSS_SELECTOR, "h1").text == HEADINGS[lang])
    # the welcome above redraws once the sign-in's credentials are seen (a watcher, within a second): a click
    # aimed before that redraw lands where the button was
    after_sign_in(settings)
    settings.find_element(By.ID, "check-setup").click()
    try:
        WebDriverWait(settings, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#doctor-list li")
                                          and not d.find_element(By.ID, "check-setup").get_attribute("disabled"))
    except TimeoutException:
        pytest.fail(f"Check setup gave no list; it says: {settings.find_element(By.ID, 'doctor-result').text!r}")
    rows = settings.find_element(By.ID, "doctor-list").text
    assert ("Problem" not in rows) and ("詳細を見てください" not in rows), rows
    assert not settings.find_elements(By.CSS_SELECTOR, "#doctor-list li.ok details"), "an ok row needs no Details"
    said = " ".join(e.text for e in settings.find_elements(By.CSS_SELECTOR, "#doctor-list .message, #doctor-list .fix"))
    assert "`" not in said and " · config" not in rows, said
    assert lang == "en" or " the " not in said, "no English article in a Japanese sentence"
    shoot(settings, settings.find_element(By.ID, "doctor"), f"check-setup-{lang}")


@pytest.mark.parametrize("lang", LANGS)
def test_first_run_last_step(world, settings, lang):
    in_language(world, settings, lang)
    assert world.login().code == 0
    after_sign_in(settings)
    shoot(settings, settings.find_element(By.ID, "setup"), f"first-run-last-step-{lang}")


@pytest.mark.parametrize("lang", LANGS)
def test_import_preview_with_a_sensitive_change(world, settings, lang):
    in_language(world, settings, lang)
    team = world.tmp / "team.toml"
    entry = f'[profiles.prod]\nprovider = "{world.provider}"\nrole_arn = "{ROLE_PROD}"\nregion = "eu-west-1"\n'
    team.write_text(entry + 'session_name_claim = "email"\n')
    assert world.run("import", str(team), "--yes").code == 0
    # the team drops a key, changes another, and names an STS endpoint: sent the ID token from now on
    team.write_text(entry.replace("eu-west-1", "ap-northeast-1") + f'sts_endpoint = "{world.aws_url}"\n')
    WebDriverWait(settings, 20).until(lambda d: d.find_element(By.CSS_SELECTOR, "h1").text == HEADINGS[lang])
    settings.file_detector = UselessFileDetector()
    form = settings.find_element(By.ID, "import-form")
    fill(form, source=str(team))
    form.find_element(By.ID, "import-preview").click()
    WebDriverWait(settings, 20).until(lambda d: d.find_element(By.ID, "import-sensitive").is_displayed())
    removed = {"en": "(removed)", "ja": "（削除）"}
    assert removed[lang] in form.text and ("(removed)" in form.text) == (lang == "en"), form.text
    shoot(settings, form, f"import-preview-sensitive-{lang}")
