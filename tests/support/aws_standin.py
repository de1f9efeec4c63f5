"""AWS stand-in for idbridge's end-to-end tests: moto (a real STS/IAM implementation) behind a front that
checks what moto does not, plus a stand-in for the console federation endpoint.

moto's AssumeRoleWithWebIdentity checks nothing (token, role, duration, session name). The front does what
AWS does before moto answers: the token's signature against the issuer's JWKS, `iss` equal to the IAM OIDC
provider URL, `aud` among its client ids, `exp`, the role's trust policy (aud/sub), DurationSeconds and
RoleSessionName, and answers AWS-style XML errors. Every other STS call (GetCallerIdentity signed with the
issued credentials) goes to moto unchanged; moto checks its SigV4 signature, which proves the credentials
are the ones it issued.

Prints {"port": N} on stdout, binds 127.0.0.1 only, exits when stdin closes. Config is a JSON file named
by argv[1]: {"issuer", "client_ids", "roles": {arn: {"sub": optional, "max_duration": optional}},
"date_offset": optional seconds to put the Date header off by (a server with a wrong clock)}.
Test endpoints: GET /_test/log, POST /_test/fail?code=C&count=N (the next N assumes fail with code C),
POST /_test/hang?count=N (the next N assumes never answer), POST /_test/delay?seconds=S&count=N (the next
N assumes answer normally after S seconds).
"""
import json
import os
import re
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.etree import ElementTree

import jwt
from moto import settings
from moto.server import ThreadedMotoServer

ACCOUNT = "123456789012"
SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,64}$")
STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"

config = json.load(open(sys.argv[1]))
log = []
log_lock = threading.Lock()
failures = []  # codes the next assumes answer with ("hang" = never answer)
signin_tokens = {}  # SigninToken -> (arn, issued at)


def record(entry):
    with log_lock:
        log.append({"t": time.time(), **entry})


def start_moto():
    settings.INITIAL_NO_AUTH_ACTION_COUNT = float("inf")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    import boto3

    kw = dict(endpoint_url=f"http://{host}:{port}", region_name="us-east-1",
              aws_access_key_id="setup", aws_secret_access_key="setup")
    iam = boto3.client("iam", **kw)
    iam.create_user(UserName="standin-admin")
    allow_all = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    iam.put_user_policy(UserName="standin-admin", PolicyName="all", PolicyDocument=allow_all)
    key = iam.create_access_key(UserName="standin-admin")["AccessKey"]
    for arn in config["roles"]:
        name = arn.split("/")[-1]
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=allow_all, MaxSessionDuration=43200)
        iam.put_role_policy(RoleName=name, PolicyName="all", PolicyDocument=allow_all)
    # from here on moto checks the SigV4 signature of every call
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
    return f"http://{host}:{port}", (key["AccessKeyId"], key["SecretAccessKey"])


MOTO_URL, ADMIN_KEY = start_moto()
DISCOVERY = config["issuer"].rstrip("/") + "/.well-known/openid-configuration"
jwks = jwt.PyJWKClient(json.load(urllib.request.urlopen(DISCOVERY))["jwks_uri"])


def aws_error(code, message, status=400):
    body = (f'<ErrorResponse xmlns="{STS_NS}"><Error><Type>Sender</Type><Code>{code}</Code>'
            f"<Message>{message}</Message></Error><RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>")
    return status, {"Content-Type": "text/xml"}, body.encode()


def check_assume(params):
    """Returns an AWS error tuple, or None when AWS would accept the call."""
    role = params.get("RoleArn", "")
    token = params.get("WebIdentityToken", "")
    session = params.get("RoleSessionName", "")
    duration = int(params.get("DurationSeconds", "3600"))
    if not SESSION_NAME.match(session):
        return aws_error("ValidationError", f"1 validation error detected: Value '{session}' at 'roleSessionName' "
                                            "failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*")
    if not 4 <= len(token) <= 20000:
        return aws_error("ValidationError", "webIdentityToken length must be 4..20000")
    if role not in config["roles"]:
        return aws_error("AccessDenied", f"Not authorized to perform sts:AssumeRoleWithWebIdentity on {role}", 403)
    max_duration = config["roles"][role].get("max_duration", 43200)
    if not 900 <= duration <= max_duration:
        return aws_error("ValidationError", f"The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return aws_error("InvalidIdentityToken", "Couldn't parse the web identity token")
    if unverified.get("iss") != config["issuer"]:
        return aws_error("InvalidIdentityToken", f"No OpenIDConnect provider found in your account for {unverified.get('iss')}")
    try:
        key = jwks.get_signing_key_from_jwt(token)
        claims = jwt.decode(token, key.key, algorithms=["RS256", "ES256"], audience=config["client_ids"],
                            issuer=config["issuer"], leeway=0)
    except jwt.ExpiredSignatureError:
        return aws_error("ExpiredTokenException", "Token expired: current date/time must be before the expiration date/time")
    except jwt.InvalidAudienceError:
        return aws_error("InvalidIdentityToken", "Incorrect token audience")
    except jwt.PyJWTError as e:
        return aws_error("InvalidIdentityToken", f"The web identity token could not be validated: {type(e).__name__}")
    want_sub = config["roles"][role].get("sub")
    if want_sub and claims.get("sub") != want_sub:
        return aws_error("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", 403)
    return None


def forward_to_moto(method, path, headers, body, sign):
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    # the Host header stays as the client signed it (SigV4 covers it), unless we sign anew
    headers = {k: v for k, v in headers.items() if k.lower() not in ("content-length", "connection")}
    if sign:
        req = AWSRequest(method=method, url=MOTO_URL + path, data=body, headers=headers)
        SigV4Auth(Credentials(*ADMIN_KEY), "sts", "us-east-1").add_auth(req)
        headers = dict(req.headers.items())
    req = urllib.request.Request(MOTO_URL + path, data=body or None, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


class Front(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def date_time_string(self, timestamp=None):
        return super().date_time_string((timestamp or time.time()) + config.get("date_offset", 0))

    def reply(self, status, headers, body):
        self.send_response(status)
        for k, v in headers.items():
            if k.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        if url.path == "/_test/log":
            with log_lock:
                return self.reply(200, {"Content-Type": "application/json"}, json.dumps(log).encode())
        if url.path == "/federation":
            return self.reply(*federation(dict(urllib.parse.parse_qsl(url.query))))
        if url.path == "/oauth":
            return self.reply(*logout(dict(urllib.parse.parse_qsl(url.query)), self.headers.get("Host", "")))
        return self.handle_sts("GET", b"")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        url = urllib.parse.urlparse(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        if url.path in ("/_test/fail", "/_test/hang", "/_test/delay"):
            code = {"/_test/hang": "hang", "/_test/delay": f"delay:{q.get('seconds', '1')}"}.get(url.path) or q["code"]
            failures.extend([code] * int(q.get("count", "1")))
            return self.reply(200, {}, b"ok")
        return self.handle_sts("POST", body)

    def handle_sts(self, method, body):
        params = dict(urllib.parse.parse_qsl(body.decode() if body else urllib.parse.urlparse(self.path).query))
        action = params.get("Action")
        if action == "AssumeRole":
            return self.assume_role(method, body, params)
        if action != "AssumeRoleWithWebIdentity":
            status, headers, out = forward_to_moto(method, self.path, dict(self.headers), body, sign=False)
            record({"action": action, "status": status})
            return self.reply(status, headers, out)
        entry = {"action": action, "role": params.get("RoleArn"), "session": params.get("RoleSessionName"),
                 "duration": params.get("DurationSeconds"), "token": params.get("WebIdentityToken")}
        failure = failures.pop(0) if failures else None
        if failure == "hang":
            record({**entry, "status": "hang"})
            time.sleep(30)
            return
        if failure and failure.startswith("delay:"):
            record({**entry, "status": "delayed"})
            time.sleep(float(failure.split(":")[1]))
            failure = None
        error = aws_error(failure, "injected by the test", 400) if failure else check_assume(params)
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.finish(entry, error, lambda: forward_to_moto(method, "/", form, body, sign=True))

    def finish(self, entry, error, forward):
        """Records and sends the AWS error, or forwards to moto and records the credentials it issued."""
        if error:
            record({**entry, "status": error[0], "code": re.search(rb"<Code>(.*?)</Code>", error[2]).group(1).decode()})
            return self.reply(*error)
        status, headers, out = forward()
        issued = {}
        if status == 200:
            tree = ElementTree.fromstring(out)
            for tag in ("AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration", "Arn"):
                el = tree.find(f".//{{{STS_NS}}}{tag}")
                issued[tag] = el.text if el is not None else None
        record({**entry, "status": status, "issued": issued})
        return self.reply(status, headers, out)

    def assume_role(self, method, body, params):
        """Role chaining: what AWS checks and moto does not (the one-hour cap of chained sessions, the
        session name, the role's ExternalId), then moto, which checks the caller's SigV4 signature."""
        role = params.get("RoleArn", "")
        entry = {"action": "AssumeRole", "role": role, "session": params.get("RoleSessionName"),
                 "duration": params.get("DurationSeconds"), "external_id": params.get("ExternalId")}
        want_external = config["roles"].get(role, {}).get("external_id")
        error = None
        if not SESSION_NAME.match(params.get("RoleSessionName", "")):
            error = aws_error("ValidationError", "roleSessionName failed to satisfy constraint")
        elif int(params.get("DurationSeconds", "3600")) > 3600:
            error = aws_error("ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
        elif role not in config["roles"]:
            error = aws_error("AccessDenied", f"Not authorized to perform sts:AssumeRole on {role}", 403)
        elif want_external and params.get("ExternalId") != want_external:
            error = aws_error("AccessDenied", f"Not authorized to perform sts:AssumeRole on {role}", 403)
        # unchanged: moto checks the signature the caller made with the source profile's credentials
        return self.finish(entry, error, lambda: forward_to_moto(method, self.path, dict(self.headers), body, sign=False))


def federation(q):
    """getSigninToken checks the session JSON (the credentials must work at moto); login checks the token."""
    if q.get("Action") == "getSigninToken":
        try:
            session = json.loads(q["Session"])
            creds = (session["sessionId"], session["sessionKey"], session["sessionToken"])
        except (KeyError, ValueError, TypeError):
            record({"action": "getSigninToken", "status": 400})
            return 400, {}, b"bad Session parameter"
        if "SessionDuration" in q and not 900 <= int(q["SessionDuration"]) <= 43200:
            return 400, {}, b"bad SessionDuration"
        arn = caller_arn(*creds)
        if arn is None:
            record({"action": "getSigninToken", "status": 400})
            return 400, {}, b"invalid session credentials"
        token = uuid.uuid4().hex + uuid.uuid4().hex
        signin_tokens[token] = (arn, time.time())
        record({"action": "getSigninToken", "status": 200, "arn": arn, "signin_token": token,
                "session_duration": q.get("SessionDuration")})
        return 200, {"Content-Type": "application/json"}, json.dumps({"SigninToken": token}).encode()
    if q.get("Action") == "login":
        arn, issued = signin_tokens.get(q.get("SigninToken", ""), (None, 0))
        ok = arn is not None and time.time() - issued < 900 and q.get("Issuer") and q.get("Destination", "").startswith("https://")
        record({"action": "login", "status": 302 if ok else 400, "arn": arn, "destination": q.get("Destination"),
                "issuer": q.get("Issuer")})
        return (302, {"Location": q["Destination"]}, b"") if ok else (400, {}, b"invalid sign-in request")
    return 400, {}, b"unknown Action"


def logout(q, host):
    """Ends the console session, then follows redirect_uri only to a sign-in host (here: this server),
    as AWS does only for its regional sign-in hosts."""
    target = q.get("redirect_uri", "")
    ok = q.get("Action") == "logout" and urllib.parse.urlparse(target).netloc == host
    record({"action": "logout", "status": 302, "redirected": ok})
    return 302, {"Location": target if ok else "https://aws.amazon.com/"}, b""


def caller_arn(key_id, secret, session_token):
    import boto3
    sts = boto3.client("sts", endpoint_url=MOTO_URL, region_name="us-east-1", aws_access_key_id=key_id,
                       aws_secret_access_key=secret, aws_session_token=session_token)
    try:
        return sts.get_caller_identity()["Arn"]
    except Exception:
        return None


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Front)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(json.dumps({"port": server.server_address[1]}), flush=True)
    sys.stdin.read()  # returns when the test closes our stdin or dies
    os._exit(0)


if __name__ == "__main__":
    main()
