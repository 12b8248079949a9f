//! `hitchpost key create|list|revoke`.

use super::{KeyCommand, cli_actor, open_db};
use crate::auth::api_key;
use crate::domain::{self, workspaces::WorkspaceName};

pub(super) fn key(command: KeyCommand) -> Result<(), String> {
    let show = |e: domain::Error| e.to_string();
    match command {
        KeyCommand::Create { db, workspace, profile_limit, name, scope } => {
            let workspace = WorkspaceName::parse(&workspace).map_err(show)?;
            let scopes = domain::api_keys::scopes(scope.as_deref()).map_err(show)?;
            let db = open_db(&db)?;
            let parts = api_key::generate();
            let hash = api_key::hash_secret_without_server(&parts.secret).map_err(|e| e.to_string())?;
            let key = parts.clone();
            db.write_blocking(cli_actor(), move |c| {
                let ws = domain::workspaces::ensure(c, &workspace, profile_limit)?;
                domain::api_keys::insert(c, ws, &key, hash, name, scopes)
            })
            .map_err(show)?;
            println!("{}", parts.to_key());
        }
        KeyCommand::List { db, workspace } => {
            let workspace = WorkspaceName::parse(&workspace).map_err(show)?;
            let db = open_db(&db)?;
            let keys = db
                .read_blocking(|c| {
                    let ws = domain::workspaces::find_by_name(c, &workspace)?;
                    domain::api_keys::list(c, ws)
                })
                .map_err(show)?;
            for k in keys {
                let state = if k.revoked_at.is_some() { "revoked" } else { "active" };
                let scopes = k.scopes.to_stored();
                println!("{}\t{}\t{}\t{}\t{}", k.key_id, state, k.created_at, scopes, k.name.unwrap_or_default());
            }
        }
        KeyCommand::Revoke { db, id } => {
            let db = open_db(&db)?;
            db.write_blocking(cli_actor(), move |c| domain::api_keys::revoke(c, &id)).map_err(show)?;
            println!("revoked");
        }
    }
    Ok(())
}
