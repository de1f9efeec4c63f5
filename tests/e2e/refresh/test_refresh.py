"""credential-process without a person: refresh-token rotation, revocation, STS retries, no sign-in."""
import json
import time

from conftest import ROLE_DEV


def refreshes(world):
    return [e for e in world.idp_log() if e.get("grant_type") == "refresh_token"]


def test_stale_credentials_are_refreshed_with_the_rotated_refresh_token(make_world):
    # an ID token that lives 60 s is too short to reuse (2 min margin): every refresh redeems the refresh token
    world = make_world(IDP_TTL_ID_TOKEN=60)
    assert world.login().code == 0
    first = json.loads(world.credential_file().read_text())
    for round_ in range(3):
        world.age_credentials(minutes_left=5)
        r = world.run("credential-process", "--profile", "dev")
        assert r.code == 0, r.err
        assert r.err == ""
        out = json.loads(r.out)
        assert out["AccessKeyId"] != first["AccessKeyId"]
        assert out == json.loads(world.credential_file().read_text()), "the file holds what was printed"
    used = refreshes(world)
    assert [e["result"] for e in used] == ["ok"] * 3
    assert len({e["refresh_token"] for e in used}) == 3, "each refresh used the newest (rotated) refresh token"
    assert not [e for e in world.idp_log() if e.get("event") == "grant.revoked"], "no refresh token was reused"
    aws = world.aws_cli("sts", "get-caller-identity")
    assert aws.code == 0, aws.err
    assert json.loads(aws.out)["Arn"].endswith(":assumed-role/dev/alice@example.com")


def test_a_still_valid_id_token_is_reused_without_touching_the_idp(signed_in):
    signed_in.age_credentials(minutes_left=5)
    r = signed_in.run("credential-process", "--profile", "dev")
    assert r.code == 0, r.err
    assert refreshes(signed_in) == []
    assert len(signed_in.assumes()) == 2


def test_a_revoked_refresh_token_says_to_sign_in_again(make_world):
    world = make_world(IDP_TTL_ID_TOKEN=60)
    assert world.login().code == 0
    world.idp_post("/_test/revoke")
    world.age_credentials(minutes_left=-1)
    r = world.run("credential-process", "--profile", "dev")
    assert r.code != 0
    assert r.out == ""
    assert r.err.strip().splitlines()[-1].endswith("run `idbridge login --profile dev`"), r.err
    assert "the IdP refused the refresh token: invalid_grant" in r.err


def test_old_but_valid_credentials_are_served_with_a_warning_when_refresh_fails(make_world):
    world = make_world(IDP_TTL_ID_TOKEN=60)
    assert world.login().code == 0
    world.idp_post("/_test/revoke")
    world.age_credentials(minutes_left=10)
    r = world.run("credential-process", "--profile", "dev")
    assert r.code == 0, r.err
    assert json.loads(r.out)["Version"] == 1
    assert "warning:" in r.err and "serving the current credentials" in r.err


def test_credential_process_without_a_sign_in_fails_clearly(world):
    r = world.run("credential-process", "--profile", "dev")
    assert r.code != 0 and r.out == ""
    assert r.err == f"idbridge: error: sign-in needed for provider '{world.provider}' (not signed in): run `idbridge login --profile dev`\n"


def test_idp_communication_errors_are_retried(signed_in):
    signed_in.aws_post("/_test/fail?code=IDPCommunicationError&count=2")
    signed_in.age_credentials(minutes_left=5)
    r = signed_in.run("credential-process", "--profile", "dev")
    assert r.code == 0, r.err
    codes = [a.get("code") for a in signed_in.assumes()[1:]]
    assert codes == ["IDPCommunicationError", "IDPCommunicationError", None]


def test_an_id_token_sts_calls_expired_is_replaced_once(make_world):
    world = make_world()
    assert world.login().code == 0
    world.aws_post("/_test/fail?code=ExpiredTokenException&count=1")
    world.age_credentials(minutes_left=5)
    r = world.run("credential-process", "--profile", "dev")
    assert r.code == 0, r.err
    assert [a.get("code") for a in world.assumes()[1:]] == ["ExpiredTokenException", None]
    assert len(refreshes(world)) == 1, "a fresh ID token came from the refresh token"


def test_sts_refusal_names_the_profile_and_aws_error_code(make_world):
    world = make_world(roles={ROLE_DEV: {}})
    world.write_config(profiles={"dev": ROLE_DEV, "other": "arn:aws:iam::123456789012:role/not-trusted"})
    r = world.login()
    assert r.code != 0
    assert "other: FAILED [sts_refused] profile 'other': AWS STS refused AssumeRoleWithWebIdentity for " \
           "arn:aws:iam::123456789012:role/not-trusted: AccessDenied:" in r.err, r.err
    assert "dev: credentials until" in r.err
    assert world.credential_file("dev").exists() and not world.credential_file("other").exists()


def test_a_role_whose_trust_policy_wants_another_subject_is_refused(make_world):
    world = make_world(roles={ROLE_DEV: {"sub": "bob"}})
    r = world.login()
    assert r.code != 0
    assert "[sts_refused]" in r.err and "AccessDenied" in r.err
