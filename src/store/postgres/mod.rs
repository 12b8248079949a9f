//! The PostgreSQL backend, for several instances over one database: its schema and the
//! runner that brings a database to it, the SQL of every `store` function (one file per
//! table, as `sqlite/`), and the copy of a SQLite database into it.

pub(crate) mod accounts;
pub(crate) mod api_keys;
pub(crate) mod audit;
pub(crate) mod batches;
pub(crate) mod connect_links;
pub(crate) mod documents;
pub(crate) mod holders;
pub(crate) mod idempotency;
mod import;
mod migrate;
pub(crate) mod profiles;
pub(crate) mod settings;
pub mod tls;
pub(crate) mod webhooks;
pub(crate) mod workspaces;

pub use import::Copied;
pub use migrate::{SCHEMA_VERSION, migrate};

use crate::store::Result;
use ::postgres::Row;
use ::postgres::types::ToSql;
use std::cell::RefCell;
use std::collections::HashMap;

/// Statement parameters, as the postgres crate takes them.
pub(crate) type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// A PostgreSQL connection with its prepared statements. The postgres crate prepares a
/// statement on every call given text (a round trip of its own); each store function's text is
/// fixed, so each is prepared once per connection and kept, as rusqlite's `prepare_cached` does.
pub(crate) struct Client {
    inner: std::mem::ManuallyDrop<RefCell<::postgres::Client>>,
    statements: RefCell<HashMap<String, ::postgres::Statement>>,
    /// A statement failed since `begin`. PostgreSQL then refuses the rest of the transaction
    /// and turns its COMMIT into a rollback without an error; SQLite undoes the one statement
    /// and goes on. A write that caught a store error and went on would be answered as done
    /// with nothing written, so `commit` refuses.
    failed: std::cell::Cell<bool>,
    /// A statement failed because the database ended the session (a restart, a failover,
    /// an administrator): the connection is done for, even before the client sees it closed.
    lost: std::cell::Cell<bool>,
}

/// Whether `e` says the session is over: the connection closed, or the server's FATAL notice
/// that it is terminating it (SQLSTATE class 57P, operator intervention, or 08, connection
/// exception), which arrives as the answer to the next statement.
fn ends_session(e: &::postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    e.as_db_error().is_some_and(|d| {
        let code = d.code().code();
        d.severity() == "FATAL" || code.starts_with("57P") || code.starts_with("08")
    })
}

impl Client {
    pub(crate) fn new(client: ::postgres::Client) -> Client {
        Client {
            inner: std::mem::ManuallyDrop::new(RefCell::new(client)),
            statements: RefCell::new(HashMap::new()),
            failed: Default::default(),
            lost: Default::default(),
        }
    }

    fn noted<T>(&self, r: std::result::Result<T, ::postgres::Error>) -> Result<T> {
        if let Err(e) = &r {
            self.failed.set(true);
            if ends_session(e) {
                self.lost.set(true);
            }
        }
        Ok(r?)
    }

    fn statement(&self, sql: &str) -> Result<::postgres::Statement> {
        if let Some(st) = self.statements.borrow().get(sql) {
            return Ok(st.clone());
        }
        let st = self.noted(self.inner.borrow_mut().prepare(sql))?;
        self.statements.borrow_mut().insert(sql.to_string(), st.clone());
        Ok(st)
    }

    pub(crate) fn query(&self, sql: &str, params: Params<'_>) -> Result<Vec<Row>> {
        let st = self.statement(sql)?;
        self.noted(self.inner.borrow_mut().query(&st, params))
    }

    pub(crate) fn query_opt(&self, sql: &str, params: Params<'_>) -> Result<Option<Row>> {
        let st = self.statement(sql)?;
        self.noted(self.inner.borrow_mut().query_opt(&st, params))
    }

    pub(crate) fn query_one(&self, sql: &str, params: Params<'_>) -> Result<Row> {
        let st = self.statement(sql)?;
        self.noted(self.inner.borrow_mut().query_one(&st, params))
    }

    pub(crate) fn execute(&self, sql: &str, params: Params<'_>) -> Result<u64> {
        let st = self.statement(sql)?;
        self.noted(self.inner.borrow_mut().execute(&st, params))
    }

    /// Opens a write's transaction.
    pub(crate) fn begin(&self) -> Result<()> {
        self.failed.set(false);
        let begun = self.inner.borrow_mut().batch_execute("BEGIN");
        self.noted(begun)
    }

    /// Commits the write's transaction, unless a statement in it failed (see `failed`).
    pub(crate) fn commit(&self) -> Result<()> {
        if self.failed.get() {
            self.rollback()?;
            return Err(crate::store::Error::Writer("a statement of the write failed; nothing was written".into()));
        }
        Ok(self.inner.borrow_mut().batch_execute("COMMIT")?)
    }

    pub(crate) fn rollback(&self) -> Result<()> {
        Ok(self.inner.borrow_mut().batch_execute("ROLLBACK")?)
    }

    /// Whether the connection is of no more use: closed, or its session ended by the server.
    pub(crate) fn is_closed(&self) -> bool {
        self.lost.get() || self.inner.borrow().is_closed()
    }

    pub(crate) fn get_mut(&mut self) -> &mut ::postgres::Client {
        self.inner.get_mut()
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // SAFETY: `inner` is taken once, here, and never used again.
        let inner = unsafe { std::mem::ManuallyDrop::take(&mut self.inner) };
        // The client closes its connection by blocking on a runtime of its own, which panics
        // on a thread that drives an async runtime (a server dropping its pool as it stops).
        if tokio::runtime::Handle::try_current().is_ok() {
            let _ = std::thread::Builder::new().name("hitchpost-pg-close".into()).spawn(move || drop(inner));
        } else {
            drop(inner);
        }
    }
}

/// Every row of a query, each through `f`.
pub(crate) fn rows<T>(rows: Vec<Row>, f: impl Fn(&Row) -> Result<T>) -> Result<Vec<T>> {
    rows.iter().map(f).collect()
}

/// Copies the SQLite database at `from` into the empty PostgreSQL database at `url` (see
/// `import`), over TLS when the URL asks for it (`tls`).
pub fn copy_sqlite_file(
    from: &std::path::Path,
    sqlite_version: i64,
    url: &str,
    ca_file: Option<&std::path::Path>,
) -> crate::store::Result<Copied> {
    let config: ::postgres::Config = url.parse()?;
    let mut client = tls::Tls::for_config(&config, ca_file)?.connect(&config)?;
    import::copy_from_sqlite(from, sqlite_version, &mut client)
}
