"""The first run to a working `aws` command in Settings: provider, profile, sign in, "Use with the AWS CLI";
the welcome stays until the last step is done, and "Sign in now" is never offered without a profile."""
import subprocess
import tomllib

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import ROLE_DEV, fill


def steps(driver):
    return {li.get_attribute("id"): li.get_attribute("class")
            for li in driver.find_elements(By.CSS_SELECTOR, "#setup .steps li")}


def wait_current(driver, step):
    WebDriverWait(driver, 20).until(lambda d: steps(d).get(f"step-{step}") == "current", f"step {step} current")
    assert driver.find_element(By.ID, "setup").is_displayed(), "the welcome stays until the last step is done"


def sign_in_offered(driver):
    return [b for b in driver.find_elements(By.XPATH, "//button[text()='Sign in now']") if b.is_displayed()]


def test_the_welcome_leads_from_provider_to_a_working_aws_command(world, settings):
    cfg = world.home / "config.toml"
    cfg.unlink()
    settings.refresh()
    wait_current(settings, "provider")
    assert list(steps(settings)) == ["step-provider", "step-profile", "step-signin", "step-aws"]

    form = settings.find_element(By.ID, "provider-form")
    fill(form, name=world.provider, issuer=world.issuer, client_id=world.idp.info["client_id"])
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_current(settings, "profile")
    assert not sign_in_offered(settings), "no 'Sign in now' without a profile"

    form = settings.find_element(By.ID, "profile-form")
    fill(form, name="dev", role_arn=ROLE_DEV, region="ap-northeast-1")
    Select(form.find_element(By.NAME, "provider")).select_by_value(world.provider)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_current(settings, "signin")
    assert sign_in_offered(settings), "a profile exists: its provider can sign in"
    assert not settings.find_element(By.ID, "use-aws-cli").is_displayed(), "the AWS CLI step comes after the sign-in"

    # the test's STS and federation stand-ins (Settings has no field for them), then the sign-in the tray
    # would run for "Sign in now" (this window runs without a tray): the CLI's, with the browser stand-in
    cfg.write_text(cfg.read_text() + f'sts_endpoint = "{world.aws_url}"\n')
    assert tomllib.loads(cfg.read_text())["profiles"]["dev"]["sts_endpoint"] == world.aws_url
    assert world.login().code == 0
    wait_current(settings, "aws")
    aws_config = world.tmp / ".aws" / "config"
    assert not aws_config.exists()

    settings.find_element(By.ID, "use-aws-cli").click()
    WebDriverWait(settings, 20).until(lambda d: d.find_element(By.ID, "setup-done").is_displayed())
    assert set(steps(settings).values()) == {"done"}, steps(settings)
    done = settings.find_element(By.ID, "setup-done").text
    assert "aws sts get-caller-identity --profile dev" in done, done
    assert settings.find_element(By.ID, "setup").is_displayed(), "the end is shown, not a vanished welcome"

    # the command the welcome names works, through the profile it wrote
    env = world.env()
    p = subprocess.run(["aws", "sts", "get-caller-identity", "--profile", "dev", "--endpoint-url", world.aws_url,
                        "--output", "json"], capture_output=True, text=True, timeout=60, env=env)
    assert p.returncode == 0, p.stderr
    assert ROLE_DEV.split(":")[4] in p.stdout

    # opened again, a finished setup shows no welcome
    settings.refresh()
    WebDriverWait(settings, 20).until(lambda d: d.find_element(By.ID, "provider-heading").text.strip())
    WebDriverWait(settings, 10).until(lambda d: steps(d).get("step-aws") == "done")
    assert not settings.find_element(By.ID, "setup").is_displayed()
