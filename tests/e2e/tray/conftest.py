"""The tray tests' own fixture: `tray(**env)` starts the tray app in the test's world (stopped at the end)."""
import pytest

from conftest import TrayApp


@pytest.fixture
def tray(world, desktop):
    apps = []

    def start(**env):
        app = TrayApp(world, desktop, **env)
        apps.append(app)
        return app
    yield start
    for a in apps:
        a.stop()
