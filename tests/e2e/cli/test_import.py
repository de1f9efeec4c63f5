"""`idbridge import`: a team's shared TOML merged into config.toml — from a file, or over https from a
local TLS server whose CA is given through SSL_CERT_FILE — showing the diff, asking, keeping comments and
never overwriting a local edit unless asked."""
import datetime
import ipaddress
import json
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from conftest import BIN, ROLE_PROD


def team_toml(w, region="ap-northeast-1"):
    return (f"# shared by the platform team\n[profiles.prod]  # read-only\nprovider = \"{w.provider}\"\n"
            f"role_arn = \"{ROLE_PROD}\"\nregion = \"{region}\"\nsts_endpoint = \"{w.aws_url}\"\n")


def run_import(w, *args, answer=None, **env):
    p = subprocess.run([str(BIN), "import", *args], input=answer, capture_output=True, text=True, timeout=60,
                       env=w.env(**env))
    return p


def test_a_file_is_merged_with_comments_kept_after_asking(world):
    w = world
    team = w.tmp / "team.toml"
    team.write_text(team_toml(w))
    before = (w.home / "config.toml").read_text()
    r = run_import(w, str(team), answer="n\n")
    assert r.returncode == 1 and "+ add [profiles.prod]" in r.stderr and "Nothing changed." in r.stderr, r.stderr
    assert 'region = "ap-northeast-1"' in r.stderr and "[y/N]" in r.stderr
    assert (w.home / "config.toml").read_text() == before
    # the team's profile names an STS endpoint: that change needs its own, typed yes
    r = run_import(w, str(team), answer="y\nno\n")
    assert r.returncode == 1 and "Sensitive:" in r.stderr and "Nothing changed." in r.stderr, r.stderr
    assert f"sts_endpoint: the default → {w.aws_url}: your ID token (your sign-in) will be sent to" in r.stderr
    assert (w.home / "config.toml").read_text() == before
    r = run_import(w, str(team), answer="y\nyes\n")
    assert r.returncode == 0, r.stderr
    text = (w.home / "config.toml").read_text()
    assert text.startswith(before) and "[profiles.prod]  # read-only" in text, text
    assert {row["profile"] for row in json.loads(w.run("status", "--json").out)} == {"dev", "prod"}
    again = run_import(w, str(team))
    assert again.returncode == 0 and "= unchanged [profiles.prod]" in again.stderr and "Nothing to change." in again.stderr


def test_a_local_edit_is_never_overwritten_silently(world):
    w = world
    team = w.tmp / "team.toml"
    team.write_text(team_toml(w))
    assert run_import(w, str(team), "--yes", "--allow-sensitive").returncode == 0
    cfg = w.home / "config.toml"
    cfg.write_text(cfg.read_text().replace('region = "ap-northeast-1"\nsts_endpoint', 'region = "eu-west-1" # mine\nsts_endpoint'))
    team.write_text(team_toml(w, region="us-east-2"))
    r = run_import(w, str(team), "--yes", "--allow-sensitive")
    assert r.returncode == 0 and "! keep your edit of [profiles.prod]" in r.stderr, r.stderr
    assert 'region: "eu-west-1" -> "us-east-2"' in r.stderr
    assert 'region = "eu-west-1" # mine' in cfg.read_text()
    r = run_import(w, str(team), "--yes", "--overwrite-local-edits", "--allow-sensitive")
    assert r.returncode == 0 and "overwrite your edit of [profiles.prod]" in r.stderr
    assert 'region = "us-east-2" # mine' in cfg.read_text()


def test_untouched_entries_follow_the_team(world):
    w = world
    team = w.tmp / "team.toml"
    team.write_text(team_toml(w))
    assert run_import(w, str(team), "--yes", "--allow-sensitive").returncode == 0
    team.write_text(team_toml(w, region="us-east-2"))
    r = run_import(w, str(team), "--yes", "--allow-sensitive")
    assert r.returncode == 0 and "~ update [profiles.prod]" in r.stderr, r.stderr
    assert 'region = "us-east-2"' in (w.home / "config.toml").read_text()


def test_a_team_file_that_would_break_the_config_is_refused(world):
    team = world.tmp / "team.toml"
    team.write_text('[profiles.x]\nprovider = "nope"\nrole_arn = "arn:aws:iam::123456789012:role/x"\n')
    before = (world.home / "config.toml").read_text()
    r = run_import(world, str(team), "--yes")
    assert r.returncode != 0 and "profiles.x.provider" in r.stderr, r.stderr
    assert (world.home / "config.toml").read_text() == before


@pytest.fixture
def https_server(tmp_path):
    """A TLS server on 127.0.0.1 with a CA of its own; files from `routes` (path -> bytes or a redirect)."""
    now = datetime.datetime.now(datetime.timezone.utc)

    def cert_for(subject, key, issuer, issuer_key, ca):
        b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
             .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
             .not_valid_after(now + datetime.timedelta(hours=1))
             .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if not ca:
            b = b.add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                critical=False)
        return b.sign(issuer_key, hashes.SHA256())

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "idbridge test CA")])
    leaf_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    ca_cert = cert_for(ca_name, ca_key, ca_name, ca_key, True)
    leaf = cert_for(leaf_name, key, ca_name, ca_key, False)
    cert_file, leaf_file, key_file = tmp_path / "ca.pem", tmp_path / "leaf.pem", tmp_path / "key.pem"
    cert_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    leaf_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    routes = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            body = routes.get(self.path)
            if isinstance(body, str):
                self.send_response(302)
                self.send_header("Location", body)
                self.end_headers()
                return
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(leaf_file, key_file)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"https://127.0.0.1:{server.server_address[1]}", routes, cert_file
    server.shutdown()


def test_an_https_url_with_the_company_ca(world, https_server):
    base, routes, ca = https_server
    routes["/team.toml"] = team_toml(world).encode()
    r = run_import(world, f"{base}/team.toml", "--yes")
    assert r.returncode != 0 and "cannot download" in r.stderr and "certificate" in r.stderr.lower(), r.stderr
    r = run_import(world, f"{base}/team.toml", "--yes", "--allow-sensitive", SSL_CERT_FILE=str(ca))
    assert r.returncode == 0, r.stderr
    assert "[profiles.prod]  # read-only" in (world.home / "config.toml").read_text()


def test_http_oversized_and_downgrading_redirects_are_refused(world, https_server):
    base, routes, ca = https_server
    before = (world.home / "config.toml").read_text()
    r = run_import(world, "http://127.0.0.1:9/team.toml", "--yes")
    assert r.returncode != 0 and "must come over https://" in r.stderr, r.stderr
    routes["/big.toml"] = b"# " + b"x" * (300 * 1024) + b"\n"
    r = run_import(world, f"{base}/big.toml", "--yes", SSL_CERT_FILE=str(ca))
    assert r.returncode != 0 and "larger than 256 KB" in r.stderr, r.stderr
    routes["/moved.toml"] = "http://127.0.0.1:9/team.toml"
    r = run_import(world, f"{base}/moved.toml", "--yes", SSL_CERT_FILE=str(ca))
    assert r.returncode != 0 and "non-https" in r.stderr, r.stderr
    big = world.tmp / "big.toml"
    big.write_bytes(routes["/big.toml"])
    r = run_import(world, str(big), "--yes")
    assert r.returncode != 0 and "larger than 256 KB" in r.stderr
    assert (world.home / "config.toml").read_text() == before
