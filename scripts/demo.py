"""Runs idbridge's sign-in chain against the local stand-ins and shows each step (see scripts/demo)."""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "support"))
from servers import ROOT, SUPPORT, start_aws, start_idp  # noqa: E402

BIN = ROOT / "target" / "debug" / "idbridge"
ROLE = "arn:aws:iam::123456789012:role/dev"


def step(title):
    print(f"\n\033[1m== {title}\033[0m", flush=True)


def run(*args, env, show=True):
    """Runs a command with its stderr on the terminal; prints its stdout too unless it holds secrets."""
    print("$ " + " ".join(args), flush=True)
    p = subprocess.run(args, env=env, text=True, stdout=subprocess.PIPE)
    if show:
        print(p.stdout, end="", flush=True)
    if p.returncode != 0:
        sys.exit(f"demo stopped: {args[0]} exited {p.returncode}")
    return p.stdout


def tray_demo(env, home):
    step("the tray app, on your desktop")
    print("Look for the idbridge icon in your panel (GNOME needs the AppIndicator extension). In its menu:\n"
          "  1. 'Sign in to demo…' — your browser opens the local IdP: log in with any name and password,\n"
          "     check the code matches the one in the idbridge window, then approve;\n"
          "  2. 'dev ▸ Open Console' — the browser goes through the local federation stand-in;\n"
          "  3. 'Quit idbridge' ends the demo.\n"
          f"Its config is {home / 'config.toml'}; the CLI works alongside: IDBRIDGE_HOME={home} idbridge status")
    subprocess.run([str(BIN.parent / "idbridge-app")], env=env)


def main():
    yourself = "--yourself" in sys.argv
    tray = "--tray" in sys.argv
    tmp = Path(tempfile.mkdtemp(prefix="idbridge-demo-"))
    idp = start_idp()
    aws = start_aws(tmp, idp.info["issuer"], idp.info["client_id"], {ROLE: {}})
    aws_url = f"http://127.0.0.1:{aws.info['port']}"
    try:
        home = tmp / "home"
        home.mkdir()
        (home / "config.toml").write_text(f"""[providers.demo]
issuer = "{idp.info['issuer']}"
client_id = "{idp.info['client_id']}"
scopes = ["openid", "offline_access", "email"]

[profiles.dev]
provider = "demo"
role_arn = "{ROLE}"
region = "ap-northeast-1"
session_name_claim = "email"
sts_endpoint = "{aws_url}"
federation_endpoint = "{aws_url}/federation"
""")
        (tmp / "aws-config").write_text(f"[profile dev]\ncredential_process = {BIN} credential-process --profile dev\n"
                                        "region = ap-northeast-1\n")
        (tmp / "aws-credentials").touch()
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(IDBRIDGE_HOME=str(home), AWS_CONFIG_FILE=str(tmp / "aws-config"),
                   AWS_SHARED_CREDENTIALS_FILE=str(tmp / "aws-credentials"), STANDIN_LOG=str(tmp / "browser.log"))
        if tray:
            return tray_demo(env, home)
        if not yourself:
            env["BROWSER"] = str(SUPPORT / "browser.py")

        step(f"config: {home / 'config.toml'}")
        print((home / "config.toml").read_text())
        step("sign in with the device flow" + (" (approve in your browser: any user name and password)" if yourself
                                               else " (a stand-in browser approves as alice)"))
        run(str(BIN), "login", "--provider", "demo", env=env)
        step("status")
        run(str(BIN), "status", env=env)
        step("credential_process output (secrets shortened here)")
        creds = json.loads(run(str(BIN), "credential-process", "--profile", "dev", env=env, show=False))
        for k in ("SecretAccessKey", "SessionToken"):
            creds[k] = creds[k][:6] + "..."
        print(json.dumps(creds, indent=2))
        step("the real AWS CLI, through credential_process")
        run("aws", "--profile", "dev", "--endpoint-url", aws_url, "sts", "get-caller-identity", env=env)
        step("console sign-in URL (a credential: shown shortened)")
        url = run(str(BIN), "console", "--profile", "dev", "--print", env=env, show=False).strip()
        print(url[:100] + "...")
        r = requests.get(url, allow_redirects=False, timeout=5)
        print(f"federation stand-in answered {r.status_code} -> {r.headers.get('Location')}")
        step("done: the stand-ins stop now")
    finally:
        idp.stop()
        aws.stop()


if __name__ == "__main__":
    main()
