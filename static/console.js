// The console. No framework, no inline script: the server's CSP allows only this file.
// Every call sends the console's header (its CSRF guard) and the session cookie.
"use strict";

const $ = (id) => document.getElementById(id);
let me = null;
let cursor = null;

function show(el, text) { el.textContent = text || ""; el.hidden = !text; }
function notify(text) { show($("error"), ""); show($("notice"), text); }
function fail(text) { show($("notice"), ""); show($("error"), text); }

async function call(method, path, body) {
  const opts = { method, headers: { "x-hitchpost-console": "1" }, credentials: "same-origin" };
  if (body !== undefined) { opts.headers["content-type"] = "application/json"; opts.body = JSON.stringify(body); }
  let res;
  try { res = await fetch("/console/api" + path, opts); } catch (e) { throw new Error("The server could not be reached."); }
  if (res.status === 204) return null;
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  if (res.status === 401 && path !== "/login") { signedOut(); throw new Error("Your session has ended. Sign in again."); }
  if (!res.ok) {
    // problem+json: the field's message where there is one.
    const field = data && data.errors && data.errors[0];
    throw new Error(field ? field.field + ": " + field.message : (data && (data.detail || data.title)) || "Something went wrong.");
  }
  return data;
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else if (k.startsWith("data-")) e.setAttribute(k, v); else e[k] = v;
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

function action(text, handler, cls) {
  const b = el("button", { type: "button", class: cls || "", "data-action": text.toLowerCase().replace(/ /g, "-") }, text);
  b.addEventListener("click", async () => {
    // Destructive buttons ask twice: the first press arms them.
    if (cls === "danger" && b.dataset.armed !== "1") { b.dataset.armed = "1"; b.textContent = "Confirm " + text.toLowerCase(); return; }
    b.disabled = true;
    try { await handler(); } catch (e) { fail(e.message); } finally { b.disabled = false; }
  });
  return b;
}

async function copy(input) {
  input.select();
  try { await navigator.clipboard.writeText(input.value); notify("Copied."); } catch (e) { notify("Select the text and copy it."); }
}

const VIEWS = ["view-profiles", "view-profile", "view-attention", "view-keys", "view-webhooks", "view-audit", "view-password"];
const NAV = { "view-profiles": "#/profiles", "view-profile": "#/profiles", "view-attention": "#/attention",
  "view-keys": "#/keys", "view-webhooks": "#/webhooks", "view-audit": "#/audit", "view-password": "#/password" };
function view(id) {
  for (const v of VIEWS) $(v).hidden = v !== id;
  for (const a of document.querySelectorAll("#nav a")) {
    if (a.getAttribute("href") === NAV[id]) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  }
}

function signedOut() {
  me = null;
  for (const v of VIEWS) $(v).hidden = true;
  $("nav").hidden = true; $("signout").hidden = true; show($("who"), "");
  $("loading").hidden = true;
  $("signin").hidden = false;
  $("login").focus();
}

async function signedIn() {
  me = await call("GET", "/me");
  $("signin").hidden = true; $("loading").hidden = true;
  $("nav").hidden = false; $("signout").hidden = false;
  show($("who"), me.holder.email);
  const u = me.usage;
  const trial = me.workspace.plan === "trial" && me.workspace.trialEndsAt
    ? " · " + Math.max(0, Math.ceil((Date.parse(me.workspace.trialEndsAt) - Date.now()) / 86400000)) + " trial days left" : "";
  show($("usage"), `${u.profiles} profiles${u.profileLimit ? " of " + u.profileLimit : ""} · ${u.monthlyApiCalls} API calls this month · plan ${me.workspace.plan}${trial}`);
  const scopes = $("key-scopes");
  scopes.replaceChildren(scopes.firstElementChild);
  for (const s of me.scopes) scopes.append(el("label", {}, el("input", { type: "checkbox", value: s, name: "scope" }), s));
  if (me.recovery && location.hash !== "#/password") { location.hash = "#/password"; return; }
  route();
}

function profileItem(p) {
  const name = el("a", { href: "#/profiles/" + p.id }, p.name || "(no name)");
  const ids = [p.externalId && "externalId " + p.externalId, p.username && "@" + p.username].filter(Boolean).join(" · ");
  return el("li", { "data-id": p.id },
    el("span", { class: "grow" }, name, " ", el("span", { class: "muted" }, ids)),
    el("span", { class: "muted" }, p.platforms.join(", ") || "no accounts"),
    p.needsReconnect ? el("span", { class: "tag bad" }, "needs reconnect") : null);
}

async function loadProfiles(more) {
  view("view-profiles");
  const q = $("q").value.trim();
  const params = new URLSearchParams();
  if (q) params.set("q", q);
  if (more && cursor) params.set("cursor", cursor);
  const page = await call("GET", "/profiles?" + params);
  if (!more) $("profiles").replaceChildren();
  for (const p of page.data) $("profiles").append(profileItem(p));
  if (!page.data.length && !more) $("profiles").append(el("li", { class: "muted" }, q ? "No profile has that externalId or username." : "No profiles yet."));
  cursor = page.nextCursor;
  $("more").hidden = !cursor;
}

function accountItem(id, a) {
  const state = a.needsReconnect ? "needs reconnect: " + (a.reconnectReason || "") : a.expiresAt ? "token until " + a.expiresAt : "linked";
  return el("li", { "data-platform": a.platform, "data-account": a.id },
    el("span", { class: "grow" }, el("strong", {}, a.platform), " ", a.username ? "@" + a.username : a.displayName || "",
      " ", el("span", { class: a.needsReconnect ? "tag bad" : "muted" }, state)),
    action("Refresh", async () => { const r = await call("POST", `/profiles/${id}/accounts/${a.id}/refresh`); notify("Refresh: " + r.outcome); await loadProfile(id); }),
    action("Unlink", async () => { await call("DELETE", `/profiles/${id}/accounts/${a.id}`); notify(a.platform + " was unlinked."); await loadProfile(id); }, "danger"));
}

function auditItem(e) {
  return el("li", {}, el("span", { class: "grow" }, e.action, " ", el("span", { class: "muted" }, e.target || "")),
    el("span", { class: "muted" }, e.actor), el("time", { class: "muted" }, e.at));
}

async function loadProfile(id) {
  view("view-profile");
  const p = await call("GET", "/profiles/" + encodeURIComponent(id));
  $("view-profile").dataset.id = id;
  show($("profile-name"), p.profile.name || "(no name)");
  show($("profile-ids"), [p.profile.id, p.profile.externalId && "externalId " + p.profile.externalId, p.profile.username && "@" + p.profile.username].filter(Boolean).join(" · "));
  $("accounts").replaceChildren(...p.accounts.map((a) => accountItem(id, a)));
  if (!p.accounts.length) $("accounts").append(el("li", { class: "muted" }, "No linked accounts."));
  $("links").replaceChildren(...p.links.map((l) => el("li", { "data-link": l.id },
    el("span", { class: "grow" }, (l.platforms || ["all platforms"]).join(", "), " ", el("span", { class: "muted" }, "until " + l.expiresAt)),
    action("Revoke", async () => { await call("DELETE", "/links/" + l.id); notify("The link was revoked."); await loadProfile(id); }, "danger"))));
  if (!p.links.length) $("links").append(el("li", { class: "muted" }, "No live links."));
  $("profile-audit").replaceChildren(...p.audit.map(auditItem));
}

async function createLink(ev) {
  ev.preventDefault();
  const id = $("view-profile").dataset.id;
  const body = { expiresIn: Number($("link-expires").value) || 60 };
  const platforms = $("link-platforms").value.split(",").map((s) => s.trim()).filter(Boolean);
  if (platforms.length) body.platforms = platforms;
  if ($("link-redirect").value.trim()) body.redirectUrl = $("link-redirect").value.trim();
  if ($("link-error-redirect").value.trim()) body.errorRedirectUrl = $("link-error-redirect").value.trim();
  if ($("link-language").value) body.language = $("link-language").value;
  if ($("link-theme").value) body.theme = $("link-theme").value;
  try {
    const link = await call("POST", `/profiles/${id}/links`, body);
    $("new-link-url").value = link.url;
    $("new-link").hidden = false;
    notify("Link created.");
    await loadProfile(id);
  } catch (e) { fail(e.message); }
}

async function loadKeys() {
  view("view-keys");
  const keys = await call("GET", "/keys");
  $("keys").replaceChildren(...keys.data.map((k) => el("li", { "data-key": k.id },
    el("span", { class: "grow" }, el("strong", {}, k.name || k.prefix), " ", el("span", { class: "muted" }, k.prefix + "…")),
    el("span", { class: "muted" }, k.scopes.join(", ")),
    el("span", { class: "muted" }, k.lastUsedAt ? "used " + k.lastUsedAt : "never used"),
    action("Revoke", async () => { await call("DELETE", "/keys/" + k.id); $("new-key").hidden = true; notify("The key was revoked."); await loadKeys(); }, "danger"))));
  if (!keys.data.length) $("keys").append(el("li", { class: "muted" }, "No keys yet."));
}

async function createKey(ev) {
  ev.preventDefault();
  const scopes = Array.from(document.querySelectorAll('#key-scopes input:checked')).map((i) => i.value);
  try {
    const k = await call("POST", "/keys", { name: $("key-name").value, scopes: scopes.length ? scopes : null });
    $("new-key-value").value = k.key;
    $("new-key").hidden = false;
    $("key-name").value = "";
    notify("Key created.");
    await loadKeys();
  } catch (e) { fail(e.message); }
}

async function loadAttention() {
  view("view-attention");
  const page = await call("GET", "/attention");
  $("attention").replaceChildren(...page.data.map(({ profile, account }) => el("li", { "data-account": account.id },
    el("span", { class: "grow" }, el("a", { href: "#/profiles/" + profile.id }, profile.name || profile.externalId || profile.id),
      " ", el("strong", {}, account.platform), " ",
      el("span", { class: "tag bad" }, account.needsReconnect ? "needs reconnect" : "lapses in " + account.daysUntilExpiry + " days")),
    action("New connect link", async () => {
      const link = await call("POST", `/profiles/${profile.id}/links`, { platforms: [account.platform] });
      $("attention-link-url").value = link.url;
      $("attention-link").hidden = false;
      notify("Link created for " + account.platform + ".");
    }))));
  if (!page.data.length) $("attention").append(el("li", { class: "muted" }, "Nothing needs attention."));
}

function deliveryItem(hook, d) {
  const facts = [d.status, d.attempts + " attempts", d.responseCode && "HTTP " + d.responseCode,
    d.latencyMs !== null && d.latencyMs !== undefined && d.latencyMs + " ms"].filter(Boolean).join(" · ");
  return el("li", { "data-delivery": d.id, "data-status": d.status },
    el("span", { class: "grow" }, d.eventType, " ", el("span", { class: d.status === "failed" ? "tag bad" : "muted" }, facts),
      d.lastError ? el("div", { class: "muted error-text" }, d.lastError) : null),
    el("time", { class: "muted" }, d.createdAt),
    action("Redeliver", async () => { await call("POST", `/webhooks/${hook}/deliveries/${d.id}/redeliver`); notify("Queued again."); await loadDeliveries(hook); }));
}

async function loadDeliveries(hook) {
  const page = await call("GET", `/webhooks/${hook}/deliveries`);
  $("deliveries").dataset.webhook = hook;
  $("deliveries-title").hidden = false;
  $("deliveries").replaceChildren(...page.data.map((d) => deliveryItem(hook, d)));
  if (!page.data.length) $("deliveries").append(el("li", { class: "muted" }, "No deliveries yet."));
}

function showSecret(secret) { $("new-secret-value").value = secret; $("new-secret").hidden = false; }

async function loadWebhooks() {
  view("view-webhooks");
  const page = await call("GET", "/webhooks");
  const events = $("hook-events");
  if (events.children.length === 1) for (const e of page.events) events.append(el("label", {}, el("input", { type: "checkbox", value: e, name: "event" }), e));
  $("webhooks").replaceChildren(...page.data.map((w) => el("li", { "data-webhook": w.id, "data-enabled": String(w.enabled) },
    el("span", { class: "grow" }, el("strong", {}, w.url), " ", el("span", { class: "muted" }, w.events.join(", ")),
      w.enabled ? null : el("span", { class: "tag bad" }, "disabled" + (w.disabledReason ? ": " + w.disabledReason : "")),
      w.consecutiveFailures ? el("span", { class: "muted" }, " " + w.consecutiveFailures + " failures in a row") : null),
    action(w.enabled ? "Disable" : "Enable", async () => { await call("PATCH", "/webhooks/" + w.id, { enabled: !w.enabled }); await loadWebhooks(); }),
    action("Ping", async () => { await call("POST", `/webhooks/${w.id}/ping`); notify("Ping queued."); await loadDeliveries(w.id); }),
    action("Deliveries", () => loadDeliveries(w.id)),
    action("Rotate secret", async () => { const r = await call("POST", `/webhooks/${w.id}/rotate-secret`); showSecret(r.secret); notify("The old secret still signs until " + r.previousSecretExpiresAt + "."); }, "danger"))));
  if (!page.data.length) $("webhooks").append(el("li", { class: "muted" }, "No subscriptions yet."));
}

async function createWebhook(ev) {
  ev.preventDefault();
  const events = Array.from(document.querySelectorAll("#hook-events input:checked")).map((i) => i.value);
  try {
    const w = await call("POST", "/webhooks", { url: $("hook-url").value, events });
    showSecret(w.secret);
    $("hook-url").value = "";
    notify("Subscribed.");
    await loadWebhooks();
  } catch (e) { fail(e.message); }
}

function loadPassword() {
  view("view-password");
  $("recovery-note").hidden = !me.recovery;
  $("current-password-field").hidden = me.recovery;
}

async function changePassword(ev) {
  ev.preventDefault();
  try {
    await call("POST", "/password", { currentPassword: me.recovery ? null : $("current-password").value, newPassword: $("new-password").value });
    $("current-password").value = ""; $("new-password").value = "";
    me = await call("GET", "/me");
    loadPassword();
    notify("Your password was changed. Your other sessions have ended.");
  } catch (e) { fail(e.message); }
}

async function loadAudit() {
  view("view-audit");
  const params = new URLSearchParams();
  if ($("audit-action").value.trim()) params.set("action", $("audit-action").value.trim());
  if ($("audit-profile").value.trim()) params.set("profileId", $("audit-profile").value.trim());
  const page = await call("GET", "/audit?" + params);
  $("audit").replaceChildren(...page.data.map(auditItem));
}

async function route() {
  if (!me) return;
  const hash = location.hash.replace(/^#\/?/, "");
  try {
    if (hash.startsWith("profiles/")) await loadProfile(decodeURIComponent(hash.slice(9)));
    else if (hash === "keys") await loadKeys();
    else if (hash === "attention") await loadAttention();
    else if (hash === "webhooks") await loadWebhooks();
    else if (hash === "audit") await loadAudit();
    else if (hash === "password") loadPassword();
    else await loadProfiles(false);
  } catch (e) { fail(e.message); }
}

async function signIn(ev) {
  ev.preventDefault();
  $("signin-submit").disabled = true;
  try {
    await call("POST", "/login", { login: $("login").value, password: $("password").value });
    $("password").value = "";
    show($("error"), "");
    await signedIn();
  } catch (e) { fail(e.message); } finally { $("signin-submit").disabled = false; }
}

async function signOut() {
  try { await call("POST", "/logout"); } catch (e) { /* the cookie goes either way */ }
  show($("notice"), "");
  signedOut();
  notify("Signed out.");
}

function start() {
  $("signin").addEventListener("submit", signIn);
  $("signout").addEventListener("click", signOut);
  $("search").addEventListener("submit", (ev) => { ev.preventDefault(); if (location.hash !== "#/profiles") location.hash = "#/profiles"; else loadProfiles(false).catch((e) => fail(e.message)); });
  $("more").addEventListener("click", () => loadProfiles(true).catch((e) => fail(e.message)));
  $("link-form").addEventListener("submit", createLink);
  $("copy-link").addEventListener("click", () => copy($("new-link-url")));
  $("key-form").addEventListener("submit", createKey);
  $("copy-key").addEventListener("click", () => copy($("new-key-value")));
  $("hook-form").addEventListener("submit", createWebhook);
  $("password-form").addEventListener("submit", changePassword);
  $("copy-secret").addEventListener("click", () => copy($("new-secret-value")));
  $("copy-attention-link").addEventListener("click", () => copy($("attention-link-url")));
  $("audit-filter").addEventListener("submit", (ev) => { ev.preventDefault(); loadAudit().catch((e) => fail(e.message)); });
  window.addEventListener("hashchange", () => { show($("notice"), ""); show($("error"), ""); route(); });
  signedIn().catch(() => signedOut());
}

start();
