"""The tray's credential endpoint: published in a private file while the tray runs, serving every profile
through the same core as credential_process, withdrawn when the tray ends."""
import base64
import hashlib
import json
import signal
import stat
import subprocess

import requests

from conftest import BIN, AppProcess, TrayApp, wait_for


def token_for(key, profile):
    """app::endpoint::token_for, written again from its definition."""
    digest = hashlib.sha256(b"idbridge container endpoint v1\0" + profile.encode() + b"\0" + key.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def endpoint_file(world):
    return world.home / "tray" / "endpoint.json"


def published(world, app):
    path = endpoint_file(world)
    text = wait_for(lambda: path.exists() and path.read_text(), 30, "the tray's endpoint file")
    data = json.loads(text)
    assert data["pid"] == app.proc.pid
    return data


def test_the_tray_publishes_its_endpoint_serves_it_and_withdraws_it_at_quit(signed_in, desktop):
    world = signed_in
    app = TrayApp(world, desktop)
    try:
        app.wait_menu("dev · ready until")
        data = published(world, app)
        path = endpoint_file(world)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        url = f"http://127.0.0.1:{data['port']}/profiles/dev"
        r = requests.get(url, headers={"Authorization": token_for(data["key"], "dev")}, timeout=10)
        assert r.status_code == 200, r.text
        assert r.json()["AccessKeyId"] == json.loads(world.credential_file().read_text())["AccessKeyId"]
        assert requests.get(url, headers={"Authorization": token_for(data["key"], "prod")}, timeout=10).status_code == 403
        assert requests.get(url, timeout=10).status_code == 403
        assert data["key"] not in app.log.read_text()

        app.click("Quit idbridge")
        assert app.proc.wait(timeout=40) == 0
        assert not path.exists(), "the tray withdraws its endpoint when it quits"
    finally:
        app.stop()


def aws_cli_through_env_server(world):
    """The real AWS CLI with only the lines `env --server` prints in its environment: no credential_process,
    no keys, no profile."""
    config = world.tmp / "aws-config-empty"
    config.write_text("")
    script = (f'eval "$("{BIN}" env --server --profile dev --format sh)" && '
              f'aws sts get-caller-identity --endpoint-url "{world.aws_url}" --output json')
    return subprocess.run(["sh", "-c", script], capture_output=True, text=True, timeout=60,
                          env=world.env(AWS_CONFIG_FILE=str(config), AWS_SHARED_CREDENTIALS_FILE=str(config),
                                        AWS_ACCESS_KEY_ID="AKIASTATICWOULDWIN", AWS_SECRET_ACCESS_KEY="x"))


def test_the_aws_cli_uses_the_trays_endpoint_through_env_server(signed_in, desktop):
    world = signed_in
    app = TrayApp(world, desktop)
    try:
        app.wait_menu("dev · ready until")
        published(world, app)
        p = aws_cli_through_env_server(world)
        assert p.returncode == 0, p.stderr
        assert json.loads(p.stdout)["Arn"].endswith(":assumed-role/dev/alice@example.com"), p.stdout

        creds = json.loads(world.credential_file().read_text())
        for fmt, line in [("sh", "export AWS_CONTAINER_CREDENTIALS_FULL_URI='http://127.0.0.1:"),
                          ("powershell", "$Env:AWS_CONTAINER_AUTHORIZATION_TOKEN = '"),
                          ("fish", "set -gx AWS_CONTAINER_CREDENTIALS_FULL_URI 'http://127.0.0.1:"),
                          ("env-no-export", "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:"),
                          ("windows-cmd", 'set "AWS_CONTAINER_AUTHORIZATION_TOKEN='), ("json", "{")]:
            r = world.run("env", "--server", "--profile", "dev", "--format", fmt)
            assert r.code == 0, r.err
            assert line in r.out, (fmt, r.out)
            for secret in (creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"]):
                assert secret not in r.out + r.err, f"env --server --format {fmt} printed AWS keys"
        assert world.run("env", "--server", "--profile", "nope").code == 4
    finally:
        app.stop()


def test_env_server_fails_clearly_without_a_tray_and_after_it_ended(signed_in, desktop):
    world = signed_in
    r = world.run("env", "--server", "--profile", "dev")
    assert (r.code, r.out) == (6, ""), r
    assert "the idbridge tray app is not running" in r.err, r.err

    app = TrayApp(world, desktop)
    try:
        app.wait_menu("dev · ready until")
        published(world, app)
    finally:
        app.stop()  # SIGTERM
    assert app.proc.returncode is not None
    assert not endpoint_file(world).exists(), "a tray ended by SIGTERM withdraws its endpoint"
    r = world.run("env", "--server", "--profile", "dev")
    assert (r.code, r.out) == (6, ""), r
    p = aws_cli_through_env_server(world)
    assert p.returncode != 0

    # a tray killed outright leaves its file: the reader sees that its process has ended (started without
    # the panel's help: the host may still list the ended tray's item)
    app = AppProcess(world)
    try:
        pid = published(world, app)["pid"]
    finally:
        app.proc.send_signal(signal.SIGKILL)
        app.proc.wait(timeout=10)
    assert endpoint_file(world).exists()
    r = world.run("env", "--server", "--profile", "dev")
    assert (r.code, r.out) == (6, ""), r
    assert f"process {pid}) has ended" in r.err, r.err
