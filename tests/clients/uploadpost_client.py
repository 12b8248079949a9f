"""The official Upload-Post Python client (PyPI `upload-post`), unmodified, against hitchpost.

Run by tests/api/clients.rs with the client on PYTHONPATH: BASE KEY SANDBOX_PROFILE.
Every assertion failure exits non-zero with the reason.
"""
import sys

from upload_post import UploadPostClient, UploadPostError

base, key = sys.argv[1], sys.argv[2]
client = UploadPostClient(key)
client.BASE_URL = base + "/api"  # the only change: where the API lives

created = client.create_user("py_client_user")
assert created["success"] is True, created
assert created["profile"]["username"] == "py_client_user", created
assert created["profile"]["social_accounts"]["tiktok"] == "", created

users = client.list_users()
assert users["success"] is True and "plan" in users and "limit" in users, users
assert any(p["username"] == "py_client_user" for p in users["profiles"]), users

try:
    client.create_user("py_client_user")
    raise AssertionError("a duplicate username must fail")
except UploadPostError as e:
    assert "already exists" in str(e), e

jwt = client.generate_jwt(
    "py_client_user",
    redirect_url="https://app.example.com/back",
    logo_image="https://cdn.example.com/logo.png",
    redirect_button_text="Back to the app",
    platforms=["linkedin", "bluesky"],
    show_calendar=False,
    connect_title="Connect",
    connect_description="Link your accounts",
    language="es",
    ui_labels={"connect.title": "Conecta"},
)
assert jwt["success"] is True and jwt["duration"] == "1h", jwt
assert jwt["access_url"].startswith(base + "/connect?token="), jwt

valid = client.validate_jwt(jwt["jwt"])
assert valid["success"] is True, valid
assert valid["profile"]["username"] == "py_client_user", valid
assert valid["profile"]["language"] == "es" and valid["profile"]["ui_labels"] == {"connect.title": "Conecta"}, valid
invalid = client.validate_jwt("not-a-token")
assert invalid["isValid"] is False and invalid["reason"], invalid

prefs = client.get_user_preferences()
assert prefs["success"] is True and prefs["preferences"]["week_start_day"] == 0, prefs
prefs = client.update_user_preferences(week_start_day=1)
assert prefs["preferences"]["week_start_day"] == 1, prefs
assert client.update_user_preferences()["preferences"]["week_start_day"] == 1

config = client.update_notification_config(
    webhook_events=["social_account_connected", "social_account_disconnected"],
    webhook_url="http://127.0.0.1:9/hook",
)
assert config["success"] is True, config
config = client.get_notification_config()
assert config["webhook_url"] == "http://127.0.0.1:9/hook", config
assert config["webhook_events"] == ["social_account_connected", "social_account_disconnected"], config

boards = client.get_pinterest_boards(sys.argv[3])
assert boards["success"] is True and len(boards["boards"]) == 2, boards

deleted = client.delete_user("py_client_user")
assert deleted["success"] is True, deleted
try:
    client.delete_user("py_client_user")
    raise AssertionError("deleting twice must fail")
except UploadPostError as e:
    assert "not found" in str(e), e

bad = UploadPostClient("hp_not_a_key")
bad.BASE_URL = base + "/api"
try:
    bad.list_users()
    raise AssertionError("a bad key must fail")
except UploadPostError as e:
    assert "Unauthorized" in str(e), e

print("upload-post (PyPI): ok")
