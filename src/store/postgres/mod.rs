//! The PostgreSQL backend, for several instances over one database. So far its schema, the
//! runner that brings a database to it, and the copy of a SQLite database into it; the
//! store's functions follow.

mod import;
mod migrate;

pub use import::Copied;
pub use migrate::{SCHEMA_VERSION, migrate};

/// Copies the SQLite database at `from` into the empty PostgreSQL database at `url` (see
/// `import`). TLS to the database is not offered yet: a URL asking for it is refused by the
/// client.
pub fn copy_sqlite_file(from: &std::path::Path, sqlite_version: i64, url: &str) -> crate::store::Result<Copied> {
    let mut client = ::postgres::Client::connect(url, ::postgres::NoTls)?;
    import::copy_from_sqlite(from, sqlite_version, &mut client)
}
