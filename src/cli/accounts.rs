//! `hitchpost account create`.

use super::{AccountCommand, cli_actor, open_db};
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
