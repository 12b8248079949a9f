// The official Ayrshare Node client (npm `social-media-api`) against hitchpost. Its base URL is
// a constant in the package; tests/api/clients.rs points that constant (and nothing else) at
// HITCHPOST_AYRSHARE_BASE. Run as: node ayrshare_client.mjs BASE KEY.
import assert from "node:assert/strict";
import SocialMediaAPI from "social-media-api";

const [base, key] = process.argv.slice(2);
const social = new SocialMediaAPI(key);

const created = await social.createProfile({ title: "Node Brand" });
assert.equal(created.status, "success", JSON.stringify(created));
const profileKey = created.profileKey;

const profiles = await social.getProfiles();
assert.ok(profiles.profiles.some((p) => p.profileKey === profileKey));

social.setProfileKey(profileKey);
const updated = await social.updateProfile({ title: "Node Brand 2" });
assert.equal(updated.status, "success");

// Link a sandbox account through the native API (setup, not the client under test).
const native = await (await fetch(base + "/v1/profiles?limit=100", { headers: { "x-api-key": key } })).json();
const id = native.data.find((p) => p.profileKey === profileKey).id;
const linked = await fetch(base + "/v1/profiles/" + id + "/accounts", {
  method: "POST", headers: { "x-api-key": key, "content-type": "application/json" },
  body: JSON.stringify({ platform: "linkedin", sandbox: true }),
});
assert.equal(linked.status, 201);

const user = await social.user();
assert.equal(user.title, "Node Brand 2");
assert.deepEqual(user.activeSocialAccounts, ["linkedin"]);

const jwt = await social.generateJWT({ domain: "acme", privateKey: "unused", profileKey });
assert.equal(jwt.status, "success");
assert.ok(jwt.url.startsWith(base + "/connect?token="));

assert.equal((await social.unlinkSocial({ platform: "linkedin", profileKey })).status, "success");

assert.equal((await social.registerWebhook({ action: "social", url: "https://hooks.example.com/node" })).status, "success");
const hooks = await social.listWebhooks();
assert.equal(hooks.webhooks[0].url, "https://hooks.example.com/node");
assert.equal((await social.unregisterWebhook({ action: "social" })).status, "success");

assert.equal((await social.deleteProfile({ profileKey })).status, "success");
const gone = await social.user();
assert.equal(gone.status, "error");

console.log("social-media-api (npm): ok");
