#!/usr/bin/env python3
"""A `BROWSER` stand-in: receives the URL idbridge opens and does what a person's browser would.

For the IdP's device page it follows the real pages of oidc-provider over HTTP with a cookie jar: confirm
the user code, log in, consent. For an authorization URL (browser sign-in) it logs in, consents (or
presses Cancel on the consent page for `deny`) and follows the redirect to idbridge's loopback listener,
recording the page idbridge answers with. For anything else (the console sign-in URL) it follows it once and records
where it led. What it did is appended as one JSON line to $STANDIN_LOG.

$STANDIN_ACTION: approve (default), deny (press Abort on the confirm page), ignore (open nothing, but
record the full URL so the test can answer idbridge itself).
$STANDIN_LANG: the browser's Accept-Language (default en).
$STANDIN_LOGIN: the account to log in as (default alice).
$STANDIN_WAIT_POLLS=N: act only once the IdP has seen N device-code polls (the test IdP's /_test/log), so a
test can place the approval between polls without guessing at timing.
"""
import json
import os
import re
import sys
import time
import urllib.parse
from html.parser import HTMLParser

import requests


class Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms, self.title, self._in_title, self.links = [], "", False, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "method": a.get("method", "get").lower(),
                               "id": a.get("id", ""), "fields": {}})
        elif tag == "input" and self.forms and a.get("name"):
            self.forms[-1]["fields"][a["name"]] = a.get("value", "")
        elif tag == "title":
            self._in_title = True
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def shown_user_code(html):
    m = re.search(r"<code>([A-Z0-9-]+)</code>", html)
    return m.group(1) if m else None


def typed_user_code(url):
    """The code a person would read off the terminal: the test IdP's log of its device answers."""
    origin = "{0.scheme}://{0.netloc}".format(urllib.parse.urlparse(url))
    log = requests.get(origin + "/_test/log", timeout=5).json()
    return [e["user_code"] for e in log if e.get("event") == "device_auth"][-1]


def device_flow(url, action, login):
    s = requests.Session()
    page = s.get(url, timeout=10)
    steps = {"user_code_shown": None}
    for _ in range(8):
        parsed = Forms()
        parsed.feed(page.text)
        if "Success" in parsed.title or not parsed.forms:
            return {"outcome": "success" if "Success" in parsed.title else "no-form", "title": parsed.title.strip(), **steps}
        form = parsed.forms[0]
        fields = dict(form["fields"])
        if "user_code" in fields and not fields["user_code"]:
            fields["user_code"] = typed_user_code(url)  # the page without the code in its URL (Google)
        if "login" in fields or "password" in fields:
            fields.update(login=login, password="any")
        if shown_user_code(page.text):
            steps["user_code_shown"] = shown_user_code(page.text)
            if action == "deny":
                fields["abort"] = "yes"
        target = urllib.parse.urljoin(page.url, form["action"])
        page = s.post(target, data=fields, timeout=10)
        if action == "deny" and "abort" in fields:
            return {"outcome": "denied", "status": page.status_code, **steps}
    return {"outcome": "gave-up", "title": Forms().title, **steps}


def code_flow(url, action, login):
    """Authorization code flow: log in, consent (or Cancel), land on idbridge's loopback page."""
    s = requests.Session()
    s.headers["Accept-Language"] = os.environ.get("STANDIN_LANG", "en")
    page = s.get(url, timeout=10)
    steps = []
    for _ in range(8):
        if urllib.parse.urlparse(page.url).path == "/callback":
            sent = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(page.url).query))
            parsed = Forms()
            parsed.feed(page.text)
            return {"outcome": "callback", "status": page.status_code, "title": parsed.title.strip(),
                    "page": page.text, "sent": sorted(sent), "error": sent.get("error"), "steps": steps}
        parsed = Forms()
        parsed.feed(page.text)
        if not parsed.forms:
            return {"outcome": "no-form", "status": page.status_code, "title": parsed.title.strip(), "steps": steps}
        fields = dict(parsed.forms[0]["fields"])
        steps.append(fields.get("prompt", "?"))
        if fields.get("prompt") == "consent" and action == "deny":
            cancel = next(h for h in parsed.links if h.endswith("/abort"))
            page = s.get(urllib.parse.urljoin(page.url, cancel), timeout=10)
            continue
        if fields.get("prompt") == "login":
            fields.update(login=login, password="any")
        page = s.post(urllib.parse.urljoin(page.url, parsed.forms[0]["action"]), data=fields, timeout=10)
    return {"outcome": "gave-up", "steps": steps}


def wait_for_polls(url, count):
    origin = "{0.scheme}://{0.netloc}".format(urllib.parse.urlparse(url))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        log = requests.get(origin + "/_test/log", timeout=5).json()
        if sum(1 for e in log if (e.get("grant_type") or "").endswith("device_code")) >= count:
            return
        time.sleep(0.05)


def follow(url):
    """Follows redirects while they stay on the same server (a logout that redirects to the login)."""
    hops = []
    r = requests.get(url, allow_redirects=False, timeout=10)
    while r.status_code in (301, 302, 303) and urllib.parse.urlparse(r.headers["Location"]).netloc == urllib.parse.urlparse(url).netloc:
        hops.append(dict(urllib.parse.parse_qsl(urllib.parse.urlparse(url).query)).get("Action"))
        url = r.headers["Location"]
        r = requests.get(url, allow_redirects=False, timeout=10)
    hops.append(dict(urllib.parse.parse_qsl(urllib.parse.urlparse(url).query)).get("Action"))
    return {"outcome": "followed", "status": r.status_code, "location": r.headers.get("Location"), "url": url, "hops": hops}


def main():
    # a profile's `browser = [...]` may put arguments before the URL: record them
    url, argv = sys.argv[-1], sys.argv[1:-1]
    action = os.environ.get("STANDIN_ACTION", "approve")
    entry = {"url_path": urllib.parse.urlparse(url).path, "action": action, "argv": argv}
    if url.startswith("ext+container:"):  # what Firefox's container extension receives
        q = dict(urllib.parse.parse_qsl(url[len("ext+container:"):]))
        entry["container"], url = q["name"], q["url"]
        entry["url_path"] = urllib.parse.urlparse(url).path
    if os.environ.get("STANDIN_WAIT_POLLS"):
        wait_for_polls(url, int(os.environ["STANDIN_WAIT_POLLS"]))
    try:
        if action == "ignore":
            entry.update(outcome="ignored", url=url)
        elif urllib.parse.urlparse(url).path == "/auth":
            entry.update(code_flow(url, action, os.environ.get("STANDIN_LOGIN", "alice")))
        elif "/device" in urllib.parse.urlparse(url).path:
            entry.update(device_flow(url, action, os.environ.get("STANDIN_LOGIN", "alice")))
        else:
            entry.update(follow(url))
    except Exception as e:  # the log is how the test learns what went wrong
        entry.update(outcome="error", error=repr(e))
    with open(os.environ["STANDIN_LOG"], "a") as f:
        f.write(json.dumps(entry) + "\n")


if __name__ == "__main__":
    main()
