"""web_identity_token = "access_token" (issue 16): where the IdP's access token is a JWT meant for AWS, STS
gets that token, and only once it passed the ID token's checks (signature, iss, aud, exp). The AWS stand-in
trusts only the API audience, so a credential it hands out proves it received the access token."""
import json

import pytest

AUDIENCE = "https://aws.example.com"
CHOSEN = f'web_identity_token = "access_token"\nparams = {{ audience = "{AUDIENCE}" }}\n'


def access_world(make_world, **idp_env):
    world = make_world(IDP_QUIRKS="jwt_access_token", IDP_AT_AUDIENCE=AUDIENCE,
                       aws_extra={"client_ids": [AUDIENCE]}, **idp_env)
    world.write_config(extra_provider=CHOSEN)
    return world


def issued_access_tokens(world):
    return [e["issued"]["access_token"] for e in world.idp_log() if e.get("result") == "ok"]


def test_sts_gets_the_checked_access_token_and_a_renewal_brings_a_new_one(make_world):
    # the access token lives 60 s: under the 2 min margin, so each renewal redeems the refresh token
    world = access_world(make_world, IDP_TTL_ACCESS=60)
    r = world.login()
    assert r.code == 0, r.err
    assert [a["status"] for a in world.assumes()] == [200], world.assumes()
    world.age_credentials(minutes_left=-1)
    r = world.run("credential-process", "--profile", "dev")
    assert r.code == 0, r.err
    assert json.loads(r.out)["AccessKeyId"].startswith("ASIA")
    assert [a["status"] for a in world.assumes()] == [200, 200]
    grants = [e for e in world.idp_log() if (e.get("grant_type") or "") == "refresh_token"]
    assert [g["result"] for g in grants] == ["ok"], grants
    # the real AWS CLI, through credential_process, with what the renewal stored
    who = world.aws_cli("sts", "get-caller-identity")
    assert who.code == 0, who.err
    # no token in what idbridge printed
    printed = "".join(t["out"] + t["err"] for t in world.transcript)
    assert not any(t in printed for t in issued_access_tokens(world))


def test_with_the_id_token_the_same_sts_refuses(make_world):
    """The other side of the proof: without the choice STS gets the ID token, whose aud it does not trust."""
    world = access_world(make_world)
    world.write_config(extra_provider=f'params = {{ audience = "{AUDIENCE}" }}\n')
    r = world.login()
    assert r.code != 0 and "Incorrect token audience" in r.err, r.err


@pytest.mark.parametrize("tamper, why", [
    ("sig", "rejected and not sent to AWS: Signature verification failed"),
    ("aud", f"rejected and not sent to AWS: its aud does not contain `{AUDIENCE}`"),
    ("exp", "rejected and not sent to AWS: it has expired"),
])
def test_a_tampered_access_token_is_refused_and_never_reaches_sts(make_world, tamper, why):
    world = access_world(make_world, IDP_TAMPER_ACCESS=tamper)
    r = world.login()
    assert r.code == 1, r.err
    assert f"the access token from {world.issuer} was {why}" in r.err, r.err
    assert world.assumes() == [], "STS never saw it"
    status = json.loads(world.run("status", "--json").out)
    assert [row["state"] for row in status] == ["signed_out"], status
