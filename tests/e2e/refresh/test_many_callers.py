"""credential_process as AWS tools call it: many at once, and never longer than the SDKs wait."""
import json
import os
import signal
import subprocess
import time

from conftest import BIN, ROLE_DEV, ROLE_PROD, wait_for

# the Rust SDK gives up on credential_process after 5 s
SDK_LIMIT = 5.0


def spawn(world, profile="dev"):
    return subprocess.Popen([str(BIN), "credential-process", "--profile", profile], env=world.env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_hundred_parallel_calls_on_a_stale_file_make_one_sts_call(signed_in):
    signed_in.age_credentials(minutes_left=5)
    procs = [spawn(signed_in) for _ in range(100)]
    results = [(p.wait(timeout=60), p.stdout.read(), p.stderr.read()) for p in procs]
    assert [code for code, _, _ in results] == [0] * 100, [err for _, _, err in results if err][:3]
    outputs = [json.loads(out) for _, out, _ in results]  # every output is whole JSON
    assert len({o["AccessKeyId"] for o in outputs}) == 1, "all callers got the one refreshed set"
    assumes = signed_in.assumes()
    assert len(assumes) == 2, "exactly one AssumeRoleWithWebIdentity after the sign-in"
    assert outputs[0]["AccessKeyId"] == assumes[1]["issued"]["AccessKeyId"]


def test_parallel_refreshes_of_two_profiles_never_reuse_a_refresh_token(make_world):
    world = make_world(IDP_TTL_ID_TOKEN=60)  # every refresh must redeem the refresh token
    world.write_config(profiles={"dev": ROLE_DEV, "prod": ROLE_PROD})
    assert world.login().code == 0
    world.age_credentials("dev", minutes_left=5)
    world.age_credentials("prod", minutes_left=5)
    procs = [spawn(world, p) for _ in range(20) for p in ("dev", "prod")]
    codes = [p.wait(timeout=60) for p in procs]
    assert codes == [0] * 40, [p.stderr.read() for p in procs if p.returncode][:3]
    grants = [e for e in world.idp_log() if e.get("grant_type") == "refresh_token"]
    assert [g["result"] for g in grants] == ["ok"] * len(grants) and 1 <= len(grants) <= 2
    assert len({g["refresh_token"] for g in grants}) == len(grants), "a refresh token was redeemed twice"
    assert not [e for e in world.idp_log() if e.get("event") == "grant.revoked"]
    assert len(world.assumes()) == 4, "one STS call per profile at sign-in, one per profile now"


def timed(world, *args):
    start = time.monotonic()
    r = world.run(*args)
    return r, time.monotonic() - start


def test_a_hanging_sts_still_answers_in_time_with_the_old_credentials(signed_in):
    signed_in.age_credentials(minutes_left=10)
    old = json.loads(signed_in.credential_file().read_text())
    signed_in.aws_post("/_test/hang?count=5")
    r, elapsed = timed(signed_in, "credential-process", "--profile", "dev")
    assert elapsed < SDK_LIMIT, elapsed
    assert r.code == 0 and json.loads(r.out) == old
    assert f"warning: profile 'dev': AWS STS at {signed_in.aws_url} did not answer within" in r.err, r.err
    assert "serving the current credentials, 9 min left" in r.err or "10 min left" in r.err, r.err


def test_a_hanging_idp_with_nothing_valid_left_fails_without_losing_the_sign_in(make_world):
    world = make_world(IDP_TTL_ID_TOKEN=60)
    assert world.login().code == 0
    world.age_credentials(minutes_left=-1)
    world.idp_post("/_test/hang?count=1")
    r, elapsed = timed(world, "credential-process", "--profile", "dev")
    # a refresh token on its way may be rotated at the IdP: the process waits for the answer (at most
    # 15 s more) rather than lose the sign-in, then says the refresh timed out
    assert elapsed < SDK_LIMIT + 15 + 5, elapsed
    assert r.code == 5 and r.out == "", "exit code 5: temporary, try again later"
    assert "idbridge: error: the identity provider" in r.err and "did not" in r.err, r.err
    r = world.run("credential-process", "--profile", "dev")
    assert r.code == 0, r.err
    assert not [e for e in world.idp_log() if e.get("event") == "grant.revoked"]


def test_a_refused_connection_fails_fast_and_clearly(signed_in):
    signed_in.age_credentials(minutes_left=-1)
    signed_in.aws.stop()  # nothing listens on the STS port any more
    r, elapsed = timed(signed_in, "credential-process", "--profile", "dev")
    assert elapsed < SDK_LIMIT
    assert r.code != 0
    assert f"cannot reach AWS STS at {signed_in.aws_url}" in r.err, r.err


def test_a_refresher_killed_with_sigkill_blocks_nobody(signed_in):
    signed_in.age_credentials(minutes_left=-1)
    signed_in.aws_post("/_test/hang?count=1")
    holder = spawn(signed_in)
    # it holds the profile lock while STS does not answer
    wait_for(lambda: any(a.get("status") == "hang" for a in signed_in.assumes()), what="the hanging STS call")
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=10)
    r, elapsed = timed(signed_in, "credential-process", "--profile", "dev")
    assert r.code == 0, r.err
    assert elapsed < SDK_LIMIT
    assert json.loads(r.out)["AccessKeyId"] == signed_in.assumes()[-1]["issued"]["AccessKeyId"]
