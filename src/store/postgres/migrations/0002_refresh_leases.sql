-- Version 2: one refresh per account at a time across instances (service::refresh). The
-- instance that refreshes an account holds its lease until it records the outcome, or, if it
-- died, until `until` has passed. PostgreSQL only: a SQLite file is served by one process,
-- whose in-process single flight is enough.
CREATE TABLE refresh_leases (
    account_id  BIGINT PRIMARY KEY REFERENCES social_accounts(id) ON DELETE CASCADE,
    generation  BIGINT NOT NULL,
    until       TEXT NOT NULL
);
