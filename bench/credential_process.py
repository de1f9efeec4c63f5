#!/usr/bin/env python3
"""Warm-path benchmark of `idbridge credential-process` (a credential file with more than 15 min left).

Measured in the same run, with hyperfine (no shell between it and the command):
  - `cat` of the same credential file: the floor for "read a file and print it";
  - the recipe's `jq '{"Version":1, ...}' aws_credential.json` one-liner that idbridge replaces;
  - idbridge with 1 profile, and with 1 000 profiles in the config.
Prints medians, ratios to the baselines, and the peak RSS of idbridge (max over 50 runs).
Targets (issue #3): idbridge <= 1.5x cat, < 0.5x jq, peak RSS <= 8 MB, 1 000 profiles ~ 1 profile.

Usage: bench/credential_process.py [path/to/idbridge]   (default: target/release/idbridge; build it with
`cargo build --release -p idbridge`)
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "target" / "release" / "idbridge").resolve()
EXPIRATION = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
CREDS = {"Version": 1, "AccessKeyId": "ASIAEXAMPLEEXAMPLE12", "SecretAccessKey": "s" * 40,
         "SessionToken": "t" * 800, "Expiration": EXPIRATION}


def make_home(root, profiles):
    home = root / f"home-{profiles}"
    (home / "credentials").mkdir(parents=True)
    (home / "meta").mkdir()
    lines = ['[providers.idp]\nissuer = "https://idp.example.com/"\nclient_id = "c"\n']
    for i in range(profiles):
        lines.append(f'[profiles.p{i}]\nprovider = "idp"\nrole_arn = "arn:aws:iam::123456789012:role/r{i}"\n')
    (home / "config.toml").write_text("\n".join(lines))
    time.sleep(0.01)
    for i in range(profiles):
        (home / "credentials" / f"p{i}.json").write_text(json.dumps(CREDS, separators=(",", ":")))
        # what the file was made for, checked after config.toml was written (see core freshness.rs)
        binding = {"provider": "idp", "issuer": "https://idp.example.com/", "client_id": "c",
                   "role_arn": f"arn:aws:iam::123456789012:role/r{i}"}
        (home / "meta" / f"p{i}.json").write_text(json.dumps(binding))
    return home


def hyperfine(commands, home, workdir):
    """commands: {name: argv}, all run with IDBRIDGE_HOME=home. Returns {name: median seconds}."""
    out = workdir / "hyperfine.json"
    args = ["hyperfine", "-N", "--warmup", "50", "--runs", "500", "--export-json", str(out), "--style", "none"]
    for name, argv in commands.items():
        args += ["-n", name, " ".join(argv)]
    subprocess.run(args, check=True, env={**os.environ, "IDBRIDGE_HOME": str(home)}, stdout=subprocess.DEVNULL)
    return {r["command"]: r["median"] for r in json.loads(out.read_text())["results"]}


def peak_rss_kb(argv, env, runs=50):
    """Peak RSS over `runs` calls, from GNU time: a child forked from this Python would report Python's
    own pages (ru_maxrss keeps the pre-exec high-water mark); time(1) is small enough not to."""
    peak = 0
    for _ in range(runs):
        p = subprocess.run(["/usr/bin/time", "-f", "%M", *argv], env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True, check=True)
        peak = max(peak, int(p.stderr.strip().splitlines()[-1]))
    return peak


def main():
    assert BIN.exists(), f"{BIN} is missing: cargo build --release -p idbridge"
    assert shutil.which("hyperfine") and shutil.which("jq") and os.path.exists("/usr/bin/time"), \
        "needs hyperfine, jq and GNU time (apt-get install hyperfine jq time)"
    work = Path(tempfile.mkdtemp(prefix="idbridge-bench-"))
    one, many = make_home(work, 1), make_home(work, 1000)
    sts_output = work / "aws_credential.json"
    sts_output.write_text(json.dumps({"Credentials": {k: v for k, v in CREDS.items() if k != "Version"}}))
    jq_filter = ('{"Version":1,"AccessKeyId":.Credentials.AccessKeyId,"SecretAccessKey":.Credentials.SecretAccessKey,'
                 '"SessionToken":.Credentials.SessionToken,"Expiration":.Credentials.Expiration}')
    cat = ["cat", str(one / "credentials" / "p0.json")]
    env = {**os.environ, "IDBRIDGE_HOME": str(one)}
    # the check: idbridge's output is the file, byte for byte
    got = subprocess.run([str(BIN), "credential-process", "--profile", "p0"], capture_output=True, env=env, check=True).stdout
    assert got == (one / "credentials" / "p0.json").read_bytes()
    m = hyperfine({"cat": cat, "jq": ["jq", "-c", f"'{jq_filter}'", str(sts_output)],
                   "idbridge": [str(BIN), "credential-process", "--profile", "p0"]}, one, work)
    m1000 = hyperfine({"cat": cat, "idbridge": [str(BIN), "credential-process", "--profile", "p500"]}, many, work)
    rss = peak_rss_kb([str(BIN), "credential-process", "--profile", "p0"], env)
    print(f"binary: {BIN} ({BIN.stat().st_size / 1e6:.1f} MB)")
    print(f"median cat                          {m['cat'] * 1e3:7.3f} ms")
    print(f"median jq one-liner                 {m['jq'] * 1e3:7.3f} ms")
    print(f"median idbridge, 1 profile          {m['idbridge'] * 1e3:7.3f} ms")
    print(f"median idbridge, 1000 profiles      {m1000['idbridge'] * 1e3:7.3f} ms (cat in that run {m1000['cat'] * 1e3:.3f} ms)")
    print(f"ratio idbridge / cat                {m['idbridge'] / m['cat']:7.2f}   (target <= 1.5)")
    print(f"ratio idbridge / jq                 {m['idbridge'] / m['jq']:7.2f}   (target < 0.5)")
    r1, r1000 = m["idbridge"] / m["cat"], m1000["idbridge"] / m1000["cat"]
    print(f"ratio to cat, 1000 vs 1 profile     {r1000 / r1:7.2f}   (target ~ 1.0)")
    print(f"peak RSS idbridge                   {rss / 1024:7.2f} MB (target <= 8)")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
