use super::*;

const GOOD: &str = r#"
[providers.auth0]
issuer = "https://dev-abc.us.auth0.com/"
client_id = "XXXX"
scopes = ["openid", "offline_access", "email"]
params = { audience = "https://dev-abc.us.auth0.com/api/v2/" }

[profiles.dev]
provider = "auth0"
role_arn = "arn:aws:iam::123456789012:role/dev"
region = "ap-northeast-1"
duration_seconds = 3600
session_name_claim = "email"
sts_endpoint = "http://127.0.0.1:5000"
"#;

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, Path::new("/x/config.toml"))
}

fn error_of(text: &str) -> String {
    parse(text).expect_err("config should be refused").to_string()
}

#[test]
fn the_documented_example_loads_with_defaults_filled_in() {
    let c = parse(GOOD).unwrap();
    let p = &c.providers["auth0"];
    assert_eq!(p.issuer, "https://dev-abc.us.auth0.com/");
    assert_eq!(p.params["audience"], "https://dev-abc.us.auth0.com/api/v2/");
    let dev = &c.profiles["dev"];
    assert_eq!(dev.region, "ap-northeast-1");
    assert_eq!(dev.session_name_claim.as_deref(), Some("email"));

    let minimal = parse(
        "[providers.p]\nissuer='https://idp.example.com'\nclient_id='c'\n\
         [profiles.x]\nprovider='p'\nrole_arn='arn:aws:iam::123456789012:role/x'\n",
    )
    .unwrap();
    assert_eq!(minimal.providers["p"].scopes, ["openid", "offline_access"]);
    assert_eq!(minimal.profiles["x"].region, "us-east-1");
    assert_eq!(minimal.profiles["x"].duration_seconds, 3600);
}

#[test]
fn unknown_keys_are_refused_with_file_and_line() {
    let e = error_of(&GOOD.replace("region = ", "regoin = "));
    assert!(e.starts_with("/x/config.toml: unknown field `regoin`"), "{e}");
    assert!(e.contains("(line 11)"), "{e}");
}

#[test]
fn a_missing_provider_names_the_key_and_the_known_ones() {
    let e = error_of(&GOOD.replace("provider = \"auth0\"", "provider = \"okta\""));
    assert_eq!(
        e,
        "/x/config.toml: profiles.dev.provider: the name of a [providers.NAME] section; 'okta' is not one (known: auth0)"
    );
}

#[test]
fn bad_role_arns_are_refused() {
    for arn in [
        "arn:aws:iam::12345:role/dev",
        "arn:aws:s3:::bucket",
        "role/dev",
        "arn:aws:iam::123456789012:user/x",
        "arn:aws:iam::123456789012:role/",
    ] {
        let e = error_of(&GOOD.replace("arn:aws:iam::123456789012:role/dev", arn));
        assert!(e.contains("profiles.dev.role_arn: an IAM role ARN"), "{arn}: {e}");
    }
    assert!(check_role_arn("arn:aws-cn:iam::123456789012:role/path/to/dev").is_ok());
}

#[test]
fn durations_outside_what_sts_accepts_are_refused() {
    for d in ["899", "43201", "0"] {
        let e = error_of(&GOOD.replace("duration_seconds = 3600", &format!("duration_seconds = {d}")));
        assert!(e.contains("profiles.dev.duration_seconds: a number of seconds from 900 to 43200"), "{e}");
    }
    assert!(parse(&GOOD.replace("3600", "43200")).is_ok());
}

#[test]
fn plain_http_issuers_are_only_for_loopback() {
    let e = error_of(&GOOD.replace("https://dev-abc.us.auth0.com/\"", "http://idp.example.com/\""));
    assert!(e.contains("providers.auth0.issuer: an https:// URL (plain http:// is allowed only for"), "{e}");
    for ok in ["http://127.0.0.1:8080/", "http://localhost:9/", "http://[::1]:1/"] {
        assert!(check_issuer(ok).is_ok(), "{ok}");
    }
    assert!(check_issuer("not a url").is_err());
}

#[test]
fn names_that_could_escape_the_state_directory_are_refused() {
    let e = error_of(&GOOD.replace("[profiles.dev]", "[profiles.\"../evil\"]"));
    assert!(e.contains("profiles.../evil: a name of letters"), "{e}");
    assert!(!is_valid_name(".hidden"));
    assert!(is_valid_name("prod-admin_2.eu"));
}

#[test]
fn an_absent_file_says_where_it_was_looked_for() {
    let e = Config::load(Path::new("/nonexistent/idbridge/config.toml")).unwrap_err();
    assert!(matches!(e, ConfigError::Missing { .. }));
    assert!(e.to_string().contains("/nonexistent/idbridge/config.toml"));
}

#[test]
fn scopes_without_openid_are_refused() {
    let e = error_of(&GOOD.replace("[\"openid\", \"offline_access\", \"email\"]", "[\"email\"]"));
    assert!(e.contains("providers.auth0.scopes: a list that contains \"openid\""), "{e}");
}

#[test]
fn the_refresh_lead_is_checked_against_every_session_and_its_default_scales() {
    let short = GOOD.replace("duration_seconds = 3600", "duration_seconds = 900");
    let config = Config::parse(&short, Path::new("c.toml")).unwrap();
    assert_eq!(config.app.refresh_lead(900), time::Duration::seconds(300), "default: a third of a short session");
    assert_eq!(config.app.refresh_lead(3600), time::Duration::minutes(20));
    let e = error_of(&format!("{short}\n[app]\nrefresh_before_expiry_seconds = 1200\n"));
    assert!(
        e.contains("app.refresh_before_expiry_seconds: at most half of every profile's session; profile 'dev' has duration_seconds = 900, so at most 450 (got 1200)"),
        "{e}"
    );
    let e = error_of(&format!("{GOOD}\n[app]\nrefresh_before_expiry_seconds = 5\n"));
    assert!(e.contains("at least 60 seconds (got 5)"), "{e}");
    let ok =
        Config::parse(&format!("{short}\n[app]\nrefresh_before_expiry_seconds = 450\n"), Path::new("c.toml")).unwrap();
    assert_eq!(ok.app.refresh_lead(900), time::Duration::seconds(450));
}

#[test]
fn an_exact_redirect_uri_is_loopback_with_a_fixed_port() {
    let with =
        |uri: &str| GOOD.replace("client_id = \"XXXX\"", &format!("client_id = \"XXXX\"\nredirect_uri = \"{uri}\""));
    let c = parse(&with("http://127.0.0.1:8765/callback")).unwrap();
    assert_eq!(c.providers["auth0"].redirect_uri.as_deref(), Some("http://127.0.0.1:8765/callback"));
    for ok in ["http://localhost:8765/callback", "http://[::1]:1/cb"] {
        assert!(parse(&with(ok)).is_ok(), "{ok}");
    }
    for bad in [
        "https://127.0.0.1:8765/callback",
        "http://127.0.0.1/callback",
        "http://127.0.0.1:0/callback",
        "http://127.0.0.2:8765/callback",
        "http://example.com:8765/callback",
        "http://127.0.0.1:8765/callback?x=1",
        "http://u:p@127.0.0.1:8765/callback",
    ] {
        let e = error_of(&with(bad));
        assert!(
            e.contains("providers.auth0.redirect_uri: a loopback address with a fixed port and path"),
            "{bad}: {e}"
        );
    }
}

/// The README's provider sections, each with a profile of its own, load as they are written.
#[test]
fn the_readme_provider_examples_load() {
    let readme = include_str!("../../../../README.md");
    let blocks: Vec<&str> = readme
        .split("<!-- readme-provider-example -->\n```toml\n")
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap_or_default())
        .collect();
    assert_eq!(blocks.len(), 5, "Entra ID, Okta (org and custom), Keycloak, Google");
    for block in blocks {
        let name = block.lines().find_map(|l| l.strip_prefix("[providers.")).unwrap().trim_end_matches(']');
        let profile =
            format!("\n[profiles.p]\nprovider = \"{name}\"\nrole_arn = \"arn:aws:iam::123456789012:role/dev\"\n");
        let c = parse(&format!("{block}{profile}")).unwrap_or_else(|e| panic!("{block}: {e}"));
        assert!(c.providers[name].scopes.iter().any(|s| s == "openid"));
    }
}

#[test]
fn the_web_identity_token_is_the_id_token_unless_the_access_token_is_chosen() {
    let with =
        |v: &str| GOOD.replace("client_id = \"XXXX\"", &format!("client_id = \"XXXX\"\nweb_identity_token = \"{v}\""));
    let p = &parse(GOOD).unwrap().providers["auth0"];
    assert!(!p.sends_access_token());
    assert_eq!(p.web_identity_token, "id_token");
    let p = &parse(&with("access_token")).unwrap().providers["auth0"];
    assert!(p.sends_access_token());
    // the API audience asked for is the one the access token must carry
    assert_eq!(p.access_token_audience(), "https://dev-abc.us.auth0.com/api/v2/");
    let e = error_of(&with("refresh_token"));
    assert!(e.contains("providers.auth0.web_identity_token: \"id_token\" (the default) or \"access_token\""), "{e}");
    let mut no_audience = p.clone();
    no_audience.params.clear();
    assert_eq!(no_audience.access_token_audience(), "XXXX");
}
