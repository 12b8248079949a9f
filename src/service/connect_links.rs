//! Issuing connect links: the one place a link is made for a profile, whichever dialect asks.

use super::{Target, check_offerable};
use crate::app::App;
use crate::domain::connect::{self, CreatedLink, NewLink};
use crate::domain::{self, workspaces::WorkspaceId};

/// A link issued: what was stored, and the URL to give the end-user.
pub struct Issued {
    pub link: CreatedLink,
    pub url: String,
}

/// The URL an end-user opens for a link token.
pub fn link_url(app: &App, token: &str) -> String {
    format!("{}/connect?token={token}", app.public_url)
}

/// Issues a link for `whose` profile: every platform it offers must be linkable on this
/// server (a 400 names what is missing), then it is stored and its URL made.
pub async fn issue(app: &App, ws: WorkspaceId, whose: Target, new: NewLink) -> domain::Result<Issued> {
    check_offerable(app, new.options.platforms.as_deref().unwrap_or_default())?;
    let jwt = app.jwt.clone();
    let link = app
        .db
        .write(move |c| {
            let profile = whose.resolve(c, ws)?;
            connect::create(c, &jwt, ws, &profile, new)
        })
        .await?;
    let url = link_url(app, &link.token);
    Ok(Issued { link, url })
}
