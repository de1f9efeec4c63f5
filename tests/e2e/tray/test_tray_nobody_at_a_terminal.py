"""Nobody at a terminal: a credential_process run by an IDE ends in "sign-in needed" (exit 3, a line on a
stderr nobody reads); the running tray says so at once, with its Sign in button, once per provider until
the provider's state changes."""
import time

from conftest import TrayApp, wait_for


def sign_in_notes(app):
    return [n for n in app.notifications() if n["summary"].startswith("Sign-in needed for")]


def end_the_sign_in(world):
    world.age_credentials(minutes_left=-5)  # expired: only a refresh helps, and the tray leaves it to the next use
    world.idp_post("/_test/revoke")


def test_the_tray_tells_a_cli_sign_in_needed_at_once_once_and_again_after_a_new_sign_in(make_world, desktop):
    world = make_world(IDP_TTL_ID_TOKEN=60)  # renewing needs the refresh token
    assert world.login().code == 0
    end_the_sign_in(world)
    app = TrayApp(world, desktop)
    try:
        app.wait_menu("dev · ready (renewed on next use)")
        assert sign_in_notes(app) == [], "the tray does not refresh an expired profile by itself"

        r = world.run("credential-process", "--profile", "dev")
        assert r.code == 3, r.err
        start = time.monotonic()
        note = app.wait_notification(f"Sign-in needed for {world.provider}", timeout=10)
        print(f"\ntray notification after credential-process exit 3: {time.monotonic() - start:.2f} s")
        assert time.monotonic() - start <= 3.0
        assert note["actions"] == [(f"signin:{world.provider}", "Sign in")]

        # an IDE retries: no storm
        for _ in range(3):
            assert world.run("credential-process", "--profile", "dev").code == 3
        # a sign-in with the CLI: once the tray shows it, it has seen every change before it
        assert world.login().code == 0
        app.wait_menu("dev · ready until")
        assert len(sign_in_notes(app)) == 1, sign_in_notes(app)

        # the new sign-in ends too: that is a new event, told again
        end_the_sign_in(world)
        assert world.run("credential-process", "--profile", "dev").code == 3
        wait_for(lambda: len(sign_in_notes(app)) == 2, 10, "a second sign-in notification")
    finally:
        app.stop()
