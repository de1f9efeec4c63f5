# idbridge トレイアプリとウィンドウ (日本語)。en.ftl と同じキーを持つこと (テストで確認)。

## Tray menu
menu-set-up = idbridge を設定…
menu-fix-settings = 設定を直す…
menu-sign-in = { $provider } にサインイン…
menu-signing-in = { $provider } にサインイン中… (ウィンドウを表示)
menu-trouble = { $profile }: { $reason }
menu-retry = 今すぐ再試行
menu-provider-signed-in = { $provider } · { $who } でサインイン中
menu-provider-signed-in-anon = { $provider } · サインイン中
menu-provider-signed-out = { $provider } · サインアウト済み
menu-provider-sign-in-needed = { $provider } · サインインが必要
menu-provider-keychain = { $provider } · キーチェーンを使えません
profile-ready = { $profile } · { $time } まで有効
profile-on-use = { $profile } · 使用時に自動更新
profile-renewing = { $profile } · 更新中…
profile-signed-out = { $profile } · サインアウト済み
profile-sign-in-needed = { $profile } · サインインが必要
profile-failing = { $profile } · 更新できていません · { $time } まで有効
profile-failing-expired = { $profile } · 更新できていません
profile-keychain = { $profile } · キーチェーンを使えません
detail-renews = 自動で更新 · { $time } まで有効
detail-retrying = 自動で再試行中 · { $time } まで有効
detail-valid-until = { $time } まで有効
detail-role = ロール { $role } · { $region }
open-console = コンソールを開く
refresh-now = 今すぐ更新
copy-profile = プロファイル名をコピー
sign-out = { $provider } からサインアウト
settings = 設定…
quit = idbridge を終了
no-profiles = AWS プロファイルはまだありません

## Tooltip
tooltip-ok = idbridge — { $profile } は { $time } まで有効
tooltip-ok-many = idbridge — { $count } 個のプロファイルが有効
tooltip-signed-out = idbridge — サインアウト済み
tooltip-set-up = idbridge — まだ設定されていません
tooltip-attention = idbridge — { $reason }

## Notifications
note-signed-in = { $provider } にサインインしました
note-signed-in-body = { $who } · { $count } 個のプロファイルが使えます
note-profile-failed = { $profile }: { $reason }
note-sign-in-needed = { $provider } へのサインインが必要です
note-sign-in-needed-body =
    { $reason }
    続けるにはサインインしてください。
note-not-renewed = { $profile }: 認証情報を更新できません
note-not-renewed-body =
    { $reason }
    idbridge が自動で再試行します。
note-expiring = { $profile }: AWS 認証情報はあと { $minutes } 分で期限切れです
note-expired = { $profile }: AWS 認証情報の期限が切れました
note-console-failed = AWS コンソールを開けませんでした
note-console-failed-why = { $profile }: AWS コンソールへのサインインに失敗しました。{ $why }
note-not-renewed-body-refused =
    { $reason }
    ロールかその信頼ポリシーを直すまで、再試行しても解決しません。
console-why-unreachable = AWS のサインインサービス（プロファイルのフェデレーションエンドポイント）に接続できません。ネットワークか、設定のフェデレーションエンドポイントを確認してください。
console-why-refused = AWS がセッションを拒否しました（認証情報の期限切れの可能性があります）。「今すぐ更新」のあと、もう一度コンソールを開いてください。
console-why-no_token = AWS からサインイントークンが返りませんでした。設定のフェデレーションエンドポイントを確認してください。
console-why-browser = プロファイルで指定したブラウザーを起動できません。設定でそのパスを確認してください。
console-why-no_browser = Web ブラウザーを開けませんでした。
note-sign-out-failed = { $provider } からサインアウトできませんでした
note-more = ほか { $count } 件
action-sign-in = サインイン
action-retry = 今すぐ再試行
action-open-console = コンソールを開く
action-settings = 設定を開く

## Errors
err-config = 設定ファイルに問題があります。
err-access_denied = ブラウザーでサインインが拒否されました。
err-expired_token = 承認される前にサインインのコードが期限切れになりました。
err-id_token_rejected = ID プロバイダーから信頼できないトークンが届きました。
err-issuer_mismatch = 設定の発行者 (issuer) が ID プロバイダーの示すものと違います。IdP の表記どおりに入力してください（多くの場合、末尾に「/」を付けます）。
err-idp_unreachable = ID プロバイダーに接続できません。
err-idp_error = ID プロバイダーが要求を拒否しました。
err-sts_unreachable = AWS に接続できません。
err-sts_refused = AWS がこのロールを拒否しました。ロール ARN とロールの信頼ポリシーを確認してください。
err-keychain_unavailable = キーチェーンを使えません。ロックを解除するか起動してから再試行してください。
err-keychain_locked = キーチェーンがロックされています。ロックを解除してから再試行してください。
err-keychain_error = キーチェーンが要求を拒否しました。
err-unsafe_file = idbridge のフォルダーに安全に使えないファイルがあります（リンク、または他のユーザーも使えるファイル）。詳細を確認してください。
err-file_error = idbridge のフォルダーのファイルを読み書きできません。
err-console_error = AWS コンソールへのサインインに失敗しました。
err-lock_timeout = 別の idbridge がこのプロファイルを処理中です。
err-sign_in_needed = サインインの有効期間が終わりました。
err-timeout = 時間がかかりすぎました。
err-browser = ブラウザーを開けませんでした。
err-autostart = ログイン時の起動設定を変更できませんでした。
err-window = ウィンドウを開けませんでした。
err-internal = idbridge の内部で問題が発生しました。詳細を確認してください。
err-unknown = 問題が発生しました。
details = 詳細
copy-details = 詳細をコピー
copied = コピーしました。

## Settings form fields
field-name = 英数字と「-」「_」「.」で 64 文字以内にしてください。
field-issuer = https:// のアドレスを入力してください (http:// は localhost のみ)。
field-redirect_uri = http://127.0.0.1:8765/callback のように、ポートを固定したループバックのアドレスを入力してください。
field-client_id = ID プロバイダーのクライアント ID を入力してください。
field-scopes = スコープはスペースで区切って入力してください。
field-role_arn = arn:aws:iam::123456789012:role/dev のようなロール ARN を入力してください。
field-region = us-east-1 のような AWS リージョンを入力してください。
field-duration_seconds = 15〜720 分の範囲で指定してください。
field-session_name_claim = email のようなクレーム名を入力してください。
field-console_destination = https:// で始まるコンソールのアドレスを入力してください。
field-notify_before_expiry_minutes = 1〜120 分の範囲で指定してください。
field-provider = プロバイダーを選んでください。
field-language = 言語を選んでください。
field-section = 不明な項目です。
exists-profiles = { $name } という名前のプロファイルがあります。編集するか、別の名前にしてください。
exists-providers = { $name } という名前のプロバイダーがあります。編集するか、別の名前にしてください。
renaming_provider = ID プロバイダー { $from } の名前を { $name } に変更
renaming_profile = AWS プロファイル { $from } の名前を { $name } に変更

## Settings window
title_settings = idbridge — 設定
title_signin = idbridge — サインイン
settings_title = idbridge の設定
config_changed = config.toml が設定画面の外で変更されました。保存していない編集はそのまま残っています。
config_reload = 再読み込み
config_keep = 自分の編集を残す
config-unknown-key = 「{ $key }」は idbridge の設定項目にありません。削除するか、綴りを直してください。
config-bad-value = 「{ $key }」の値は使えません。{ $expected }
config-syntax = この行は TOML として正しくありません（引用符、角かっこ、「=」の不足など）。
err-editor = config.toml を開くエディターを起動できませんでした。
config_broken_title = config.toml の修正が必要です
config_broken_hint = ほかの設定は失われていません。この箇所を直してファイルを保存し、「もう一度確認」を押してください。
config_line = { $line } 行目
open_config = config.toml を開く
check_again = もう一度確認
setup_title = idbridge へようこそ
setup_intro = ID プロバイダーと AWS プロファイルを追加して、サインインするだけです。
setup_step_provider = 1. ID プロバイダー
setup_step_profile = 2. AWS プロファイル
setup_step_signin = 3. サインイン
setup_signin_hint = ブラウザーでサインインすると、その後は認証情報が自動で更新されます。
sign_in_now = 今すぐサインイン
providers = ID プロバイダー
profiles = AWS プロファイル
general = 全般
name = 名前
issuer = 発行者 (Issuer) URL
client_id = クライアント ID
scopes = スコープ
scopes_help = スペース区切り。サインインを保つには openid と offline_access が必要です。
provider = プロバイダー
role_arn = ロール ARN
region = リージョン
duration = セッションの長さ (分)
duration_help = AWS 認証情報 1 回分の有効時間。15〜720 分 (ロールの上限が優先されます)。
session_claim = セッション名に使うクレーム
session_claim_help = AWS セッションの名前に使うサインイン情報 (例: email)。
destination = コンソールのページ
destination_help = 「コンソールを開く」で開くアドレス (任意)。
advanced = 詳細設定
editing_provider = ID プロバイダー: { $name }
editing_profile = AWS プロファイル: { $name }
new_entry = 新規
save_provider = プロバイダーを保存
save_profile = プロファイルを保存
save_general = 全般の設定を保存
new_provider = 新しいプロバイダー
new_profile = 新しいプロファイル
delete = 削除
confirm_delete = { $name } を削除しますか?
really_delete = 削除する
deleted = { $name } を削除しました。
test = 接続テスト
testing = ID プロバイダーに接続しています…
test_ok = ID プロバイダーが見つかりました。デバイスサインインを使えます。
saved = 保存しました。
saved_named = { $name } を保存しました。
notify_lead = 期限切れの何分前に知らせるか
language = 言語
lang_auto = システムに合わせる
autostart = ログイン時に idbridge を起動する
config_file = 設定ファイル
none_yet = まだありません。
edit = 編集
close = 閉じる
cancel = キャンセル

## Sign-in window
signin_title = { $provider } にサインイン
signin_compare = ブラウザーに同じコードが表示されていることを確かめてから承認してください:
signin_waiting = 承認を待っています…
signin_starting = ID プロバイダーに接続しています…
signin_expires = コードの有効期限まであと { $time }
signin_open_again = ブラウザーをもう一度開く
copy_code = コードをコピー
signin_address = または次のアドレスへ:
signin_failed = サインインできませんでした
signin_continue_in_browser = ブラウザーで続けてください。サインインが終わるとこのウィンドウは閉じます。
signin_browser_waiting = サインインを待っています…
signin_browser_expires = サインインの有効期限まであと { $time }
retry = 再試行

## Settings: Check setup (the doctor; its own sentences stay English and show as Details)
check_setup = セットアップを確認
check_setup_hint = 設定、ID プロバイダー、時計、キーチェーン、AWS CLI の設定を確認します。
check_setup_running = 確認しています…
check_setup_all_ok = すべて正しく設定されています。
check_setup_problems = { $count } 件の問題が見つかりました。
check_setup_failed = 確認を実行できませんでした。
doctor_ok = 問題ありません
doctor_problem = 問題があります。対処方法は詳細を見てください。
doctor_fix = 対処:
doctor-aws_config = AWS CLI のプロファイル
doctor-sts = AWS STS
doctor-msg-not_signed_in = { $provider } にサインインしていません。
doctor-fix-not_signed_in = { $provider } にサインインしてください。
doctor-msg-no_credentials = { $profile } には有効な認証情報がなく、更新するためのサインインもありません。
doctor-fix-no_credentials = サインインしてください。
doctor-msg-aws_config_missing = { $file } がありません。AWS CLI はプロファイル { $profile } を知りません。
doctor-fix-aws_config_missing = 「AWS CLI で使う」を押すと、プロファイルを書き込みます（`idbridge configure-aws` と同じ）。
doctor-msg-aws_config_no_profile = { $file } に idbridge のプロファイル { $profile } がありません。
doctor-fix-aws_config_no_profile = 「AWS CLI で使う」を押すと追加します。
doctor-msg-aws_config_other_program = { $file } のプロファイル { $profile } は別の idbridge プログラムを実行します。
doctor-fix-aws_config_other_program = 「AWS CLI で使う」を押すと、このプログラムに向け直します。
doctor-msg-sts_unreachable = AWS STS（{ $endpoint }）に接続できません。
doctor-fix-sts_unreachable = ネットワークやプロキシと、プロファイルの STS エンドポイントを確認してください。
doctor-msg-idp_unreachable = ID プロバイダー（{ $url }）に接続できません。
doctor-fix-idp_unreachable = ネットワークと、プロバイダーの issuer を確認してください。
doctor_use_with_aws_cli = AWS CLI で使う
doctor_sign_in = サインイン
doctor-clock_idp = 時計 (ID プロバイダー)
doctor-clock_sts = 時計 (AWS STS)
doctor-config = 設定ファイル
doctor-credentials = 認証情報
doctor-discovery = ID プロバイダーの検出
doctor-endpoint = ID プロバイダーのエンドポイント
doctor-environment = 環境変数
doctor-keychain = キーチェーン
doctor-partition = AWS パーティション
doctor-signed_in = サインイン
doctor-state_dir = 状態フォルダー
doctor-static_keys = 固定のアクセスキー

## Settings: Import team config (the core's import; entries named as in config.toml)
err-import = チームの設定を取り込めませんでした。
import_title = チームの設定を取り込む
import_hint = チームが共有するファイルまたは https:// アドレス: そのプロバイダーとプロファイルを設定に取り込みます。自分で編集した部分はそのまま残ります。
import_source = ファイルまたは https:// アドレス
import_preview = 確認
import_apply = 取り込む
import_overwrite = 自分の編集をチームの設定で置き換える
import_add = 追加
import_update = 更新
import_keep_local_edit = 自分の編集を残す
import_unchanged = 変更なし
import_nothing = 変更はありません。
import_done = 取り込みました。
import_default = 既定値
import_sensitive_title = 次の変更で、サインイン情報や AWS キーの送り先が変わります:
import_sensitive_allow = これらの送り先を信頼する（送る前に、取り込み後にもう一度サインインします）
import_effect_token_endpoint = リフレッシュトークン（保存されたサインイン）が {$new} に送られます。
import_effect_device_authorization_endpoint = サインインが {$new} から始まり、承認するページもそこが指定します。
import_effect_revocation_endpoint = サインアウト時にリフレッシュトークンが {$new} に送られます。
import_effect_sts_endpoint = ID トークン（サインイン情報）が {$new} に送られます。
import_effect_federation_endpoint = コンソールを開くために AWS のセッションキーが {$new} に送られます。
import_effect_console_container = AWS コンソールが Firefox コンテナー {$new} で開きます。
import_effect_shared_credentials_file = AWS キーが ~/.aws/credentials（キーを保持する 2 つ目のファイル）にも保存されます。
