#!/usr/bin/env python3
"""Kill script: how many sign-ins are lost when `credential-process` is interrupted during a refresh.

Against the local oidc-provider with refresh-token rotation and reuse detection (presenting a rotated
token again revokes the whole grant) and a real gnome-keyring. ID tokens live 60 s, so every refresh
redeems the refresh token. The IdP holds each answer back DELAY_MS after rotating (the network latency
of a real IdP): a process that stops in that window cannot have the successor.

Each trial: remove the credential file, start `credential-process`, send SIGINT, SIGTERM or SIGKILL at
a uniformly random moment within one refresh's duration, then check that the sign-in still works (a
new refresh succeeds). A lost sign-in is re-established with a new login. Prints per-signal figures.

Usage: bench/kill_refresh.py [TRIALS_PER_SIGNAL] [DELAY_MS]   (default 40, 150). Uses target/debug/idbridge
unless IDBRIDGE_BIN is set (e.g. an older build, for a before/after figure).
"""
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time

from standins import ROOT, Stage, in_keychain_session

in_keychain_session()
BIN = os.environ.get("IDBRIDGE_BIN", str(ROOT / "target" / "debug" / "idbridge"))
TRIALS = int(sys.argv[1]) if len(sys.argv) > 1 else 40
DELAY_MS = int(sys.argv[2]) if len(sys.argv) > 2 else 150


def main():
    stage = Stage(BIN, IDP_TTL_ID_TOKEN=60)

    def delay_next():
        stage.post(f"{stage.idp_url}/_test/delay?ms={DELAY_MS}&count=1")

    try:
        stage.login()
        durations = []
        for _ in range(5):
            stage.creds.unlink(missing_ok=True)
            delay_next()
            start = time.monotonic()
            assert stage.run("credential-process", "--profile", "dev").returncode == 0
            durations.append(time.monotonic() - start)
        span = statistics.median(durations)
        print(f"{BIN}: one refresh (discovery, redeem with {DELAY_MS} ms IdP latency, keychain, STS): "
              f"median {span * 1000:.0f} ms")
        results = {}
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
            lost = 0
            for _ in range(TRIALS):
                stage.creds.unlink(missing_ok=True)
                delay_next()
                p = subprocess.Popen([BIN, "credential-process", "--profile", "dev"], env=stage.env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(random.uniform(0, span))
                p.send_signal(sig)
                p.wait(timeout=60)
                stage.creds.unlink(missing_ok=True)
                if stage.run("credential-process", "--profile", "dev").returncode != 0:
                    lost += 1
                    stage.login()
            results[sig.name] = lost
            print(f"{sig.name}: {lost} of {TRIALS} sign-ins lost", flush=True)
        print(json.dumps({"trials_per_signal": TRIALS, "idp_delay_ms": DELAY_MS,
                          "refresh_median_ms": round(span * 1000), "lost": results}))
    finally:
        stage.stop()


main()
