"""Open Console: getSigninToken with the profile's credentials, then a login URL the federation accepts."""
import requests

DEFAULT_DESTINATION = "https://console.aws.amazon.com/console/home?region=ap-northeast-1"


def federation_log(world):
    return [e for e in world.aws_log() if e.get("action") in ("getSigninToken", "login")]


def test_console_opens_a_url_the_federation_endpoint_accepts(signed_in):
    r = signed_in.run("console", "--profile", "dev")
    assert r.code == 0, r.err
    assert r.out == ""
    _sign_in, entry = signed_in.browser_entries(2)
    assert entry["outcome"] == "followed" and entry["status"] == 302, entry
    assert entry["location"] == DEFAULT_DESTINATION
    token_call, login = federation_log(signed_in)
    assert token_call["arn"] == "arn:aws:sts::123456789012:assumed-role/dev/alice@example.com"
    assert login["issuer"] == "idbridge" and login["status"] == 302
    assert token_call["signin_token"] not in r.err, "the sign-in URL is a credential: never printed by accident"


def test_console_print_gives_the_url_on_stdout_only(signed_in):
    dest = "https://console.aws.amazon.com/s3/home?region=ap-northeast-1&tab=buckets"
    r = signed_in.run("console", "--profile", "dev", "--print", "--destination", dest)
    assert r.code == 0, r.err
    url = r.out.strip()
    assert url.startswith(f"{signed_in.aws_url}/federation?Action=login&Issuer=idbridge&Destination=")
    follow = requests.get(url, allow_redirects=False, timeout=5)
    assert follow.status_code == 302 and follow.headers["Location"] == dest
    assert len(signed_in.browser_entries(1)) == 1, "--print opens no browser"


def test_console_without_a_sign_in_says_what_to_run(world):
    r = world.run("console", "--profile", "dev")
    assert r.code != 0
    assert "run `idbridge login --profile dev`" in r.err
    assert federation_log(world) == []
