//! `hitchpost migrate --from-sqlite`: a whole SQLite database copied into an empty PostgreSQL
//! one, table by table in one transaction, then verified by counting and by a digest of every
//! row on both sides. Column for column: the two schemas are held equal by a test, so each
//! table's columns are read from PostgreSQL and the same names selected from SQLite.

use crate::store::{Error, Result};
use ::postgres::types::ToSql;
use rusqlite::types::ValueRef;
use sha2::{Digest, Sha256};
use std::path::Path;

/// Every table, parents before children (the foreign keys are checked row by row).
const TABLES: &[&str] = &[
    "workspaces",
    "api_keys",
    "api_key_changes",
    "profiles",
    "social_accounts",
    "connect_links",
    "oauth_states",
    "workspace_settings",
    "api_usage",
    "webhooks",
    "user_batches",
    "account_holders",
    "memberships",
    "documents",
    "webhook_secrets",
    "events",
    "deliveries",
    "idempotency_keys",
    "audit_log",
];

/// Rows copied per table, in `TABLES`' order.
pub type Copied = Vec<(&'static str, u64)>;

/// Copies the SQLite database at `from` (at `sqlite_version`, the schema this binary writes)
/// into the empty database behind `client`, brought to the current schema first. Nothing is
/// written to PostgreSQL unless every table copies and verifies.
pub fn copy_from_sqlite(from: &Path, sqlite_version: i64, client: &mut ::postgres::Client) -> Result<Copied> {
    let sqlite = rusqlite::Connection::open_with_flags(from, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let version: i64 = sqlite.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version != sqlite_version {
        return Err(refused(format!(
            "{} is at schema version {version}; this hitchpost copies version {sqlite_version} (start it once on the file to upgrade it)",
            from.display()
        )));
    }
    let unknown: Vec<String> = sqlite
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")?
        .query_map([], |r| r.get::<_, String>(0))?
        .filter_map(|n| n.ok())
        .filter(|n| !TABLES.contains(&n.as_str()))
        .collect();
    if !unknown.is_empty() {
        return Err(refused(format!("{} has tables this hitchpost does not know: {unknown:?}", from.display())));
    }
    super::migrate(client)?;
    // One read transaction on SQLite: the copy is of one moment, even with a server running.
    sqlite.execute_batch("BEGIN")?;
    let mut tx = client.transaction()?;
    for table in TABLES.iter().filter(|t| **t != "api_key_changes") {
        let n: i64 = tx.query_one(&format!("SELECT count(*) FROM {table}"), &[])?.get(0);
        if n > 0 {
            return Err(refused(format!("the PostgreSQL database is not empty ({table} has {n} rows)")));
        }
    }
    // The migration seeds the key-change counter; the copy brings SQLite's.
    tx.execute("DELETE FROM api_key_changes", &[])?;
    let mut copied = Vec::new();
    for table in TABLES {
        let columns = columns(&mut tx, table)?;
        let n = copy_table(&sqlite, &mut tx, table, &columns)?;
        let (lite, pg) = (sqlite_digest(&sqlite, table, &columns)?, postgres_digest(&mut tx, table, &columns)?);
        if lite != pg {
            return Err(refused(format!("{table} does not read back as it was copied ({lite:?} != {pg:?})")));
        }
        copied.push((*table, n));
    }
    restart_identities(&mut tx)?;
    tx.commit()?;
    Ok(copied)
}

fn refused(why: String) -> Error {
    Error::Writer(why)
}

/// A column as PostgreSQL holds it.
struct Column {
    name: String,
    kind: Kind,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Int,
    Bool,
    Text,
    Bytes,
}

fn columns(tx: &mut ::postgres::Transaction<'_>, table: &str) -> Result<Vec<Column>> {
    let rows = tx.query(
        "SELECT column_name, data_type FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
        &[&table],
    )?;
    rows.iter()
        .map(|r| {
            let (name, data_type): (String, String) = (r.get(0), r.get(1));
            let kind = match data_type.as_str() {
                "bigint" => Kind::Int,
                "boolean" => Kind::Bool,
                "text" => Kind::Text,
                "bytea" => Kind::Bytes,
                other => return Err(refused(format!("{table}.{name} has a type the copy does not know: {other}"))),
            };
            Ok(Column { name, kind })
        })
        .collect()
}

/// One SQLite value as PostgreSQL takes it.
fn pg_value(v: ValueRef<'_>, kind: Kind, at: &str) -> Result<Box<dyn ToSql + Sync>> {
    Ok(match (v, kind) {
        (ValueRef::Null, Kind::Int) => Box::new(None::<i64>),
        (ValueRef::Null, Kind::Bool) => Box::new(None::<bool>),
        (ValueRef::Null, Kind::Text) => Box::new(None::<String>),
        (ValueRef::Null, Kind::Bytes) => Box::new(None::<Vec<u8>>),
        (ValueRef::Integer(i), Kind::Int) => Box::new(i),
        (ValueRef::Integer(i), Kind::Bool) => Box::new(i != 0),
        (ValueRef::Text(t), Kind::Text) => Box::new(String::from_utf8_lossy(t).into_owned()),
        (ValueRef::Blob(b), Kind::Bytes) => Box::new(b.to_vec()),
        // SQLite keeps what it is given; a sealed token written as text is still its bytes.
        (ValueRef::Text(t), Kind::Bytes) => Box::new(t.to_vec()),
        (other, _) => return Err(refused(format!("{at} holds {:?}, which its column cannot", other.data_type()))),
    })
}

fn copy_table(
    sqlite: &rusqlite::Connection,
    tx: &mut ::postgres::Transaction<'_>,
    table: &str,
    columns: &[Column],
) -> Result<u64> {
    let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    let marks: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
    let insert = tx.prepare(&format!("INSERT INTO {table} ({}) VALUES ({})", quoted.join(", "), marks.join(", ")))?;
    let mut select = sqlite.prepare(&format!("SELECT {} FROM {table}", quoted.join(", ")))?;
    let mut rows = select.query([])?;
    let mut n = 0;
    while let Some(row) = rows.next()? {
        let values = columns
            .iter()
            .enumerate()
            .map(|(i, c)| pg_value(row.get_ref(i)?, c.kind, &format!("{table}.{}", c.name)))
            .collect::<Result<Vec<_>>>()?;
        let params: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v.as_ref()).collect();
        tx.execute(&insert, &params)?;
        n += 1;
    }
    Ok(n)
}

/// Rows and an order-free digest of them: each row's values (flags as 0/1, as SQLite keeps
/// them) hashed, the hashes added.
type Digest64 = (u64, u64);

fn add_row(acc: &mut Digest64, fields: &[Option<Vec<u8>>]) {
    let mut h = Sha256::new();
    for f in fields {
        match f {
            None => h.update([0u8]),
            Some(bytes) => {
                h.update([1u8]);
                h.update((bytes.len() as u64).to_le_bytes());
                h.update(bytes);
            }
        }
    }
    let d = h.finalize();
    acc.0 += 1;
    acc.1 = acc.1.wrapping_add(u64::from_le_bytes(d[..8].try_into().unwrap_or_default()));
}

fn sqlite_digest(sqlite: &rusqlite::Connection, table: &str, columns: &[Column]) -> Result<Digest64> {
    let quoted: Vec<String> = columns.iter().map(|c| format!("\"{}\"", c.name)).collect();
    let mut select = sqlite.prepare(&format!("SELECT {} FROM {table}", quoted.join(", ")))?;
    let mut rows = select.query([])?;
    let mut acc = (0, 0);
    while let Some(row) = rows.next()? {
        let mut fields = Vec::with_capacity(columns.len());
        for (i, c) in columns.iter().enumerate() {
            fields.push(match row.get_ref(i)? {
                ValueRef::Null => None,
                ValueRef::Integer(v) if c.kind == Kind::Bool => Some(vec![u8::from(v != 0)]),
                ValueRef::Integer(v) => Some(v.to_le_bytes().to_vec()),
                ValueRef::Text(t) | ValueRef::Blob(t) => Some(t.to_vec()),
                ValueRef::Real(r) => Some(r.to_le_bytes().to_vec()),
            });
        }
        add_row(&mut acc, &fields);
    }
    Ok(acc)
}

fn postgres_digest(tx: &mut ::postgres::Transaction<'_>, table: &str, columns: &[Column]) -> Result<Digest64> {
    let quoted: Vec<String> = columns.iter().map(|c| format!("\"{}\"", c.name)).collect();
    let rows = tx.query(&format!("SELECT {} FROM {table}", quoted.join(", ")), &[])?;
    let mut acc = (0, 0);
    for row in &rows {
        let mut fields = Vec::with_capacity(columns.len());
        for (i, c) in columns.iter().enumerate() {
            fields.push(match c.kind {
                Kind::Int => row.try_get::<_, Option<i64>>(i)?.map(|v| v.to_le_bytes().to_vec()),
                Kind::Bool => row.try_get::<_, Option<bool>>(i)?.map(|v| vec![u8::from(v)]),
                Kind::Text => row.try_get::<_, Option<String>>(i)?.map(String::into_bytes),
                Kind::Bytes => row.try_get::<_, Option<Vec<u8>>>(i)?,
            });
        }
        add_row(&mut acc, &fields);
    }
    Ok(acc)
}

/// Identity columns continue after the ids copied (an explicit id does not move them).
fn restart_identities(tx: &mut ::postgres::Transaction<'_>) -> Result<()> {
    let identities = tx.query(
        "SELECT table_name, column_name FROM information_schema.columns
         WHERE table_schema = current_schema() AND is_identity = 'YES'",
        &[],
    )?;
    for r in &identities {
        let (table, column): (String, String) = (r.get(0), r.get(1));
        tx.execute(
            &format!(
                "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), COALESCE(MAX({column}), 0) + 1, false) FROM {table}"
            ),
            &[],
        )?;
    }
    Ok(())
}
