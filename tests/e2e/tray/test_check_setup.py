"""Settings' Check setup: the doctor's checks in the person's language, each under the name of what it
checks, with the fixes idbridge can run itself as buttons (write the AWS CLI's profiles, sign in)."""
import json

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait



def check_setup(driver):
    driver.find_element(By.ID, "check-setup").click()
    WebDriverWait(driver, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#doctor-list li")
                                    and not d.find_element(By.ID, "check-setup").get_attribute("disabled"))
    return {li.get_attribute("data-check") + " " + li.find_element(By.CSS_SELECTOR, "strong").text:
            li for li in driver.find_elements(By.CSS_SELECTOR, "#doctor-list li")}


def test_check_setup_lists_the_same_checks_as_the_cli_doctor(world, settings):
    # not signed in yet: the doctor finds a problem, and says what to do
    cli = json.loads(world.run("doctor", "--json").out)["checks"]
    lines = check_setup(settings)
    assert len(lines) == len(cli), list(lines)
    for want, li in zip(cli, settings.find_elements(By.CSS_SELECTOR, "#doctor-list li")):
        assert li.get_attribute("data-check") == want["id"]
        assert ("ok" if "ok" in li.get_attribute("class").split() else "problem") == want["status"], want
        # every check has a code, which the window phrases (in English too); the CLI keeps its lines
        assert want.get("code"), want
        assert li.find_element(By.CSS_SELECTOR, ".message").text, want
        assert bool(li.find_elements(By.CSS_SELECTOR, ".fix")) == (want["status"] == "problem"), (want, li.text)
    problems = sum(c["status"] == "problem" for c in cli)
    assert problems, "signed out: at least the sign-in is a problem"
    assert settings.find_element(By.ID, "doctor-result").text == f"Problems found: {problems}"
    assert any(c["id"] == "discovery" and c["status"] == "ok" for c in cli), cli


def test_check_setup_in_japanese_says_the_problem_and_the_fix_and_keeps_the_english_as_details(world, settings):
    form = settings.find_element(By.ID, "app-form")
    Select(form.find_element(By.NAME, "language")).select_by_value("ja")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(settings, 10).until(lambda d: d.find_element(By.ID, "check-setup").text == "セットアップを確認")
    lines = check_setup(settings)
    discovery = next(li for key, li in lines.items() if key.startswith("discovery "))
    assert "ID プロバイダーの検出" in discovery.text, discovery.text
    assert f"issuer は {world.issuer} で一致しています" in discovery.text, discovery.text
    # every row, ok or not, says in Japanese what it found: none only "OK" or "problem, see Details"
    for li in lines.values():
        message = li.find_element(By.CSS_SELECTOR, ".message").text
        assert message not in ("問題ありません", "問題があります。対処方法は詳細を見てください。"), li.text
        assert any(ord(ch) > 0x3000 for ch in message), li.text
    want = next(c for c in json.loads(world.run("doctor", "--json").out)["checks"] if c["status"] == "problem")
    problem = settings.find_element(By.CSS_SELECTOR, "#doctor-list li.problem")
    assert problem.get_attribute("data-check") == want["id"]
    assert problem.find_element(By.CSS_SELECTOR, ".message").text == f"{world.provider} にサインインしていません。"
    assert problem.find_element(By.CSS_SELECTOR, ".fix").text == f"対処: {world.provider} にサインインしてください。"
    assert problem.find_element(By.CSS_SELECTOR, "button.fix-action").text == "サインイン"
    assert "問題があります" not in settings.find_element(By.ID, "doctor-list").text
    problem.find_element(By.CSS_SELECTOR, "summary").click()
    details = problem.find_element(By.CSS_SELECTOR, "pre").text
    assert details == f"{want['message']}\n→ {want['fix']}", details
    assert "件の問題が見つかりました" in settings.find_element(By.ID, "doctor-result").text


def test_an_unreachable_sts_is_listed_as_aws_sts_not_the_clock(world, settings):
    cfg = world.home / "config.toml"
    cfg.write_text(cfg.read_text().replace(world.aws_url, "http://127.0.0.1:9"))
    lines = check_setup(settings)
    [sts] = [li for key, li in lines.items() if key.startswith("sts ")]
    assert sts.find_element(By.CSS_SELECTOR, "strong").text.startswith("AWS STS"), sts.text
    assert "http://127.0.0.1:9) could not be reached" in sts.text and "Clock" not in sts.text, sts.text


def test_use_with_the_aws_cli_writes_the_profile_and_the_check_passes(world, settings):
    aws_config = world.tmp / ".aws" / "config"
    assert not aws_config.exists()
    lines = check_setup(settings)
    [row] = [li for key, li in lines.items() if key.startswith("aws_config ")]
    assert "does not exist" in row.text and "Use with the AWS CLI" in row.text, row.text
    row.find_element(By.CSS_SELECTOR, "button.fix-action").click()
    # the list is drawn again when the check runs again: a row found a moment ago may be gone
    WebDriverWait(settings, 60, ignored_exceptions=[StaleElementReferenceException]).until(
        lambda d: d.find_element(By.CSS_SELECTOR, "#doctor-list li[data-check=aws_config]")
        .get_attribute("class").split()[-1] == "ok")
    text = aws_config.read_text()
    assert "[profile dev]" in text and "credential-process --profile dev" in text, text
