"""RFC 8628 as real IdPs answer it: Auth0's status codes, slow_down, denial, expiry, and a bad ID token."""
import pytest


def device_polls(world):
    return [e for e in world.idp_log() if (e.get("grant_type") or "").endswith("device_code")]


def test_auth0_style_403_pending_and_429_slow_down_are_honoured(make_world):
    # Auth0 sends authorization_pending as HTTP 403 and slow_down as 429; interval is 1 s here
    world = make_world(IDP_MODE="auth0", IDP_SLOW_DOWN=1, IDP_INTERVAL=1)
    r = world.login(STANDIN_WAIT_POLLS="2")
    assert r.code == 0, r.err
    polls = device_polls(world)
    results = [(p["http_status"], p["result"]) for p in polls]
    assert results == [(429, "slow_down"), (403, "authorization_pending"), (200, "ok")]
    gaps = [b["t"] - a["t"] for a, b in zip(polls, polls[1:])]
    # after slow_down the interval is 1 + 5 s, for that poll and every later one
    assert all(g >= 5.9 for g in gaps), gaps


def test_pending_polls_follow_the_interval(make_world):
    world = make_world(IDP_INTERVAL=2)
    r = world.login(STANDIN_WAIT_POLLS="3")
    assert r.code == 0, r.err
    polls = device_polls(world)
    assert [p["result"] for p in polls] == ["authorization_pending"] * 3 + ["ok"]
    gaps = [b["t"] - a["t"] for a, b in zip(polls, polls[1:])]
    assert all(1.95 <= g < 4 for g in gaps), gaps


def test_access_denied_stops_with_a_clear_message_and_stores_nothing(world):
    r = world.login(STANDIN_ACTION="deny")
    assert r.code != 0
    assert "sign-in was denied at the identity provider (access_denied)" in r.err
    [browser] = world.browser_entries()
    assert browser["outcome"] == "denied"
    assert not world.credential_file().exists()
    s = world.run("status")
    assert "signed out" in s.out


def test_an_expired_device_code_stops_and_says_to_sign_in_again(make_world):
    world = make_world(IDP_TTL_DEVICE=3)
    r = world.login(STANDIN_ACTION="ignore")
    assert r.code != 0
    assert "the sign-in code expired before it was approved" in r.err
    assert not world.credential_file().exists()


@pytest.mark.parametrize("tamper, reason", [
    ("aud", "audience"),
    ("iss", "issuer"),
    ("sig", "signature"),
    ("exp", "expired"),
])
def test_a_bad_id_token_is_rejected_before_anything_is_stored(make_world, tamper, reason):
    world = make_world(IDP_TAMPER=tamper)
    r = world.login()
    assert r.code != 0
    assert "the ID token from " + world.issuer + " was rejected" in r.err, r.err
    assert reason in r.err.lower(), r.err
    assert world.assumes() == [], "a rejected token never reaches STS"
    assert "signed out" in world.run("status").out


def test_an_issuer_that_differs_by_a_trailing_slash_is_refused(world):
    world.write_config(issuer=world.issuer.rstrip("/"))
    r = world.login()
    assert r.code != 0
    assert "differs from the one the IdP announces" in r.err and "trailing '/'" in r.err, r.err
