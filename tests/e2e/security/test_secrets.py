"""No token, key or console URL reaches anything idbridge writes except where it must (the credential
file, credential-process's stdout, `console --print`'s stdout)."""
import json


def issued_secrets(world):
    secrets = {}
    for e in world.idp_log():
        for kind, value in (e.get("issued") or {}).items():
            if value:
                secrets[value] = f"IdP {kind}"
        if e.get("device_code"):
            secrets[e["device_code"]] = "device code"
        if e.get("code"):
            secrets[e["code"]] = "authorization code"
    for e in world.aws_log():
        issued = e.get("issued") or {}
        for kind in ("SecretAccessKey", "SessionToken"):
            if issued.get(kind):
                secrets[issued[kind]] = f"AWS {kind}"
        if e.get("signin_token"):
            secrets[e["signin_token"]] = "console SigninToken"
    return secrets


def test_secrets_appear_nowhere_they_should_not(make_world):
    world = make_world(IDP_TTL_ID_TOKEN=60)
    assert world.login().code == 0
    world.age_credentials(minutes_left=5)
    assert world.run("credential-process", "--profile", "dev").code == 0
    assert world.run("status").code == 0
    assert world.run("status", "--json").code == 0
    assert world.run("console", "--profile", "dev").code == 0
    aws = world.aws_cli("sts", "get-caller-identity")
    assert aws.code == 0, aws.err
    world.idp_post("/_test/revoke")
    world.age_credentials(minutes_left=-1)
    assert world.run("credential-process", "--profile", "dev").code != 0
    world.idp_post("/_test/tamper?what=sig")
    assert world.login().code != 0

    secrets = issued_secrets(world)
    kinds = set(secrets.values())
    assert {"IdP id_token", "IdP refresh_token", "AWS SecretAccessKey", "AWS SessionToken", "console SigninToken"} <= kinds

    places = {}
    for i, run in enumerate(world.transcript):
        places[f"run {i} {run['args']} stderr"] = run["err"]
        if run["args"][0] not in ("credential-process",):
            places[f"run {i} {run['args']} stdout"] = run["out"]
    places["aws cli stderr"] = aws.err
    for path in world.home.rglob("*"):
        if path.is_file() and path.parent.name != "credentials":
            places[str(path)] = path.read_text(errors="replace")
    leaks = [(kind, where) for value, kind in secrets.items() for where, text in places.items() if value in text]
    assert leaks == []
    assert len(places) > 10, "the search looked at every run"
