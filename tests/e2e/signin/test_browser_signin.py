"""Browser sign-in (flow = "browser"): authorization code + PKCE to idbridge's loopback listener, against
the real oidc-provider, with the BROWSER stand-in logging in and consenting on the real pages."""
import json
import os
import resource
import signal
import socket
import subprocess
import time
import urllib.parse

import pytest
import requests

from browser import code_flow
from conftest import BIN, wait_for

BROWSER_FLOW = 'flow = "browser"\n'


@pytest.fixture
def bworld(world):
    world.write_config(extra_provider=BROWSER_FLOW)
    return world


def test_browser_sign_in_with_pkce_then_the_aws_cli_works(bworld):
    w = bworld
    r = w.login()
    assert r.code == 0, r.err
    [entry] = w.browser_entries(1)
    assert entry["url_path"] == "/auth" and entry["outcome"] == "callback", entry
    assert entry["steps"] == ["login", "consent"], entry
    assert entry["status"] == 200 and entry["title"] == "Signed in – idbridge", entry
    assert "You can close this tab" in entry["page"]
    assert entry["sent"] == ["code", "iss", "state"], entry
    assert "Signed in to" in r.err and "alice@example.com" in r.err and "dev: credentials until" in r.err
    [grant] = [e for e in w.idp_log() if e.get("grant_type") == "authorization_code"]
    assert grant["result"] == "ok" and grant["issued"]["refresh_token"], grant  # offline_access via prompt=consent
    assert w.aws_cli("sts", "get-caller-identity").code == 0
    [row] = json.loads(w.run("status", "--json").out)
    assert row["signed_in"] is True


def test_the_authorization_request_carries_pkce_state_nonce_and_a_loopback_redirect(bworld):
    w = bworld
    proc, entry = start_ignored(w)
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(entry["url"]).query))
    assert q["code_challenge_method"] == "S256" and len(q["code_challenge"]) == 43
    assert len(q["state"]) >= 16 and len(q["nonce"]) >= 16 and q["prompt"] == "consent"
    redirect = urllib.parse.urlparse(q["redirect_uri"])
    assert redirect.scheme == "http" and redirect.hostname == "127.0.0.1" and redirect.port and redirect.path == "/callback"
    assert set(q["scope"].split()) == {"openid", "offline_access", "email"}
    proc.kill()
    proc.wait()


def test_the_page_speaks_japanese_when_the_browser_asks(bworld):
    r = bworld.login(STANDIN_LANG="ja,en;q=0.5")
    assert r.code == 0, r.err
    [entry] = bworld.browser_entries(1)
    assert entry["title"] == "サインインしました – idbridge" and 'lang="ja"' in entry["page"], entry


def test_denied_consent_is_a_clear_error_and_nothing_is_stored(bworld):
    w = bworld
    r = w.login(STANDIN_ACTION="deny")
    assert r.code != 0
    assert "sign-in was denied at the identity provider (access_denied)" in r.err, r.err
    [entry] = w.browser_entries(1)
    assert entry["error"] == "access_denied" and entry["status"] == 400 and entry["title"] == "Sign-in failed – idbridge"
    assert not w.credential_file().exists()
    assert json.loads(w.run("status", "--json").out)[0]["signed_in"] is False


def start_ignored(w, *args):
    """`idbridge login` whose browser opens nothing: the test answers the loopback listener itself."""
    proc = subprocess.Popen([str(BIN), "login", "--provider", w.provider, *args], env=w.env(STANDIN_ACTION="ignore"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    [entry] = w.browser_entries(1)
    return proc, entry


def answer(entry, **params):
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(entry["url"]).query))
    params = {k: (q["state"] if v == "RIGHT" else v) for k, v in params.items()}
    return requests.get(q["redirect_uri"] + "?" + urllib.parse.urlencode(params), timeout=10)


@pytest.mark.parametrize("params, message", [
    ({"state": "RIGHT"}, "it carries no authorization `code`"),
    ({"state": "RIGHT", "error": "server_error"}, "the identity provider answered server_error"),
])
def test_a_bad_answer_at_the_loopback_is_refused_clearly(bworld, params, message):
    w = bworld
    proc, entry = start_ignored(w)
    if "iss" not in params:
        params["iss"] = w.issuer
    page = answer(entry, **params)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode != 0 and out == ""
    assert message in err, err
    assert page.status_code == 400 and "Sign-in failed" in page.text
    assert not any(e.get("grant_type") == "authorization_code" for e in w.idp_log()), "no code was redeemed"
    assert not w.credential_file().exists()


def test_other_requests_to_the_listener_do_not_end_the_sign_in(bworld):
    w = bworld
    proc, entry = start_ignored(w, "--timeout", "20")
    base = urllib.parse.urlparse(dict(urllib.parse.parse_qsl(urllib.parse.urlparse(entry["url"]).query))["redirect_uri"])
    # a browser's speculative connection that sends nothing (the listener drops those after 5 s) must not
    # hold up the others
    silent = socket.create_connection(("127.0.0.1", base.port), timeout=5)
    assert requests.get(f"http://127.0.0.1:{base.port}/favicon.ico", timeout=4).status_code == 404
    silent.close()
    assert proc.poll() is None
    answer(entry, state="RIGHT", error="access_denied", iss=w.issuer)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode != 0 and "access_denied" in err


def test_a_sign_in_nobody_finishes_times_out(bworld):
    started = time.monotonic()
    r = bworld.login("--timeout", "2", STANDIN_ACTION="ignore")
    assert r.code != 0 and "the sign-in in the browser did not finish within 2 s" in r.err, r.err
    assert "(up to 2 s;" in r.err, "the real timeout, not a minute rounded up"
    assert time.monotonic() - started < 20


def test_ctrl_c_cancels_and_closes_the_listener(bworld):
    w = bworld
    proc, entry = start_ignored(w)
    port = urllib.parse.urlparse(dict(urllib.parse.parse_qsl(urllib.parse.urlparse(entry["url"]).query))["redirect_uri"]).port
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=10)
    assert proc.returncode != 0
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2)


def test_no_browser_keeps_the_device_flow(make_world):
    w = make_world(IDP_TTL_DEVICE="2")
    w.write_config(extra_provider=BROWSER_FLOW)
    r = w.login("--no-browser")
    assert r.code != 0 and "enter the code" in r.err and "expired" in r.err, r.err
    assert not w.browser_log.exists(), "no browser was opened"
    assert any((e.get("grant_type") or "").endswith("device_code") for e in w.idp_log())


def redirect_of(entry):
    return urllib.parse.urlparse(dict(urllib.parse.parse_qsl(urllib.parse.urlparse(entry["url"]).query))["redirect_uri"])


@pytest.mark.parametrize("stray, why", [
    ({"params": {"code": "stolen", "state": "forged-state"}}, "a wrong state"),
    ({"params": {"code": "x", "state": "RIGHT", "iss": "https://evil.example.com/"}}, "a wrong iss"),
    ({"params": {"code": "x", "state": "RIGHT"}, "host": "evil.example.com"}, "an unexpected Host"),
])
def test_a_stray_request_is_refused_and_the_real_answer_still_signs_in(bworld, stray, why):
    """Issue 18: a web page (DNS rebinding), an old tab or another local process cannot end the sign-in."""
    w = bworld
    proc, entry = start_ignored(w, "--timeout", "60")
    params = {k: (w.issuer if k == "iss" and v is None else v) for k, v in stray["params"].items()}
    params.setdefault("iss", w.issuer)
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(entry["url"]).query))
    params = {k: (q["state"] if v == "RIGHT" else v) for k, v in params.items()}
    base = redirect_of(entry)
    headers = {"Host": f"{stray['host']}:{base.port}"} if "host" in stray else {}
    page = requests.get(q["redirect_uri"] + "?" + urllib.parse.urlencode(params), headers=headers, timeout=10)
    assert page.status_code == 400 and "Sign-in failed" in page.text
    assert proc.poll() is None, "the sign-in goes on"
    real = code_flow(entry["url"], "approve", "alice")
    assert real["outcome"] == "callback" and real["status"] == 200, real
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert f"Refused a stray request to the sign-in listener ({why}); still waiting." in err, err
    assert "stolen" not in err and "evil" not in err, "nothing of the request is repeated"
    assert [e["code"] == "x" for e in w.idp_log() if e.get("grant_type") == "authorization_code"] == [False]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_idp_with_one_exact_redirect_uri(make_world):
    port = free_port()
    uri = f"http://127.0.0.1:{port}/callback"
    w = make_world(IDP_QUIRKS="exact_redirect", IDP_REDIRECT_URI=uri)
    w.write_config(extra_provider=BROWSER_FLOW)
    r = w.login("--timeout", "3")
    assert r.code != 0 and "did not finish within 3 s" in r.err, r.err
    [refused] = [e for e in w.idp_log() if e.get("event") == "redirect_refused"]
    assert refused["redirect_uri"] != uri
    w.write_config(extra_provider=BROWSER_FLOW + f'redirect_uri = "{uri}"\n')
    r = w.login()
    assert r.code == 0, r.err
    entry = w.browser_entries(2)[-1]
    assert entry["outcome"] == "callback" and entry["status"] == 200, entry
    assert w.aws_cli("sts", "get-caller-identity").code == 0


def test_an_exact_redirect_port_in_use_is_named(bworld):
    w = bworld
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        w.write_config(extra_provider=BROWSER_FLOW + f'redirect_uri = "http://127.0.0.1:{port}/callback"\n')
        r = w.login()
    assert r.code != 0 and f"port {port} is in use" in r.err, r.err
    assert not w.browser_log.exists(), "no browser is sent to a listener that is not ours"


def test_a_bad_redirect_uri_is_refused_by_config_validation(bworld):
    bworld.write_config(extra_provider=BROWSER_FLOW + 'redirect_uri = "http://example.com:8765/callback"\n')
    r = bworld.login()
    assert r.code == 4 and "redirect_uri: a loopback address with a fixed port and path" in r.err, r.err


def cpu_seconds(pid):
    """The process's user + system CPU time so far (/proc/PID/stat, in clock ticks)."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_out_of_file_descriptors_the_listener_waits_and_then_signs_in(bworld):
    """accept() failing with EMFILE (the process's descriptor limit reached) costs a wait with backoff, not a
    busy loop or the end of the sign-in: the limit is lowered under the running `idbridge login`, a browser
    connects, and once the limit is back the real answer still signs in."""
    w = bworld
    proc, entry = start_ignored(w, "--timeout", "60")
    soft, hard = resource.prlimit(proc.pid, resource.RLIMIT_NOFILE)
    in_use = len(os.listdir(f"/proc/{proc.pid}/fd"))
    resource.prlimit(proc.pid, resource.RLIMIT_NOFILE, (in_use, hard))
    try:
        waiting = socket.create_connection(("127.0.0.1", redirect_of(entry).port), timeout=5)  # the kernel's backlog
        before, started = cpu_seconds(proc.pid), time.monotonic()
        time.sleep(2)  # (a window to measure CPU over, not a wait for anything)
        used = cpu_seconds(proc.pid) - before
        assert used < 0.2 * (time.monotonic() - started), f"{used:.2f} s of CPU in 2 s: accept() is retried in a loop"
        assert proc.poll() is None, "the sign-in goes on"
        assert len(os.listdir(f"/proc/{proc.pid}/fd")) == in_use
    finally:
        resource.prlimit(proc.pid, resource.RLIMIT_NOFILE, (soft, hard))
    real = code_flow(entry["url"], "approve", "alice")
    assert real["outcome"] == "callback" and real["status"] == 200, real
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Signed in to" in err, err
    waiting.close()
