-- hitchpost schema. Applied at start by src/db.rs; `PRAGMA user_version` records the version.
-- Times are RFC 3339 UTC strings with milliseconds: sortable as text and readable in the sqlite3 shell.

-- The tenant. Every other row belongs to exactly one workspace, and no query crosses workspaces.
CREATE TABLE IF NOT EXISTS workspaces (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    plan           TEXT NOT NULL DEFAULT 'selfhosted',
    -- NULL means no limit: a self-hoster is not billed per profile.
    profile_limit  INTEGER,
    trial_ends_at  TEXT,
    created_at     TEXT NOT NULL,
    -- Monthly API call quota (version 3); NULL means none.
    monthly_api_quota  INTEGER,
    -- Set by the operator with `hitchpost plan set` for a paid plan (version 4): there is no
    -- billing provider, the operator decides.
    subscription_id    TEXT,
    next_billing_at    TEXT
);

-- API keys are `hp_` + key_id + secret. Only the key id is stored in clear (it is the lookup
-- index); the secret is kept as an argon2id PHC string, so a copy of the database yields no key.
CREATE TABLE IF NOT EXISTS api_keys (
    id            INTEGER PRIMARY KEY,
    key_id        TEXT NOT NULL UNIQUE,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name          TEXT,
    secret_hash   TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    expires_at    TEXT,
    revoked_at    TEXT,
    -- The account holder who made the key through /api/users/api-keys (version 4); NULL for
    -- keys the operator made with the CLI.
    holder_id     TEXT,
    last_used_at  TEXT,
    -- What the key may do (version 11): scope names, comma-separated (auth::Scopes). Keys from
    -- before scopes got every scope but `credentials`, as a key made without naming any does.
    scopes        TEXT NOT NULL DEFAULT 'profiles,connect,accounts,proxy,webhooks,audit'
);
CREATE INDEX IF NOT EXISTS api_keys_by_workspace ON api_keys(workspace_id);

-- Bumped on every revocation or deletion of a key (version 9), by whichever process writes it:
-- running servers poll this one row to learn that a key they remember may be dead (counting
-- the revoked keys was a table scan four times a second).
CREATE TABLE IF NOT EXISTS api_key_changes (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    n   INTEGER NOT NULL
);
INSERT OR IGNORE INTO api_key_changes (id, n) VALUES (1, 0);
CREATE TRIGGER IF NOT EXISTS api_key_revoked AFTER UPDATE OF revoked_at ON api_keys
BEGIN UPDATE api_key_changes SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER IF NOT EXISTS api_key_deleted AFTER DELETE ON api_keys
BEGIN UPDATE api_key_changes SET n = n + 1 WHERE id = 1; END;

-- One end-user of the workspace's platform. `seq` is the rowid: it orders pages (keyset
-- pagination over an integer is as cheap at 100 000 rows as at 100) and never leaves the server
-- except inside an opaque cursor. `id` (UUID) and `profile_key` are the public handles.
CREATE TABLE IF NOT EXISTS profiles (
    seq           INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    profile_key   TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    external_id   TEXT,
    username      TEXT,
    -- The caller's JSON object, stored as given and returned unchanged.
    metadata      TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
-- The index on workspace_id carries the rowid, so it also serves `ORDER BY seq` within a workspace.
CREATE INDEX IF NOT EXISTS profiles_by_workspace ON profiles(workspace_id);
-- Uniqueness is the database's job: fifty racing creates with one externalId cannot both win.
CREATE UNIQUE INDEX IF NOT EXISTS profiles_external_id
    ON profiles(workspace_id, external_id) WHERE external_id IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS profiles_username
    ON profiles(workspace_id, username) WHERE username IS NOT NULL;

-- ---------------------------------------------------------------- version 2: connect
-- One linked account per platform per profile: linking again replaces the identity in the same
-- row, so the account's id survives a reconnect.
CREATE TABLE IF NOT EXISTS social_accounts (
    id                INTEGER PRIMARY KEY,
    profile_seq       INTEGER NOT NULL REFERENCES profiles(seq) ON DELETE CASCADE,
    platform          TEXT NOT NULL,
    platform_user_id  TEXT NOT NULL,
    username          TEXT,
    display_name      TEXT,
    profile_url       TEXT,
    image_url         TEXT,
    account_type      TEXT NOT NULL DEFAULT 'personal',
    -- Tokens are sealed with an AEAD keyed from the server secret (nonce || ciphertext):
    -- a copy of the database alone yields no token. They are never returned by any endpoint.
    access_token      BLOB,
    refresh_token     BLOB,
    token_expires_at  TEXT,
    -- Where the account's tokens are refreshed (a Bluesky PDS), and what the provider told
    -- us at link time that is not an identity field (Pinterest boards, ...), as JSON.
    provider_url      TEXT,
    details           TEXT,
    sandbox           INTEGER NOT NULL DEFAULT 0,
    needs_reconnect   INTEGER NOT NULL DEFAULT 0,
    reconnect_reason  TEXT,
    -- When the background refresher may next try (after a transient failure it backs off).
    next_refresh_at   TEXT,
    -- The expiry an `account.expiring` event was sent for (version 5), so it is sent once.
    expiring_notified_for  TEXT,
    -- Version 8. Bumped whenever the tokens change (link, refresh): a refresh outcome is written
    -- only if the generation is still the one it started from, so a late "needs reconnect" can
    -- never overwrite a newer success.
    token_generation  INTEGER NOT NULL DEFAULT 0,
    -- When the refresh token itself lapses, where the platform says (LinkedIn: a year): the
    -- day the end-user must link again. NULL when it does not lapse while it is refreshed.
    refresh_expires_at  TEXT,
    linked_at         TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    -- The account's public id (version 11): `acc_` + a UUIDv7, so ids sort by linking time.
    -- `id` stays the internal key (refresh flights, foreign keys); this one leaves the server.
    public_id         TEXT,
    -- The scopes the platform granted, space-separated (version 11), where it said or we asked.
    granted_scopes    TEXT,
    UNIQUE (profile_seq, platform)
);
CREATE UNIQUE INDEX IF NOT EXISTS social_accounts_public_id ON social_accounts(public_id);
CREATE INDEX IF NOT EXISTS social_accounts_refresh ON social_accounts(token_expires_at)
    WHERE refresh_token IS NOT NULL AND needs_reconnect = 0;

-- Connect links are JWTs; this row is what makes them single use and revocable. `used_at`
-- is set by one conditional UPDATE through the one writer, so of two browsers opening the same
-- link exactly one wins.
CREATE TABLE IF NOT EXISTS connect_links (
    jti           TEXT PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    profile_seq   INTEGER NOT NULL REFERENCES profiles(seq) ON DELETE CASCADE,
    -- The page's options (redirectUrl, logo, texts, platforms, language, labels) as JSON: kept
    -- here rather than in the token so the URL stays short whatever the caller customizes.
    options       TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    used_at       TEXT,
    revoked_at    TEXT
);
CREATE INDEX IF NOT EXISTS connect_links_by_profile ON connect_links(profile_seq);

-- An OAuth authorization in progress: the state parameter, the PKCE verifier, and where to
-- go back to. Single use: deleted when the callback consumes it.
CREATE TABLE IF NOT EXISTS oauth_states (
    state         TEXT PRIMARY KEY,
    profile_seq   INTEGER NOT NULL REFERENCES profiles(seq) ON DELETE CASCADE,
    platform      TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    -- The connect link whose session started it, or NULL when an API call did (postcore).
    link_jti      TEXT,
    return_url    TEXT,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL
);

-- ---------------------------------------------------------------- version 3: dialects
-- Settings the hosted services' clients read and write per account (Upload-Post's
-- preferences and notification config), kept as those clients send them.
CREATE TABLE IF NOT EXISTS workspace_settings (
    workspace_id         INTEGER PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    week_start_day       INTEGER NOT NULL DEFAULT 0,
    notification_config  TEXT,
    updated_at           TEXT NOT NULL
);

-- API calls per workspace per month (Ayrshare's monthlyApiCalls). Counted in memory and added
-- here about once a second, so a read request does not become a write.
CREATE TABLE IF NOT EXISTS api_usage (
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    month         TEXT NOT NULL,
    calls         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, month)
);

-- Webhook subscriptions. `kind` names the wire format whose payloads and headers a
-- subscription gets: native (Standard Webhooks), ayrshare (registered at /api/hook/webhook) or
-- uploadpost (its notification config). Which events it gets is always `events`, in native
-- names, so fanning an event out needs no dialect's rules (version 10).
CREATE TABLE IF NOT EXISTS webhooks (
    id            TEXT PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    url           TEXT NOT NULL,
    -- JSON array of native event types ("*" for all).
    events        TEXT NOT NULL,
    description   TEXT,
    enabled       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    -- Why a subscription was switched off, and how many events in a row failed (version 5).
    disabled_reason       TEXT,
    consecutive_failures  INTEGER NOT NULL DEFAULT 0,
    -- The format's own name for the subscription: the Ayrshare action, Upload-Post's list of
    -- its event names (version 10). The API shows it back; nothing below the API reads it.
    label                 TEXT
);
CREATE INDEX IF NOT EXISTS webhooks_by_workspace ON webhooks(workspace_id, kind);

-- Ayrshare's /user/batch file: a snapshot of every profile's user data, made at most every
-- three hours and served from a signed, expiring URL.
CREATE TABLE IF NOT EXISTS user_batches (
    id            TEXT PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    created_at    TEXT NOT NULL,
    content       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS user_batches_by_workspace ON user_batches(workspace_id, created_at);

-- ---------------------------------------------------------------- version 4: account holders
-- The humans who own workspaces. Emails and usernames are unique without regard to case.
-- `session_epoch` is carried in every session token; bumping it (a password change, logout
-- everywhere) ends every session issued before.
CREATE TABLE IF NOT EXISTS account_holders (
    id             TEXT PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE COLLATE NOCASE,
    username       TEXT UNIQUE COLLATE NOCASE,
    password_hash  TEXT NOT NULL,
    first_name     TEXT,
    last_name      TEXT,
    session_epoch  INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    last_login_at  TEXT
);

CREATE TABLE IF NOT EXISTS memberships (
    holder_id     TEXT NOT NULL REFERENCES account_holders(id) ON DELETE CASCADE,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    role          TEXT NOT NULL CHECK (role IN ('owner', 'member')),
    created_at    TEXT NOT NULL,
    PRIMARY KEY (holder_id, workspace_id)
);
CREATE INDEX IF NOT EXISTS memberships_by_workspace ON memberships(workspace_id, role);

-- An account holder's named documents; `size` (bytes of content) adds up to the storage used.
CREATE TABLE IF NOT EXISTS documents (
    id           TEXT PRIMARY KEY,
    holder_id    TEXT NOT NULL REFERENCES account_holders(id) ON DELETE CASCADE,
    document_id  TEXT NOT NULL,
    name         TEXT NOT NULL,
    content      TEXT,
    size         INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_by_holder ON documents(holder_id, created_at);

-- ---------------------------------------------------------------- version 5: webhooks
-- Signing secrets of native subscriptions, sealed like provider tokens. A rotated-out secret
-- keeps signing beside the new one until `expires_at`.
CREATE TABLE IF NOT EXISTS webhook_secrets (
    id          INTEGER PRIMARY KEY,
    webhook_id  TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    secret      BLOB NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT
);
CREATE INDEX IF NOT EXISTS webhook_secrets_by_webhook ON webhook_secrets(webhook_id);

-- The outbox. An event is written in the same transaction as the change that caused it, with
-- one delivery per matching subscription, so an event whose change was acknowledged is
-- delivered even if the server dies right after. `seq` orders deliveries; `ordering_key` (the
-- profile) keeps one profile's events in order per subscription.
CREATE TABLE IF NOT EXISTS events (
    id            TEXT PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    type          TEXT NOT NULL,
    data          TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    seq              INTEGER PRIMARY KEY,
    id               TEXT NOT NULL UNIQUE,
    event_id         TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    webhook_id       TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    ordering_key     TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    last_status      INTEGER,
    last_error       TEXT,
    last_latency_ms  INTEGER,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries(status, next_attempt_at);
CREATE INDEX IF NOT EXISTS deliveries_by_webhook ON deliveries(webhook_id, seq);
CREATE INDEX IF NOT EXISTS deliveries_order ON deliveries(webhook_id, ordering_key, status, seq);

-- ---------------------------------------------------------------- version 6: idempotency
-- Idempotency-Key on native POSTs (Stripe's semantics): the first response is kept for 24
-- hours and replayed for the same key and body. `status` 0 marks a request still running.
CREATE TABLE IF NOT EXISTS idempotency_keys (
    scope         TEXT NOT NULL,
    key           TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    status        INTEGER NOT NULL DEFAULT 0,
    content_type  TEXT,
    body          BLOB,
    created_at    TEXT NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX IF NOT EXISTS idempotency_keys_by_age ON idempotency_keys(created_at);

-- ---------------------------------------------------------------- version 7: audit log
-- Who (an API key, an account holder, a connect link, the CLI or the server itself, and from
-- which address) did what to which profile, and when. Written in the same transaction as the
-- change; pruned after the retention period.
CREATE TABLE IF NOT EXISTS audit_log (
    seq           INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    at            TEXT NOT NULL,
    actor         TEXT NOT NULL,
    ip            TEXT,
    action        TEXT NOT NULL,
    profile_id    TEXT,
    target        TEXT
);
CREATE INDEX IF NOT EXISTS audit_log_by_workspace ON audit_log(workspace_id, seq);
CREATE INDEX IF NOT EXISTS audit_log_by_age ON audit_log(at);
