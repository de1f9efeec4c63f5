"""Handing credentials to other tools: exec, env, and ~/.aws/config written by configure-aws."""
import json
import shutil
import subprocess

from conftest import BIN

ARN = "arn:aws:sts::123456789012:assumed-role/dev/alice@example.com"


def test_exec_runs_the_aws_cli_with_the_profile_in_its_environment(signed_in):
    r = signed_in.run("exec", "--profile", "dev", "--", "aws", "sts", "get-caller-identity",
                      "--endpoint-url", signed_in.aws_url, "--output", "json", AWS_PROFILE="someone-else")
    assert r.code == 0, r.err
    assert json.loads(r.out)["Arn"] == ARN


def test_exec_passes_the_exit_code_and_sets_region_and_removes_aws_profile(signed_in):
    r = signed_in.run("exec", "--profile", "dev", "--", "sh", "-c",
                      'echo "$AWS_REGION $AWS_DEFAULT_REGION ${AWS_PROFILE:-unset}"; exit 7', AWS_PROFILE="x")
    assert r.code == 7
    assert r.out == "ap-northeast-1 ap-northeast-1 unset\n"


def test_env_lines_work_in_a_shell_and_as_json(signed_in):
    sh = signed_in.run("env", "--profile", "dev")
    assert sh.code == 0, sh.err
    p = subprocess.run(["bash", "-c", sh.out + f"aws sts get-caller-identity --endpoint-url {signed_in.aws_url} --output json"],
                       capture_output=True, text=True, env=signed_in.env(AWS_PROFILE="nope"))
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["Arn"] == ARN
    js = json.loads(signed_in.run("env", "--profile", "dev", "--format", "json").out)
    assert js["AWS_ACCESS_KEY_ID"] == json.loads(signed_in.credential_file().read_text())["AccessKeyId"]
    bad = signed_in.run("env", "--profile", "dev", "--format", "csh")
    assert bad.code != 0 and "expected sh, fish, powershell, json, env-no-export or windows-cmd" in bad.err


def aws_files(world, config_text=None, credentials_text=""):
    config, creds = world.tmp / ".aws" / "config", world.tmp / ".aws" / "credentials"
    config.parent.mkdir(exist_ok=True)
    if config_text is not None:
        config.write_text(config_text)
    creds.write_text(credentials_text)
    return config, creds


def aws_cli_with(world, config, creds):
    p = subprocess.run(["aws", "--profile", "dev", "--endpoint-url", world.aws_url, "--output", "json", "sts",
                        "get-caller-identity"], capture_output=True, text=True,
                       env=world.env(AWS_CONFIG_FILE=str(config), AWS_SHARED_CREDENTIALS_FILE=str(creds)))
    return p


def test_configure_aws_keeps_the_persons_file_and_the_aws_cli_works(signed_in):
    mine = "# my AWS settings\n[default]\nregion = eu-west-1\n\n[profile work]\nsso_session = corp\n"
    config, creds = aws_files(signed_in, mine)
    # a path with a space, as on many laptops: credential_process must quote it
    spaced = signed_in.tmp / "my tools" / "idbridge"
    spaced.parent.mkdir()
    shutil.copy(BIN, spaced)
    env = signed_in.env(AWS_CONFIG_FILE=str(config), AWS_SHARED_CREDENTIALS_FILE=str(creds))
    first = subprocess.run([str(spaced), "configure-aws"], capture_output=True, text=True, env=env)
    assert first.returncode == 0, first.stderr
    text = config.read_text()
    assert text.startswith(mine), "everything outside the block stays byte for byte"
    assert f'credential_process = "{spaced}" credential-process --profile dev' in text
    assert (config.parent / "config.idbridge-backup").read_text() == mine
    p = aws_cli_with(signed_in, config, creds)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["Arn"] == ARN
    second = subprocess.run([str(spaced), "configure-aws"], capture_output=True, text=True, env=env)
    assert second.returncode == 0 and "already up to date" in second.stderr
    assert config.read_text() == text


def test_configure_aws_skips_a_persons_own_profile_unless_forced(signed_in):
    mine = "[profile dev]\nregion = us-west-2\nrole_arn = arn:aws:iam::1:role/mine\n"
    config, creds = aws_files(signed_in, mine)
    r = signed_in.run("configure-aws", AWS_CONFIG_FILE=str(config), AWS_SHARED_CREDENTIALS_FILE=str(creds))
    assert r.code == 1, "1: a profile was skipped (3 would mean sign-in needed)"
    assert "Skipped 'dev'" in r.err and "--force" in r.err
    assert config.read_text() == mine
    forced = signed_in.run("configure-aws", "--force", AWS_CONFIG_FILE=str(config), AWS_SHARED_CREDENTIALS_FILE=str(creds))
    assert forced.code == 0, forced.err
    assert "role_arn = arn:aws:iam::1:role/mine" not in config.read_text()
    assert aws_cli_with(signed_in, config, creds).returncode == 0


def test_configure_aws_warns_about_static_keys_that_would_win(signed_in):
    config, creds = aws_files(signed_in, None, "[dev]\naws_access_key_id = AKIAOLD\naws_secret_access_key = old\n")
    r = signed_in.run("configure-aws", AWS_CONFIG_FILE=str(config), AWS_SHARED_CREDENTIALS_FILE=str(creds))
    assert r.code == 0, r.err
    assert f"warning: {creds} has static keys for profile 'dev'" in r.err
    assert config.exists() and not (config.parent / "config.idbridge-backup").exists(), "no backup of a file that was not there"
