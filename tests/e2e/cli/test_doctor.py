"""`idbridge doctor` and `idbridge aws-setup`: every check fails when its cause is there and passes when it
is gone, against the real IdP, the STS front and the real files."""
import json
import os
import shutil

from conftest import BIN, ROLE_DEV


def aws_files(world):
    config, creds = world.tmp / "aws-config", world.tmp / "aws-credentials"
    return {"AWS_CONFIG_FILE": str(config), "AWS_SHARED_CREDENTIALS_FILE": str(creds)}


def doctor(world, *args, **env):
    r = world.run("doctor", "--json", *args, **{**aws_files(world), **env})
    checks = json.loads(r.out)["checks"]
    return r, checks


def status_of(checks, check_id, subject=None):
    found = [c for c in checks if c["id"] == check_id and (subject is None or c["subject"] == subject)]
    assert found, (check_id, checks)
    return found[0]["status"], found[0]


def healthy(world):
    """Signed in and configure-aws done: nothing wrong."""
    r = world.run("configure-aws", **aws_files(world))
    assert r.code == 0, r.err


def test_a_healthy_setup_is_all_ok_and_exits_0(signed_in):
    healthy(signed_in)
    r, checks = doctor(signed_in)
    assert r.code == 0, checks
    assert all(c["status"] == "ok" for c in checks), checks
    ids = {c["id"] for c in checks}
    assert ids >= {"config", "discovery", "endpoint", "clock_idp", "clock_sts", "keychain", "signed_in", "state_dir",
                   "partition", "aws_config", "static_keys", "credentials", "environment"}, ids
    text = signed_in.run("doctor", **aws_files(signed_in))
    assert text.code == 0
    assert all(line.startswith("ok ") for line in text.out.splitlines()), text.out
    assert "alice@example.com" in text.out


def test_a_broken_config_is_one_problem_with_the_file_and_key(world):
    cfg = world.home / "config.toml"
    cfg.write_text(cfg.read_text().replace("session_name_claim", "sesion_name_claim"))
    r, checks = doctor(world)
    assert r.code == 1
    st, c = status_of(checks, "config")
    assert st == "problem" and "sesion_name_claim" in c["message"] and str(cfg) in c["message"]
    text = world.run("doctor", **aws_files(world))
    assert text.code == 1 and "PROBLEM  config:" in text.out and " -> " in text.out
    assert "1 problem found." in text.err or "problems found." in text.err


def test_issuer_trailing_slash_trap_names_the_exact_string(signed_in):
    w = signed_in
    healthy(w)
    w.write_config(issuer=w.issuer.rstrip("/"))
    r, checks = doctor(w)
    assert r.code == 1
    st, c = status_of(checks, "discovery")
    assert st == "problem" and "only the trailing '/' differs" in c["message"], c
    assert f'issuer = "{w.issuer}"' in c["fix"] and f"--url {w.issuer}" in c["fix"], c
    w.write_config()
    assert status_of(doctor(w)[1], "discovery")[0] == "ok"


def test_an_unreachable_idp_is_a_problem(world):
    world.write_config(issuer="http://127.0.0.1:9/")
    r, checks = doctor(world)
    assert r.code == 1
    st, c = status_of(checks, "discovery")
    assert st == "problem" and "connection failed" in c["message"], c


def test_a_missing_device_endpoint_is_a_problem(make_world):
    w = make_world(IDP_HIDE="device_authorization_endpoint")
    st, c = status_of(doctor(w)[1], "endpoint")
    assert st == "problem" and "device_authorization_endpoint" in c["message"] and "Device Code" in c["fix"], c


def test_clock_skew_against_the_idp_and_sts(make_world):
    w = make_world(IDP_DATE_OFFSET="300", aws_extra={"date_offset": -120})
    _, checks = doctor(w)
    st, c = status_of(checks, "clock_idp")
    assert st == "problem" and ("300 s behind the IdP" in c["message"] or "299 s behind the IdP" in c["message"]), c
    st, c = status_of(checks, "clock_sts")
    assert st == "problem" and "ahead of AWS STS" in c["message"] and "timedatectl" in c["fix"], c


def test_clock_skew_under_a_minute_is_ok(make_world):
    w = make_world(IDP_DATE_OFFSET="30", aws_extra={"date_offset": -30})
    _, checks = doctor(w)
    assert status_of(checks, "clock_idp")[0] == "ok" and status_of(checks, "clock_sts")[0] == "ok"


def test_keychain_unreachable_and_not_signed_in(world):
    r, checks = doctor(world, DBUS_SESSION_BUS_ADDRESS="unix:path=/nonexistent/bus")
    st, c = status_of(checks, "keychain")
    assert r.code == 1 and st == "problem" and "Secret Service" in c["message"], c
    _, checks = doctor(world)
    assert status_of(checks, "keychain")[0] == "ok"
    st, c = status_of(checks, "signed_in")
    assert st == "problem" and f"idbridge login --provider {world.provider}" in c["fix"]
    st, c = status_of(checks, "credentials")
    assert st == "problem" and "idbridge login --profile dev" in c["fix"]


def test_state_dir_modes_and_owner(signed_in):
    w = signed_in
    creds = w.home / "credentials"
    os.chmod(creds, 0o755)
    st, c = status_of(doctor(w)[1], "state_dir")
    assert st == "problem" and "mode 755" in c["message"] and f"chmod 700 {creds}" in c["fix"], c
    os.chmod(creds, 0o700)
    os.chmod(w.credential_file(), 0o644)
    st, c = status_of(doctor(w)[1], "state_dir")
    assert st == "problem" and "chmod 600" in c["fix"], c
    os.chmod(w.credential_file(), 0o600)
    assert status_of(doctor(w)[1], "state_dir")[0] == "ok"
    if os.geteuid() == 0:  # ownership can only be given away by root
        os.chown(w.credential_file(), 65534, 65534)
        st, c = status_of(doctor(w)[1], "state_dir")
        assert st == "problem" and "belongs to user id 65534" in c["message"] and "chown" in c["fix"], c
        os.chown(w.credential_file(), 0, 0)


def test_aws_config_block_and_binary_path(signed_in):
    w = signed_in
    st, c = status_of(doctor(w)[1], "aws_config")
    assert st == "problem" and "does not exist" in c["message"] and "configure-aws --profile dev" in c["fix"], c
    healthy(w)
    assert status_of(doctor(w)[1], "aws_config")[0] == "ok"
    cfg = w.tmp / "aws-config"
    old = cfg.read_text()
    moved = w.tmp / "old-bin" / "idbridge"
    moved.parent.mkdir()
    shutil.copy(os.path.realpath(BIN), moved)
    cfg.write_text(old.replace(os.path.realpath(BIN), str(moved)))
    st, c = status_of(doctor(w)[1], "aws_config")
    assert st == "problem" and "not this idbridge" in c["message"], c


def test_static_keys_and_environment_that_would_win(signed_in):
    w = signed_in
    healthy(w)
    creds = w.tmp / "aws-credentials"
    creds.write_text("[dev]\naws_access_key_id = AKIAOLD\naws_secret_access_key = x\n")
    st, c = status_of(doctor(w)[1], "static_keys")
    assert st == "problem" and "remove the [dev] section" in c["fix"], c
    creds.write_text("[other]\naws_access_key_id = AKIAOLD\naws_secret_access_key = x\n")
    assert status_of(doctor(w)[1], "static_keys")[0] == "ok"
    st, c = status_of(doctor(w, AWS_ACCESS_KEY_ID="AKIAENV")[1], "environment")
    assert st == "problem" and "unset AWS_ACCESS_KEY_ID" in c["fix"] and "AKIAENV" not in json.dumps(c), c
    st, c = status_of(doctor(w, AWS_PROFILE="somebody-else")[1], "environment")
    assert st == "problem" and "AWS_PROFILE=somebody-else" in c["message"], c
    assert status_of(doctor(w, AWS_PROFILE="dev")[1], "environment")[0] == "ok"


def test_partition_mismatch_and_corrupt_credentials(signed_in):
    w = signed_in
    cfg = w.home / "config.toml"
    good = cfg.read_text()
    cfg.write_text(good.replace("arn:aws:iam::", "arn:aws-cn:iam::"))
    st, c = status_of(doctor(w)[1], "partition")
    assert st == "problem" and "partition aws-cn" in c["message"] and "ap-northeast-1" in c["message"], c
    cfg.write_text(good)
    assert status_of(doctor(w)[1], "partition")[0] == "ok"
    _, c = status_of(doctor(w)[1], "credentials")
    assert "valid for" in c["message"], c
    w.credential_file().write_text("{not json")
    st, c = status_of(doctor(w)[1], "credentials")
    assert st == "problem" and "not credential_process JSON" in c["message"], c


def test_only_the_named_profile_is_checked(signed_in):
    w = signed_in
    w.write_config(profiles={"dev": ROLE_DEV, "prod": ROLE_DEV.replace("dev", "prod")})
    _, checks = doctor(w, "--profile", "prod")
    assert {c["subject"] for c in checks if c["subject"].startswith("profile ")} == {"profile prod"}
    r = w.run("doctor", "--profile", "nope", **aws_files(w))
    assert r.code == 1 and "no profile named 'nope'" in r.out


def test_aws_setup_prints_the_exact_issuer_and_the_persons_sub(world):
    r = world.run("aws-setup", "--profile", "dev", "--json")
    assert r.code == 0, r.err
    s = json.loads(r.out)
    assert s["create_provider_argv"] == ["aws", "iam", "create-open-id-connect-provider", "--url", world.issuer,
                                         "--client-id-list", world.idp.info["client_id"]]
    host = world.issuer.split("://", 1)[1]
    cond = s["trust_policy"]["Statement"][0]["Condition"]["StringEquals"]
    assert cond == {f"{host}:aud": world.idp.info["client_id"]} and s["subject"] is None
    assert s["trust_policy"]["Statement"][0]["Principal"]["Federated"] == f"arn:aws:iam::123456789012:oidc-provider/{host}"
    assert any("sign in first" in n for n in s["notes"])
    assert world.aws_log() == [], "aws-setup never calls AWS"
    assert world.login().code == 0
    s = json.loads(world.run("aws-setup", "--profile", "dev", "--json").out)
    assert s["subject"] == "alice"
    assert s["trust_policy"]["Statement"][0]["Condition"]["StringEquals"][f"{host}:sub"] == "alice"
    text = world.run("aws-setup", "--profile", "dev")
    assert text.code == 0 and f"--url {world.issuer} --client-id-list" in text.out
    assert '"sts:AssumeRoleWithWebIdentity"' in text.out and "create-role --role-name dev" in text.out
    bad = world.run("aws-setup", "--profile", "nope")
    assert bad.code != 0 and "no profile named 'nope'" in bad.err


def test_a_browser_flow_provider_needs_the_authorization_endpoint_not_the_device_one(make_world):
    w = make_world(IDP_HIDE="device_authorization_endpoint")
    w.write_config(extra_provider='flow = "browser"\n')
    st, c = status_of(doctor(w)[1], "endpoint")
    assert st == "ok" and "authorization_endpoint present" in c["message"], c
    assert w.login().code == 0, "the browser sign-in works without a device endpoint"
