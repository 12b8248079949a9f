//! `hitchpost backup`, `restore`, `check` and `migrate`.

use super::DbArg;
use crate::auth::ServerSecret;
use crate::db::SCHEMA_VERSION;
use crate::store::maintenance;
use std::path::PathBuf;

/// Backup, restore and check work on the SQLite file; PostgreSQL has its own tools.
fn sqlite_only(db: &DbArg, instead: &str) -> Result<(), String> {
    match db.database_url {
        Some(_) => Err(format!("this command works on a SQLite file; for PostgreSQL use {instead}")),
        None => Ok(()),
    }
}

pub(super) fn backup(db: DbArg, out: PathBuf) -> Result<(), String> {
    sqlite_only(&db, "pg_dump")?;
    if out.exists() {
        return Err(format!("{} exists; choose a new file", out.display()));
    }
    let integrity = maintenance::backup_file(&db.db, &out).map_err(|e| format!("backup failed: {e}"))?;
    println!("backed up {} to {} (integrity {integrity})", db.db.display(), out.display());
    // Sealed tokens and API keys are keyed by the server secret: a backup without it restores
    // data that cannot be used.
    if ServerSecret::copy_beside(&db.db, &out).map_err(|e| format!("cannot copy the server secret: {e}"))? {
        println!(
            "with its server secret in {} (keep both together, both private)",
            ServerSecret::path_for(&out).display()
        );
    }
    Ok(())
}

pub(super) fn restore(db: DbArg, from: PathBuf) -> Result<(), String> {
    sqlite_only(&db, "pg_restore")?;
    let restored = maintenance::restore_file(&db.db, &from, SCHEMA_VERSION)?;
    if let Some(kept) = restored.kept {
        ServerSecret::copy_beside(&db.db, &kept).map_err(|e| format!("cannot keep the server secret: {e}"))?;
        println!("kept the replaced database as {}", kept.display());
    }
    if ServerSecret::copy_beside(&from, &db.db).map_err(|e| format!("cannot restore the server secret: {e}"))? {
        println!("restored the server secret to {}", ServerSecret::path_for(&db.db).display());
    }
    println!("restored {} from {}", db.db.display(), from.display());
    Ok(())
}

pub(super) fn check(db: DbArg) -> Result<(), String> {
    sqlite_only(&db, "amcheck and pg_dump")?;
    if !db.db.exists() {
        return Err(format!("{} does not exist", db.db.display()));
    }
    let report = maintenance::check_file(&db.db, SCHEMA_VERSION)
        .map_err(|e| format!("cannot check {}: {e}", db.db.display()))?;
    println!("integrity\t{}", report.integrity);
    println!("schema version\t{} (this hitchpost writes {})", report.schema_version, SCHEMA_VERSION);
    for (table, n) in report.counts {
        println!("{table}\t{n}");
    }
    if report.integrity != "ok" {
        return Err("the database is damaged".into());
    }
    if let Some(problem) = report.problem {
        return Err(format!("{} {problem}", db.db.display()));
    }
    Ok(())
}

pub(super) fn migrate(from: PathBuf, database_url: String, ca_file: Option<PathBuf>) -> Result<(), String> {
    if !from.exists() {
        return Err(format!("{} does not exist", from.display()));
    }
    // The URL holds a password: it is never echoed.
    let copied = crate::store::postgres::copy_sqlite_file(&from, SCHEMA_VERSION, &database_url, ca_file.as_deref())
        .map_err(|e| format!("nothing was copied: {e}"))?;
    for (table, n) in &copied {
        println!("{table}\t{n}");
    }
    let total: u64 = copied.iter().map(|(_, n)| n).sum();
    println!("copied {total} rows from {} into PostgreSQL, each table verified", from.display());
    // Sealed tokens and keys are keyed by the server secret; every instance needs this one.
    let secret = ServerSecret::path_for(&from);
    if secret.exists() {
        println!(
            "every instance must run with HITCHPOST_SECRET set to the contents of {} (keep it private)",
            secret.display()
        );
    } else {
        println!("every instance must run with the HITCHPOST_SECRET the SQLite server had");
    }
    Ok(())
}
