#!/usr/bin/env python3
"""The local credential endpoint (`idbridge exec --server`) against a warm `credential-process` call,
measured in the same run against the local stand-ins (issue 17):
  - median of one keep-alive request for fresh credentials, and of one warm `credential-process`
    process (what the AWS CLI pays per command); goal: endpoint <= 0.3x;
  - 1 000 requests/s for SECONDS (8 keep-alive connections): errors, and STS calls beyond the sign-in's
    (goal: 0 and 0).

Usage: bench/endpoint.py [path/to/idbridge] [SECONDS]   (default target/release/idbridge, 30 s)
"""
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

RATE, CONNECTIONS, SAMPLES = 1000, 8, 300


def load(seconds):
    """Runs inside `exec --server`: prints its figures as one JSON line."""
    url = urllib.parse.urlsplit(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"])
    headers = {"Authorization": os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]}

    def connect():
        return http.client.HTTPConnection(url.hostname, url.port, timeout=10)

    def get(conn):
        conn.request("GET", url.path, headers=headers)
        r = conn.getresponse()
        body = r.read()
        return r.status == 200 and b"AccessKeyId" in body

    conn, times = connect(), []
    for _ in range(SAMPLES):
        start = time.perf_counter()
        assert get(conn)
        times.append(time.perf_counter() - start)
    counts = {"ok": 0, "errors": 0}
    lock = threading.Lock()

    def worker():
        c, interval = connect(), CONNECTIONS / RATE
        next_at, end = time.perf_counter(), time.perf_counter() + seconds
        ok = errors = 0
        while next_at < end:
            try:
                ok, errors = (ok + 1, errors) if get(c) else (ok, errors + 1)
            except OSError:
                errors, c = errors + 1, connect()
            next_at += interval
            time.sleep(max(0.0, next_at - time.perf_counter()))
        with lock:
            counts["ok"] += ok
            counts["errors"] += errors

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    print(json.dumps({"median_s": statistics.median(times), **counts, "rate": counts["ok"] / elapsed}))


def main():
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import standins
    standins.in_keychain_session()
    root = Path(__file__).resolve().parents[1]
    binary = Path(sys.argv[1]) if len(sys.argv) > 1 else root / "target" / "release" / "idbridge"
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    stage = standins.Stage(binary)
    try:
        stage.login()

        def assumes():
            with urllib.request.urlopen(f"{stage.aws_url}/_test/log", timeout=5) as r:
                return sum(1 for e in json.load(r) if e.get("action") == "AssumeRoleWithWebIdentity")

        before = assumes()
        warm = []
        for _ in range(SAMPLES):
            start = time.perf_counter()
            assert stage.run("credential-process", "--profile", "dev").returncode == 0
            warm.append(time.perf_counter() - start)
        r = stage.run("exec", "--server", "--profile", "dev", "--", sys.executable, __file__, "--load", str(seconds))
        assert r.returncode == 0, r.stderr
        figures = json.loads(r.stdout)
        warm_median = statistics.median(warm)
        print(f"warm credential-process: median {warm_median * 1000:.2f} ms ({SAMPLES} runs)")
        print(f"endpoint, keep-alive:    median {figures['median_s'] * 1000:.3f} ms "
              f"= {figures['median_s'] / warm_median:.3f}x (goal <= 0.3x)")
        print(f"{RATE}/s for {seconds} s: {figures['ok']} answered ({figures['rate']:.0f}/s), "
              f"{figures['errors']} errors, {assumes() - before} STS calls beyond the sign-in's")
    finally:
        stage.stop()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--load"]:
        load(int(sys.argv[2]))
    else:
        main()
