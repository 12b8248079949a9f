//! The SQLite backend: the SQL of every `store` function, over a rusqlite connection.

pub mod accounts;
pub mod api_keys;
pub mod audit;
pub mod batches;
pub mod connect_links;
pub mod documents;
pub mod holders;
pub mod idempotency;
pub mod profiles;
pub mod settings;
pub mod webhooks;
pub mod workspaces;
