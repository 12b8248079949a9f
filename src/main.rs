//! The command line: `serve` (the default) and the operator's `key` commands.

use clap::{Args, Parser, Subcommand};
use hitchpost::auth::{ServerSecret, api_key};
use hitchpost::config::{Config, DEFAULT_BIND, DEFAULT_DB};
use hitchpost::db::Db;
use hitchpost::domain::{self, workspaces::WorkspaceName};
use hitchpost::startup::Application;
use hitchpost::store::maintenance;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "hitchpost", version, about = "Profiles, linked social accounts and connect links, self-hosted.")]
#[command(args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Subcommand)]
enum Command {
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
}

#[derive(Subcommand)]
enum AccountCommand {
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
enum PlanCommand {
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
struct ServeArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "HITCHPOST_BIND", default_value = DEFAULT_BIND)]
    bind: String,
    /// The SQLite database file.
    #[arg(long, env = "HITCHPOST_DB", default_value = DEFAULT_DB)]
    db: PathBuf,
    /// Development mode: a `dev` workspace whose key is printed and stable; loopback only.
    #[arg(long)]
    dev: bool,
}

#[derive(Args, Clone)]
struct DbArg {
    /// The SQLite database file.
    #[arg(long, env = "HITCHPOST_DB", default_value = DEFAULT_DB)]
    db: PathBuf,
}

#[derive(Subcommand)]
enum KeyCommand {
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
    },
    /// List a workspace's keys: id, state, creation time, name. Never the secret.
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

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info"))
        // Whatever RUST_LOG says: these crates log raw HTTP bodies and headers at debug and
        // trace, which carry provider tokens and API keys. No secret reaches a log.
        .filter_module("ureq", log::LevelFilter::Info)
        .filter_module("ureq_proto", log::LevelFilter::Info)
        .filter_module("rustls", log::LevelFilter::Info)
        .filter_module("actix_http", log::LevelFilter::Info)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        None => serve(cli.serve),
        Some(Command::Serve(args)) => serve(args),
        Some(Command::Key { command }) => key(command),
        Some(Command::Account { command }) => account(command),
        Some(Command::Backup { db, out }) => backup(db, out),
        Some(Command::Restore { db, from }) => restore(db, from),
        Some(Command::Check { db }) => check(db),
        Some(Command::Plan { command }) => plan(command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hitchpost: {e}");
            ExitCode::FAILURE
        }
    }
}

fn serve(args: ServeArgs) -> Result<(), String> {
    // glibc gives every thread that allocates its own arena; with a busy blocking pool that is
    // hundreds of MB of mostly idle heap. Two arenas serve a 2-core server as fast.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only tunes the allocator, before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
        // argon2 takes 7 MiB a hash; a fixed threshold keeps such blocks mmapped, so they go
        // back to the system when the hash is done instead of staying in the heap.
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
    }
    let config = Config::from_env(args.bind, args.db, args.dev)?;
    let db_path = config.db_path.clone();
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(config).map_err(|e| e.to_string())?;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "hitchpost listening on http://{} (database {})", app.addr(), db_path.display());
        if let Some(key) = app.dev_key() {
            let _ = writeln!(out, "dev mode: workspace `dev`, API key {key}");
        }
        let _ = out.flush();
        drop(out);
        app.run_until_signalled().await.map_err(|e| e.to_string())
    })
}

fn key(command: KeyCommand) -> Result<(), String> {
    let open = |db: &DbArg| Db::open(&db.db).map_err(|e| format!("cannot open {}: {e}", db.db.display()));
    let show = |e: domain::Error| e.to_string();
    match command {
        KeyCommand::Create { db, workspace, profile_limit, name } => {
            let workspace = WorkspaceName::parse(&workspace).map_err(show)?;
            let db = open(&db)?;
            let parts = api_key::generate();
            let hash = api_key::hash_secret_without_server(&parts.secret).map_err(show)?;
            let key = parts.clone();
            domain::audit::with_actor(Some(cli_actor()), || {
                db.write_blocking(move |c| {
                    let ws = domain::workspaces::ensure(c, &workspace, profile_limit)?;
                    domain::api_keys::insert(c, ws, &key, hash, name)
                })
            })
            .map_err(show)?;
            println!("{}", parts.to_key());
        }
        KeyCommand::List { db, workspace } => {
            let workspace = WorkspaceName::parse(&workspace).map_err(show)?;
            let db = open(&db)?;
            let keys = db
                .read_blocking(|c| {
                    let ws = domain::workspaces::find_by_name(c, &workspace)?;
                    domain::api_keys::list(c, ws)
                })
                .map_err(show)?;
            for k in keys {
                let state = if k.revoked_at.is_some() { "revoked" } else { "active" };
                println!("{}\t{}\t{}\t{}", k.key_id, state, k.created_at, k.name.unwrap_or_default());
            }
        }
        KeyCommand::Revoke { db, id } => {
            let db = open(&db)?;
            domain::audit::with_actor(Some(cli_actor()), || {
                db.write_blocking(move |c| domain::api_keys::revoke(c, &id))
            })
            .map_err(show)?;
            println!("revoked");
        }
    }
    Ok(())
}

fn open_db(db: &DbArg) -> Result<Db, String> {
    Db::open(&db.db).map_err(|e| format!("cannot open {}: {e}", db.db.display()))
}

fn account(command: AccountCommand) -> Result<(), String> {
    use hitchpost::domain::holders::{self, Email, NewHolder, NewPassword, person_name};
    use hitchpost::domain::profiles::Username;
    let show = |e: domain::Error| e.to_string();
    match command {
        AccountCommand::Create { db, email, username, first_name, last_name, trial_days } => {
            let mut password = String::new();
            std::io::stdin().read_line(&mut password).map_err(|e| format!("reading the password from stdin: {e}"))?;
            let password = NewPassword::parse("password", password.trim_end_matches(['\n', '\r'])).map_err(show)?;
            let new = NewHolder {
                email: Email::parse(&email).map_err(show)?,
                username: username.as_deref().map(Username::parse).transpose().map_err(show)?,
                first_name: first_name
                    .as_deref()
                    .map(|n| person_name("firstName", n))
                    .transpose()
                    .map_err(show)?
                    .flatten(),
                last_name: last_name
                    .as_deref()
                    .map(|n| person_name("lastName", n))
                    .transpose()
                    .map_err(show)?
                    .flatten(),
                password_hash: hitchpost::auth::password::hash_blocking(&password.into_inner()).map_err(show)?,
            };
            let db = open_db(&db)?;
            let (holder, ws) = db.write_blocking(move |c| holders::register(c, new, trial_days)).map_err(show)?;
            let name = db.read_blocking(|c| domain::workspaces::get(c, ws)).map_err(show)?.name;
            println!("{}\t{}\tworkspace {}", holder.id, holder.email, name);
        }
    }
    Ok(())
}

fn plan(command: PlanCommand) -> Result<(), String> {
    use hitchpost::domain::workspaces::{self, PlanChange};
    let show = |e: domain::Error| e.to_string();
    match command {
        PlanCommand::Set { db, workspace, plan, profile_limit, trial_days } => {
            let name = WorkspaceName::parse(&workspace).map_err(show)?;
            let db = open_db(&db)?;
            let info = db
                .write_blocking(move |c| {
                    let ws = workspaces::find_by_name(c, &name)?;
                    workspaces::set_plan(c, ws, PlanChange { plan, profile_limit, trial_days })
                })
                .map_err(show)?;
            println!(
                "{}\tplan {}\tprofile limit {}\t{}",
                info.name,
                info.plan,
                info.profile_limit.map_or("none".to_string(), |l| l.to_string()),
                info.trial_ends_at.map(|t| format!("trial ends {t}")).or(info.subscription_id).unwrap_or_default()
            );
        }
    }
    Ok(())
}

fn backup(db: DbArg, out: PathBuf) -> Result<(), String> {
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

fn restore(db: DbArg, from: PathBuf) -> Result<(), String> {
    let restored = maintenance::restore_file(&db.db, &from, hitchpost::db::SCHEMA_VERSION)?;
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

fn check(db: DbArg) -> Result<(), String> {
    if !db.db.exists() {
        return Err(format!("{} does not exist", db.db.display()));
    }
    let report = maintenance::check_file(&db.db, hitchpost::db::SCHEMA_VERSION)
        .map_err(|e| format!("cannot check {}: {e}", db.db.display()))?;
    println!("integrity\t{}", report.integrity);
    println!("schema version\t{} (this hitchpost writes {})", report.schema_version, hitchpost::db::SCHEMA_VERSION);
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

/// The operator at the command line, for the audit log.
fn cli_actor() -> domain::audit::Actor {
    domain::audit::Actor { who: "cli".into(), ip: None }
}
