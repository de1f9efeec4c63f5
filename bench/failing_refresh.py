#!/usr/bin/env python3
"""What each `credential-process` call costs while a refresh keeps failing and the old credentials are
still valid: STS hanging, and STS refusing connections. Ten calls in a row for each, first call and
the median of the rest, for idbridge and (if IDBRIDGE_BASELINE_BIN is set) an older build in the same run.

Usage: bench/failing_refresh.py   (target/debug/idbridge unless IDBRIDGE_BIN is set)
"""
import json
import os
import statistics
import time

from standins import ROOT, Stage, in_keychain_session

in_keychain_session()
CALLS = 10


def age(stage, minutes_left):
    """As if time had passed: the file expires in `minutes_left`, its lifetime unchanged."""
    data = json.loads(stage.creds.read_text())
    lifetime = 3600
    new_exp = int(time.time() + minutes_left * 60)
    data["Expiration"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(new_exp))
    stage.creds.write_text(json.dumps(data))
    os.utime(stage.creds, (new_exp - lifetime, new_exp - lifetime))


def series(stage):
    times = []
    for _ in range(CALLS):
        start = time.monotonic()
        r = stage.run("credential-process", "--profile", "dev")
        times.append(time.monotonic() - start)
        assert r.returncode == 0, r.stderr
    return times[0], statistics.median(times[1:])


def measure(binary):
    out = {}
    stage = Stage(binary)
    try:
        stage.login()
        age(stage, 10)
        stage.post(f"{stage.aws_url}/_test/hang?count=100")
        out["sts_hanging"] = series(stage)
    finally:
        stage.stop()
    stage = Stage(binary)
    try:
        stage.login()
        age(stage, 10)
        stage.aws.stop()  # nothing listens on the STS port any more
        out["sts_refusing"] = series(stage)
    finally:
        stage.idp.stop()
    return out


def main():
    bins = {"idbridge": os.environ.get("IDBRIDGE_BIN", str(ROOT / "target" / "debug" / "idbridge"))}
    if os.environ.get("IDBRIDGE_BASELINE_BIN"):
        bins["baseline"] = os.environ["IDBRIDGE_BASELINE_BIN"]
    results = {name: measure(path) for name, path in bins.items()}
    for name, r in results.items():
        for case, (first, rest) in r.items():
            print(f"{name:9} {case:13} first call {first * 1000:6.0f} ms, then median {rest * 1000:6.0f} ms per call")
    if "baseline" in results:
        for case in results["idbridge"]:
            ratio = results["idbridge"][case][1] / results["baseline"][case][1]
            print(f"ratio idbridge/baseline, later calls, {case}: {ratio:.3f}")


main()
