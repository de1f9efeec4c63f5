"""A StatusNotifier host and notification server for the tray tests, on the test's private session bus.

Desktop panels (KDE, GNOME's AppIndicator extension, xfce4-panel) find tray icons through the
org.kde.StatusNotifierWatcher service and show the item's menu through com.canonical.dbusmenu. This host
plays that panel: it owns the watcher name, learns where the app's item is, reads its menu layout and
icon, and clicks menu items the way a panel does when a person clicks them (dbusmenu `Event "clicked"`).
It runs its asyncio loop in a thread and offers plain blocking methods to the tests.
"""
import asyncio
import threading
import time

from dbus_next import BusType, Variant
from dbus_next.aio import MessageBus
from dbus_next.service import ServiceInterface, dbus_property, method, signal, PropertyAccess

WATCHER = "org.kde.StatusNotifierWatcher"


class Watcher(ServiceInterface):
    def __init__(self):
        super().__init__(WATCHER)
        self.items = []

    @method()
    def RegisterStatusNotifierItem(self, service: "s"):  # noqa: F821 (dbus-next type strings)
        self.items.append(service)  # the sender is recorded by SniHost's message handler

    @method()
    def RegisterStatusNotifierHost(self, service: "s"):  # noqa: F821
        pass

    @dbus_property(access=PropertyAccess.READ)
    def RegisteredStatusNotifierItems(self) -> "as":  # noqa: F821
        return self.items

    @dbus_property(access=PropertyAccess.READ)
    def IsStatusNotifierHostRegistered(self) -> "b":  # noqa: F821
        return True

    @dbus_property(access=PropertyAccess.READ)
    def ProtocolVersion(self) -> "i":  # noqa: F821
        return 0

    @signal()
    def StatusNotifierItemRegistered(self, service) -> "s":  # noqa: F821
        return service

    @signal()
    def StatusNotifierHostRegistered(self) -> None:
        return None


class Notifications(ServiceInterface):
    """org.freedesktop.Notifications, recording what the app asks to show (as dunst would show it)."""

    def __init__(self):
        super().__init__("org.freedesktop.Notifications")
        self.shown = []

    @method()
    def Notify(self, app_name: "s", replaces_id: "u", app_icon: "s", summary: "s", body: "s",  # noqa: F821
               actions: "as", hints: "a{sv}", expire_timeout: "i") -> "u":  # noqa: F821
        # actions come as [id, label, id, label, ...]
        self.shown.append({"app": app_name, "icon": app_icon, "summary": summary, "body": body, "t": time.time(),
                           "actions": list(zip(actions[::2], actions[1::2])), "id": len(self.shown) + 1})
        return len(self.shown)

    @method()
    def GetCapabilities(self) -> "as":  # noqa: F821
        return ["body", "actions"]

    @signal()
    def ActionInvoked(self, ids) -> "us":  # noqa: F821
        return ids

    @signal()
    def NotificationClosed(self, ids) -> "uu":  # noqa: F821
        return ids

    @method()
    def GetServerInformation(self) -> "ssss":  # noqa: F821
        return ["idbridge-test-host", "idbridge", "1", "1.2"]

    @method()
    def CloseNotification(self, id: "u"):  # noqa: F821
        pass


class SniHost:
    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.registrations = []  # (bus name, object path) in arrival order
        self._call(self._start())

    def _call(self, coro, timeout=20):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    async def _start(self):
        self.bus = await MessageBus(bus_type=BusType.SESSION).connect()
        self.watcher = Watcher()
        self.bus.export("/StatusNotifierWatcher", self.watcher)
        self.notifications = Notifications()
        self.bus.export("/org/freedesktop/Notifications", self.notifications)
        await self.bus.request_name("org.freedesktop.Notifications")
        self.bus.add_message_handler(self._see)
        await self.bus.request_name(WATCHER)

    def _see(self, msg):
        # an item registers with an object path (then its bus name is the sender) or with a bus name
        if msg.member == "RegisterStatusNotifierItem" and msg.body:
            service = msg.body[0]
            if service.startswith("/"):
                self.registrations.append((msg.sender, service))
            else:
                self.registrations.append((service, "/StatusNotifierItem"))
        return None

    def wait_item(self, timeout=20):
        deadline = time.monotonic() + timeout
        while not self.registrations:
            if time.monotonic() > deadline:
                raise AssertionError("the app registered no tray item")
            time.sleep(0.05)
        return self.registrations[-1]

    async def _item_props(self, name, path):
        intro = await self.bus.introspect(name, path)
        obj = self.bus.get_proxy_object(name, path, intro)
        item = obj.get_interface("org.kde.StatusNotifierItem")
        return {"menu": await item.get_menu(), "icon_name": await item.get_icon_name(),
                "icon_theme_path": await item.get_icon_theme_path()}

    def item(self):
        name, path = self.wait_item()
        return self._call(self._item_props(name, path))

    async def _menu(self, name, menu_path):
        intro = await self.bus.introspect(name, menu_path)
        menu = self.bus.get_proxy_object(name, menu_path, intro).get_interface("com.canonical.dbusmenu")
        return menu

    def layout(self):
        """The menu as nested dicts: {id, label, enabled, children}."""
        name, _ = self.wait_item()
        menu_path = self.item()["menu"]

        async def get():
            menu = await self._menu(name, menu_path)
            _, root = await menu.call_get_layout(0, -1, [])
            return root

        def convert(node):
            node_id, props, children = node
            label = props.get("label").value if "label" in props else ""
            enabled = props["enabled"].value if "enabled" in props else True
            kind = props["type"].value if "type" in props else "standard"
            return {"id": node_id, "label": label.replace("_", "", 1) if label.count("_") == 1 and "__" not in label else label,
                    "raw_label": label, "enabled": enabled, "type": kind,
                    "children": [convert(c.value) for c in children]}
        return convert(self._call(get()))

    def click(self, node_id):
        name, _ = self.wait_item()
        menu_path = self.item()["menu"]

        async def send():
            menu = await self._menu(name, menu_path)
            await menu.call_event(node_id, "clicked", Variant("s", ""), int(time.time()))
        self._call(send())

    def invoke_action(self, notification, action):
        """As a person clicking an action button of a notification shown earlier."""
        async def emit():
            self.notifications.ActionInvoked([notification["id"], action])
            self.notifications.NotificationClosed([notification["id"], 2])
        self._call(emit())

    def stop(self):
        try:
            self._call(self._stop(), timeout=5)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)

    async def _stop(self):
        self.bus.disconnect()


def flatten(node, depth=0):
    """Every item of a layout with its depth, in menu order."""
    out = []
    for c in node["children"]:
        out.append((depth, c))
        out.extend(flatten(c, depth + 1))
    return out


def find(layout, prefix):
    """The first item whose label starts with `prefix`."""
    for _, item in flatten(layout):
        if item["label"].startswith(prefix):
            return item
    raise AssertionError(f"no menu item starting with {prefix!r} in {[i['label'] for _, i in flatten(layout)]}")
