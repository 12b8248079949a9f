//! The command line: `serve` (the default) and the operator's commands, each in its file:
//! `key`, `account`, `plan`, and `backup`, `restore`, `check`, `migrate` (maintenance).

mod accounts;
mod keys;
mod maintenance;
mod plans;
mod serve;

use crate::config::{DEFAULT_BIND, DEFAULT_DB};
use crate::db::{Actor, Db};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "hitchpost", version, about = "Profiles, linked social accounts and connect links, self-hosted.")]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve the API (what `hitchpost` with no command does).
    Serve(ServeArgs),
    /// Manage a workspace's API keys (works while a server runs on the same file).
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
    /// Copy the database to a file while the server runs (SQLite's online backup).
    Backup {
        #[command(flatten)]
        db: DbArg,
        /// The backup file to write (must not exist).
        #[arg(long)]
        out: PathBuf,
    },
    /// Replace the database with a backup. Stop the server first.
    Restore {
        #[command(flatten)]
        db: DbArg,
        /// The backup file to read.
        #[arg(long)]
        from: PathBuf,
    },
    /// Check a database: integrity, schema version, row counts. Exits non-zero when damaged.
    Check {
        #[command(flatten)]
        db: DbArg,
    },
    /// Copy a SQLite database into an empty PostgreSQL one, to move to several instances.
    Migrate {
        /// The SQLite database to copy (a server may keep running on it: the copy is of one moment).
        #[arg(long)]
        from_sqlite: PathBuf,
        /// The PostgreSQL database to fill: postgres://USER:PASSWORD@HOST:PORT/DATABASE.
        #[arg(long, env = "HITCHPOST_DATABASE_URL", hide_env_values = true)]
        database_url: String,
        /// With `sslmode=require` in the URL: the CA certificates (PEM) to verify the
        /// database's certificate with, instead of the Mozilla roots.
        #[arg(long, env = "HITCHPOST_DATABASE_CA_FILE")]
        database_ca_file: Option<PathBuf>,
    },
    /// Manage account holders.
    Account {
        #[command(subcommand)]
        command: AccountCommand,
    },
    /// Manage workspaces' plans (there is no billing provider: the operator decides).
    Plan {
        #[command(subcommand)]
        command: PlanCommand,
    },
    /// Prints a one-time console sign-in link for an account holder (a lost password): it
    /// works once, for 15 minutes, and ends the holder's other sessions.
    ConsoleLink {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        email: String,
        /// Where people reach this server (the link's origin).
        #[arg(long, env = "HITCHPOST_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
        public_url: String,
    },
}

#[derive(Subcommand)]
pub enum AccountCommand {
    /// Create an account holder and a workspace they own; the password is read from stdin.
    /// Works whether sign-up is open or closed.
    Create {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        email: String,
        #[arg(long)]
        username: Option<String>,
        #[arg(long)]
        first_name: Option<String>,
        #[arg(long)]
        last_name: Option<String>,
        /// Put the workspace on a trial of this many days (default: no trial, no limit).
        #[arg(long)]
        trial_days: Option<i64>,
    },
}

#[derive(Subcommand)]
pub enum PlanCommand {
    /// Put a workspace on a plan: `trial` (with --trial-days, 14 by default) or any paid plan name.
    Set {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        workspace: String,
        #[arg(long)]
        plan: String,
        #[arg(long)]
        profile_limit: Option<i64>,
        #[arg(long)]
        trial_days: Option<i64>,
    },
}

#[derive(Args, Clone)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "HITCHPOST_BIND", default_value = DEFAULT_BIND)]
    pub bind: String,
    /// The SQLite database file.
    #[arg(long, env = "HITCHPOST_DB", default_value = DEFAULT_DB)]
    pub db: PathBuf,
    /// A PostgreSQL database instead of the file, for several instances:
    /// postgres://USER:PASSWORD@HOST:PORT/DATABASE.
    #[arg(long, env = "HITCHPOST_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// With `sslmode=require` in the URL: the CA certificates (PEM) to verify the database's
    /// certificate with, instead of the Mozilla roots.
    #[arg(long, env = "HITCHPOST_DATABASE_CA_FILE")]
    pub database_ca_file: Option<PathBuf>,
    /// Development mode: a `dev` workspace whose key is printed and stable; loopback only.
    #[arg(long)]
    pub dev: bool,
}

#[derive(Args, Clone)]
pub struct DbArg {
    /// The SQLite database file.
    #[arg(long, env = "HITCHPOST_DB", default_value = DEFAULT_DB)]
    pub db: PathBuf,
    /// A PostgreSQL database instead of the file: postgres://USER:PASSWORD@HOST:PORT/DATABASE.
    #[arg(long, env = "HITCHPOST_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// With `sslmode=require` in the URL: the CA certificates (PEM) to verify the database's
    /// certificate with, instead of the Mozilla roots.
    #[arg(long, env = "HITCHPOST_DATABASE_CA_FILE")]
    pub database_ca_file: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum KeyCommand {
    /// Create an API key (and the workspace, if new); prints the key alone.
    Create {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        workspace: String,
        /// Set the workspace's profile limit.
        #[arg(long)]
        profile_limit: Option<i64>,
        /// A label for the key.
        #[arg(long)]
        name: Option<String>,
        /// What the key may do, comma-separated: profiles, connect, accounts, proxy,
        /// credentials, webhooks, audit (default: all but credentials).
        #[arg(long, value_delimiter = ',')]
        scope: Option<Vec<String>>,
    },
    /// List a workspace's keys: id, state, creation time, scopes, name. Never the secret.
    List {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        workspace: String,
    },
    /// Revoke a key, given its id or the whole key.
    Revoke {
        #[command(flatten)]
        db: DbArg,
        id: String,
    },
}

impl Cli {
    /// Runs the command given (serving when none is).
    pub fn run(self) -> Result<(), String> {
        match self.command {
            None => serve::serve(self.serve),
            Some(Command::Serve(args)) => serve::serve(args),
            Some(Command::Key { command }) => keys::key(command),
            Some(Command::Account { command }) => accounts::account(command),
            Some(Command::Backup { db, out }) => maintenance::backup(db, out),
            Some(Command::Restore { db, from }) => maintenance::restore(db, from),
            Some(Command::Check { db }) => maintenance::check(db),
            Some(Command::Migrate { from_sqlite, database_url, database_ca_file }) => {
                maintenance::migrate(from_sqlite, database_url, database_ca_file)
            }
            Some(Command::Plan { command }) => plans::plan(command),
            Some(Command::ConsoleLink { db, email, public_url }) => accounts::console_link(db, &email, &public_url),
        }
    }
}

fn open_db(db: &DbArg) -> Result<Db, String> {
    match &db.database_url {
        Some(url) => {
            // A command makes a few statements: two connections, not a server's pool.
            let options = crate::db::PostgresOptions { ca_file: db.database_ca_file.clone(), connections: Some(2) };
            Db::connect(url, &options).map_err(|e| format!("cannot open the PostgreSQL database: {e}"))
        }
        None => Db::open(&db.db).map_err(|e| format!("cannot open {}: {e}", db.db.display())),
    }
}

/// The operator at the command line, for the audit log.
fn cli_actor() -> Actor {
    Actor { who: "cli".into(), ip: None }
}
