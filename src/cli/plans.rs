//! `hitchpost plan set`.

use super::{PlanCommand, cli_actor, open_db};
use crate::domain::workspaces::{self, PlanChange, WorkspaceName};
use crate::domain::{self};

pub(super) fn plan(command: PlanCommand) -> Result<(), String> {
    let show = |e: domain::Error| e.to_string();
    match command {
        PlanCommand::Set { db, workspace, plan, profile_limit, trial_days } => {
            let name = WorkspaceName::parse(&workspace).map_err(show)?;
            let db = open_db(&db)?;
            let info = db
                .write_blocking(cli_actor(), move |c| {
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
