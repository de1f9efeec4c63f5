"""The edges of refreshing: a signal (SIGKILL too) during a refresh-token rotation, sign-out racing a
refresh, short sessions, a failing STS paid once, a revoked sign-in, and files that no longer match the
config."""
import json
import os
import random
import signal
import subprocess
import threading
import time

import pytest

from conftest import BIN, ROLE_DEV, ROLE_PROD, TrayApp, wait_for


def spawn(world, profile="dev"):
    return subprocess.Popen([str(BIN), "credential-process", "--profile", profile], env=world.env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def refresh_grants(world):
    return [e for e in world.idp_log() if e.get("grant_type") == "refresh_token"]


def revoked(world):
    return [e for e in world.idp_log() if e.get("event") == "grant.revoked"]


def assert_the_successor_was_stored(world):
    """The next refresh redeems the token the interrupted one received, and the IdP saw no reuse."""
    r = world.run("credential-process", "--profile", "dev")
    assert r.code == 0, r.err
    grants = refresh_grants(world)
    assert [g["result"] for g in grants] == ["ok", "ok"], grants
    assert grants[1]["refresh_token"] == grants[0]["issued"]["refresh_token"]
    assert not revoked(world)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_a_signal_while_the_idp_rotates_waits_until_the_successor_is_stored(make_world, sig):
    world = make_world(IDP_TTL_ID_TOKEN=60)  # a stored ID token is never usable: every refresh redeems
    assert world.login().code == 0
    world.credential_file().unlink()
    # the IdP rotates the refresh token, then holds its answer back
    world.idp_post("/_test/delay?ms=1500&count=1")
    p = spawn(world)
    wait_for(lambda: any(g.get("delayed_ms") for g in refresh_grants(world)), what="the rotation at the IdP")
    p.send_signal(sig)
    out = []
    if sig == signal.SIGKILL:
        # what the AWS CLI or Go's exec waits for is the end of the output: the helper that goes on with
        # the rotation must not hold it open (it has none of the caller's descriptors); the IdP holds its
        # answer for 1.4 s or more after the kill, so a held output would end later than this waits
        eof = threading.Thread(target=lambda: out.append(p.stdout.read()))
        eof.start()
        eof.join(timeout=1)
        assert not eof.is_alive(), "the killed caller's stdout stayed open while the IdP held its answer"
    assert p.wait(timeout=15) == -sig, p.stderr.read()
    assert "".join(out) + p.stdout.read() == "", "an interrupted credential-process prints nothing"
    assert_the_successor_was_stored(world)


def test_a_signal_the_caller_ignores_stays_ignored(make_world):
    # a script's background job (or nohup) starts credential_process with SIGINT and SIGHUP ignored: they
    # do not end it, in the middle of a rotation or anywhere else, as they would not end a program
    # without a handler; it answers as if nothing had been sent
    world = make_world(IDP_TTL_ID_TOKEN=60)
    assert world.login().code == 0
    world.credential_file().unlink()
    world.idp_post("/_test/delay?ms=1500&count=1")

    def ignore():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)

    p = subprocess.Popen([str(BIN), "credential-process", "--profile", "dev"], env=world.env(),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=ignore)
    wait_for(lambda: any(g.get("delayed_ms") for g in refresh_grants(world)), what="the rotation at the IdP")
    p.send_signal(signal.SIGINT)
    p.send_signal(signal.SIGHUP)
    out, err = p.communicate(timeout=15)
    assert p.returncode == 0, err
    assert json.loads(out)["Version"] == 1
    assert "storing the new sign-in token" not in err, "an ignored signal was handled"
    assert [g["result"] for g in refresh_grants(world)] == ["ok"]
    assert not revoked(world)


def test_sigkill_at_random_moments_of_a_rotation_loses_no_sign_in(make_world):
    # what Go's exec.CommandContext does to credential_process when its context ends: SIGKILL, at any
    # moment of a rotation whose answer arrives 150 ms after the IdP rotated the token
    world = make_world(IDP_TTL_ID_TOKEN=60)  # every refresh redeems
    assert world.login().code == 0

    def rotate_slowly():
        world.credential_file().unlink(missing_ok=True)
        world.idp_post("/_test/delay?ms=150&count=1")

    spans = []
    for _ in range(3):
        rotate_slowly()
        start = time.monotonic()
        r = world.run("credential-process", "--profile", "dev")
        assert r.code == 0, r.err
        spans.append(time.monotonic() - start)
    span = sorted(spans)[1]
    lost = []
    for trial in range(40):
        rotate_slowly()
        p = subprocess.Popen([str(BIN), "credential-process", "--profile", "dev"], env=world.env(),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(random.uniform(0, span))  # the random moment, not a synchronisation
        p.kill()
        p.wait(timeout=15)
        world.credential_file().unlink(missing_ok=True)
        r = world.run("credential-process", "--profile", "dev")
        if r.code != 0:
            lost.append((trial, r.code, r.err))
            assert world.login().code == 0
    assert lost == [], f"{len(lost)} of 40 sign-ins lost: {lost[:3]}"
    assert not revoked(world)


def test_sigkill_of_the_tray_while_the_idp_rotates_loses_no_sign_in(make_world, desktop):
    world = make_world(IDP_TTL_ID_TOKEN=60)  # every refresh redeems
    assert world.login().code == 0
    world.age_credentials(minutes_left=10)  # the tray refreshes at once
    world.idp_post("/_test/delay?ms=1500&count=1")
    app = TrayApp(world, desktop)
    try:
        wait_for(lambda: any(g.get("delayed_ms") for g in refresh_grants(world)), what="the rotation at the IdP")
        app.proc.kill()
        assert app.proc.wait(timeout=10) == -signal.SIGKILL
    finally:
        app.stop()
    world.credential_file().unlink()
    assert_the_successor_was_stored(world)  # through the tray's helper


def test_sign_out_during_a_slow_refresh_is_not_undone(signed_in):
    world = signed_in
    world.age_credentials(minutes_left=-1)
    world.aws_post("/_test/delay?seconds=2&count=1")
    p = spawn(world)
    wait_for(lambda: any(a.get("status") == "delayed" for a in world.assumes()), what="the slow STS call")
    out = world.run("logout", "--provider", world.provider)
    assert out.code == 0, out.err
    assert "The identity provider revoked the refresh token." in out.err, out.err
    p.wait(timeout=15)  # the refresh that started first had finished before logout removed anything
    assert "removed the keychain tokens and the credentials of: dev" in out.err, out.err
    assert not world.credential_file().exists()
    status = json.loads(world.run("status", "--json").out)
    assert [s["state"] for s in status] == ["signed_out"]
    assert revoked(world), "the IdP forgot the grant"
    r = world.run("credential-process", "--profile", "dev")
    assert r.code == 3 and "sign-in needed" in r.err, r.err


def set_duration(world, seconds):
    path = world.home / "config.toml"
    path.write_text(path.read_text().replace("[profiles.dev]\n", f"[profiles.dev]\nduration_seconds = {seconds}\n"))


@pytest.mark.parametrize("duration,threshold_min", [(900, 5), (3600, 15)])
def test_one_sts_call_per_credential_lifetime_with_the_aws_cli(world, duration, threshold_min):
    set_duration(world, duration)
    assert world.login().code == 0
    assert world.assumes()[0]["duration"] == str(duration)
    for _ in range(3):
        r = world.aws_cli("sts", "get-caller-identity")
        assert r.code == 0, r.err
    assert len(world.assumes()) == 1, "fresh credentials are served as they are"
    # time passes until just under the threshold (a third of the session, at most 15 min, left)
    world.age_credentials(minutes_left=threshold_min - 1)
    for _ in range(3):
        r = world.aws_cli("sts", "get-caller-identity")
        assert r.code == 0, r.err
    assert len(world.assumes()) == 2, "exactly one refresh for three AWS CLI commands"
    procs = [spawn(world) for _ in range(32)]
    assert [p.wait(timeout=60) for p in procs] == [0] * 32
    assert len(world.assumes()) == 2


def test_a_hanging_sts_is_waited_for_once_then_the_old_credentials_are_served_at_once(signed_in):
    world = signed_in
    world.age_credentials(minutes_left=10)
    old = json.loads(world.credential_file().read_text())
    world.aws_post("/_test/hang?count=5")
    first = world.run("credential-process", "--profile", "dev")
    assert first.code == 0 and json.loads(first.out) == old
    assert f"AWS STS at {world.aws_url} did not answer within" in first.err, first.err
    for _ in range(3):
        r = world.run("credential-process", "--profile", "dev")
        assert r.code == 0 and json.loads(r.out) == old
        assert "did not answer within" in r.err and "serving the current credentials" in r.err, r.err
    assert len(world.assumes()) == 2, "the back-off sent no new STS call: sign-in + the one that hung"
    status = json.loads(world.run("status", "--json").out)[0]
    assert status["state"] == "refresh_failing"
    assert status["last_failure"]["code"] == "sts_unreachable" and status["last_failure"]["consecutive"] == 1
    assert "REFRESH FAILING" in world.run("status").out


def test_a_revoked_sign_in_is_its_own_state_and_is_not_retried_at_once(make_world):
    world = make_world(IDP_TTL_ID_TOKEN=60)
    assert world.login().code == 0
    world.idp_post("/_test/revoke")
    world.age_credentials(minutes_left=-1)
    for _ in range(2):
        r = world.run("credential-process", "--profile", "dev")
        assert r.code == 3, "exit code 3: sign-in needed"
        assert r.out == "" and f"sign-in needed for provider '{world.provider}'" in r.err, r.err
        assert "idbridge login --profile dev" in r.err
    assert len(refresh_grants(world)) == 1, "the second call did not present the dead token again"
    status = json.loads(world.run("status", "--json").out)[0]
    assert status["state"] == "sign_in_needed" and status["identity"] == "alice@example.com"
    assert "SIGN-IN NEEDED: run `idbridge login --profile dev`" in world.run("status").out
    # a new sign-in clears it
    assert world.login().code == 0
    assert json.loads(world.run("status", "--json").out)[0]["state"] == "ready"


def test_only_profiles_in_the_config_are_served_and_logout_removes_the_rest(world):
    world.write_config(profiles={"dev": ROLE_DEV, "prod": ROLE_PROD})
    assert world.login().code == 0
    world.write_config(profiles={"dev": ROLE_DEV})
    r = world.run("credential-process", "--profile", "prod")
    assert r.code == 4 and r.out == "" and "no profile named 'prod'" in r.err, r.err
    # dev's role changes: the file made for the old role is not served
    world.write_config(profiles={"dev": ROLE_PROD})
    r = world.run("credential-process", "--profile", "dev")
    assert r.code == 0, r.err
    assert world.assumes()[-1]["role"] == ROLE_PROD and len(world.assumes()) == 3
    assert json.loads(r.out)["AccessKeyId"] == world.assumes()[-1]["issued"]["AccessKeyId"]
    stray = world.home / "credentials" / ".tmp-999999999-1-0"
    stray.write_text(world.credential_file().read_text())
    out = world.run("logout")
    assert out.code == 0 and "credentials of: dev, prod" in out.err, out.err
    assert not stray.exists() and not (world.home / "credentials" / "prod.json").exists()
    assert sorted(os.listdir(world.home / "credentials")) == []
