"""Reads `cargo --message-format=json` on stdin for scripts/cross-check.

Prints each workspace diagnostic once (rustc's own rendering), appends `LABEL  CRATE  FILE:LINE:COL  LEVEL: MESSAGE`
lines to --diag, and writes to --results one line per crate in --crates: `CRATE pass|fail ERRORS WARNINGS NOTE`
(a crate fails on any error or warning in its own code, and when nothing of it was built: its build script or a
dependency failed). With --executables, appends the test executables that were built as
`CRATE/KIND:TARGET PACKAGE-DIR PATH`.
"""

import argparse
import json
import re
import sys

ap = argparse.ArgumentParser()
ap.add_argument("--label", required=True)
ap.add_argument("--crates", required=True)
ap.add_argument("--diag", required=True)
ap.add_argument("--results", required=True)
ap.add_argument("--executables")
args = ap.parse_args()
crates = args.crates.split(",")


def crate_of(package_id):
    # path+file:///…/crates/core#idbridge-core@0.1.0, or path+file:///…/idbridge-core#0.1.0
    m = re.search(r"#([^@#]+)@", package_id)
    if m:
        return m.group(1)
    return package_id.split("#")[0].rstrip("/").rsplit("/", 1)[-1]


counts = {c: {"error": 0, "warning": 0, "built": 0} for c in crates}
seen = set()
with open(args.diag, "a") as diag, open(args.executables or "/dev/null", "a") as exes:
    for line in sys.stdin:
        if not line.startswith("{"):  # cargo's own messages, build scripts' output
            print(line, end="")
            m = re.match(r"error: failed to run custom build command for `(\S+) v", line)
            if m and m.group(1) in counts:
                counts[m.group(1)]["build script failed"] = True
            continue
        msg = json.loads(line)
        reason = msg.get("reason")
        crate = crate_of(msg.get("package_id", ""))
        if reason == "compiler-artifact" and crate in counts and msg["target"]["kind"] != ["custom-build"]:
            counts[crate]["built"] += 1
            if msg.get("profile", {}).get("test") and msg.get("executable"):
                kind = msg["target"]["kind"][0]
                pkg_dir = msg["manifest_path"].rsplit("/", 1)[0]
                exes.write(f"{crate}/{kind}:{msg['target']['name']} {pkg_dir} {msg['executable']}\n")
        if reason != "compiler-message" or crate not in counts:
            continue
        d = msg["message"]
        level = d["level"]
        if level not in ("error", "warning") or re.match(r"(\d+ warnings? emitted|aborting due to)", d["message"]):
            continue
        span = next((s for s in d["spans"] if s["is_primary"]), d["spans"][0] if d["spans"] else None)
        where = f"{span['file_name']}:{span['line_start']}:{span['column_start']}" if span else "-"
        code = f"[{d['code']['code']}]" if d.get("code") else ""
        key = (crate, where, level, d["message"])
        if key in seen:  # the lib and its unit-test build report the same diagnostic
            continue
        seen.add(key)
        counts[crate][level] += 1
        diag.write(f"{args.label}  {crate}  {where}  {level}{code}: {d['message']}\n")
        print(d.get("rendered") or f"{level}: {d['message']} at {where}", end="", flush=True)

with open(args.results, "w") as out:
    for c in crates:
        n = counts[c]
        ok = n["error"] == 0 and n["warning"] == 0 and n["built"] > 0
        if n.get("build script failed"):
            note = "its build script failed"
        elif not n["built"] and not n["error"]:
            note = "nothing of it built (a dependency failed)"
        else:
            note = ""
        out.write(f"{c} {'pass' if ok else 'fail'} {n['error']} {n['warning']} {note}\n")
