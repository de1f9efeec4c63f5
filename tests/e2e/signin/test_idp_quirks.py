"""Identity providers as they really are (issue 16): the stand-in IdP's IDP_QUIRKS modes, one per
behaviour seen at a real provider, and what idbridge does about each."""
import json
import re

import pytest


def grants(world, kind):
    return [e for e in world.idp_log() if (e.get("grant_type") or "").endswith(kind)]


def device_requests(world):
    return [e for e in world.idp_log() if e.get("event") == "device_auth"]


def said_in_advance(world, why):
    """The sign-in's closing line and doctor say until when renewal works without the person."""
    r = world.login()
    assert r.code == 0, r.err
    assert re.search(r"Renews without you until (\d{4}-\d\d-\d\d )?\d\d:\d\d", r.err), r.err
    doctor = world.run("doctor", "--json")
    [check] = [c for c in json.loads(doctor.out)["checks"] if c["id"] == "signed_in"]
    assert "renews without you until" in check["message"] and why in check["message"], check


@pytest.mark.parametrize("mode, status", [("", 400), ("auth0", 403)])
def test_authorization_pending_as_400_or_403_keeps_polling(make_world, mode, status):
    world = make_world(IDP_MODE=mode)
    r = world.login(STANDIN_WAIT_POLLS="1")
    assert r.code == 0, r.err
    polls = grants(world, "device_code")
    assert [(p["http_status"], p["result"]) for p in polls][:1] == [(status, "authorization_pending")], polls
    assert polls[-1]["result"] == "ok"


def test_the_device_request_names_each_scope_once(world):
    r = world.login()
    assert r.code == 0, r.err
    [request] = device_requests(world)
    assert request["scope"].split() == ["openid", "offline_access", "email"], request


def test_google_verification_url_and_a_device_endpoint_only_in_config(make_world):
    world = make_world(IDP_QUIRKS="verification_url", IDP_HIDE="device_authorization_endpoint")
    r = world.login()
    assert r.code == 1 and "announces no device_authorization_endpoint" in r.err, r.err
    world.write_config(extra_provider=f'device_authorization_endpoint = "{world.issuer}device/auth"\n')
    r = world.login()
    assert r.code == 0, r.err
    assert f"open {world.issuer}device and enter the code" in r.err, r.err
    [entry] = world.browser_entries(1)
    assert entry["outcome"] == "success" and entry["url_path"] == "/device", entry


def test_a_lower_case_token_type_is_accepted(make_world):
    world = make_world(IDP_QUIRKS="lowercase_token_type", IDP_TTL_ID_TOKEN=60)
    assert world.login().code == 0
    world.age_credentials(minutes_left=5)
    r = world.run("credential-process", "--profile", "dev")
    assert r.code == 0, r.err
    assert [g["result"] for g in grants(world, "refresh_token")] == ["ok"]


def test_no_id_token_on_refresh_stores_the_rotation_then_asks_for_a_sign_in(make_world):
    # an ID token that lives 60 s is never reused (2 min margin): the first renewal redeems the refresh token
    world = make_world(IDP_QUIRKS="no_refresh_id_token", IDP_TTL_ID_TOKEN=60)
    assert world.login().code == 0
    world.age_credentials(minutes_left=-1)
    r = world.run("credential-process", "--profile", "dev")
    assert r.code == 3 and r.out == "", r.err
    line = f"{world.provider} gives no new ID token when renewing; sign in again (idbridge login --provider {world.provider})"
    assert line in r.err, r.err
    [grant] = grants(world, "refresh_token")
    assert grant["result"] == "ok" and grant["issued"]["refresh_token"] and not grant["issued"].get("id_token")
    # the failure is remembered: no second redemption, the same sentence
    again = world.run("credential-process", "--profile", "dev")
    assert again.code == 3 and line in again.err, again.err
    assert len(grants(world, "refresh_token")) == 1
    [row] = json.loads(world.run("status", "--json").out)
    assert row["state"] == "sign_in_needed", row
    # what was learnt is said in advance from now on: at the next sign-in and in doctor
    said_in_advance(world, "no new ID token")


def test_no_id_token_on_refresh_keeps_the_stored_one_while_it_lasts(make_world):
    world = make_world(IDP_QUIRKS="no_refresh_id_token")
    assert world.login().code == 0
    world.age_credentials(minutes_left=-1)
    r = world.run("credential-process", "--profile", "dev")
    assert r.code == 0, r.err
    assert grants(world, "refresh_token") == [], "the ID token from the sign-in still had an hour"


def test_no_refresh_token_at_all_is_said_in_advance(make_world):
    world = make_world(IDP_QUIRKS="no_refresh_token", IDP_TTL_ID_TOKEN=600)
    said_in_advance(world, "no refresh token")


def test_reuse_answered_400_with_an_empty_body_means_sign_in_needed(make_world):
    world = make_world(IDP_QUIRKS="empty_reuse", IDP_TTL_ID_TOKEN=60)
    assert world.login().code == 0
    world.idp_post("/_test/revoke")
    world.age_credentials(minutes_left=-1)
    r = world.run("credential-process", "--profile", "dev")
    assert r.code == 3, r.err
    assert "the IdP refused the refresh token: HTTP 400 with an empty body" in r.err, r.err
    [grant] = grants(world, "refresh_token")
    assert grant["http_status"] == 400
    # not a transient error: the next call does not try the dead token again
    assert world.run("credential-process", "--profile", "dev").code == 3
    assert len(grants(world, "refresh_token")) == 1
