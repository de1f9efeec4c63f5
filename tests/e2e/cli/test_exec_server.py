"""`exec --server`: the command gets a local credential endpoint (the SDKs' container provider) instead of
keys; the real AWS CLI and boto3 read it, and keep working across a renewal; the endpoint refuses what it
must and lives exactly as long as the command."""
import json
import subprocess
import sys
import textwrap

import requests

from conftest import BIN

ARN = "arn:aws:sts::123456789012:assumed-role/dev/alice@example.com"

# boto3 in the command: one session for its whole life; one STS call per line read on stdin
BOTO3_LOOP = textwrap.dedent("""
    import os, sys, boto3
    sts = boto3.session.Session().client("sts", endpoint_url=sys.argv[1])
    for _ in sys.stdin:
        arn = sts.get_caller_identity()["Arn"]
        key = sts._request_signer._credentials.get_frozen_credentials().access_key
        print(arn, key, flush=True)
""")


def short_sessions(world):
    """Sessions of 15 minutes: botocore then asks its provider again on every call (< 15 min left)."""
    config = world.home / "config.toml"
    config.write_text(config.read_text() + "duration_seconds = 900\n")
    r = world.login()
    assert r.code == 0, r.err
    world.browser_entries(1)
    return world


def start(world, *cmd, profile="dev", **env):
    return subprocess.Popen([str(BIN), "exec", "--server", "--profile", profile, "--", *cmd], text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=world.env(**env))


def test_boto3_keeps_working_across_a_renewal_with_one_sts_call_per_lifetime(world):
    w = short_sessions(world)
    p = start(w, sys.executable, "-c", BOTO3_LOOP, w.aws_url, AWS_PROFILE="someone-else",
              AWS_ACCESS_KEY_ID="AKIASTATIC", AWS_SECRET_ACCESS_KEY="static")
    p.stdin.write("1\n")
    p.stdin.flush()
    arn, first_key = p.stdout.readline().split()
    assert arn == ARN
    p.stdin.write("2\n")
    p.stdin.flush()
    assert p.stdout.readline().split()[1] == first_key, "fresh: the same keys, no new STS call"
    assert len(w.assumes()) == 1
    w.age_credentials(minutes_left=4)
    p.stdin.write("3\n")
    p.stdin.flush()
    arn, renewed_key = p.stdout.readline().split()
    assert arn == ARN and renewed_key != first_key, "the endpoint renewed and boto3 took the new keys"
    assert len(w.assumes()) == 2
    p.stdin.close()
    assert p.wait(timeout=30) == 0, p.stderr.read()


def test_the_aws_cli_across_a_renewal_and_the_exit_code_passed_through(world):
    w = short_sessions(world)
    call = f"aws sts get-caller-identity --endpoint-url {w.aws_url} --query Arn --output text"
    p = start(w, "sh", "-c", f"{call} || exit 90; read line; {call} || exit 91; exit 7")
    assert p.stdout.readline().strip() == ARN
    w.age_credentials(minutes_left=4)
    out, err = p.communicate("go\n", timeout=60)
    assert p.returncode == 7, err
    assert out.strip() == ARN
    assert len(w.assumes()) == 2


ENV_AND_PROBES = textwrap.dedent("""
    import json, os, socket, sys, urllib.parse, urllib.request
    url, token = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"], os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
    def status(headers):
        try:
            return urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10).status
        except urllib.error.HTTPError as e:
            return e.code
    u = urllib.parse.urlsplit(url)
    with socket.create_connection((u.hostname, u.port)) as s:
        s.sendall(b"GET " + u.path.encode() + b" HTTP/1.1\\r\\nX-Pad: " + b"a" * 20000 + b"\\r\\n\\r\\n")
        oversized = int(s.recv(100).split()[1])
    old = sys.argv[1] if len(sys.argv) > 1 else "none"
    print(json.dumps({
        "env": {k: v for k, v in os.environ.items() if k.startswith("AWS_") and "TOKEN" not in k},
        "token": token, "url": url, "ok": status({"Authorization": token}), "missing": status({}),
        "wrong": status({"Authorization": token[:-1] + ("A" if token[-1] != "A" else "B")}),
        "replayed": status({"Authorization": old}), "oversized": oversized}))
""")


def test_wrong_missing_replayed_tokens_and_oversized_requests_are_refused(signed_in):
    w = signed_in
    run = w.run("exec", "--server", "--profile", "dev", "--", sys.executable, "-c", ENV_AND_PROBES,
                AWS_PROFILE="x", AWS_ACCESS_KEY_ID="AKIASTATIC", AWS_SESSION_TOKEN="old")
    assert run.code == 0, run.err
    first = json.loads(run.out)
    assert (first["ok"], first["missing"], first["wrong"], first["oversized"]) == (200, 403, 403, 431)
    env = first["env"]
    assert env["AWS_CONTAINER_CREDENTIALS_FULL_URI"].startswith("http://127.0.0.1:")
    assert env["AWS_REGION"] == "ap-northeast-1"
    assert not {"AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} & set(env)
    # the endpoint ended with the command
    try:
        requests.get(first["url"], headers={"Authorization": first["token"]}, timeout=5)
        raise AssertionError("the endpoint outlived its command")
    except requests.ConnectionError:
        pass
    # a token from an earlier run is worth nothing to the next endpoint
    again = json.loads(w.run("exec", "--server", "--profile", "dev", "--", sys.executable, "-c", ENV_AND_PROBES,
                             first["token"]).out)
    assert (again["ok"], again["replayed"]) == (200, 403)
    assert again["token"] != first["token"]
    assert first["token"] not in run.err + w.run("status").out
    assert len(w.assumes()) == 1


def test_a_non_loopback_bind_is_refused_and_the_command_never_runs(signed_in, tmp_path):
    marker = tmp_path / "ran"
    for addr in ("0.0.0.0:0", "192.0.2.1:0", "[::]:0"):
        r = signed_in.run("exec", "--server", "--bind", addr, "--profile", "dev", "--", "touch", str(marker))
        assert r.code == 1 and "not a loopback address" in r.err, (addr, r.err)
    assert not marker.exists()
    assert signed_in.run("exec", "--bind", "127.0.0.1:0", "--profile", "dev", "--", "true").code == 2


def test_a_sign_in_needed_shows_before_the_command_with_exit_3(world, tmp_path):
    marker = tmp_path / "ran"
    r = world.run("exec", "--server", "--profile", "dev", "--", "touch", str(marker))
    assert r.code == 3 and "idbridge login" in r.err
    assert not marker.exists()
