//! The command line: `serve` (the default) and the operator's `key` commands.

use clap::{Args, Parser, Subcommand};
use hitchpost::auth::api_key;
use hitchpost::config::{Config, DEFAULT_BIND, DEFAULT_DB};
use hitchpost::db::Db;
use hitchpost::domain::{self, workspaces::WorkspaceName};
use hitchpost::startup::Application;
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
    let config = Config::from_env(args.bind, args.db, args.dev);
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
        app.run_until_stopped().await.map_err(|e| e.to_string())
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
            let hash = api_key::hash_secret(&parts.secret).map_err(show)?;
            let key = parts.clone();
            db.write_blocking(move |c| {
                let ws = domain::workspaces::ensure(c, &workspace, profile_limit)?;
                domain::api_keys::insert(c, ws, &key, hash, name)
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
            db.write_blocking(move |c| domain::api_keys::revoke(c, &id)).map_err(show)?;
            println!("revoked");
        }
    }
    Ok(())
}
