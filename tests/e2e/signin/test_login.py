"""Sign-in with the device flow against a real OpenID Provider, through to the AWS CLI."""
import json
import re
import stat

from conftest import ROLE_DEV, ROLE_PROD


def test_login_then_the_aws_cli_works_through_credential_process(world):
    world.write_config(profiles={"dev": ROLE_DEV, "prod": ROLE_PROD})
    r = world.login()
    assert r.code == 0, r.err
    code = re.search(r"^    ([A-Z0-9-]+)$", r.err, re.M).group(1)
    [browser] = world.browser_entries()
    assert browser["outcome"] == "success", browser
    assert browser["user_code_shown"] == code, "the code shown in the terminal is the one the IdP shows"
    assert "Signed in to" in r.err and "alice@example.com" in r.err
    assert r.out == "", "login prints nothing on stdout"

    for profile in ("dev", "prod"):
        path = world.credential_file(profile)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        data = json.loads(path.read_text())
        assert data["Version"] == 1 and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["Expiration"])
    assumes = world.assumes()
    assert [(a["role"], a["session"], a["status"]) for a in assumes] == [
        (ROLE_DEV, "alice@example.com", 200), (ROLE_PROD, "alice@example.com", 200)]

    cp = world.run("credential-process", "--profile", "dev")
    assert cp.code == 0 and cp.err == ""
    assert cp.out == world.credential_file("dev").read_text()
    assert json.loads(cp.out)["AccessKeyId"] == assumes[0]["issued"]["AccessKeyId"]

    aws = world.aws_cli("sts", "get-caller-identity")
    assert aws.code == 0, aws.err
    assert json.loads(aws.out)["Arn"] == f"arn:aws:sts::123456789012:assumed-role/dev/alice@example.com"
    assert len(world.assumes()) == 2, "fresh credentials are served from the file, without STS"


def test_a_device_code_is_never_polled_after_it_succeeded(signed_in):
    polls = [e for e in signed_in.idp_log() if (e.get("grant_type") or "").endswith("device_code")]
    assert polls[-1]["result"] == "ok"
    assert [p["result"] for p in polls].count("ok") == 1
    assert not [e for e in signed_in.idp_log() if e.get("event") == "grant.revoked"]
