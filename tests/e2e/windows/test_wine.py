"""The Windows build of the CLI (idbridge.exe, which the cross lane builds) under Wine, against the same
real servers: a device-flow sign-in, credential_process, and a refresh whose caller is killed while the IdP
holds back its answer to the rotation. Wine's Credential Manager is the keychain; a SIGKILL of the Wine
process is what TerminateProcess does to it (no handler runs, its handles close)."""
import json
import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from browser import device_flow
from conftest import wait_for

CROSS = Path(os.environ.get("IDBRIDGE_CROSS_DIR", "/var/cache/idbridge-cross"))
EXE = CROSS / "target" / "x86_64-pc-windows-gnu" / "debug" / "idbridge.exe"

pytestmark = pytest.mark.skipif(not EXE.exists(), reason=f"{EXE} is built by scripts/cross-check (tests/run runs it)")


def windows_path(path):
    return "Z:" + str(path).replace("/", "\\")


def wine_env(world, **extra):
    # (the prefix and the settings scripts/cross-check made and runs the unit tests with)
    return world.env(IDBRIDGE_HOME=windows_path(world.home), WINEPREFIX=str(CROSS / "wine"), WINEDEBUG="-all",
                     WINEDLLOVERRIDES="mscoree,mshtml=", **extra)


def start(world, *args):
    return subprocess.Popen(["wine", str(EXE), *args], env=wine_env(world), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def run(world, *args, timeout=60):
    p = subprocess.run(["wine", str(EXE), *args], env=wine_env(world), stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=timeout)
    world.transcript.append({"args": ("wine",) + args, "code": p.returncode, "out": p.stdout, "err": p.stderr})
    return p


def sign_in(world):
    """`login --no-browser`: the device flow, approved with the stand-in's steps at the address it prints."""
    p = start(world, "login", "--provider", world.provider, "--no-browser")
    said = []
    for line in p.stderr:
        said.append(line)
        m = re.search(r"open (\S+) and enter the code", line)
        if m:
            assert device_flow(m.group(1), "approve", "alice")["outcome"] == "success"
            break
    out, err = p.communicate(timeout=60)
    assert p.returncode == 0, "".join(said) + err
    return "".join(said) + err


@pytest.fixture
def wine_world(make_world):
    world = make_world(IDP_TTL_ID_TOKEN=60)  # a stored ID token is never usable: every refresh redeems
    yield world
    run(world, "logout", "--provider", world.provider)  # the prefix's Credential Manager outlives the test


def refresh_grants(world):
    return [e for e in world.idp_log() if e.get("grant_type") == "refresh_token"]


def test_sign_in_and_credential_process_on_windows(wine_world):
    w = wine_world
    said = sign_in(w)
    assert "alice@example.com" in said and "dev: credentials until" in said, said
    r = run(w, "credential-process", "--profile", "dev")
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert got["Version"] == 1 and got["AccessKeyId"] == w.assumes()[-1]["issued"]["AccessKeyId"]
    assert (w.home / "credentials" / "dev.json").exists()
    doctor = run(w, "doctor").stdout
    assert "tokens are kept in the Windows Credential Manager" in doctor, doctor
    # IDBRIDGE_HOME on Z: is not in the Wine user's profile (C:\users\...): not said to be private
    assert f"{windows_path(w.home)} is outside your user profile" in doctor, doctor


def test_a_caller_killed_while_the_idp_rotates_loses_no_sign_in_on_windows(wine_world):
    w = wine_world
    sign_in(w)
    w.credential_file().unlink()
    # the IdP rotates the refresh token, then holds its answer back
    w.idp_post("/_test/delay?ms=3000&count=1")
    p = start(w, "credential-process", "--profile", "dev")
    wait_for(lambda: any(g.get("delayed_ms") for g in refresh_grants(w)), 30, "the rotation at the IdP")
    seen = time.monotonic()
    p.send_signal(signal.SIGKILL)
    eof = threading.Thread(target=p.stdout.read)  # the end of its output, as the AWS CLI or Go waits for it
    eof.start()
    # the next caller, started while the IdP still holds its answer: it gets the provider lock at once (its
    # holder is dead) and must wait for the helper (idbridge.exe __redeem), which stores the successor
    nxt = start(w, "credential-process", "--profile", "dev")
    assert time.monotonic() - seen < 1.5, "the next caller started too late to meet the rotation in flight"
    eof.join(timeout=2)
    # the helper started with none of the caller's handles: its stdout ends with it, while the IdP still
    # holds the rotation's answer (the caller's pipes inherited by the helper kept it open until the store)
    assert not eof.is_alive(), "the killed caller's stdout stayed open"
    out, err = nxt.communicate(timeout=60)
    p.wait(timeout=15)
    # it waited for the store, then redeemed the successor (the ID token that came with it is too
    # short-lived here to use), or had too little of its 4 s left to: "try again", never "sign in"
    assert nxt.returncode == 0 or (nxt.returncode == 5 and "was not started" in err), (nxt.returncode, err)
    r = run(w, "credential-process", "--profile", "dev")
    assert r.returncode == 0, r.stderr
    grants = refresh_grants(w)
    assert all(g["result"] == "ok" for g in grants) and len(grants) in (2, 3), grants
    for before, after in zip(grants, grants[1:]):
        assert after["refresh_token"] == before["issued"]["refresh_token"], "each redeems the stored successor"
    assert not [e for e in w.idp_log() if e.get("event") == "grant.revoked"]
