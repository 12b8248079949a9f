"""The official Ayrshare Python client (PyPI `social-post-api`, imported as `ayrshare`),
unmodified, against hitchpost. Run by tests/api/clients.rs: BASE KEY.
"""
import json
import sys
import urllib.request

import ayrshare.ayrshare as module
from ayrshare import SocialPost

base, key = sys.argv[1], sys.argv[2]
module.base = base + "/api/"  # the only change: where the API lives

social = SocialPost(key)

created = social.createProfile({"title": "Python Brand"})
assert created["status"] == "success" and created["title"] == "Python Brand", created
profile_key = created["profileKey"]
assert len(created["refId"]) == 40, created

profiles = social.getProfiles()
assert any(p["profileKey"] == profile_key for p in profiles["profiles"]), profiles
assert profiles["count"] >= 1, profiles

updated = social.setProfileKey(profile_key).updateProfile({"title": "Python Brand 2"})
assert updated["status"] == "success" and updated["title"] == "Python Brand 2", updated

# Link a sandbox account through the native API (setup, not the client under test).
native = json.loads(urllib.request.urlopen(urllib.request.Request(
    base + "/v1/profiles?limit=100", headers={"x-api-key": key})).read())
profile_id = next(p["id"] for p in native["data"] if p["profileKey"] == profile_key)
urllib.request.urlopen(urllib.request.Request(
    base + "/v1/profiles/" + profile_id + "/accounts", method="POST",
    data=json.dumps({"platform": "x", "sandbox": True}).encode(),
    headers={"x-api-key": key, "content-type": "application/json"})).read()

user = social.user()
assert user["title"] == "Python Brand 2" and user["activeSocialAccounts"] == ["twitter"], user
assert user["displayNames"][0]["platform"] == "twitter", user
assert user["monthlyApiCalls"] >= 1, user

jwt = social.generateJWT({"domain": "acme", "privateKey": "unused", "profileKey": profile_key})
assert jwt["status"] == "success" and jwt["emailSent"] is False, jwt
assert jwt["url"].startswith(base + "/connect?token="), jwt

unlinked = social.unlinkSocial({"platform": "twitter", "profileKey": profile_key})
assert unlinked["status"] == "success", unlinked
assert "activeSocialAccounts" not in social.user(), "nothing is linked any more"

hook = social.registerWebhook({"action": "social", "url": "https://hooks.example.com/ayr"})
assert hook["status"] == "success", hook
hooks = social.listWebhooks()
assert hooks["webhooks"][0]["url"] == "https://hooks.example.com/ayr", hooks
assert social.unregisterWebhook({"action": "social"})["status"] == "success"

deleted = social.deleteProfile({"profileKey": profile_key})
assert deleted["status"] == "success", deleted
gone = social.user()
assert gone["status"] == "error" and gone["message"] == "Profile Key not found", gone

print("social-post-api (PyPI): ok")
