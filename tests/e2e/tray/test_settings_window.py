"""The Settings window driven through WebDriver (tauri-driver + WebKitWebDriver), as a person fills it in."""
import json
import os
import subprocess
import tomllib
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.file_detector import UselessFileDetector
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import APP, ROLE_PROD, fill, wait_for


def test_an_invalid_issuer_is_shown_next_to_its_field_and_nothing_is_saved(world, settings):
    before = (world.home / "config.toml").read_text()
    form = settings.find_element(By.ID, "provider-form")
    fill(form, name="corp", issuer="http://idp.example.com/", client_id="abc")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    error = WebDriverWait(settings, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, "#provider-form .field-error"))
    assert error.text == "Enter an https:// address (http:// only for localhost)."
    issuer = form.find_element(By.NAME, "issuer")
    assert "invalid" in issuer.get_attribute("class")
    assert (world.home / "config.toml").read_text() == before
    # editing the field clears its error; the form's result line is still there for the next attempt
    issuer.send_keys("x")
    assert form.find_elements(By.CSS_SELECTOR, ".field-error") == []
    assert "invalid" not in issuer.get_attribute("class")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(settings, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#provider-form .field-error"))
    assert form.find_element(By.ID, "provider-result") is not None


def test_a_general_error_shows_a_sentence_with_copyable_details_and_feedback_never_vanishes(world, settings):
    form = settings.find_element(By.ID, "provider-form")
    fill(form, name="corp", issuer="https://127.0.0.1:1/", client_id="abc")
    form.find_element(By.ID, "provider-test").click()
    WebDriverWait(settings, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#provider-result .error"))
    result = settings.find_element(By.ID, "provider-result")
    assert result.find_element(By.CSS_SELECTOR, "p.error").text == "The identity provider could not be reached."
    assert result.find_element(By.CSS_SELECTOR, "details pre").get_attribute("textContent"), "the technical text, folded"
    # Test again after an error: the result line is still there and says something new
    form.find_element(By.ID, "provider-test").click()
    WebDriverWait(settings, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#provider-result .error"))
    # Save after the error still reports into the same line
    fill(form, issuer=world.issuer)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(settings, 10).until(lambda d: d.find_element(By.ID, "provider-result").text == "Saved corp.")


def test_a_valid_provider_and_profile_are_saved_keeping_comments(world, settings):
    form = settings.find_element(By.ID, "provider-form")
    fill(form, name="corp", issuer=world.issuer, client_id="corp-client")
    assert settings.find_element(By.ID, "provider-heading").text == "Identity provider: corp", "says what it edits"
    form.find_element(By.ID, "provider-test").click()
    WebDriverWait(settings, 15).until(
        lambda d: d.find_element(By.ID, "provider-result").text == "Found the identity provider; device sign-in is available.")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(settings, 10).until(lambda d: "corp" in d.find_element(By.ID, "provider-list").text)
    rows = {r.find_element(By.TAG_NAME, "strong").text: r.text
            for r in settings.find_elements(By.CSS_SELECTOR, "#provider-list .list-item")}
    assert "Sign in now" not in rows["corp"], "no sign-in for a provider no profile uses yet"
    assert "Sign in now" in rows[world.provider]

    profile = settings.find_element(By.ID, "profile-form")
    fill(profile, name="staging", role_arn="arn:aws:iam::123456789012:role/staging", region="eu-west-1",
         duration_minutes="120")
    Select(profile.find_element(By.NAME, "provider")).select_by_value("corp")
    profile.find_element(By.NAME, "region").send_keys(Keys.ENTER)  # Enter submits
    WebDriverWait(settings, 10).until(lambda d: "staging" in d.find_element(By.ID, "profile-list").text)
    assert settings.find_element(By.ID, "profile-result").text == "Saved staging."

    text = (world.home / "config.toml").read_text()
    assert text.startswith("# written by the test\n"), "the person's comments are kept"
    config = tomllib.loads(text)
    assert config["providers"]["corp"] == {"issuer": world.issuer, "client_id": "corp-client",
                                           "scopes": ["openid", "offline_access", "email"]}
    assert config["profiles"]["staging"]["provider"] == "corp"
    assert config["profiles"]["staging"]["region"] == "eu-west-1"
    assert config["profiles"]["staging"]["duration_seconds"] == 7200, "the window speaks minutes"
    assert config["profiles"]["dev"]["sts_endpoint"] == world.aws_url, "profiles not edited stay as they were"


def test_switching_to_japanese_changes_the_labels(world, settings):
    assert settings.find_element(By.CSS_SELECTOR, "h1").text == "idbridge settings"
    form = settings.find_element(By.ID, "app-form")
    Select(form.find_element(By.NAME, "language")).select_by_value("ja")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(settings, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, "h1").text == "idbridge の設定")
    assert settings.find_element(By.CSS_SELECTOR, "#provider-form button[type=submit]").text == "プロバイダーを保存"
    assert settings.find_element(By.ID, "app-result").text == "保存しました。"
    # a Japanese button is never squeezed into a vertical stack of characters
    button = settings.find_element(By.CSS_SELECTOR, "#provider-form button[type=submit]")
    assert button.size["height"] < 48, f"one line of text: {button.size}"
    assert tomllib.loads((world.home / "config.toml").read_text())["app"]["language"] == "ja"
    # the title bar too, without reopening the window
    wait_for(lambda: subprocess.run(["xdotool", "search", "--name", "idbridge — 設定"], capture_output=True,
                                    text=True).stdout.split(), 10, "the Japanese window title")


def test_delete_asks_first_and_escape_closes(world, settings):
    rows = settings.find_element(By.ID, "profile-list")
    rows.find_element(By.CSS_SELECTOR, "button.danger").click()
    assert "Delete dev?" in rows.text
    rows.find_element(By.XPATH, ".//button[text()='Cancel']").click()
    assert "dev" in tomllib.loads((world.home / "config.toml").read_text())["profiles"]
    rows.find_element(By.CSS_SELECTOR, "button.danger").click()
    rows.find_element(By.XPATH, ".//button[text()='Yes, delete']").click()
    WebDriverWait(settings, 10).until(lambda d: d.find_element(By.ID, "profile-result").text == "Deleted dev.")
    assert "dev" not in tomllib.loads((world.home / "config.toml").read_text()).get("profiles", {})


def test_first_run_shows_the_setup_steps(world, settings):
    (world.home / "config.toml").unlink()
    settings.refresh()
    WebDriverWait(settings, 20).until(lambda d: d.find_element(By.ID, "setup").is_displayed())
    assert settings.find_element(By.ID, "config-error").is_displayed() is False, "a first run is not an error"
    assert "Welcome to idbridge" in settings.find_element(By.ID, "setup").text


def test_start_at_login_writes_and_removes_the_autostart_entry(world, settings):
    entry = world.tmp / ".config" / "autostart" / "idbridge.desktop"
    box = settings.find_element(By.ID, "autostart")
    assert not box.is_selected() and not entry.exists()
    box.click()
    settings.find_element(By.CSS_SELECTOR, "#app-form button[type=submit]").click()
    WebDriverWait(settings, 10).until(lambda d: d.find_element(By.ID, "app-result").text)
    assert settings.find_element(By.ID, "app-result").text == "Saved."
    wait_for(entry.exists, 10, "the autostart entry")
    text = entry.read_text()
    # it starts the tray (not the window helper that wrote it, whose name begins the same)
    assert f"\nExec={APP}\n" in text, text
    assert "Comment=Keeps AWS credentials from your sign-in ready\n" in text and "startup script" not in text
    icon = next(line[5:] for line in text.splitlines() if line.startswith("Icon="))
    assert Path(icon).exists() or icon == "idbridge-app", icon
    settings.find_element(By.ID, "autostart").click()
    settings.find_element(By.CSS_SELECTOR, "#app-form button[type=submit]").click()
    wait_for(lambda: not entry.exists(), 10, "the autostart entry to go")


def test_import_previews_the_team_config_then_merges_it_keeping_comments(world, settings):
    team = world.tmp / "team.toml"
    team.write_text(f'[profiles.prod]  # read-only\nprovider = "{world.provider}"\n'
                    f'role_arn = "{ROLE_PROD}"\nregion = "eu-west-1"\nsts_endpoint = "{world.aws_url}"\n')
    before = (world.home / "config.toml").read_text()
    settings.file_detector = UselessFileDetector()  # the path is text typed in, not a file to upload
    form = settings.find_element(By.ID, "import-form")
    fill(form, source=str(team))
    form.find_element(By.ID, "import-preview").click()
    line = WebDriverWait(settings, 20).until(lambda d: d.find_element(By.CSS_SELECTOR, "#import-list li"))
    assert line.get_attribute("data-entry") == "profiles.prod" and line.text.startswith("add [profiles.prod]"), line.text
    assert (world.home / "config.toml").read_text() == before, "a preview writes nothing"
    # the team names an STS endpoint: shown apart, and Import waits for its own tick
    sensitive = settings.find_element(By.ID, "import-sensitive")
    assert sensitive.is_displayed() and f"sts_endpoint: the default → {world.aws_url}" in sensitive.text, sensitive.text
    assert f"Your ID token (your sign-in) will be sent to {world.aws_url}." in sensitive.text
    apply = settings.find_element(By.ID, "import-apply")
    assert not apply.is_enabled(), "Import before the secrets' own yes"
    settings.find_element(By.ID, "import-allow-sensitive").click()
    apply.click()
    WebDriverWait(settings, 20).until(lambda d: d.find_element(By.ID, "import-result").text == "Imported.")
    config = tomllib.loads((world.home / "config.toml").read_text())
    assert config["profiles"]["prod"]["region"] == "eu-west-1" and "dev" in config["profiles"]
    assert "# written by the test" in (world.home / "config.toml").read_text(), "comments stay"
    assert "prod" in settings.find_element(By.ID, "profile-list").text, "the profile list shows the import"


def test_an_http_team_config_is_refused_with_a_sentence_and_details(world, settings):
    form = settings.find_element(By.ID, "import-form")
    fill(form, source="http://example.com/team.toml")
    form.find_element(By.ID, "import-preview").click()
    box = WebDriverWait(settings, 20).until(lambda d: d.find_element(By.CSS_SELECTOR, "#import-result .error-box"))
    assert box.find_element(By.CSS_SELECTOR, "p.error").text == "The team config could not be imported."
    details = box.find_element(By.CSS_SELECTOR, "pre").get_attribute("textContent")
    assert details.startswith("refusing http://example.com/team.toml: a team config must come over https://"), details
    assert not settings.find_element(By.ID, "import-apply").is_displayed()


def test_a_new_profile_or_provider_under_an_existing_name_is_refused_at_its_name(world, settings):
    before = (world.home / "config.toml").read_text()
    profile = settings.find_element(By.ID, "profile-form")
    fill(profile, name="dev", role_arn=ROLE_PROD, region="eu-west-1")
    Select(profile.find_element(By.NAME, "provider")).select_by_value(world.provider)
    profile.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    error = WebDriverWait(settings, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, "#profile-form .field-error"))
    assert error.text == "A profile named dev exists: edit it, or choose another name."
    assert "invalid" in profile.find_element(By.NAME, "name").get_attribute("class")
    provider = settings.find_element(By.ID, "provider-form")
    fill(provider, name=world.provider, issuer=world.issuer, client_id="another-client")
    provider.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    error = WebDriverWait(settings, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, "#provider-form .field-error"))
    assert error.text == f"A provider named {world.provider} exists: edit it, or choose another name."
    assert (world.home / "config.toml").read_text() == before, "nothing replaced"


def test_renaming_a_profile_is_explicit_and_keeps_its_other_keys(world, settings):
    rows = settings.find_element(By.ID, "profile-list")
    rows.find_element(By.XPATH, ".//button[text()='Edit']").click()
    profile = settings.find_element(By.ID, "profile-form")
    assert settings.find_element(By.ID, "profile-heading").text == "AWS profile: dev"
    fill(profile, name="dev2")
    assert settings.find_element(By.ID, "profile-heading").text == "Rename AWS profile dev to dev2"
    profile.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(settings, 10).until(lambda d: d.find_element(By.ID, "profile-result").text == "Saved dev2.")
    config = tomllib.loads((world.home / "config.toml").read_text())
    assert "dev" not in config["profiles"]
    assert config["profiles"]["dev2"]["session_name_claim"] == "email", "keys the form does not show stay"
    assert config["profiles"]["dev2"]["sts_endpoint"] == world.aws_url


def edit_dev(settings):
    settings.find_element(By.ID, "profile-list").find_element(By.XPATH, ".//button[text()='Edit']").click()
    return settings.find_element(By.ID, "profile-form")


def hand_edit(world, old, new):
    path = world.home / "config.toml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def value(form, name):
    return form.find_element(By.NAME, name).get_attribute("value")


def test_an_untouched_form_follows_config_toml_changed_on_disk(world, settings):
    profile = edit_dev(settings)
    assert value(profile, "region") == "ap-northeast-1"
    hand_edit(world, 'region = "ap-northeast-1"', 'region = "eu-central-1"\nconsole_destination = "https://console.aws.amazon.com/s3/"')
    WebDriverWait(settings, 10).until(lambda d: value(profile, "region") == "eu-central-1")
    assert value(profile, "console_destination") == "https://console.aws.amazon.com/s3/"
    assert not settings.find_element(By.ID, "config-changed").is_displayed(), "nothing to ask: nothing was typed"


def test_unsaved_edits_are_kept_on_request_and_a_hand_added_key_survives_the_save(world, settings):
    profile = edit_dev(settings)
    fill(profile, region="eu-west-1")
    hand_edit(world, 'session_name_claim = "email"', 'session_name_claim = "sub"\nconsole_destination = "https://console.aws.amazon.com/s3/"')
    notice = WebDriverWait(settings, 10).until(lambda d: d.find_element(By.ID, "config-changed").is_displayed()
                                               and d.find_element(By.ID, "config-changed"))
    assert notice.text.startswith("config.toml changed outside Settings."), notice.text
    assert value(profile, "region") == "eu-west-1", "the edit is still there"
    notice.find_element(By.ID, "config-keep").click()
    assert not notice.is_displayed()
    assert value(profile, "region") == "eu-west-1"
    profile.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(settings, 10).until(lambda d: d.find_element(By.ID, "profile-result").text == "Saved dev.")
    dev = tomllib.loads((world.home / "config.toml").read_text())["profiles"]["dev"]
    assert dev["region"] == "eu-west-1", "the person's edit"
    assert dev["session_name_claim"] == "sub", "changed on disk, not in the form: kept"
    assert dev["console_destination"] == "https://console.aws.amazon.com/s3/", "added by hand: kept"


def test_reload_replaces_unsaved_edits_with_the_file(world, settings):
    profile = edit_dev(settings)
    fill(profile, region="eu-west-1")
    hand_edit(world, 'region = "ap-northeast-1"', 'region = "eu-central-1"')
    WebDriverWait(settings, 10).until(lambda d: d.find_element(By.ID, "config-changed").is_displayed())
    settings.find_element(By.ID, "config-reload").click()
    WebDriverWait(settings, 10).until(lambda d: value(profile, "region") == "eu-central-1")
    assert not settings.find_element(By.ID, "config-changed").is_displayed()


@pytest.fixture
def opener(world, monkeypatch):
    """A stand-in for xdg-open on PATH that writes down what it was asked to open."""
    bin_dir, log = world.tmp / "bin", world.tmp / "opened.log"
    bin_dir.mkdir()
    (bin_dir / "xdg-open").write_text(f'#!/bin/sh\necho "$@" >> {log}\n')
    (bin_dir / "xdg-open").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    return log


def break_config(world, extra=""):
    config = world.home / "config.toml"
    good = config.read_text()
    lines = good.splitlines(keepends=True)
    lines.insert(4, "bogus_key = 1\n")  # inside the provider's table
    config.write_text(extra + "".join(lines))
    return good, 5 + extra.count("\n")


def test_a_broken_config_says_where_and_what_and_offers_to_open_it(world, opener, settings):
    good, line = break_config(world)
    settings.refresh()
    box = WebDriverWait(settings, 20).until(lambda d: d.find_element(By.ID, "config-error").is_displayed()
                                            and d.find_element(By.ID, "config-error"))
    assert not settings.find_element(By.ID, "setup").is_displayed(), "not a first run"
    assert not settings.find_element(By.ID, "editing").is_displayed(), "no empty lists"
    assert box.find_element(By.ID, "broken-path").text == str(world.home / "config.toml")
    assert box.find_element(By.ID, "broken-line").text == f"Line {line}"
    assert box.find_element(By.ID, "broken-what").text == (
        f"“providers.{world.provider}.bogus_key” is not a setting idbridge knows: remove it, or correct its spelling.")
    box.find_element(By.ID, "open-config").click()
    wait_for(lambda: opener.exists() and opener.read_text().strip() == str(world.home / "config.toml"), 10, "the editor")
    # fixed in the editor: Settings follows the file; Check again reads it too
    (world.home / "config.toml").write_text(good)
    WebDriverWait(settings, 10).until(lambda d: d.find_element(By.ID, "editing").is_displayed())
    assert not settings.find_element(By.ID, "config-error").is_displayed()
    assert "dev" in settings.find_element(By.ID, "profile-list").text


def test_a_broken_config_is_explained_in_japanese_and_check_again_reads_it(world, settings):
    good, line = break_config(world, extra='[app]\nlanguage = "ja"\n\n')
    settings.refresh()
    box = WebDriverWait(settings, 20).until(lambda d: d.find_element(By.ID, "config-error").is_displayed()
                                            and d.find_element(By.ID, "config-error"))
    assert box.find_element(By.ID, "broken-line").text == f"{line} 行目"
    assert box.find_element(By.ID, "broken-what").text.startswith(f"「providers.{world.provider}.bogus_key」は")
    assert box.find_element(By.ID, "check-again").text == "もう一度確認"
    box.find_element(By.ID, "check-again").click()
    assert box.is_displayed(), "still broken"
