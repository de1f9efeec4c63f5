"""shared_credentials_file = true: a profile's session keys also in ~/.aws/credentials, for tools that read
only that file, inside idbridge's block; written, renewed, removed, and the person's lines kept."""
import json
import os
import stat
import subprocess

from conftest import ROLE_DEV, ROLE_PROD

BEGIN = "# >>> idbridge session keys"
ARN = "arn:aws:sts::123456789012:assumed-role/dev/alice@example.com"
MINE = "# my keys\n[default]\naws_access_key_id = AKIAEXAMPLEMINE\naws_secret_access_key = mine\n\n[old]\nregion = x\n"


def opt_in(world, dev=True):
    text = (world.home / "config.toml").read_text()
    if dev:
        text = text.replace(f'[profiles.dev]\n', '[profiles.dev]\nshared_credentials_file = true\n', 1)
    (world.home / "config.toml").write_text(text)


def block_keys(text):
    """{profile: access key id} of idbridge's block."""
    inside = text.split(BEGIN, 1)[1].split("# <<< idbridge session keys <<<", 1)[0]
    keys, current = {}, None
    for line in inside.splitlines():
        if line.startswith("["):
            current = line.strip("[]")
        elif line.startswith("aws_access_key_id = "):
            keys[current] = line.split(" = ", 1)[1]
    return keys


def test_the_block_is_written_renewed_and_removed_and_the_persons_lines_stay(world):
    world.write_config({"dev": ROLE_DEV, "prod": ROLE_PROD})
    opt_in(world)
    creds = world.tmp / ".aws" / "credentials"  # $HOME/.aws/credentials: the default place
    creds.parent.mkdir()
    creds.write_text(MINE)
    r = world.login()
    assert r.code == 0, r.err
    text = creds.read_text()
    assert text.startswith(MINE), "everything outside the block stays byte for byte"
    dev_key = json.loads(world.credential_file("dev").read_text())["AccessKeyId"]
    assert block_keys(text) == {"dev": dev_key}, "only the profile that opted in"
    assert stat.S_IMODE(creds.stat().st_mode) == 0o600

    # a tool that reads only ~/.aws/credentials (here the AWS CLI without any config) works with them
    p = subprocess.run(["aws", "--profile", "dev", "--region", "ap-northeast-1", "--endpoint-url", world.aws_url,
                        "--output", "json", "sts", "get-caller-identity"], capture_output=True, text=True,
                       env=world.env(AWS_CONFIG_FILE=str(world.tmp / "no-config")))
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["Arn"] == ARN

    # renewed whenever the credential file is
    world.age_credentials("dev", minutes_left=1)
    r = world.run("credential-process", "--profile", "dev")
    assert r.code == 0, r.err
    renewed = json.loads(r.out)["AccessKeyId"]
    assert renewed != dev_key
    assert block_keys(creds.read_text()) == {"dev": renewed}
    assert creds.read_text().startswith(MINE)

    # removed on sign-out
    r = world.run("logout", "--provider", world.provider)
    assert r.code == 0, r.err
    assert creds.read_text() == MINE


def test_a_relocated_file_and_a_persons_own_section_of_that_name(world):
    opt_in(world)
    creds = world.tmp / "elsewhere" / "creds"
    creds.parent.mkdir()
    creds.write_text("[dev]\naws_access_key_id = AKIAPERSON\naws_secret_access_key = x\n")
    r = world.login(AWS_SHARED_CREDENTIALS_FILE=str(creds))
    assert r.code != 0
    assert "already has a [dev] section of your own" in r.err
    assert "aws_secret" not in r.err
    assert creds.read_text() == "[dev]\naws_access_key_id = AKIAPERSON\naws_secret_access_key = x\n"
    assert not (world.tmp / ".aws" / "credentials").exists(), "AWS_SHARED_CREDENTIALS_FILE relocates it"
    creds.write_text("[other]\nx = 1\n")
    os.chmod(creds, 0o644)
    r = world.login(AWS_SHARED_CREDENTIALS_FILE=str(creds))
    assert r.code == 0, r.err
    assert list(block_keys(creds.read_text())) == ["dev"]
    assert stat.S_IMODE(creds.stat().st_mode) == 0o600
