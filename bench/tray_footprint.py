#!/usr/bin/env python3
"""Footprint of the tray app: start-up to tray icon, idle memory and CPU, memory after a sign-in and after
Settings opened and closed. Targets (issue 19, the tray without a web engine): start-up <= 500 ms, idle PSS
(app + children) <= 30 MB on the second start in a fresh X server, after a sign-in, after Settings opened
and closed, and with the credential endpoint idle (also measured with IDBRIDGE_TRAY_ENDPOINT=off, last in
the same run); ~0 % CPU. Each state lists its largest mappings. With BEFORE_APP=path (an older build), that
build's idle figures and mappings are measured in the same X session too, for a before/after table.

Run it through bench/tray_footprint (Xvfb, a private D-Bus session with an unlocked gnome-keyring, openbox,
a StatusNotifier host, and the test IdP and STS stand-ins for the sign-in);
it measures target/release/idbridge-app and its window helper beside it
(cargo build --release -p idbridge-app -p idbridge-app-window) unless given a path.
As a baseline measured in the same run it also starts `trayer` (a small GTK tray host) and reports the
app's figures next to it.
"""
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "support"))
from servers import SUPPORT, start_aws, start_idp  # noqa: E402
from sni_host import SniHost, find  # noqa: E402

APP = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "target" / "release" / "idbridge-app").resolve()
IDLE_SECONDS = int(os.environ.get("IDLE_SECONDS", "60"))
TICKS = os.sysconf("SC_CLK_TCK")


def tree(pid):
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [pid] + [q for c in out for q in tree(int(c))]


def pss_mb(pid):
    total = 0
    for p in tree(pid):
        try:
            for line in open(f"/proc/{p}/smaps_rollup"):
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def top_mappings(pid, n=12):
    """The largest PSS contributors of one process, by mapped file (or [heap], [anon], stacks)."""
    sizes, name = {}, None
    for line in open(f"/proc/{pid}/smaps"):
        parts = line.split()
        if "-" in parts[0] and ":" not in parts[0]:
            name = parts[5] if len(parts) > 5 else "[anon]"
        elif parts[0] == "Pss:":
            sizes[name] = sizes.get(name, 0) + int(parts[1])
    return sorted(sizes.items(), key=lambda kv: -kv[1])[:n]


TARGET_MB = 30
maps_seen = []


def detail(label, pid):
    """Where the memory is (the largest mappings, MB), printed after the figures; all of them with
    FOOTPRINT_DETAIL=1, for finding what to shrink."""
    n = 40 if os.environ.get("FOOTPRINT_DETAIL") else 8
    maps_seen.append(f"--- {label}: " + ", ".join(f"{Path(k).name} {v / 1024:.1f}" for k, v in top_mappings(pid, n)))


def verdict(mb):
    return "ok" if mb <= TARGET_MB else "OVER"


def cpu_seconds(pid):
    total = 0
    for p in tree(pid):
        try:
            fields = open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total / TICKS


def threads(pid):
    return sum(1 for p in tree(pid) for _ in Path(f"/proc/{p}/task").iterdir())


def idle_of(host, env, app_path=None, label=None):
    """A tray started and left alone, measured as the first idle figures: (PSS MB, CPU %, threads)."""
    registered = len(host.registrations)
    app = subprocess.Popen([str(app_path or APP)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait(lambda: len(host.registrations) > registered)
    time.sleep(3)
    pss = pss_mb(app.pid)
    if label:
        detail(label, app.pid)
    cpu0, t0 = cpu_seconds(app.pid), time.monotonic()
    time.sleep(IDLE_SECONDS)
    cpu, n = (cpu_seconds(app.pid) - cpu0) / (time.monotonic() - t0) * 100, threads(app.pid)
    app.terminate()
    app.wait(timeout=10)
    return pss, cpu, n


def windows(name):
    return subprocess.run(["xdotool", "search", "--name", name], capture_output=True, text=True).stdout.split()


def wait(check, timeout=30):
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        time.sleep(0.02)


def main():
    assert APP.exists(), f"{APP} is missing: cargo build --release -p idbridge-app"
    tmp = Path(tempfile.mkdtemp(prefix="idbridge-footprint-"))
    home = tmp / "home"
    home.mkdir()
    idp = start_idp()
    role = "arn:aws:iam::123456789012:role/dev"
    aws = start_aws(tmp, idp.info["issuer"], idp.info["client_id"], {role: {}})
    aws_url = f"http://127.0.0.1:{aws.info['port']}"
    (home / "config.toml").write_text(
        f'[providers.corp]\nissuer = "{idp.info["issuer"]}"\nclient_id = "{idp.info["client_id"]}"\n'
        'scopes = ["openid", "offline_access", "email"]\n'
        f'[profiles.dev]\nprovider = "corp"\nrole_arn = "{role}"\nsession_name_claim = "email"\n'
        f'sts_endpoint = "{aws_url}"\nfederation_endpoint = "{aws_url}/federation"\n')
    wm = subprocess.Popen(["openbox"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    baseline = subprocess.Popen(["trayer", "--edge", "bottom"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    host = SniHost()
    env = {**os.environ, "IDBRIDGE_HOME": str(home), "BROWSER": str(SUPPORT / "browser.py"),
           "STANDIN_LOG": str(tmp / "browser.log")}
    # the first GTK/WebKit client of a fresh X session probes OpenGL once (Mesa + LLVM mapped in); a
    # second start in the same session does not: measure both
    started = time.monotonic()
    first = subprocess.Popen([str(APP)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    host.wait_item()
    first_startup_ms = (time.monotonic() - started) * 1000
    time.sleep(3)
    first_pss, first_maps = pss_mb(first.pid), open(f"/proc/{first.pid}/maps").read()
    first.terminate()
    first.wait(timeout=10)
    registered = len(host.registrations)
    started = time.monotonic()
    app = subprocess.Popen([str(APP)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait(lambda: len(host.registrations) > registered)
    startup_ms = (time.monotonic() - started) * 1000
    time.sleep(3)  # let start-up work finish before measuring idle
    idle_pss, base_pss = pss_mb(app.pid), pss_mb(baseline.pid)
    assert (home / "tray" / "endpoint.json").exists(), "the tray serves its credential endpoint"
    detail("idle", app.pid)
    cpu0, base0, t0 = cpu_seconds(app.pid), cpu_seconds(baseline.pid), time.monotonic()
    time.sleep(IDLE_SECONDS)
    span = time.monotonic() - t0
    idle_cpu = (cpu_seconds(app.pid) - cpu0) / span * 100
    base_cpu = (cpu_seconds(baseline.pid) - base0) / span * 100
    idle_threads = threads(app.pid)  # after the idle time: a start-up's blocking-pool threads have ended

    host.click(find(host.layout(), "Sign in to corp")["id"])
    wait(lambda: any(n["summary"].startswith("Signed in to corp") for n in host.notifications.shown), 60)
    wait(lambda: not subprocess.run(["pgrep", "-P", str(app.pid)], capture_output=True).stdout)  # the window's process ended
    time.sleep(3)
    signed_in_pss = pss_mb(app.pid)
    detail("after a sign-in", app.pid)

    host.click(find(host.layout(), "Settings")["id"])
    wait(lambda: windows("idbridge — Settings"))
    time.sleep(2)
    open_pss = pss_mb(app.pid)
    wid = windows("idbridge — Settings")[0]
    subprocess.run(["xdotool", "windowactivate", "--sync", wid, "key", "--clearmodifiers", "alt+F4"], check=True)
    wait(lambda: not windows("idbridge — Settings"))
    time.sleep(3)
    closed_pss = pss_mb(app.pid)
    detail("after Settings closed", app.pid)
    children = subprocess.run(["pgrep", "-a", "-P", str(app.pid)], capture_output=True, text=True).stdout.strip()

    helper = APP.parent / "idbridge-app-window"
    print(f"binary: {APP} ({APP.stat().st_size / 1e6:.1f} MB; window helper {helper.stat().st_size / 1e6:.1f} MB)")
    print(f"first start in a fresh X session  {first_startup_ms:8.0f} ms, idle PSS {first_pss:.1f} MB "
          f"(OpenGL probe mapped LLVM: {'libLLVM' in first_maps})")
    print(f"start-up to tray icon registered  {startup_ms:8.0f} ms   (target <= 500)")
    print(f"idle PSS, app + children          {idle_pss:8.1f} MB   {verdict(idle_pss)} (target <= {TARGET_MB}; "
          f"trayer in the same run: {base_pss:.1f} MB, ratio {idle_pss / base_pss:.2f})")
    print(f"idle CPU over {span:.0f} s                {idle_cpu:8.2f} %    (trayer: {base_cpu:.2f} %)")
    print(f"idle PSS after a sign-in          {signed_in_pss:8.1f} MB   {verdict(signed_in_pss)}")
    print(f"PSS with Settings open            {open_pss:8.1f} MB")
    print(f"PSS after Settings closed         {closed_pss:8.1f} MB   {verdict(closed_pss)} (children left: {children or 'none'})")
    app.terminate()
    app.wait(timeout=10)
    off_pss, off_cpu, off_threads = idle_of(host, {**env, "IDBRIDGE_TRAY_ENDPOINT": "off"})
    print(f"idle without the endpoint         {off_pss:8.1f} MB, CPU {off_cpu:.2f} %, {off_threads} threads "
          f"(with it, idle: {idle_pss:.1f} MB, CPU {idle_cpu:.2f} %, {idle_threads} threads)")
    before = os.environ.get("BEFORE_APP")
    if before:
        b_pss, b_cpu, _ = idle_of(host, env, Path(before), "before: idle")
        print(f"before ({before}): idle PSS {b_pss:.1f} MB, CPU {b_cpu:.2f} %; now {idle_pss:.1f} MB, "
              f"ratio {idle_pss / b_pss:.2f}")
    print("\n".join(maps_seen))
    baseline.terminate()
    wm.terminate()
    host.stop()
    idp.stop()
    aws.stop()


if __name__ == "__main__":
    main()
