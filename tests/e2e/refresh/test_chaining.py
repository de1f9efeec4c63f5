"""Role chaining: a profile whose credentials come from sts:AssumeRole with another profile's — through
the real AWS CLI, credential_process, the locks, the console and status — against moto behind the STS
front (which enforces what AWS does for chained sessions: one hour at most, the role's ExternalId)."""
import json
import subprocess

import pytest

from conftest import BIN, ROLE_DEV, ROLE_PROD

ROLE_DEPLOY = "arn:aws:iam::123456789012:role/deploy"


@pytest.fixture
def chained(make_world):
    w = make_world(roles={ROLE_DEV: {}, ROLE_PROD: {}, ROLE_DEPLOY: {"external_id": "team-42"}})
    write(w)
    return w


def write(w, **deploy):
    w.write_config()
    extra = {"source_profile": "dev", "external_id": "team-42", **deploy}
    text = (w.home / "config.toml").read_text() + "\n" + w.profile_toml("deploy", ROLE_DEPLOY, **extra)
    (w.home / "config.toml").write_text(text.replace(f'[profiles.deploy]\nprovider = "{w.provider}"\n', "[profiles.deploy]\n"))


def role_calls(w, action):
    return [e for e in w.aws_log() if e.get("action") == action]


def test_login_prepares_the_chained_profile_and_the_aws_cli_uses_it(chained):
    w = chained
    assert "provider" not in (w.home / "config.toml").read_text().split("[profiles.deploy]")[1]
    r = w.login()
    assert r.code == 0, r.err
    assert "deploy: credentials until" in r.err and "dev: credentials until" in r.err
    [call] = role_calls(w, "AssumeRole")
    assert call["status"] == 200 and call["external_id"] == "team-42" and call["duration"] == "3600"
    assert call["session"] == "alice@example.com"
    out = w.aws_cli("sts", "get-caller-identity", profile="deploy")
    assert out.code == 0, out.err
    assert json.loads(out.out)["Arn"] == "arn:aws:sts::123456789012:assumed-role/deploy/alice@example.com"
    rows = {r["profile"]: r for r in json.loads(w.run("status", "--json").out)}
    assert rows["deploy"]["provider"] == w.provider and rows["deploy"]["signed_in"] is True
    assert rows["deploy"]["expires_in_seconds"] > 3000


def test_refresh_takes_the_source_credentials_and_refreshes_them_first_when_stale(chained):
    w = chained
    assert w.login().code == 0
    web_identity = len(w.assumes())
    w.age_credentials("deploy", minutes_left=5)
    r = w.run("credential-process", "--profile", "deploy")
    assert r.code == 0, r.err
    assert len(role_calls(w, "AssumeRole")) == 2 and len(w.assumes()) == web_identity, "the fresh source is reused"
    w.age_credentials("deploy", minutes_left=5)
    w.age_credentials("dev", minutes_left=5)
    r = w.run("credential-process", "--profile", "deploy")
    assert r.code == 0, r.err
    assert len(w.assumes()) == web_identity + 1 and len(role_calls(w, "AssumeRole")) == 3
    issued = role_calls(w, "AssumeRole")[-1]["issued"]["AccessKeyId"]
    assert json.loads(r.out)["AccessKeyId"] == issued
    assert json.loads(w.credential_file("dev").read_text())["AccessKeyId"] == w.assumes()[-1]["issued"]["AccessKeyId"]


def test_many_callers_of_a_stale_chained_profile_make_one_assume_role(chained):
    w = chained
    assert w.login().code == 0
    w.age_credentials("deploy", minutes_left=5)
    w.age_credentials("dev", minutes_left=5)
    procs = [subprocess.Popen([str(BIN), "credential-process", "--profile", "deploy"], env=w.env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(20)]
    results = [(p.wait(timeout=60), p.stdout.read()) for p in procs]
    assert [c for c, _ in results] == [0] * 20, [p.stderr.read() for p in procs if p.returncode][:3]
    assert len({json.loads(o)["AccessKeyId"] for _, o in results}) == 1
    assert len(role_calls(w, "AssumeRole")) == 2 and len(w.assumes()) == 2


def test_the_console_of_a_chained_profile_omits_session_duration(chained):
    w = chained
    assert w.login().code == 0
    r = w.run("console", "--profile", "deploy")
    assert r.code == 0, r.err
    [token] = [e for e in w.aws_log() if e.get("action") == "getSigninToken"]
    assert token["session_duration"] is None and token["arn"].endswith("assumed-role/deploy/alice@example.com")
    assert w.browser_entries(2)[1]["status"] == 302


def test_a_wrong_external_id_names_the_profile_and_aws_refusal(chained):
    w = chained
    write(w, external_id="wrong-id")
    r = w.login()
    assert r.code != 0
    assert "deploy: FAILED [sts_refused] profile 'deploy': AWS STS refused AssumeRole for " + ROLE_DEPLOY in r.err, r.err
    assert "dev: credentials until" in r.err
    assert not w.credential_file("deploy").exists()


def test_chains_longer_than_an_hour_and_loops_are_refused(chained):
    w = chained
    write(w, duration_seconds=7200)
    r = w.run("status")
    assert r.code != 0 and "profiles.deploy.duration_seconds: at most 3600 for a chained role" in r.err, r.err
    write(w, source_profile="deploy")
    r = w.run("status")
    assert r.code != 0 and "not a loop" in r.err, r.err


def test_logout_removes_chained_credentials_too(chained):
    w = chained
    assert w.login().code == 0
    assert w.run("logout", "--provider", w.provider).code == 0
    assert not w.credential_file("deploy").exists()
    r = w.run("credential-process", "--profile", "deploy")
    assert r.code != 0 and "idbridge login" in r.err, r.err


def test_aws_setup_of_a_chained_profile_trusts_the_source_role(chained):
    s = json.loads(chained.run("aws-setup", "--profile", "deploy", "--json").out)
    [st] = s["trust_policy"]["Statement"]
    assert st["Principal"] == {"AWS": ROLE_DEV} and st["Action"] == "sts:AssumeRole"
    assert st["Condition"] == {"StringEquals": {"sts:ExternalId": "team-42"}}
    assert s["create_provider_argv"] == [] and "chains from profile 'dev'" in s["notes"][0]
