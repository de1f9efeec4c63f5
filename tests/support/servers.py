"""The local stand-ins as child processes: each prints one JSON line when ready, binds 127.0.0.1 on a port
the kernel picks, and exits when its stdin closes (so it never outlives whoever started it)."""
import json
import os
import select
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SUPPORT = ROOT / "tests" / "support"


START_TIMEOUT = 60


class Server:
    """A child process that prints one JSON line when ready and exits when its stdin closes."""

    def __init__(self, cmd, env=None, cwd=None):
        # a start that never completes must fail the test, not hang the suite: one retry (seen once under
        # heavy load: node alive, never listening), then a clear error
        for attempt in (1, 2):
            # stderr goes to a file: an unread pipe would block a chatty server once its buffer is full
            self.stderr = tempfile.TemporaryFile(mode="w+")
            self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
                                         env={**os.environ, **(env or {})}, cwd=cwd, text=True)
            ready, _, _ = select.select([self.proc.stdout], [], [], START_TIMEOUT)
            line = self.proc.stdout.readline() if ready else ""
            if line:
                self.info = json.loads(line)
                return
            self.proc.kill()
            self.proc.wait()
            self.stderr.seek(0)
            problem = self.stderr.read()
            # a server that exited said why; one that hung (node prints warnings even then) gets a retry
            if attempt == 2 or self.proc.returncode not in (None, -9):
                raise RuntimeError(f"{cmd} did not start within {START_TIMEOUT} s: {problem}")

    def stop(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def start_idp(**env):
    return Server(["node", str(ROOT / "tests" / "idp" / "server.mjs")], env={k: str(v) for k, v in env.items()},
                  cwd=ROOT / "tests" / "idp")


def start_aws(tmp, issuer, client_id, roles, **extra):
    cfg = tmp / "aws-standin.json"
    cfg.write_text(json.dumps({"issuer": issuer, "client_ids": [client_id], "roles": roles, **extra}))
    return Server([sys.executable, str(SUPPORT / "aws_standin.py"), str(cfg)])
