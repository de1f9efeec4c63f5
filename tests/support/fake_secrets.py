#!/usr/bin/env python3
"""A Secret Service (org.freedesktop.secrets) that is locked or broken, on a private session bus, for the
keychain fault tests: idbridge's real keychain client talks D-Bus to it and gets the errors a locked
gnome-keyring or a failing KeePassXC would send.

Usage: fake_secrets.py locked|error   (DBUS_SESSION_BUS_ADDRESS names the private bus)
Prints {"ready": true} once it owns the name; exits when stdin closes.
"""
import asyncio
import json
import sys

from dbus_next.aio import MessageBus
from dbus_next.errors import DBusError
from dbus_next.service import ServiceInterface, method

ERRORS = {
    "locked": ("org.freedesktop.Secret.Error.IsLocked", "Cannot open a session: the collection is locked"),
    # text a broken service might send, escapes included: it must reach no terminal raw
    "error": ("org.freedesktop.DBus.Error.Failed", "\x1b]0;pwned\x07internal failure in the secret store"),
}


class Service(ServiceInterface):
    def __init__(self, mode):
        super().__init__("org.freedesktop.Secret.Service")
        self.mode = mode

    @method()
    def OpenSession(self, algorithm: "s", data: "v") -> "vo":  # noqa: F821
        raise DBusError(*ERRORS[self.mode])

    @method()
    def SearchItems(self, attributes: "a{ss}") -> "aoao":  # noqa: F821
        raise DBusError(*ERRORS[self.mode])

    @method()
    def ReadAlias(self, name: "s") -> "o":  # noqa: F821
        raise DBusError(*ERRORS[self.mode])


async def main(mode):
    bus = await MessageBus().connect()
    bus.export("/org/freedesktop/secrets", Service(mode))
    await bus.request_name("org.freedesktop.secrets")
    print(json.dumps({"ready": True}), flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
