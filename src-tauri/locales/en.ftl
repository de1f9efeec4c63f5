# idbridge tray app and windows, English. One file per language, read by the app (menu, notifications,
# errors) and handed to the web views (Settings, Sign in), so every string lives here once.

## Tray menu
menu-set-up = Set up idbridge…
menu-fix-settings = Fix the settings…
menu-sign-in = Sign in to { $provider }…
menu-signing-in = Signing in to { $provider }… (show window)
menu-retry = Retry now
menu-trouble = { $profile }: { $reason }
menu-provider-signed-in = { $provider } · signed in as { $who }
menu-provider-signed-in-anon = { $provider } · signed in
menu-provider-signed-out = { $provider } · signed out
menu-provider-sign-in-needed = { $provider } · sign-in needed
menu-provider-keychain = { $provider } · keychain unavailable
profile-ready = { $profile } · ready until { $time }
profile-on-use = { $profile } · ready (renewed on next use)
profile-renewing = { $profile } · renewing…
profile-signed-out = { $profile } · signed out
profile-sign-in-needed = { $profile } · sign-in needed
profile-failing = { $profile } · not renewed · valid until { $time }
profile-failing-expired = { $profile } · not renewed
profile-keychain = { $profile } · keychain unavailable
detail-renews = Renews automatically · valid until { $time }
detail-retrying = Retrying automatically · valid until { $time }
detail-valid-until = Valid until { $time }
detail-role = Role { $role } · { $region }
open-console = Open Console
refresh-now = Refresh now
copy-profile = Copy profile name
sign-out = Sign out of { $provider }
settings = Settings…
quit = Quit idbridge
no-profiles = No AWS profiles yet

## Tooltip (where the panel shows one)
tooltip-ok = idbridge — { $profile } OK until { $time }
tooltip-ok-many = idbridge — { $count } profiles OK
tooltip-signed-out = idbridge — signed out
tooltip-set-up = idbridge — not set up yet
tooltip-attention = idbridge — { $reason }

## Notifications
note-signed-in = Signed in to { $provider }
note-signed-in-body = { $who } · { $count ->
    [one] 1 profile ready
   *[other] { $count } profiles ready
  }
note-profile-failed = { $profile }: { $reason }
note-sign-in-needed = Sign-in needed for { $provider }
note-sign-in-needed-body =
    { $reason }
    Sign in to continue.
note-not-renewed = { $profile }: credentials not renewed
note-not-renewed-body =
    { $reason }
    idbridge tries again automatically.
note-expiring = { $profile }: AWS credentials expire in { $minutes } min
note-expired = { $profile }: AWS credentials expired
note-console-failed = Could not open the AWS console
note-console-failed-why = { $profile }: The AWS console sign-in failed: { $why }
note-not-renewed-body-refused =
    { $reason }
    Trying again does not help until the role or its trust policy is fixed.
console-why-unreachable = the AWS sign-in service (the profile's federation endpoint) could not be reached. Check the network, or the federation endpoint in Settings.
console-why-refused = AWS refused the session (the credentials may have expired). Choose Refresh now, then open the console again.
console-why-no_token = AWS answered with no sign-in token. Check the federation endpoint in Settings.
console-why-browser = the browser named in the profile could not be started. Check its path in Settings.
console-why-no_browser = No web browser could be opened.
note-sign-out-failed = Could not sign out of { $provider }
note-more = …and { $count } more
action-sign-in = Sign in
action-retry = Retry now
action-open-console = Open Console
action-settings = Open Settings

## Errors: one short sentence a person can act on, per error code
err-config = The settings file has a problem.
err-access_denied = The sign-in was declined in the browser.
err-expired_token = The sign-in code expired before it was approved.
err-id_token_rejected = The identity provider sent a token that could not be trusted.
err-issuer_mismatch = The issuer in the settings differs from the one the identity provider gives: enter it exactly as the IdP writes it (often: add the trailing “/”).
err-idp_unreachable = The identity provider could not be reached.
err-idp_error = The identity provider refused the request.
err-sts_unreachable = AWS could not be reached.
err-sts_refused = AWS refused this role: check the role ARN and the role's trust policy.
err-keychain_unavailable = The keychain is not available. Unlock it or start it, then retry.
err-keychain_locked = The keychain is locked. Unlock it, then retry.
err-keychain_error = The keychain refused the request.
err-unsafe_file = A file in idbridge's folder is not safe to use (a link, or open to other users). See Details.
err-file_error = A file in idbridge's folder could not be read or written.
err-console_error = The AWS console sign-in failed.
err-lock_timeout = Another idbridge process is busy with this profile.
err-sign_in_needed = Your sign-in has ended.
err-timeout = This took too long.
err-browser = No web browser could be opened.
err-autostart = The start-at-login entry could not be changed.
err-window = The window could not be opened.
err-internal = Something went wrong inside idbridge. See Details.
err-unknown = Something went wrong.
details = Details
copy-details = Copy details
copied = Copied.

## Settings form fields: what a valid value looks like
field-name = Use letters, digits, “-”, “_” or “.” (at most 64).
field-issuer = Enter an https:// address (http:// only for localhost).
field-redirect_uri = Enter a loopback address with a fixed port, such as http://127.0.0.1:8765/callback.
field-web_identity_token = Choose id_token (the default) or access_token.
field-client_id = Enter the client ID from your identity provider.
field-scopes = Scopes are words separated by spaces.
field-role_arn = Enter a role ARN such as arn:aws:iam::123456789012:role/dev.
field-region = Enter an AWS region such as us-east-1.
field-duration_seconds = Choose between 15 and 720 minutes.
field-session_name_claim = Enter a claim name such as email.
field-console_destination = Enter an https:// console address.
field-notify_before_expiry_minutes = Choose between 1 and 120 minutes.
field-provider = Choose a provider.
field-language = Choose a language.
field-section = Unknown section.
exists-profiles = A profile named { $name } exists: edit it, or choose another name.
exists-providers = A provider named { $name } exists: edit it, or choose another name.
renaming_provider = Rename identity provider { $from } to { $name }
renaming_profile = Rename AWS profile { $from } to { $name }

## Settings window
title_settings = idbridge — Settings
title_signin = idbridge — Sign in
settings_title = idbridge settings
config_changed = config.toml changed outside Settings. Your unsaved edits are still here.
config_reload = Reload
config_keep = Keep mine
config-unknown-key = “{ $key }” is not a setting idbridge knows: remove it, or correct its spelling.
config-bad-value = “{ $key }” has a value idbridge cannot use. { $expected }
config-syntax = This line is not valid TOML (a missing quote, bracket or “=”?).
err-editor = No editor could be opened for config.toml.
config_broken_title = config.toml needs a fix
config_broken_hint = Nothing else is lost: fix this one place, save the file, then choose Check again.
config_line = Line { $line }
open_config = Open config.toml
check_again = Check again
setup_title = Welcome to idbridge
setup_intro = Four steps: add your identity provider, add an AWS profile, sign in, then let the AWS CLI use it.
setup_step_provider = 1. Identity provider
setup_step_profile = 2. AWS profile
setup_step_signin = 3. Sign in
setup_signin_hint = Your browser opens to sign in; credentials then renew automatically.
setup_step_aws = 4. Use with the AWS CLI
setup_aws_hint = Adds your profiles to the AWS CLI's config (~/.aws/config), as idbridge configure-aws does; your own entries stay as they are.
setup_aws_kept = Your own profile of this name in the AWS CLI's config was left as it is: run idbridge configure-aws --force to let idbridge manage it.
setup_done = Done. Try it in a terminal:
sign_in_now = Sign in now
providers = Identity providers
profiles = AWS profiles
general = General
name = Name
issuer = Issuer URL
client_id = Client ID
scopes = Scopes
scopes_help = Space-separated. openid and offline_access are needed to stay signed in.
provider = Provider
role_arn = Role ARN
region = Region
duration = Session length (minutes)
duration_help = How long each set of AWS credentials lasts, 15 to 720 minutes (the role may allow less).
session_claim = Session name claim
session_claim_help = The sign-in detail that names your AWS session, e.g. email.
destination = Console page
destination_help = The console address Open Console goes to (optional).
advanced = Advanced
editing_provider = Identity provider: { $name }
editing_profile = AWS profile: { $name }
new_entry = new
save_provider = Save provider
save_profile = Save profile
save_general = Save general settings
new_provider = New provider
new_profile = New profile
delete = Delete
confirm_delete = Delete { $name }?
really_delete = Yes, delete
deleted = Deleted { $name }.
test = Test
testing = Contacting the identity provider…
test_ok = Found the identity provider; device sign-in is available.
saved = Saved.
saved_named = Saved { $name }.
notify_lead = Warn before expiry (minutes)
language = Language
lang_auto = Follow the system
autostart = Start idbridge when I log in
config_file = Settings file
none_yet = None yet.
edit = Edit
close = Close
cancel = Cancel

## Sign-in window
signin_title = Sign in to { $provider }
signin_compare = Check that your browser shows this code, then approve there:
signin_waiting = Waiting for approval…
signin_starting = Contacting the identity provider…
signin_expires = The code expires in { $time }
signin_open_again = Open browser again
copy_code = Copy code
signin_address = Or go to
signin_failed = Sign-in failed
signin_continue_in_browser = Continue in your browser. This window closes once you are signed in.
signin_browser_waiting = Waiting for you to sign in…
signin_browser_expires = The sign-in ends in { $time }
signin_stray = Refused requests that were not this sign-in’s answer: { $count }. Still waiting for yours.
retry = Retry

## Settings: Check setup (the doctor; its own sentences stay English and show as Details)
check_setup = Check setup
check_setup_hint = Checks the config, the identity provider, the clock, the keychain and the AWS CLI setup.
check_setup_running = Checking…
check_setup_all_ok = Everything is set up.
check_setup_problems = Problems found: { $count }
check_setup_failed = The check could not run.
doctor_ok = OK
doctor_problem = Problem: see Details for what to do.
doctor_fix = Fix:
doctor-aws_config = AWS CLI profile
doctor-sts = AWS STS
doctor-msg-not_signed_in = Not signed in to { $provider }.
doctor-fix-not_signed_in = Sign in to { $provider }.
doctor-msg-no_credentials = { $profile } has no valid credentials and no sign-in to renew them.
doctor-fix-no_credentials = Sign in.
doctor-msg-aws_config_missing = { $file } does not exist: the AWS CLI does not know the profile { $profile }.
doctor-fix-aws_config_missing = Choose “Use with the AWS CLI” to write the profile (as `idbridge configure-aws` does).
doctor-msg-aws_config_no_profile = { $file } has no profile { $profile } from idbridge.
doctor-fix-aws_config_no_profile = Choose “Use with the AWS CLI” to add it.
doctor-msg-aws_config_other_program = In { $file }, the profile { $profile } runs another idbridge program.
doctor-fix-aws_config_other_program = Choose “Use with the AWS CLI” to point it at this one.
doctor-msg-sts_unreachable = AWS STS ({ $endpoint }) could not be reached.
doctor-fix-sts_unreachable = Check the network or proxy, and the profile's STS endpoint.
doctor-msg-idp_unreachable = The identity provider ({ $url }) could not be reached.
doctor-fix-idp_unreachable = Check the network, and the provider's issuer.
doctor_use_with_aws_cli = Use with the AWS CLI
doctor_sign_in = Sign in
doctor-clock_idp = Clock (identity provider)
doctor-clock_sts = Clock (AWS STS)
doctor-config = Configuration file
doctor-credentials = Credentials
doctor-discovery = Identity provider discovery
doctor-endpoint = Identity provider endpoint
doctor-environment = Environment variables
doctor-keychain = Keychain
doctor-partition = AWS partition
doctor-signed_in = Sign-in
doctor-state_dir = State folder
doctor-static_keys = Static access keys

## Settings: Import team config (the core's import; entries named as in config.toml)
err-import = The team config could not be imported.
import_title = Import team config
import_hint = A file or https:// address your team shares: its providers and profiles are merged into your settings; your own edits stay.
import_source = File or https:// address
import_preview = Preview
import_apply = Import
import_overwrite = Replace my edits with the team's
import_add = add
import_update = update
import_keep_local_edit = keep your edit
import_unchanged = unchanged
import_nothing = Nothing to change.
import_done = Imported.
import_default = the default
import_sensitive_title = These changes send your sign-in or AWS keys somewhere new:
import_sensitive_allow = I trust these places with my secrets (you sign in again afterwards before anything is sent there)
import_effect_token_endpoint = Refresh tokens (your stored sign-in) will be sent to {$new}.
import_effect_device_authorization_endpoint = Sign-ins will start at {$new}, which names the page where you approve.
import_effect_revocation_endpoint = Refresh tokens will be sent to {$new} when you sign out.
import_effect_sts_endpoint = Your ID token (your sign-in) will be sent to {$new}.
import_effect_federation_endpoint = AWS session keys will be sent to {$new} to open the console.
import_effect_console_container = The AWS console will open in the Firefox container {$new}.
import_effect_shared_credentials_file = AWS keys will also be kept in ~/.aws/credentials, a second file that holds them.
