//! The console's profiles: the searchable list, a profile's page (accounts, live links,
//! audit), and what can be done there. Every action is the API's own domain operation.

use super::{Error, Session};
use crate::api::body;
use crate::api::native::{AccountBody, CreateConnectLink};
use crate::app::App;
use crate::domain::accounts::{self, AccountRef, RefreshOutcome};
use crate::domain::audit::{self, AuditQuery};
use crate::domain::profiles::{self, Cursor, ExternalId, PageLimit, Profile, ProfileQuery, Username};
use crate::domain::{self, connect};
use crate::service::{self, Issued, Target};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// An externalId or a username, matched exactly.
    q: Option<String>,
    cursor: Option<String>,
}

fn profile_json(p: &Profile, linked: &[accounts::SocialAccount]) -> Value {
    json!({
        "id": p.id, "name": p.name, "externalId": p.external_id, "username": p.username,
        "createdAt": p.created_at,
        "platforms": linked.iter().map(|a| a.platform.as_str()).collect::<Vec<_>>(),
        "needsReconnect": linked.iter().any(|a| a.needs_reconnect),
    })
}

/// `GET /console/api/profiles?q&cursor`: a page of 50, newest last (the API's keyset order);
/// with `q`, the profiles whose externalId or username is `q`.
pub async fn list(state: web::Data<App>, s: Session, req: HttpRequest) -> Result<HttpResponse, Error> {
    let p: ListParams = crate::api::query(&req)?;
    let ws = s.workspace;
    let q = p.q.map(|q| q.trim().to_string()).filter(|q| !q.is_empty());
    let cursor = p.cursor.as_deref().filter(|c| !c.is_empty()).map(Cursor::parse).transpose()?;
    let (found, next) = state
        .db
        .read(move |c| {
            let page = |external_id, username| {
                let query = ProfileQuery { limit: PageLimit::parse(None)?, cursor, external_id, username };
                profiles::list(c, ws, &query)
            };
            let (mut data, next) = match &q {
                None => {
                    let p = page(None, None)?;
                    (p.data, p.next_cursor)
                }
                // A search term that is not a valid externalId or username matches nothing.
                Some(q) => {
                    let mut data = match ExternalId::parse(q) {
                        Ok(e) => page(Some(e), None)?.data,
                        Err(_) => Vec::new(),
                    };
                    if let Ok(u) = Username::parse(q) {
                        data.extend(
                            page(None, Some(u))?
                                .data
                                .into_iter()
                                .filter(|p| !data.iter().any(|d| d.id == p.id))
                                .collect::<Vec<_>>(),
                        );
                    }
                    (data, None)
                }
            };
            data.truncate(50);
            let linked = accounts::list_for_each(c, &data)?;
            let rows: Vec<Value> = data.iter().zip(&linked).map(|(p, l)| profile_json(p, l)).collect();
            Ok::<_, domain::Error>((rows, next))
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "data": found, "nextCursor": next })))
}

/// `GET /console/api/profiles/{id}`: the profile, its accounts, its live links, its audit.
pub async fn show(state: web::Data<App>, s: Session, id: web::Path<String>) -> Result<HttpResponse, Error> {
    let (ws, id) = (s.workspace, id.into_inner());
    let body = state
        .db
        .read(move |c| {
            let p = profiles::get(c, ws, &id)?;
            let linked = accounts::list_for(c, &p)?;
            let links = connect::list_live(c, ws, &id)?;
            let q = AuditQuery::parse(Some("20"), None, None, Some(id.clone()))?;
            let (entries, _) = audit::list(c, ws, &q)?;
            Ok::<_, domain::Error>(json!({
                "profile": profile_json(&p, &linked),
                "accounts": linked.iter().map(AccountBody::from).collect::<Vec<_>>(),
                "links": links.iter().map(|l| json!({
                    "id": l.jti, "createdAt": l.created_at, "expiresAt": l.expires_at,
                    "platforms": l.options.platforms, "redirectUrl": l.options.redirect_url,
                })).collect::<Vec<_>>(),
                "audit": entries.iter().map(audit_json).collect::<Vec<_>>(),
            }))
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

fn audit_json(r: &audit::AuditRow) -> Value {
    json!({"at": r.at, "actor": r.actor, "ip": r.ip, "action": r.action, "profileId": r.profile_id, "target": r.target})
}

/// `POST /console/api/profiles/{id}/links`: a connect link, with the API's options.
pub async fn create_link(
    state: web::Data<App>,
    s: Session,
    id: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    let new = body::json_or_empty::<CreateConnectLink>(&req, payload).await?.into_domain().map_err(|e| e.error)?;
    let Issued { link, url } = service::issue(&state, s.workspace, Target::Id(id.into_inner()), new).await?;
    Ok(HttpResponse::Created().json(json!({ "id": link.jti, "url": url, "expiresAt": link.expires_at })))
}

/// `DELETE /console/api/links/{id}`.
pub async fn revoke_link(state: web::Data<App>, s: Session, id: web::Path<String>) -> Result<HttpResponse, Error> {
    let (ws, jti) = (s.workspace, id.into_inner());
    state.db.write(move |c| connect::revoke(c, ws, &jti)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `DELETE /console/api/profiles/{id}/accounts/{account}`: unlink (revoked at the provider).
pub async fn unlink(
    state: web::Data<App>,
    s: Session,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, Error> {
    let (id, account) = path.into_inner();
    service::unlink(&state, s.workspace, &id, AccountRef::parse(&account, "account")?).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /console/api/profiles/{id}/accounts/{account}/refresh`: refresh now.
pub async fn refresh(
    state: web::Data<App>,
    s: Session,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, Error> {
    let (id, account) = path.into_inner();
    let which = AccountRef::parse(&account, "account")?;
    let (outcome, account) = service::refresh_now(&state, s.workspace, &id, which).await?;
    let (outcome, reason) = match outcome {
        RefreshOutcome::Refreshed => ("refreshed", None),
        RefreshOutcome::Postponed(r) => ("postponed", Some(r)),
        RefreshOutcome::NeedsReconnect(r) => ("needs_reconnect", Some(r)),
    };
    Ok(HttpResponse::Ok().json(json!({ "outcome": outcome, "reason": reason, "account": AccountBody::from(&account) })))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuditParams {
    limit: Option<String>,
    cursor: Option<String>,
    action: Option<String>,
    profile_id: Option<String>,
}

/// `GET /console/api/audit?limit&cursor&action&profileId`: the API's audit log and filters.
pub async fn audit(state: web::Data<App>, s: Session, req: HttpRequest) -> Result<HttpResponse, Error> {
    let p: AuditParams = crate::api::query(&req)?;
    let q = AuditQuery::parse(p.limit.as_deref(), p.cursor.as_deref(), p.action, p.profile_id)?;
    let ws = s.workspace;
    let (rows, next) = state.db.read(move |c| audit::list(c, ws, &q)).await?;
    Ok(HttpResponse::Ok().json(json!({ "data": rows.iter().map(audit_json).collect::<Vec<_>>(), "nextCursor": next })))
}

/// How far ahead an account's lapse counts as needing attention.
const ATTENTION_DAYS: i64 = 7;

/// `GET /console/api/attention`: every account that needs reconnecting or lapses within 7
/// days, newest first, with its profile. Walks the workspace a page at a time.
pub async fn attention(state: web::Data<App>, s: Session) -> Result<HttpResponse, Error> {
    let ws = s.workspace;
    let mut found = state
        .db
        .read(move |c| {
            let mut out = Vec::new();
            let mut after = None;
            loop {
                let (page, next) = profiles::page_of_all(c, ws, after)?;
                for (p, linked) in page.iter().zip(accounts::list_for_each(c, &page)?) {
                    for a in linked.iter().filter(|a| a.needs_attention(ATTENTION_DAYS)) {
                        out.push((
                            a.connected_at.clone(),
                            json!({
                                "profile": {"id": p.id, "name": p.name, "externalId": p.external_id},
                                "account": AccountBody::from(a),
                            }),
                        ));
                    }
                }
                match next {
                    Some(n) => after = Some(n),
                    None => break,
                }
            }
            Ok::<_, domain::Error>(out)
        })
        .await?;
    found.sort_by(|a, b| b.0.cmp(&a.0));
    Ok(HttpResponse::Ok().json(json!({ "data": found.into_iter().map(|(_, v)| v).collect::<Vec<_>>() })))
}
