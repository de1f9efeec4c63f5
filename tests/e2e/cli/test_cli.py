"""Config errors, a missing keychain, status and logout: what a person sees when something is off."""
import json
import subprocess

import pytest
from conftest import ROLE_DEV, World, start_aws, start_idp


def test_config_errors_name_the_file_the_key_and_what_is_expected(world):
    cfg = world.home / "config.toml"
    good = cfg.read_text()
    cases = [
        (good.replace("session_name_claim", "sesion_name_claim"), "unknown field `sesion_name_claim`"),
        (good.replace(f'provider = "{world.provider}"', 'provider = "okta"'),
         f"profiles.dev.provider: the name of a [providers.NAME] section; 'okta' is not one (known: {world.provider})"),
        (good.replace(ROLE_DEV, "arn:aws:iam::1234:role/dev"),
         "profiles.dev.role_arn: an IAM role ARN such as arn:aws:iam::123456789012:role/dev"),
        (good + "duration_seconds = 60\n", "profiles.dev.duration_seconds: a number of seconds from 900 to 43200 (got 60)"),
        (good.replace(world.issuer, "http://idp.example.com/"), f"providers.{world.provider}.issuer: an https:// URL"),
        (good + "[broken\n", "config.toml"),
    ]
    for text, expected in cases:
        cfg.write_text(text)
        for args in (("login",), ("status",), ("credential-process", "--profile", "dev")):
            r = world.run(*args)
            assert r.code != 0 and r.out == ""
            lines = r.err.strip().splitlines()
            assert len(lines) == 1, r.err
            assert lines[0].startswith(f"idbridge: error: {cfg}") and expected in lines[0], (args, r.err)


def test_a_missing_config_file_says_where_it_was_expected(world):
    (world.home / "config.toml").unlink()
    r = world.run("status")
    assert r.code != 0
    assert f"no config file at {world.home / 'config.toml'}" in r.err


def test_no_keychain_is_reported_clearly_and_nothing_is_written(world):
    r = world.login(DBUS_SESSION_BUS_ADDRESS="unix:path=/nonexistent/bus")
    assert r.code != 0
    assert "no OS keychain is reachable" in r.err and "Secret Service" in r.err, r.err
    assert not world.credential_file().exists()
    assert not any(p.is_file() and "token" in p.read_text() for p in world.home.rglob("*") if p.name != "config.toml")
    s = world.run("status", DBUS_SESSION_BUS_ADDRESS="unix:path=/nonexistent/bus")
    assert s.code == 0 and "keychain unavailable" in s.out


def test_status_and_logout(signed_in):
    [row] = json.loads(signed_in.run("status", "--json").out)
    assert row["profile"] == "dev" and row["signed_in"] is True and row["role_arn"] == ROLE_DEV
    assert 3500 < row["expires_in_seconds"] <= 3600
    r = signed_in.run("logout", "--provider", signed_in.provider)
    assert r.code == 0, r.err
    assert not signed_in.credential_file().exists()
    [row] = json.loads(signed_in.run("status", "--json").out)
    assert row["signed_in"] is False and row["expiration"] is None
    cp = signed_in.run("credential-process", "--profile", "dev")
    assert cp.code != 0 and "not signed in" in cp.err


def test_unknown_profile_lists_the_known_ones(world):
    r = world.run("credential-process", "--profile", "nope")
    assert r.code != 0
    assert "no profile named 'nope'" in r.err and "(known: dev)" in r.err


def keychain_items(world):
    """The Secret Service items idbridge keeps for this test's provider (their attributes, no secrets)."""
    p = subprocess.run(["secret-tool", "search", "--all", "service", "idbridge"], capture_output=True, text=True,
                       env=world.env(), timeout=30)
    return [block for block in p.stdout.split("[/") if f"provider:{world.provider}" in block]


def point_at(world, other):
    """config.toml names `other`'s IdP and STS under the same provider name (another config, same name)."""
    world.write_config(issuer=other.issuer)
    cfg = world.home / "config.toml"
    cfg.write_text(cfg.read_text().replace(world.aws_url, other.aws_url))


@pytest.fixture
def other_world(tmp_path):
    """A second IdP and STS (another issuer), with a World of its own."""
    (tmp_path / "other").mkdir()
    idp = start_idp()
    aws = start_aws(tmp_path / "other", idp.info["issuer"], idp.info["client_id"], {ROLE_DEV: {}})
    yield World(tmp_path / "other", idp, aws)
    idp.stop()
    aws.stop()


def test_a_keychain_leftover_of_another_issuer_is_signed_out_and_goes_at_the_next_sign_in_or_out(signed_in,
                                                                                                  other_world):
    w, other = signed_in, other_world
    point_at(w, other)
    [row] = json.loads(w.run("status", "--json").out)
    assert (row["state"], row["signed_in"]) == ("signed_out", False), row
    assert "sign" not in (row["problem"] or "") and "issuer" not in (row["problem"] or ""), row
    checks = json.loads(w.run("doctor", "--json").out)["checks"]
    [signed] = [c for c in checks if c["id"] == "signed_in"]
    assert signed["status"] != "ok" and "not signed in" in json.dumps(signed), signed
    cp = w.run("credential-process", "--profile", "dev")
    assert cp.code == 3 and "(not signed in)" in cp.err, cp.err
    # the next sign-in replaces it: one item, of the new issuer, that works
    r = w.login()
    assert r.code == 0, r.err
    assert len(keychain_items(w)) == 1
    assert json.loads(w.run("credential-process", "--profile", "dev").out)["Version"] == 1
    # back to the first config: now the other IdP's sign-in is the leftover; a sign-out removes it, and its
    # refresh token goes to no IdP (the first did not issue it, the other is not this config's)
    w.write_config()
    [row] = json.loads(w.run("status", "--json").out)
    assert row["state"] == "signed_out", row
    out = w.run("logout", "--provider", w.provider)
    assert out.code == 0 and "removed the keychain tokens" in out.err and "revoke" not in out.err, out.err
    assert keychain_items(w) == []
    assert not [e for e in w.idp_log() + other.idp_log() if "revo" in json.dumps(e)]
