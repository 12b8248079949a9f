// The official Upload-Post Node client (npm `upload-post`), unmodified, against hitchpost.
// Run by tests/api/clients.rs: node uploadpost_client.mjs BASE KEY.
import assert from "node:assert/strict";
import { UploadPost } from "upload-post";

const [base, key] = process.argv.slice(2);
const client = new UploadPost(key);
client.baseUrl = base + "/api"; // the only change: where the API lives

const created = await client.createUser("node_client_user");
assert.equal(created.success, true);
assert.equal(created.profile.username, "node_client_user");

const users = await client.listUsers();
assert.ok(users.profiles.some((p) => p.username === "node_client_user"));

const jwt = await client.generateJwt("node_client_user", {
  redirectUrl: "https://app.example.com/back", logoImage: "https://cdn.example.com/logo.png",
  redirectButtonText: "Back", platforms: ["bluesky"], connectTitle: "Connect", connectDescription: "Link",
  language: "fr", uiLabels: { "connect.title": "Connectez" }, showCalendar: false,
});
assert.equal(jwt.success, true);
assert.ok(jwt.access_url.startsWith(base + "/connect?token="));

// validateJwt sends the JWT itself as the bearer, by GET.
const valid = await client.validateJwt(jwt.jwt);
assert.equal(valid.success, true);
assert.equal(valid.profile.username, "node_client_user");
assert.equal(valid.profile.language, "fr");
const invalid = await client.validateJwt("garbage");
assert.equal(invalid.isValid, false);

assert.equal((await client.getUserPreferences()).preferences.week_start_day, 0);
assert.equal((await client.updateUserPreferences({ weekStartDay: 1 })).preferences.week_start_day, 1);

const config = await client.updateNotificationConfig({
  webhookEvents: ["social_account_reauth_required"], webhookUrl: "http://127.0.0.1:9/hook", channels: ["webhook"],
});
assert.equal(config.success, true);
const got = await client.getNotificationConfig();
assert.deepEqual(got.webhook_events, ["social_account_reauth_required"]);
assert.deepEqual(got.channels, ["webhook"]);
assert.equal((await client.testNotifications()).success, true);

assert.equal((await client.deleteUser("node_client_user")).success, true);
await assert.rejects(client.deleteUser("node_client_user"), /not found/);

console.log("upload-post (npm): ok");
