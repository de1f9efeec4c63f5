"""Faults on this machine: a full disk and a read-only state directory or home, and a keychain that is
absent, locked or broken. Each case checks the message a person reads, the exit code, and that nothing
was lost (the old credentials file, the keychain's refresh token)."""
import os
import subprocess
import sys

import pytest

from conftest import no_escapes
from servers import SUPPORT, Server


def keychain_still_works(w):
    """The tokens in the keychain are intact: a refresh through the IdP succeeds without a person."""
    w.age_credentials(minutes_left=-1)
    r = w.run("credential-process", "--profile", "dev")
    assert r.code == 0, r.err
    return r


def mount_tmpfs(path, size="64k"):
    path.mkdir(mode=0o700, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(path)], check=True)


@pytest.fixture
def mounts():
    mounted = []
    yield mounted
    for m in reversed(mounted):
        subprocess.run(["umount", "-l", str(m)], check=False)


def test_disk_full_while_writing_credentials_keeps_the_old_file(signed_in, mounts):
    w = signed_in
    creds = w.home / "credentials"
    old = w.credential_file().read_bytes()
    mount_tmpfs(creds)
    mounts.append(creds)
    w.credential_file().write_bytes(old)
    w.credential_file().chmod(0o600)
    with open(creds / "filler", "wb", buffering=0) as f:  # fill the disk to the last block
        try:
            while True:
                f.write(b"\0" * 4096)
        except OSError:
            pass
    w.age_credentials(minutes_left=5)
    stale = w.credential_file().read_bytes()

    r = w.run("credential-process", "--profile", "dev")
    assert r.code == 0, r.err
    assert r.out.encode() == stale
    assert "No space left on device" in r.err and "warning:" in r.err, r.err
    assert w.credential_file().read_bytes() == stale
    assert [p.name for p in creds.iterdir() if p.name.startswith(".tmp")] == [], "no half-written temp file"

    w.age_credentials(minutes_left=-1)
    r = w.run("credential-process", "--profile", "dev")
    assert r.code == 1 and "No space left on device" in r.err, r.err

    (creds / "filler").unlink()
    keychain_still_works(w)


def test_a_read_only_state_dir_is_reported_and_the_old_file_served(signed_in, mounts):
    w = signed_in
    creds = w.home / "credentials"
    old = w.credential_file().read_bytes()
    mount_tmpfs(creds, "1m")
    mounts.append(creds)
    w.credential_file().write_bytes(old)
    w.credential_file().chmod(0o600)
    w.age_credentials(minutes_left=5)
    stale = w.credential_file().read_bytes()
    subprocess.run(["mount", "-o", "remount,ro", str(creds)], check=True)

    r = w.run("credential-process", "--profile", "dev")
    assert r.code == 0 and r.out.encode() == stale, r
    assert "Read-only file system" in r.err, r.err

    subprocess.run(["mount", "-o", "remount,rw", str(creds)], check=True)
    keychain_still_works(w)


BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:tmpdir=/tmp</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*"/><allow receive_sender="*"/><allow own="*"/></policy></busconfig>
"""


@pytest.fixture
def private_bus(tmp_path):
    """A session bus of its own, with no keychain on it unless a test starts one (and no service files:
    the stock session config would activate a fresh, locked gnome-keyring)."""
    config = tmp_path / "bus.conf"
    config.write_text(BUS_CONFIG)
    bus = subprocess.Popen(["dbus-daemon", f"--config-file={config}", "--nofork", "--nopidfile", "--print-address=1"],
                           stdout=subprocess.PIPE, text=True)
    address = bus.stdout.readline().strip()
    started = []
    yield address, started
    for s in started:
        s.stop()
    bus.terminate()
    bus.wait(timeout=10)


KEYCHAIN_CASES = {
    "absent": "no OS keychain is reachable",
    # a Secret Service that refuses sessions because its collection is locked
    "locked": "the keychain is locked",
    "error": "no OS keychain is reachable",
}


@pytest.mark.parametrize("mode", KEYCHAIN_CASES)
def test_keychain_fault_is_reported_and_the_tokens_survive(signed_in, private_bus, mode):
    w = signed_in
    address, started = private_bus
    if mode != "absent":
        started.append(Server([sys.executable, str(SUPPORT / "fake_secrets.py"), mode],
                              env={"DBUS_SESSION_BUS_ADDRESS": address}))
    # the ID token is still valid but the keychain must be read to use it: expired credentials
    w.age_credentials(minutes_left=-1)
    expired = w.credential_file().read_bytes()
    r = w.run("credential-process", "--profile", "dev", DBUS_SESSION_BUS_ADDRESS=address)
    assert r.code == 1 and r.out == "", r
    assert KEYCHAIN_CASES[mode] in r.err, r.err
    no_escapes(r.err)
    assert w.credential_file().read_bytes() == expired

    w.age_credentials(minutes_left=5)
    r = w.run("credential-process", "--profile", "dev", DBUS_SESSION_BUS_ADDRESS=address)
    assert r.code == 0 and "warning:" in r.err and KEYCHAIN_CASES[mode] in r.err, r

    # nothing lost: with the real keychain back, no sign-in is needed
    keychain_still_works(w)


def test_a_read_only_home_serves_valid_credentials_and_says_what_failed(signed_in, mounts):
    """The whole state dir read-only (locks, meta, failure records too), e.g. a home mounted read-only."""
    w = signed_in
    w.age_credentials(minutes_left=5)
    saved = {p.relative_to(w.home): (p.read_bytes(), p.stat()) for p in w.home.rglob("*") if p.is_file()}
    dirs = sorted(p.relative_to(w.home) for p in w.home.rglob("*") if p.is_dir())
    mount_tmpfs(w.home, "1m")
    mounts.append(w.home)
    for d in dirs:
        (w.home / d).mkdir(mode=0o700)
    for rel, (data, st) in saved.items():  # mtimes too: a credential file's mtime is its issue time
        (w.home / rel).write_bytes(data)
        (w.home / rel).chmod(st.st_mode & 0o777)
        os.utime(w.home / rel, ns=(st.st_atime_ns, st.st_mtime_ns))
    stale = w.credential_file().read_bytes()
    subprocess.run(["mount", "-o", "remount,ro", str(w.home)], check=True)

    r = w.run("credential-process", "--profile", "dev")
    assert r.code == 0 and r.out.encode() == stale, r
    assert "warning:" in r.err and "Read-only file system" in r.err, r.err
    s = w.run("status")
    assert s.code == 0 and "credentials valid for" in s.out, s

    subprocess.run(["mount", "-o", "remount,rw", str(w.home)], check=True)
    w.age_credentials(minutes_left=-1)
    subprocess.run(["mount", "-o", "remount,ro", str(w.home)], check=True)
    r = w.run("credential-process", "--profile", "dev")
    assert r.code == 1 and r.out == "", r  # an error, not "temporary": waiting does not make a mount writable
    assert "cannot open lock file" in r.err and "Read-only file system" in r.err, r.err
