"""Fixtures for idbridge's end-to-end tests: real servers on 127.0.0.1 port 0, started per test and
stopped by closing their stdin, a fresh IDBRIDGE_HOME per test, and the real idbridge binary."""
import calendar
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from servers import ROOT, SUPPORT, Server, start_aws, start_idp  # noqa: E402
from sni_host import SniHost, find  # noqa: E402,F401
from PIL import Image  # noqa: E402
from selenium import webdriver  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.options import ArgOptions  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

BIN = Path(os.environ.get("IDBRIDGE_BIN", ROOT / "target" / "debug" / "idbridge"))


def _no_op(_signum, _frame):
    pass


# A test run started in the background of a script (`cmd &`, nohup) ignores SIGINT/SIGQUIT/SIGHUP, and
# an ignored signal stays ignored in every program it starts, which idbridge honours (see
# test_a_signal_the_caller_ignores_stays_ignored). The tests that send those signals mean a caller that
# does not ignore them: a handler here is reset to the default by exec in each child, while pytest
# itself goes on ignoring them as it was started to.
for _sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGHUP):
    if signal.getsignal(_sig) == signal.SIG_IGN:
        signal.signal(_sig, _no_op)
ACCOUNT = "123456789012"
ROLE_DEV = f"arn:aws:iam::{ACCOUNT}:role/dev"
ROLE_PROD = f"arn:aws:iam::{ACCOUNT}:role/prod"


@dataclass
class Run:
    code: int
    out: str
    err: str


def fill(form, **fields):
    """Types each value into the form's input of that name, replacing what it held."""
    for name, value in fields.items():
        el = form.find_element(By.NAME, name)
        el.clear()
        el.send_keys(value)


def no_escapes(text):
    """Nothing a terminal would act on (ESC, BEL) reached what a person reads."""
    assert "\x1b" not in text and "\x07" not in text, repr(text)


def wait_for(check, timeout=15.0, what="condition"):
    """Waits for a state another process produces (a file line, a log entry); fails with `what`."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@dataclass
class World:
    """One test's IdP, AWS stand-in, IDBRIDGE_HOME and everything idbridge printed."""
    tmp: Path
    idp: Server
    aws: Server
    provider: str = field(default_factory=lambda: f"idp-{uuid.uuid4().hex[:8]}")
    transcript: list = field(default_factory=list)

    def __post_init__(self):
        self.home = self.tmp / "idbridge-home"
        self.home.mkdir()
        self.browser_log = self.tmp / "browser.log"
        self.write_config()

    @property
    def issuer(self):
        return self.idp.info["issuer"]

    @property
    def aws_url(self):
        return f"http://127.0.0.1:{self.aws.info['port']}"

    def profile_toml(self, name, role, **extra):
        lines = [f"[profiles.{name}]", f'provider = "{self.provider}"', f'role_arn = "{role}"',
                 'region = "ap-northeast-1"', 'session_name_claim = "email"',
                 f'sts_endpoint = "{self.aws_url}"', f'federation_endpoint = "{self.aws_url}/federation"']
        lines += [f"{k} = {json.dumps(v)}" for k, v in extra.items()]
        return "\n".join(lines) + "\n"

    def write_config(self, profiles=None, issuer=None, extra_provider=""):
        profiles = profiles if profiles is not None else {"dev": ROLE_DEV}
        text = (f"# written by the test\n[providers.{self.provider}]\n"
                f'issuer = "{issuer or self.issuer}"\nclient_id = "{self.idp.info["client_id"]}"\n'
                'scopes = ["openid", "offline_access", "email"]\n' + extra_provider + "\n")
        text += "\n".join(self.profile_toml(n, r) for n, r in profiles.items())
        (self.home / "config.toml").write_text(text)

    def env(self, **extra):
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(IDBRIDGE_HOME=str(self.home), BROWSER=str(SUPPORT / "browser.py"),
                   STANDIN_LOG=str(self.browser_log), HOME=str(self.tmp), NO_COLOR="1", LC_ALL="C.UTF-8")
        env.update(extra)
        return env

    def run(self, *args, timeout=60, **env):
        p = subprocess.run([str(BIN), *args], capture_output=True, text=True, timeout=timeout, env=self.env(**env))
        self.transcript.append({"args": args, "code": p.returncode, "out": p.stdout, "err": p.stderr})
        return Run(p.returncode, p.stdout, p.stderr)

    def login(self, *args, **env):
        return self.run("login", "--provider", self.provider, *args, **env)

    def browser_entries(self, count=1):
        def read():
            if not self.browser_log.exists():
                return None
            lines = [json.loads(line) for line in self.browser_log.read_text().splitlines()]
            return lines if len(lines) >= count else None
        return wait_for(read, what=f"{count} browser stand-in entries")

    def idp_post(self, path):
        requests.post(f"http://127.0.0.1:{self.idp.info['port']}{path}", timeout=5).raise_for_status()

    def aws_post(self, path):
        requests.post(f"{self.aws_url}{path}", timeout=5).raise_for_status()

    def idp_log(self):
        return requests.get(f"http://127.0.0.1:{self.idp.info['port']}/_test/log", timeout=5).json()

    def aws_log(self):
        return requests.get(f"{self.aws_url}/_test/log", timeout=5).json()

    def assumes(self):
        return [e for e in self.aws_log() if e.get("action") == "AssumeRoleWithWebIdentity"]

    def credential_file(self, profile="dev"):
        return self.home / "credentials" / f"{profile}.json"

    def age_credentials(self, profile="dev", minutes_left=5):
        """Make the credential file look as if time had passed (it expires in `minutes_left`)."""
        path = self.credential_file(profile)
        data = json.loads(path.read_text())
        # the file's mtime is when the credentials were issued: keep their lifetime as it was
        old_exp = calendar.timegm(time.strptime(data["Expiration"], "%Y-%m-%dT%H:%M:%SZ"))
        lifetime = old_exp - path.stat().st_mtime
        new_exp = int(time.time() + minutes_left * 60)
        data["Expiration"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(new_exp))
        path.write_text(json.dumps(data))
        os.utime(path, (new_exp - lifetime, new_exp - lifetime))

    def aws_cli(self, *args, profile="dev"):
        config = self.tmp / "aws-config"
        config.write_text(f"[profile {profile}]\ncredential_process = {BIN} credential-process --profile {profile}\n"
                          "region = ap-northeast-1\n")
        creds = self.tmp / "aws-credentials"
        creds.touch()
        env = self.env(AWS_CONFIG_FILE=str(config), AWS_SHARED_CREDENTIALS_FILE=str(creds))
        p = subprocess.run(["aws", "--profile", profile, "--endpoint-url", self.aws_url, "--output", "json", *args],
                           capture_output=True, text=True, timeout=60, env=env)
        return Run(p.returncode, p.stdout, p.stderr)


@pytest.fixture
def make_world(tmp_path):
    """make_world(**idp_env, roles=..., aws_extra={...}) -> World. Servers stop when the test ends."""
    servers = []

    def make(roles=None, aws_extra=None, **idp_env):
        idp = start_idp(**idp_env)
        servers.append(idp)
        aws = start_aws(tmp_path, idp.info["issuer"], idp.info["client_id"], roles or {ROLE_DEV: {}, ROLE_PROD: {}},
                        **(aws_extra or {}))
        servers.append(aws)
        return World(tmp_path, idp, aws)

    yield make
    for s in servers:
        s.stop()


@pytest.fixture
def world(make_world):
    return make_world()


@pytest.fixture
def signed_in(world):
    r = world.login()
    assert r.code == 0, r.err
    world.browser_entries(1)  # the stand-in has written down the sign-in
    return world


APP = Path(os.environ.get("IDBRIDGE_APP_BIN", ROOT / "target" / "debug" / "idbridge-app"))
ICON_STATES = ("signed-out", "ok", "expiring", "error")


def _pixels(path):
    return Image.open(path).convert("RGBA").resize((32, 32)).tobytes()


ICONS = {state: _pixels(ROOT / "icons" / f"tray-{state}.png") for state in ICON_STATES}


@pytest.fixture
def desktop():
    if not os.environ.get("DISPLAY"):
        pytest.fail("the tray tests need an X display: run them through ./tests/run (Xvfb)")
    host = SniHost()
    yield host
    host.stop()


class AppProcess:
    """The tray app (or one of its windows, with `args`) running in the test's world; stderr in `log`."""

    def __init__(self, world, *args, **env):
        self.world = world
        self.log = world.tmp / ("app.log" if not args else f"window-{os.getpid()}-{time.monotonic_ns()}.log")
        self.proc = subprocess.Popen([str(APP), *args], env=world.env(**env), stdout=subprocess.DEVNULL,
                                     stderr=open(self.log, "w"))

    def stop(self):
        # its windows are processes of their own: a tray that had to be killed leaves them behind, and the next
        # test on the same display would see their windows
        tree = process_tree(self.proc.pid)
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        for pid in tree:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def process_tree(pid):
    """The pids below `pid` (children, their children, ...)."""
    kids = [int(k) for k in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()]
    return kids + [d for k in kids for d in process_tree(k)]


class TrayApp(AppProcess):
    def __init__(self, world, host, **env):
        super().__init__(world, **env)
        self.host = host
        host.wait_item()

    def menu(self):
        return self.host.layout()

    def click(self, prefix, within=None):
        # the app rebuilds its menu when what it shows changes; a panel then re-reads it, and so do we
        for attempt in range(5):
            def item_now():
                try:
                    layout = self.menu()
                    return find(find(layout, within) if within else layout, prefix)
                except AssertionError:
                    return None
            item = wait_for(item_now, 30, f"menu item {prefix!r}")
            assert item["enabled"], item
            try:
                return self.host.click(item["id"])
            except Exception as e:  # dbus-next's DBusError: the id belongs to a menu just replaced
                if "does not refer to a menu item" not in str(e) or attempt == 4:
                    raise

    def wait_menu(self, prefix, timeout=30):
        def seen():
            try:
                return find(self.menu(), prefix)
            except AssertionError:
                return None
        return wait_for(seen, timeout, f"menu item {prefix!r}")

    def icon_state(self):
        """Which of icons/tray-*.png the tray shows: the one closest, pixel by pixel, to what the panel is given."""
        item = self.host.item()
        path = Path(item["icon_theme_path"]) / (item["icon_name"] + ".png")
        if not path.exists():
            path = Path(item["icon_name"])
        try:
            shown = _pixels(path)
        except OSError:
            return None  # replaced while we read it
        return min(ICONS, key=lambda k: sum((a - b) ** 2 for a, b in zip(ICONS[k], shown)))

    def wait_icon(self, state, timeout=30):
        return wait_for(lambda: self.icon_state() == state, timeout, f"the {state} icon")

    def notifications(self):
        return list(self.host.notifications.shown)

    def wait_gone(self, prefix, timeout=30):
        def gone():
            try:
                find(self.menu(), prefix)
                return False
            except AssertionError:
                return True
        return wait_for(gone, timeout, f"menu item {prefix!r} to go")

    def children(self):
        kids = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout.split()
        return kids

    def wait_notification(self, summary_prefix, timeout=30):
        return wait_for(lambda: next((n for n in self.notifications() if n["summary"].startswith(summary_prefix)), None),
                        timeout, f"a notification {summary_prefix!r}")


@pytest.fixture
def window_manager():
    """openbox, so windows get decorations and a person's way of closing them (WM_DELETE_WINDOW)."""
    wm = subprocess.Popen(["openbox"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run(["xsetroot", "-solid", "#46535e"], check=False)
    yield wm
    wm.terminate()
    wm.wait(timeout=10)


def pytest_configure(config):
    assert BIN.exists(), f"build idbridge first: {BIN} is missing (cargo build -p idbridge)"
    assert shutil.which("aws"), "the AWS CLI (PyPI awscli) is needed"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def settings(world):
    """The Settings window (its own process, as the tray starts it) under WebDriver."""
    port, native = free_port(), free_port()
    driver_proc = subprocess.Popen(["tauri-driver", "--port", str(port), "--native-port", str(native)],
                                   env=world.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: listening(port) and listening(native), 20, "tauri-driver and WebKitWebDriver")
        options = ArgOptions()
        options.set_capability("browserName", "wry")
        # the Settings window runs in a process of its own, as the tray app starts it
        options.set_capability("tauri:options", {"application": str(APP), "args": ["--window", "settings"]})
        driver = webdriver.Remote(command_executor=f"http://127.0.0.1:{port}", options=options)
        try:
            driver.implicitly_wait(0)
            WebDriverWait(driver, 20).until(lambda d: d.find_element(By.CSS_SELECTOR, "#provider-heading").text.strip())
            yield driver
        finally:
            driver.quit()
    finally:
        # a session that failed to start leaves the window it launched: it must not outlive this test (the next one
        # on the display would see it)
        tree = process_tree(driver_proc.pid)
        driver_proc.terminate()
        try:
            driver_proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            driver_proc.kill()
        for pid in tree:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
