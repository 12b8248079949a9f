//! The PostgreSQL backend, for several instances over one database. So far its schema and
//! the runner that brings a database to it; the store's functions follow.

mod migrate;

pub use migrate::{SCHEMA_VERSION, migrate};
