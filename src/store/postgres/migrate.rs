//! PostgreSQL's schema: the numbered files of migrations/, each applied once and in order.
//! All that are due run in one transaction with their versions recorded in
//! `schema_migrations`, under an advisory lock, so that instances starting together neither
//! apply one twice nor serve a half-made schema.

use crate::store::{Error, Result};

/// The migrations, by version; a new one is a new file and a new line.
const MIGRATIONS: &[(i64, &str)] =
    &[(1, include_str!("migrations/0001_initial.sql")), (2, include_str!("migrations/0002_refresh_leases.sql"))];

/// The schema version this binary writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;

/// The advisory lock held while migrating (any constant of our own: "hitchpos" in ASCII).
const MIGRATION_LOCK: i64 = 0x6869_7463_6870_6f73;

/// Brings the database to `SCHEMA_VERSION` and returns the version it was at. Refuses a
/// database written by a newer hitchpost rather than guess at a schema it does not know.
pub fn migrate(client: &mut ::postgres::Client) -> Result<i64> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    // Looked up rather than CREATE ... IF NOT EXISTS, which logs a NOTICE at every start.
    let known: bool = tx.query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[])?.get(0);
    if !known {
        tx.batch_execute("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)")?;
    }
    let was: i64 = tx.query_one("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &[])?.get(0);
    if was > SCHEMA_VERSION {
        return Err(Error::Writer(format!(
            "the database is at schema version {was}, newer than this hitchpost ({SCHEMA_VERSION}); upgrade hitchpost"
        )));
    }
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > was) {
        tx.batch_execute(sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
            &[version, &super::super::now()],
        )?;
    }
    tx.commit()?;
    Ok(was)
}
