"""A team config cannot take a stored sign-in elsewhere (issue 18): a change to where tokens or AWS keys are
sent is listed apart and needs its own yes (`--yes` is not one), and even once applied, the stored sign-in
is not sent to the new place until the person signs in again. A capture server stands where the team file
points and records anything that reaches it. Also: what the team file says reaches no terminal raw."""
import json
import re
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import BIN, ROLE_PROD, start_idp

# ESC, BEL, C1 controls, bidi embeddings/overrides/isolates: none may reach a terminal from outside text
HOSTILE = re.compile("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def capture():
    """An HTTP server on 127.0.0.1 that answers 200 to anything and keeps every request it got."""
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def handle_any(self):
            length = int(self.headers.get("Content-Length") or 0)
            seen.append({"path": self.path, "body": self.rfile.read(length).decode("utf-8", "replace"),
                         "headers": dict(self.headers)})
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        do_GET = do_POST = handle_any

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()


def run_import(w, *args, answer=None):
    return subprocess.run([str(BIN), "import", *args], input=answer, capture_output=True, text=True, timeout=60,
                          env=w.env())


def provider_toml(w, **extra):
    lines = [f"[providers.{w.provider}]", f'issuer = "{w.issuer}"', f'client_id = "{w.idp.info["client_id"]}"',
             'scopes = ["openid", "offline_access", "email"]']
    return "\n".join(lines + [f"{k} = {json.dumps(v)}" for k, v in extra.items()]) + "\n"


def refreshes(w):
    return [e for e in w.idp_log() if e.get("grant_type") == "refresh_token"]


def test_a_moved_token_endpoint_needs_its_own_yes_and_still_gets_no_refresh_token(make_world, capture):
    w = make_world(IDP_TTL_ID_TOKEN=60)  # every renewal must redeem the refresh token
    assert w.login().code == 0
    url, seen = capture
    team = w.tmp / "team.toml"
    team.write_text(provider_toml(w, token_endpoint=f"{url}/oauth/token"))
    config = w.home / "config.toml"
    before = config.read_text()
    r = run_import(w, str(team), "--yes", "--overwrite-local-edits")
    assert r.returncode != 0, r.stderr
    assert f"token_endpoint: the default → {url}/oauth/token: refresh tokens (your stored sign-in) will be sent to" \
        in r.stderr, r.stderr
    assert "--allow-sensitive" in r.stderr and config.read_text() == before, "--yes alone applied it"
    r = run_import(w, str(team), "--overwrite-local-edits", answer="y\ny\n")
    assert r.returncode == 1 and config.read_text() == before, "'y' is no yes to sending secrets elsewhere"
    r = run_import(w, str(team), "--yes", "--overwrite-local-edits", "--allow-sensitive")
    assert r.returncode == 0 and f"{url}/oauth/token" in config.read_text(), r.stderr
    # applied, and yet the stored sign-in is not sent there: only a new sign-in trusts the endpoint
    w.age_credentials(minutes_left=-1)
    r = w.run("credential-process", "--profile", "dev")
    assert r.code == 3 and r.out == "", r.err
    assert f"token endpoint changed (http://127.0.0.1:{w.idp.info['port']}/" in r.err, r.err
    assert f"→ {url}/oauth/token) since the sign-in; sign in again to trust it" in r.err, r.err
    assert seen == [], f"the capture server got {seen}"
    assert refreshes(w) == [], "nothing was redeemed anywhere"


def test_a_new_profile_on_a_new_sts_endpoint_gets_no_id_token(signed_in, capture):
    w = signed_in
    url, seen = capture
    team = w.tmp / "team.toml"
    team.write_text(f'[profiles.prod]\nprovider = "{w.provider}"\nrole_arn = "{ROLE_PROD}"\nsts_endpoint = "{url}"\n')
    r = run_import(w, str(team), "--yes", "--allow-sensitive")
    assert r.returncode == 0, r.stderr
    r = w.run("credential-process", "--profile", "prod")
    assert r.code == 3 and f"sign-in was not made for the STS endpoint {url} (only for {w.aws_url})" in r.err, r.err
    assert "idbridge login --profile prod" in r.err
    assert seen == [], f"the ID token went to {seen}"


def test_a_moved_federation_endpoint_gets_no_session_keys(signed_in, capture):
    w = signed_in
    url, seen = capture
    config = w.home / "config.toml"
    config.write_text(re.sub(r'federation_endpoint = ".*"', f'federation_endpoint = "{url}/federation"',
                             config.read_text()))
    r = w.run("console", "--profile", "dev", "--print")
    assert r.code == 3 and r.out == "" and "federation endpoint" in r.err, r.err
    assert seen == [], f"session keys went to {seen}"
    # a new sign-in with this config trusts it: the keys then go where the person signed in for
    assert w.login().code == 0
    w.run("console", "--profile", "dev", "--print")
    assert [s["path"].split("?")[0] for s in seen] == ["/federation"]


def test_a_team_file_may_not_choose_the_program_that_opens_the_console(world):
    team = world.tmp / "team.toml"
    team.write_text(f'[profiles.prod]\nprovider = "{world.provider}"\nrole_arn = "{ROLE_PROD}"\n'
                    'browser = ["sh", "-c", "touch /tmp/pwned"]\n')
    before = (world.home / "config.toml").read_text()
    r = run_import(world, str(team), "--yes", "--allow-sensitive")
    assert r.returncode != 0 and "sets `browser` for [profiles.prod]" in r.stderr, r.stderr
    assert "local choice" in r.stderr and (world.home / "config.toml").read_text() == before


def test_local_sources_are_capped_and_must_be_regular_files(world, tmp_path):
    import os
    fifo = tmp_path / "team.fifo"
    os.mkfifo(fifo)
    for source in ["/dev/zero", str(fifo)]:  # the FIFO has no writer: a blocking open would hang
        r = run_import(world, source, "--yes")
        assert r.returncode != 0 and "is not a regular file" in r.stderr, (source, r.stderr)
    r = run_import(world, "http://alice:hunter2@team.example/t.toml?X-Amz-Signature=s3cr3t", "--yes")
    assert r.returncode != 0 and "must come over https://" in r.stderr, r.stderr
    assert "hunter2" not in r.stderr and "s3cr3t" not in r.stderr, r.stderr


def test_an_import_keeps_a_linked_config_toml_a_link(world, tmp_path):
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    config = world.home / "config.toml"
    (dotfiles / "config.toml").write_text(config.read_text())
    config.unlink()
    config.symlink_to(dotfiles / "config.toml")
    team = world.tmp / "team.toml"
    team.write_text(f'[profiles.prod]\nprovider = "{world.provider}"\nrole_arn = "{ROLE_PROD}"\n')
    assert run_import(world, str(team), "--yes").returncode == 0
    assert config.is_symlink() and "[profiles.prod]" in (dotfiles / "config.toml").read_text()


EVIL = "\x1b]52;c;Y3VybCBldmlsfHNo\x07\x1b[2K\u202egpj.exe\x9b"


def toml_escaped(text):
    """`text` inside a TOML basic string (TOML takes JSON's \\uXXXX escapes; raw controls are not TOML)."""
    return json.dumps(text)[1:-1]


def assert_clean(shown):
    for name, text in shown.items():
        found = HOSTILE.findall(text)
        assert not found, f"{name} printed {found!r}:\n{text}"


def test_outside_text_reaches_no_terminal_raw_in_any_commands_output(world):
    w = world
    # the IdP's claims (sub, email) carry the escapes: the stand-in takes the login name as the account id
    assert w.login(STANDIN_LOGIN=f"alice{EVIL}").code == 0
    team = w.tmp / "team.toml"
    e = toml_escaped(EVIL)
    team.write_text(f'[profiles."prod{e}"]\nprovider = "{w.provider}"\nrole_arn = "{ROLE_PROD}"\n'
                    f'"key{e}" = "value{e}"\nsts_endpoint = "https://sts.example/{e}"\n'
                    f'[providers.{w.provider}]\nissuer = "{w.issuer}"\nclient_id = "client{e}"\n')
    env = {"AWS_PROFILE": f"dev{EVIL}"}
    runs = {
        "import": w.run("import", str(team), "--overwrite-local-edits"),
        "doctor": w.run("doctor", **env),
        "doctor --json": w.run("doctor", "--json", **env),
        "aws-setup": w.run("aws-setup", "--profile", "dev"),
        "aws-setup --json": w.run("aws-setup", "--profile", "dev", "--json"),
        "status": w.run("status"),
        "status --json": w.run("status", "--json"),
        "env": w.run("env", "--profile", "dev"),
        "logout": w.run("logout", "--provider", w.provider),
    }
    shown = {name: r.out + r.err for name, r in runs.items()}
    for name in ["doctor --json", "aws-setup --json", "status --json"]:
        json.loads(runs[name].out)  # escaped, and still the same JSON
    assert "gpj.exe" in shown["import"] and "client" in shown["import"], shown["import"]
    assert "gpj.exe" in shown["aws-setup"] and "AWS_PROFILE=dev" in shown["doctor"], shown
    assert_clean(shown)


def test_a_hostile_issuer_announced_by_the_idp_is_shown_escaped_by_doctor(world):
    evil_idp = start_idp(IDP_ISSUER=f"https://idp.example/{EVIL}")
    try:
        world.write_config(issuer=f"http://127.0.0.1:{evil_idp.info['port']}/")
        shown = {"doctor": world.run("doctor").out, "doctor --json": world.run("doctor", "--json").out}
    finally:
        evil_idp.stop()
    json.loads(shown["doctor --json"])
    assert "gpj.exe" in shown["doctor"] and "announces issuer" in shown["doctor"], shown
    assert_clean(shown)
