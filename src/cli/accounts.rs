//! `hitchpost account create` and `hitchpost console-link`.

use super::{AccountCommand, DbArg, cli_actor, open_db};
use crate::auth::ServerSecret;
use crate::auth::jwt::{CONSOLE_LINK_AUDIENCE, HolderClaims, Jwt};
use crate::domain::holders::{self, Email, NewHolder, NewPassword, person_name};
use crate::domain::profiles::Username;
use crate::domain::{self};

pub(super) fn account(command: AccountCommand) -> Result<(), String> {
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
                password_hash: crate::auth::password::hash_blocking(&password.into_inner())
                    .map_err(|e| e.to_string())?,
            };
            let db = open_db(&db)?;
            let (holder, ws) =
                db.write_blocking(cli_actor(), move |c| holders::register(c, new, trial_days)).map_err(show)?;
            let name = db.read_blocking(|c| domain::workspaces::get(c, ws)).map_err(show)?.name;
            println!("{}\t{}\tworkspace {}", holder.id, holder.email, name);
        }
    }
    Ok(())
}

/// The server secret a server on this database signs with: `HITCHPOST_SECRET`, else (SQLite)
/// the file kept beside the database.
fn server_secret(db: &DbArg) -> Result<ServerSecret, String> {
    match std::env::var("HITCHPOST_SECRET").ok().filter(|s| !s.is_empty()) {
        // Not checked for strength here: the server that runs with it already was.
        Some(s) => Ok(ServerSecret::from_passphrase(&s)),
        None if db.database_url.is_some() => {
            Err("a PostgreSQL database needs HITCHPOST_SECRET, the secret its servers sign with".into())
        }
        None => ServerSecret::load_or_create(&db.db).map_err(|e| format!("reading the server secret: {e}")),
    }
}

pub(super) fn console_link(db: DbArg, email: &str, public_url: &str) -> Result<(), String> {
    let secret = server_secret(&db)?;
    let store = open_db(&db)?;
    let login = email.to_string();
    let found = store.read_blocking(move |c| holders::find_for_login(c, &login)).map_err(|e| e.to_string())?;
    let (holder, _) = found.ok_or_else(|| format!("no account holder has the email or username {email}"))?;
    let minutes = holders::CONSOLE_LINK_MINUTES;
    let exp = (chrono::Utc::now() + chrono::Duration::minutes(minutes)).timestamp();
    let claims = HolderClaims::for_audience(CONSOLE_LINK_AUDIENCE, &holder.id, holder.session_epoch, exp);
    let token = Jwt::new(&secret).sign(&claims);
    println!("{}/console/link?token={token}", public_url.trim_end_matches('/'));
    eprintln!("It signs {} in once, within {minutes} minutes, and ends their other sessions.", holder.email);
    Ok(())
}
