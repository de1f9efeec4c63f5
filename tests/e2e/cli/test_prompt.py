"""`status --prompt` in each state (from files alone: no keychain, as fast as the warm path), and the env
formats of `aws configure export-credentials` (env-no-export, windows-cmd)."""
import json
import re
import statistics
import subprocess
import time

from conftest import BIN

ARN = "arn:aws:sts::123456789012:assumed-role/dev/alice@example.com"


def prompt(world, *args, **env):
    r = world.run("status", "--prompt", *args, **env)
    assert r.code == 0 and r.err == "", r.err
    return r.out


def test_the_prompt_segment_in_each_state(world):
    assert prompt(world) == "", "no profile: nothing"
    assert prompt(world, "--profile", "dev") == "dev ⚠ sign in\n"
    assert world.login().code == 0
    assert re.fullmatch(r"dev (59|60)m\n", prompt(world, AWS_PROFILE="dev"))
    # no keychain is asked: a session bus that is not there changes nothing
    assert re.fullmatch(r"dev (59|60)m\n", prompt(world, "--profile", "dev", DBUS_SESSION_BUS_ADDRESS="unix:path=/nonexistent"))
    world.age_credentials(minutes_left=125)
    assert re.fullmatch(r"dev 2h0[45]m\n", prompt(world, "--profile", "dev"))
    world.age_credentials(minutes_left=-2)
    assert prompt(world, "--profile", "dev") == "dev expired\n"
    assert world.run("logout").code == 0
    assert prompt(world, "--profile", "dev") == "dev ⚠ sign in\n"
    assert world.run("status", "--prompt", "--profile", "../x").code == 1


def median_ms(world, *args, runs=25):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        p = subprocess.run([str(BIN), *args], capture_output=True, env=world.env())
        times.append((time.perf_counter() - start) * 1000)
        assert p.returncode == 0, p.stderr
    return statistics.median(times)


def test_the_prompt_costs_what_the_warm_path_costs(signed_in):
    warm = median_ms(signed_in, "credential-process", "--profile", "dev")
    segment = median_ms(signed_in, "status", "--prompt", "--profile", "dev")
    print(f"median: warm credential-process {warm:.2f} ms, status --prompt {segment:.2f} ms")
    assert segment <= 2 * warm + 2, (warm, segment)
    assert len(signed_in.assumes()) == 1


def test_env_no_export_feeds_an_env_file_and_windows_cmd_sets_and_clears(signed_in):
    r = signed_in.run("env", "--profile", "dev", "--format", "env-no-export")
    assert r.code == 0, r.err
    pairs = dict(line.split("=", 1) for line in r.out.splitlines())
    assert set(pairs) >= {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION"}
    env = {**signed_in.env(), **pairs}
    p = subprocess.run(["aws", "sts", "get-caller-identity", "--endpoint-url", signed_in.aws_url, "--output", "json"],
                       capture_output=True, text=True, env=env)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["Arn"] == ARN
    raw = subprocess.run([str(BIN), "env", "--profile", "dev", "--format", "windows-cmd"], capture_output=True,
                         env=signed_in.env()).stdout.decode()
    assert f'set "AWS_ACCESS_KEY_ID={pairs["AWS_ACCESS_KEY_ID"]}"\r\n' in raw
    assert raw.endswith('set "AWS_PROFILE="\r\nset "AWS_DEFAULT_PROFILE="\r\nset "AWS_SECURITY_TOKEN="\r\n')
