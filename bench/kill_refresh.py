#!/usr/bin/env python3
"""Kill script: how many sign-ins are lost when `credential-process` is interrupted during a refresh.

Against the local oidc-provider with refresh-token rotation and reuse detection (presenting a rotated
token again revokes the whole grant) and a real gnome-keyring. ID tokens live 60 s, so every refresh
redeems the refresh token. The IdP holds each answer back DELAY_MS after rotating (the network latency
of a real IdP), which is the window where a process that stops loses the successor.

Each trial: remove the credential file, start `credential-process`, send SIGINT, SIGTERM or SIGKILL at
a uniformly random moment within one refresh's duration, then check that the sign-in still works (a
new refresh succeeds). A lost sign-in is re-established with a new login. Prints per-signal figures.

Usage: bench/kill_refresh.py [TRIALS_PER_SIGNAL] [DELAY_MS]   (default 40, 150; builds nothing: uses
target/debug/idbridge unless IDBRIDGE_BIN is set). Runs itself inside a private D-Bus session with an
unlocked gnome-keyring.
"""
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "support"))

if not os.environ.get("KILL_BENCH_INNER"):
    home = tempfile.mkdtemp()
    inner = ("echo -n bench | gnome-keyring-daemon --unlock --components=secrets >/dev/null; "
             f"exec {sys.executable} {' '.join(map(str, [__file__, *sys.argv[1:]]))}")
    env = {**os.environ, "HOME": home, "KILL_BENCH_INNER": "1"}
    sys.exit(subprocess.run(["dbus-run-session", "--", "bash", "-c", inner], env=env).returncode)

from servers import SUPPORT, start_aws, start_idp  # noqa: E402

BIN = Path(os.environ.get("IDBRIDGE_BIN", ROOT / "target" / "debug" / "idbridge"))
TRIALS = int(sys.argv[1]) if len(sys.argv) > 1 else 40
DELAY_MS = int(sys.argv[2]) if len(sys.argv) > 2 else 150
ROLE = "arn:aws:iam::123456789012:role/dev"


def main():
    tmp = Path(tempfile.mkdtemp())
    idp = start_idp(IDP_TTL_ID_TOKEN=60)
    aws = start_aws(tmp, idp.info["issuer"], idp.info["client_id"], {ROLE: {}})
    aws_url = f"http://127.0.0.1:{aws.info['port']}"
    idp_url = f"http://127.0.0.1:{idp.info['port']}"
    home = tmp / "home"
    home.mkdir()
    (home / "config.toml").write_text(
        f'[providers.idp]\nissuer = "{idp.info["issuer"]}"\nclient_id = "{idp.info["client_id"]}"\n'
        'scopes = ["openid", "offline_access", "email"]\n'
        f'[profiles.dev]\nprovider = "idp"\nrole_arn = "{ROLE}"\nregion = "ap-northeast-1"\n'
        f'sts_endpoint = "{aws_url}"\n')
    env = {**os.environ, "IDBRIDGE_HOME": str(home), "BROWSER": str(SUPPORT / "browser.py"),
           "STANDIN_LOG": str(tmp / "browser.log"), "NO_COLOR": "1"}
    creds = home / "credentials" / "dev.json"

    def run(*args):
        return subprocess.run([str(BIN), *args], env=env, capture_output=True, text=True, timeout=120)

    def login():
        r = run("login", "--provider", "idp")
        assert r.returncode == 0, r.stderr

    def delay_next():
        subprocess.run(["curl", "-s", "-X", "POST", f"{idp_url}/_test/delay?ms={DELAY_MS}&count=1"], check=True,
                       capture_output=True)

    try:
        login()
        durations = []
        for _ in range(5):
            creds.unlink(missing_ok=True)
            delay_next()
            start = time.monotonic()
            assert run("credential-process", "--profile", "dev").returncode == 0
            durations.append(time.monotonic() - start)
        span = statistics.median(durations)
        print(f"one refresh (discovery, redeem with {DELAY_MS} ms IdP latency, keychain, STS): median {span * 1000:.0f} ms")
        results = {}
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
            lost = 0
            for _ in range(TRIALS):
                creds.unlink(missing_ok=True)
                delay_next()
                p = subprocess.Popen([str(BIN), "credential-process", "--profile", "dev"], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(random.uniform(0, span))
                p.send_signal(sig)
                p.wait(timeout=60)
                creds.unlink(missing_ok=True)
                check = run("credential-process", "--profile", "dev")
                if check.returncode != 0:
                    lost += 1
                    login()
            results[sig.name] = lost
            print(f"{sig.name}: {lost} of {TRIALS} sign-ins lost", flush=True)
        print(json.dumps({"trials_per_signal": TRIALS, "idp_delay_ms": DELAY_MS,
                          "refresh_median_ms": round(span * 1000), "lost": results}))
    finally:
        idp.stop()
        aws.stop()


main()
