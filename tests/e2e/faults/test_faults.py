"""The fault matrix: the IdP and STS refusing, hanging, dripping bytes, answering HTML 500s, garbage or
endless bodies. Each case checks the message a person reads, the exit code, and that nothing was lost
(the old credentials file, the keychain's refresh token: once the fault is gone, credentials come back
without a sign-in). Faults of the disk and the keychain are in test_local_faults.py."""
import hashlib
import json
import re
import socket
import subprocess
import sys
import time

import pytest
import requests

from conftest import ROLE_DEV, World, no_escapes
from servers import SUPPORT, Server, start_aws, start_idp


class Hostile(Server):
    def __init__(self):
        super().__init__([sys.executable, str(SUPPORT / "hostile.py")])
        self.url = f"http://127.0.0.1:{self.info['port']}"

    def post(self, path, body):
        requests.post(self.url + path, json=body, timeout=5).raise_for_status()

    def rule(self, path, mode, **kw):
        self.post("/_hostile/rule", {"path": path, "mode": mode, **kw})

    def clear(self):
        self.post("/_hostile/clear", {})

    def log(self):
        return requests.get(self.url + "/_hostile/log", timeout=5).json()


def closed_port():
    """A port nothing listens on: connections are refused."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture
def front(tmp_path):
    """A World whose IdP is reached only through a Hostile front (the issuer is the front's URL)."""
    servers = []

    def make(**idp_env):
        h = Hostile()
        idp = start_idp(IDP_ISSUER=h.url + "/", **idp_env)
        h.post("/_hostile/upstream", {"port": idp.info["port"]})
        aws = start_aws(tmp_path, idp.info["issuer"], idp.info["client_id"], {ROLE_DEV: {}})
        servers.extend([idp, aws, h])
        w = World(tmp_path, idp, aws)
        w.hostile = h
        return w

    yield make
    for s in servers:
        s.stop()


@pytest.fixture
def hostile():
    h = Hostile()
    yield h
    h.stop()


def set_sts_endpoint(world, url):
    cfg = world.home / "config.toml"
    cfg.write_text(re.sub(r'(?m)^sts_endpoint = ".*"$', f'sts_endpoint = "{url}"', cfg.read_text()))


def trust_sts_endpoint(world, url):
    """Signs in again with a second profile whose STS endpoint is `url`: a stored sign-in sends its ID token
    only to the STS endpoints it was made for, so a fault there is reached only once the person trusted it."""
    cfg = world.home / "config.toml"
    spare = world.profile_toml("spare", ROLE_DEV).replace(f'sts_endpoint = "{world.aws_url}"', f'sts_endpoint = "{url}"')
    cfg.write_text(cfg.read_text() + spare)
    world.login()  # the spare profile's own credentials may fail (refused): the sign-in is stored all the same
    assert world.run("status").code == 0


def timed(world, *args, **env):
    start = time.monotonic()
    r = world.run(*args, **env)
    return r, time.monotonic() - start


def says(text, message):
    """`message` is in `text`; "a|b": one of them is (the SDK's own timeout or ours may fire first)."""
    return any(m in text for m in message.split("|"))


# exit codes (README): 1 error, 3 sign-in needed, 4 config, 5 temporary (try again later)
# mode -> (what the person reads, exit code once the old credentials expired), for STS at sts_endpoint
STS_CASES = {
    "refused": ("cannot reach AWS STS at", 5),
    "hang": ("did not answer within|did not finish within", 5),
    "slowloris": ("did not answer within|did not finish within", 5),
    "html500": ("gave an unusable answer: HTTP 500 (text/html; charset=utf-8) that is not an STS answer", 5),
    "garbage": ("gave an unusable answer: HTTP 200 (application/json) that is not an STS answer", 1),
    "huge": ("larger than 1024 KB", 1),
}


@pytest.mark.parametrize("mode", STS_CASES)
def test_sts_fault_serves_old_credentials_then_fails_clearly_and_keeps_everything(signed_in, hostile, mode):
    w = signed_in
    url = f"http://127.0.0.1:{closed_port()}" if mode == "refused" else hostile.url
    hostile.post("/_hostile/upstream", {"port": w.aws.info["port"]})
    trust_sts_endpoint(w, url)
    if mode != "refused":
        hostile.rule("", mode)
    set_sts_endpoint(w, url)
    w.age_credentials(minutes_left=5)
    stale = w.credential_file().read_bytes()

    # still valid: the AWS command goes on with the old credentials and a warning
    r, took = timed(w, "credential-process", "--profile", "dev")
    assert r.code == 0, r.err
    assert r.out.encode() == stale
    message, code = STS_CASES[mode]
    assert "warning:" in r.err and says(r.err, message) and "min left)" in r.err, r.err
    no_escapes(r.err)
    assert took < 6, f"credential-process took {took:.1f} s despite its 4 s budget"

    # expired: a clear error, exit 1, and the file stays for the next try
    w.age_credentials(minutes_left=-1)
    expired = w.credential_file().read_bytes()
    r, took = timed(w, "credential-process", "--profile", "dev")
    assert r.code == code and r.out == "", r
    assert says(r.err, message), r.err
    no_escapes(r.err)
    assert took < 6
    assert w.credential_file().read_bytes() == expired

    # nothing lost: with STS back, credentials come without a sign-in
    set_sts_endpoint(w, w.aws_url)
    r = w.run("credential-process", "--profile", "dev")
    assert r.code == 0, r.err
    assert json.loads(r.out)["Expiration"] != json.loads(expired)["Expiration"]


# mode -> what the person reads when the IdP's token endpoint misbehaves during a refresh
IDP_CASES = {
    "close": ("cannot reach the identity provider", 5),
    "hang": ("did not answer within|did not finish within", 5),
    "slowloris": ("did not answer within|did not finish within", 5),
    "html500": ("HTTP 500 (text/html; charset=utf-8) that is not JSON", 5),
    "garbage": ("HTTP 200 (application/json) that is not JSON", 1),
    "huge": ("larger than 1024 KB", 1),
}


@pytest.mark.parametrize("mode", IDP_CASES)
def test_idp_fault_during_refresh_keeps_the_refresh_token(front, mode):
    # ID tokens live 60 s, less than the 2 min idbridge needs: every refresh goes to the IdP
    w = front(IDP_TTL_ID_TOKEN=60)
    r = w.login()
    assert r.code == 0, r.err
    w.hostile.rule("/token", mode)
    message, code = IDP_CASES[mode]

    # still valid: served at once with the IdP's trouble as a warning
    w.age_credentials(minutes_left=5)
    stale = w.credential_file().read_bytes()
    r, took = timed(w, "credential-process", "--profile", "dev")
    assert r.code == 0 and r.out.encode() == stale, r
    assert "warning:" in r.err and says(r.err, message) and "min left)" in r.err, r.err
    no_escapes(r.err)
    assert took < 6, f"{took:.1f} s"

    w.age_credentials(minutes_left=-1)
    expired = w.credential_file().read_bytes()
    r, took = timed(w, "credential-process", "--profile", "dev")
    assert r.code == code and r.out == "", r
    assert says(r.err, message), r.err
    no_escapes(r.err)
    assert took < 6, f"{took:.1f} s"
    assert w.credential_file().read_bytes() == expired
    assert [e["mode"] for e in w.hostile.log() if e["path"] == "/token"][-1] == mode

    # nothing lost: the refresh token was never redeemed, so it still works
    w.hostile.clear()
    r = w.run("credential-process", "--profile", "dev")
    assert r.code == 0, r.err


def keychain_item(w):
    """The provider's keychain item (both tokens, as JSON) as its key names and a digest: a failing assertion
    must not print tokens."""
    text = subprocess.run(["secret-tool", "lookup", "service", "idbridge", "username", f"provider:{w.provider}"],
                          capture_output=True, text=True, check=True).stdout
    return sorted(json.loads(text)), hashlib.sha256(text.encode()).hexdigest()


def test_an_idp_that_refuses_connections_keeps_the_sign_in(front):
    w = front(IDP_TTL_ID_TOKEN=60)
    assert w.login().code == 0
    tokens = keychain_item(w)
    assert "refresh_token" in tokens[0], tokens[0]
    w.hostile.stop()  # the issuer's host now refuses connections

    w.age_credentials(minutes_left=5)
    stale = w.credential_file().read_bytes()
    r = w.run("credential-process", "--profile", "dev")
    assert r.code == 0 and r.out.encode() == stale, r
    assert "warning:" in r.err and "cannot reach the identity provider" in r.err, r.err

    w.age_credentials(minutes_left=-1)
    expired = w.credential_file().read_bytes()
    r = w.run("credential-process", "--profile", "dev")
    assert r.code == 5 and r.out == "", r  # temporary: try again later
    assert "cannot reach the identity provider" in r.err, r.err
    assert w.credential_file().read_bytes() == expired
    assert keychain_item(w) == tokens, "the refresh token is kept as it was"


# mode -> (what the person reads, exit code) when the IdP misbehaves while `login` asks for a device code
# (the same answers as at the token endpoint; hang and slow-loris cost a whole HTTP timeout here)
LOGIN_CASES = {mode: IDP_CASES[mode] for mode in ("html500", "garbage", "huge", "close")}


@pytest.mark.parametrize("mode", LOGIN_CASES)
def test_idp_fault_at_the_device_authorization_endpoint_during_login(front, mode):
    w = front()
    w.hostile.rule("/device/auth", mode)
    r, took = timed(w, "login", "--provider", w.provider, "--no-browser")
    message, code = LOGIN_CASES[mode]
    assert r.code == code and says(r.err, message), r
    assert f"{w.hostile.url}/device/auth" in r.err, "names the endpoint that failed"
    no_escapes(r.err)
    assert took < 20, f"{took:.1f} s"
    assert not w.credential_file().exists()
    assert [e["mode"] for e in w.hostile.log() if e["path"].startswith("/device/auth")] == [mode]


@pytest.mark.parametrize("mode", ["html500", "garbage", "close", "hang"])
def test_one_bad_poll_does_not_end_the_sign_in(front, mode):
    """The person is approving in the browser meanwhile: one bad answer to a poll is retried, not fatal."""
    w = front()
    w.hostile.rule("/token", mode, count=1)
    r, took = timed(w, "login", "--provider", w.provider)
    assert r.code == 0 and "Signed in to" in r.err, r
    assert [e["mode"] for e in w.hostile.log() if e["path"] == "/token"][0] == mode
    assert took < 45, f"{took:.1f} s"  # a hung poll costs the HTTP timeout (30 s) once


def test_an_html_error_page_at_discovery_names_status_and_type(front):
    w = front()
    w.hostile.rule("/.well-known/", "html500", status=502)
    r = w.login("--no-browser")
    assert r.code == 5  # a 5xx: try again later
    assert "HTTP 502 (text/html; charset=utf-8) that is not JSON" in r.err, r.err
    assert "unparseable" not in r.err


def test_an_oversized_discovery_document_is_cut_off(front):
    w = front()
    w.hostile.rule("/.well-known/", "huge")
    r, took = timed(w, "login", "--provider", w.provider, "--no-browser")
    assert r.code == 1 and "larger than 1024 KB" in r.err, r.err
    assert took < 20
