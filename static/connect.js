// The connect page. No framework, no inline script: the server's CSP allows only this file.
"use strict";

// STRINGS (the page's texts in each language) comes from connect-strings.js, loaded first.

let session = null;
// The last attempt's failure ({error, platform}), cleared by a success: Done reports it, so a
// link with an errorRedirectUrl returns there.
let lastFailure = null;

const $ = (id) => document.getElementById(id);

function t(key, vars) {
  const labels = (session && session.labels) || {};
  const lang = STRINGS[(session && session.language) || "en"] || STRINGS.en;
  // Upload-Post clients send dot-path keys ("connect.title"); plain keys work too.
  let s = labels[key] || labels["connect." + key] || lang[key] || STRINGS.en[key] || key;
  for (const [k, v] of Object.entries(vars || {})) s = s.split("{" + k + "}").join(v);
  return s;
}

const REASONS = ["refused", "declined", "expired", "unreachable", "misconfigured", "limited"];

/// The sentence for a failure category, naming the platform where it is known.
function reasonText(reason, platform) {
  if (!REASONS.includes(reason)) return t("failed");
  const entry = session && platform && session.platforms.find((p) => p.platform === platform);
  return t("reason_" + reason, { platform: entry ? entry.label : platform || "" });
}

function show(el, text) { el.textContent = text; el.hidden = !text; }

function notify(text) { show($("error"), ""); show($("notice"), text); }

function fail(text) { show($("notice"), ""); show($("error"), text); $("error").focus && $("error").setAttribute("tabindex", "-1"); }

const SVG = "http://www.w3.org/2000/svg";

/// An inline mark from the page's sprite (no request, so nothing to break).
function icon(name, cls) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("class", cls);
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const use = document.createElementNS(SVG, "use");
  use.setAttribute("href", "#mark-" + name);
  svg.append(use);
  return svg;
}

/// A platform's mark on its colour, named for screen readers.
function mark(platform, label) {
  const tile = document.createElement("span");
  tile.className = "mark";
  tile.dataset.mark = document.getElementById("mark-" + platform) ? platform : "sandbox";
  tile.setAttribute("role", "img");
  tile.setAttribute("aria-label", label);
  tile.append(icon(tile.dataset.mark, "glyph"));
  return tile;
}

/// The link's theme and accent colour. CSSOM properties are not inline styles: the CSP allows them.
function applyTheme() {
  const root = document.documentElement;
  root.dataset.theme = ["light", "dark", "auto"].includes(session.theme) ? session.theme : "auto";
  if (session.accentColor) {
    root.style.setProperty("--accent", session.accentColor);
    root.style.setProperty("--on-accent", session.onAccent || "#ffffff");
  }
}

async function call(method, path, body) {
  const opts = { method, headers: { "x-hitchpost-connect": "1" }, credentials: "same-origin" };
  if (body !== undefined) { opts.headers["content-type"] = "application/json"; opts.body = JSON.stringify(body); }
  let res;
  try { res = await fetch(path, opts); } catch (e) { throw new Error(t("failed")); }
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  if (res.status === 401) { ended(); throw new Error(t("ended")); }
  // The provider's own words (data.error) are for the platform's developers, not this person:
  // a failure category is shown in the person's language.
  if (!res.ok) {
    const platform = path.startsWith("/connect/api/accounts/") ? decodeURIComponent(path.split("/").pop()) : null;
    if (data && data.reason && platform) lastFailure = { error: data.reason, platform };
    throw new Error(data && data.reason ? reasonText(data.reason, platform) : (data && data.error) || t("failed"));
  }
  return data;
}

function ended() {
  session = null;
  $("platforms").replaceChildren();
  $("bluesky-form").hidden = true;
  $("done").hidden = true;
  $("loading").hidden = true;
  fail(t("ended"));
}

function button(text, action, platform, primary, iconName) {
  const b = document.createElement("button");
  b.type = "button";
  if (iconName) b.append(icon(iconName, "icon"));
  b.append(text);
  b.dataset.action = action;
  b.dataset.platform = platform;
  if (primary) b.className = "primary";
  return b;
}

function render() {
  document.documentElement.lang = session.language || "en";
  applyTheme();
  document.title = session.title || t("title");
  show($("title"), session.title || t("title"));
  show($("description"), session.description || "");
  const logo = $("logo");
  if (session.logoUrl) { logo.src = session.logoUrl; logo.hidden = false; } else { logo.hidden = true; }
  $("done").textContent = session.buttonText || t("done");
  $("done").hidden = false;
  $("loading").hidden = true;
  $("bsky-handle-label").textContent = t("handle");
  $("bsky-password-label").textContent = t("appPassword");
  $("bsky-password-hint").textContent = t("appPasswordHint");
  $("bsky-pds-label").textContent = t("pds");
  $("bsky-submit").textContent = t("connect");
  $("bsky-cancel").textContent = t("cancel");
  $("bluesky-heading").textContent = t("connectBluesky");

  const list = $("platforms");
  list.replaceChildren();
  if (!session.platforms.length) { notify(t("nothing")); }
  for (const p of session.platforms) {
    const li = document.createElement("li");
    li.className = "platform";
    li.dataset.platform = p.platform;
    const a = p.account;
    const who = document.createElement("div");
    who.className = "who";
    const name = document.createElement("div");
    name.className = "name";
    name.textContent = p.label;
    const state = document.createElement("div");
    state.className = "state";
    const buttons = document.createElement("div");
    buttons.className = "buttons";
    if (a && a.needsReconnect) {
      li.classList.add("reconnect");
      li.dataset.state = "reconnect";
      state.textContent = t("needsReconnect", { reason: t("reason_ended", { platform: p.label }) });
      buttons.append(button(t("reconnect"), "connect", p.platform, true), button(t("disconnect"), "disconnect", p.platform));
    } else if (a) {
      li.classList.add("linked");
      li.dataset.state = "linked";
      // A handle only where the platform has handles (the server leaves username empty where it
      // has none, as at LinkedIn); else the person's name there.
      if (a.imageUrl) {
        const avatar = document.createElement("img");
        avatar.className = "avatar";
        avatar.src = a.imageUrl;
        avatar.alt = "";
        state.append(avatar);
      }
      state.append(t("linkedAs", { name: a.username ? "@" + a.username : a.displayName || "" }));
      buttons.append(button(t("disconnect"), "disconnect", p.platform));
    } else {
      li.dataset.state = "unlinked";
      state.textContent = t("notLinked");
      buttons.append(button(t("connect"), "connect", p.platform, true));
    }
    if (p.platform === "bluesky" && p.sandboxAvailable && !a) {
      buttons.append(button(t("sandbox"), "sandbox", p.platform, false, "sandbox"));
    }
    who.append(name, state);
    li.append(mark(p.platform, p.label), who, buttons);
    list.append(li);
  }
}

async function onAction(ev) {
  const b = ev.target.closest("button[data-action]");
  if (!b) return;
  const platform = b.dataset.platform;
  const entry = session.platforms.find((p) => p.platform === platform);
  const label = entry ? entry.label : platform;
  if (b.dataset.action === "connect") {
    if (entry.method === "oauth") { window.location.assign("/connect/start/" + encodeURIComponent(platform)); return; }
    if (entry.method === "credentials") { openBluesky(); return; }
  }
  b.disabled = true;
  try {
    if (b.dataset.action === "disconnect") {
      session = await call("DELETE", "/connect/api/accounts/" + encodeURIComponent(platform));
      render();
      notify(t("unlinked", { platform: label }));
    } else {
      session = await call("POST", "/connect/api/accounts/" + encodeURIComponent(platform), { sandbox: true });
      lastFailure = null;
      render();
      notify(t("linked", { platform: label }));
    }
  } catch (e) {
    if (session) fail(e.message);
  } finally {
    b.disabled = false;
  }
}

function openBluesky() {
  const form = $("bluesky-form");
  form.hidden = false;
  $("bsky-handle").focus();
}

async function onBluesky(ev) {
  ev.preventDefault();
  const submit = $("bsky-submit");
  submit.disabled = true;
  try {
    session = await call("POST", "/connect/api/accounts/bluesky", {
      handle: $("bsky-handle").value, appPassword: $("bsky-password").value, pdsUrl: $("bsky-pds").value || null,
    });
    $("bsky-password").value = "";
    lastFailure = null;
    $("bluesky-form").hidden = true;
    render();
    notify(t("linked", { platform: "Bluesky" }));
  } catch (e) {
    if (session) fail(e.message);
  } finally {
    submit.disabled = false;
  }
}

async function onDone() {
  $("done").disabled = true;
  try {
    const res = await call("POST", "/connect/api/done", lastFailure || {});
    // A popup tells its opener, at the link's redirectUrl origin only, and closes. Without an
    // opener (a provider's Cross-Origin-Opener-Policy can sever it) it goes on as a page.
    if (res.origin && window.opener && !window.opener.closed) {
      window.opener.postMessage(res.message, res.origin);
      $("platforms").replaceChildren();
      $("done").hidden = true;
      show($("notice"), "");
      show($("closed"), t("closed"));
      window.close();
      return;
    }
    if (res.url) { window.location.assign(res.url); return; }
    $("platforms").replaceChildren();
    $("done").hidden = true;
    show($("notice"), "");
    show($("closed"), t("closed"));
  } catch (e) {
    if (session) fail(e.message);
    $("done").disabled = false;
  }
}

async function start() {
  document.addEventListener("click", onAction);
  $("bluesky-form").addEventListener("submit", onBluesky);
  $("bsky-cancel").addEventListener("click", () => { $("bluesky-form").hidden = true; });
  $("done").addEventListener("click", onDone);
  try {
    session = await call("GET", "/connect/api/session");
  } catch (e) {
    return;
  }
  render();
  const q = new URLSearchParams(window.location.search);
  if (q.get("error")) {
    fail(reasonText(q.get("error"), q.get("platform")));
    if (REASONS.includes(q.get("error")) && q.get("platform")) lastFailure = { error: q.get("error"), platform: q.get("platform") };
  }
  // Only codes come through the address bar, never text to show: an unknown one shows nothing.
  if (q.get("linked")) {
    const entry = session.platforms.find((p) => p.platform === q.get("linked"));
    if (entry) { notify(t("linked", { platform: entry.label })); lastFailure = null; }
  }
  if (q.toString()) history.replaceState(null, "", "/connect/app");
}

start();
