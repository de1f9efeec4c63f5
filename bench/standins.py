"""Shared by the benchmarks that need the local stand-ins: a private D-Bus session with an unlocked
gnome-keyring, the test IdP and AWS stand-in on 127.0.0.1, an IDBRIDGE_HOME with one profile, and a
signed-in `idbridge` to run."""
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "support"))
ROLE = "arn:aws:iam::123456789012:role/dev"


def in_keychain_session():
    """Re-runs the calling script inside `dbus-run-session` with an unlocked gnome-keyring (once)."""
    if os.environ.get("BENCH_KEYCHAIN_SESSION"):
        return
    inner = ("echo -n bench | gnome-keyring-daemon --unlock --components=secrets >/dev/null; "
             f"exec {sys.executable} {' '.join(map(str, [sys.argv[0], *sys.argv[1:]]))}")
    env = {**os.environ, "HOME": tempfile.mkdtemp(), "BENCH_KEYCHAIN_SESSION": "1"}
    sys.exit(subprocess.run(["dbus-run-session", "--", "bash", "-c", inner], env=env).returncode)


class Stage:
    """The stand-ins and a home for one idbridge binary; `run(...)` runs it there."""

    def __init__(self, binary, **idp_env):
        from servers import SUPPORT, start_aws, start_idp
        self.bin = str(binary)
        self.tmp = Path(tempfile.mkdtemp())
        self.idp = start_idp(**idp_env)
        self.aws = start_aws(self.tmp, self.idp.info["issuer"], self.idp.info["client_id"], {ROLE: {}})
        self.aws_url = f"http://127.0.0.1:{self.aws.info['port']}"
        self.idp_url = f"http://127.0.0.1:{self.idp.info['port']}"
        self.home = self.tmp / "home"
        self.home.mkdir()
        (self.home / "config.toml").write_text(
            f'[providers.idp]\nissuer = "{self.idp.info["issuer"]}"\nclient_id = "{self.idp.info["client_id"]}"\n'
            'scopes = ["openid", "offline_access", "email"]\n'
            f'[profiles.dev]\nprovider = "idp"\nrole_arn = "{ROLE}"\nregion = "ap-northeast-1"\n'
            f'sts_endpoint = "{self.aws_url}"\n')
        self.env = {**os.environ, "IDBRIDGE_HOME": str(self.home), "BROWSER": str(SUPPORT / "browser.py"),
                    "STANDIN_LOG": str(self.tmp / "browser.log"), "NO_COLOR": "1"}
        self.creds = self.home / "credentials" / "dev.json"

    def run(self, *args):
        return subprocess.run([self.bin, *args], env=self.env, capture_output=True, text=True, timeout=120)

    def login(self):
        r = self.run("login", "--provider", "idp")
        assert r.returncode == 0, r.stderr

    def post(self, url):
        subprocess.run(["curl", "-s", "-X", "POST", url], check=True, capture_output=True)

    def stop(self):
        self.idp.stop()
        self.aws.stop()
