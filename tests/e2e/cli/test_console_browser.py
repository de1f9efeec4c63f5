"""The console per account: a profile's own browser, a Firefox container per account, and logging out of
the browser's current console session first (for browsers without the console's multi-session support)."""
import json
import sys

from conftest import ROLE_DEV, ROLE_PROD, SUPPORT, wait_for

STANDIN = [sys.executable, str(SUPPORT / "browser.py")]
DEST = "https://console.aws.amazon.com/console/home?region=ap-northeast-1"


def with_profiles(w, **profiles):
    """Profiles dev and prod with extra keys each, e.g. dev={"browser": [...]}."""
    w.write_config(profiles={})
    text = (w.home / "config.toml").read_text()
    for name, role in (("dev", ROLE_DEV), ("prod", ROLE_PROD)):
        text += w.profile_toml(name, role, **profiles.get(name, {})) + "\n"
    (w.home / "config.toml").write_text(text)


def test_a_profile_opens_its_console_in_its_own_browser(signed_in):
    w = signed_in
    with_profiles(w, dev={"browser": [*STANDIN, "-P", "work"]})
    r = w.run("console", "--profile", "dev")
    assert r.code == 0, r.err
    entry = w.browser_entries(2)[1]
    assert entry["argv"] == ["-P", "work"], entry
    assert entry["status"] == 302 and entry["location"] == DEST, entry


def test_accounts_side_by_side_in_firefox_containers(signed_in):
    w = signed_in
    with_profiles(w, dev={"browser": STANDIN, "console_container": "dev account"},
                  prod={"browser": STANDIN, "console_container": "prod"})
    assert w.login().code == 0  # credentials for prod too
    def containers(count):
        return wait_for(lambda: (lambda es: es if len(es) >= count else None)(
            [e for e in w.browser_entries(1) if "container" in e]), what=f"{count} console browser(s)")
    for n, p in enumerate(("dev", "prod"), start=1):
        r = w.run("console", "--profile", p)
        assert r.code == 0, r.err
        containers(n)  # the browser runs detached from `console`: wait for it, so the order is known
    entries = containers(2)
    assert [e["container"] for e in entries] == ["dev account", "prod"]
    assert all(e["status"] == 302 and e["location"] == DEST for e in entries), entries
    arns = [e["arn"] for e in w.aws_log() if e.get("action") == "login"]
    assert arns[-2].endswith("assumed-role/dev/alice@example.com") and arns[-1].endswith("assumed-role/prod/alice@example.com")


def test_sign_out_first_logs_out_then_in(signed_in):
    w = signed_in
    with_profiles(w, dev={"console_sign_out_first": True})
    r = w.run("console", "--profile", "dev")
    assert r.code == 0, r.err
    entry = w.browser_entries(2)[1]
    assert entry["url_path"] == "/oauth" and entry["hops"] == ["logout", "login"], entry
    assert entry["status"] == 302 and entry["location"] == DEST
    [logout] = [e for e in w.aws_log() if e.get("action") == "logout"]
    assert logout["redirected"] is True
    url = w.run("console", "--profile", "dev", "--print").out.strip()
    assert url.startswith(f"{w.aws_url}/oauth?Action=logout&redirect_uri=") and "federation%3FAction%3Dlogin" in url


def test_a_browser_that_cannot_start_is_named_and_the_url_is_not_shown(signed_in):
    w = signed_in
    with_profiles(w, dev={"browser": ["/nonexistent/browser", "--x"]})
    r = w.run("console", "--profile", "dev")
    assert r.code != 0
    assert "cannot start the browser '/nonexistent/browser' named in profile 'dev'" in r.err, r.err
    assert "SigninToken" not in r.err and "federation" not in r.err


def test_bad_browser_settings_are_refused(world):
    for extra, expected in (({"browser": []}, "profiles.dev.browser: a list"),
                            ({"console_container": ""}, "profiles.dev.console_container: the name of a Firefox container")):
        with_profiles(world, dev=extra)
        r = world.run("console", "--profile", "dev")
        assert r.code != 0 and expected in r.err, r.err
    with_profiles(world, dev={"browser": "firefox"})
    r = world.run("status")
    assert r.code != 0 and "browser" in r.err and json.dumps("firefox") not in r.out
