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
    created_at     TEXT NOT NULL
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
    revoked_at    TEXT
);
CREATE INDEX IF NOT EXISTS api_keys_by_workspace ON api_keys(workspace_id);

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
