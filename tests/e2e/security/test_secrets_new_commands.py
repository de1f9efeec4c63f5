"""No token, code or key reaches the output of the browser sign-in, doctor, aws-setup, import, a chained
profile or its console: everything idbridge printed or wrote (but the credential files), and the page it
showed the browser, is searched for every secret the IdP and STS handed out."""
import json

from refresh.test_chaining import ROLE_DEPLOY, write
from security.test_secrets import issued_secrets

from conftest import ROLE_DEV, ROLE_PROD


def test_no_secret_in_what_the_new_commands_print_or_write(make_world):
    w = make_world(IDP_TTL_ID_TOKEN=60, roles={ROLE_DEV: {}, ROLE_PROD: {}, ROLE_DEPLOY: {"external_id": "team-42"}})
    write(w)
    cfg = w.home / "config.toml"
    cfg.write_text(cfg.read_text().replace('scopes = [', 'flow = "browser"\nscopes = [', 1))
    assert w.login().code == 0
    w.age_credentials("deploy", minutes_left=5)
    w.age_credentials("dev", minutes_left=5)
    assert w.run("credential-process", "--profile", "deploy").code == 0
    assert w.aws_cli("sts", "get-caller-identity", profile="deploy").code == 0
    assert w.run("console", "--profile", "deploy").code == 0
    w.run("doctor")
    w.run("doctor", "--json")
    assert w.run("aws-setup", "--profile", "dev").code == 0
    assert w.run("aws-setup", "--profile", "deploy", "--json").code == 0
    team = w.tmp / "team.toml"
    team.write_text(f'[profiles.prod]\nprovider = "{w.provider}"\nrole_arn = "{ROLE_PROD}"\n')
    assert w.run("import", str(team), "--yes").code == 0

    secrets = issued_secrets(w)
    kinds = set(secrets.values())
    assert {"IdP id_token", "IdP refresh_token", "authorization code", "AWS SecretAccessKey", "AWS SessionToken",
            "console SigninToken"} <= kinds, kinds
    places = {f"run {i} {r['args']} stderr": r["err"] for i, r in enumerate(w.transcript)}
    places.update({f"run {i} {r['args']} stdout": r["out"] for i, r in enumerate(w.transcript)
                   if r["args"][0] != "credential-process"})
    pages = [json.loads(line).get("page") for line in w.browser_log.read_text().splitlines()]
    places.update({f"page {i} idbridge showed the browser": p for i, p in enumerate(pages) if p})
    assert places.get("page 0 idbridge showed the browser"), "the sign-in page was searched"
    assert "credential-process" in str([r["args"] for r in w.transcript])
    for path in w.home.rglob("*"):
        if path.is_file() and path.parent.name != "credentials":
            places[str(path)] = path.read_text(errors="replace")
    leaks = [(kind, where) for value, kind in secrets.items() for where, text in places.items() if value in text]
    assert leaks == []
