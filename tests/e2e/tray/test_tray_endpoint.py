"""The tray's credential endpoint: published in a private file while the tray runs, serving every profile
through the same core as credential_process, withdrawn when the tray ends."""
import base64
import hashlib
import json
import stat

import requests

from conftest import TrayApp, wait_for


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
