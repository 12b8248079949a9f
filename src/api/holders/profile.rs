//! `/api/users/profile`, `/password`, `/subscription`, `/stats`.

use super::{Error, Session, session_token, user_json};
use crate::api::{body, client_ip};
use crate::app::App;
use crate::auth::password;
use crate::domain::holders::{self, Email, HolderPatch, NewPassword, person_name};
use crate::domain::{self, documents, profiles, workspaces};
use crate::store;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

/// `GET /api/users/profile`.
pub async fn show(Session(holder): Session) -> HttpResponse {
    HttpResponse::Ok().json(user_json(&holder))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileBody {
    first_name: Option<Value>,
    last_name: Option<Value>,
    email: Option<Value>,
    current_password: Option<Value>,
}

fn text(field: &str, v: Option<Value>) -> Result<Option<String>, Error> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(domain::Error::invalid(field, format!("Invalid {field}")).into()),
    }
}

/// `PUT /api/users/profile {firstName?, lastName?, email?}`.
pub async fn update(
    state: web::Data<App>,
    Session(holder): Session,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    let b: ProfileBody = body::json(&req, payload).await?;
    let patch = HolderPatch {
        first_name: text("firstName", b.first_name)?.map(|n| person_name("firstName", &n)).transpose()?,
        last_name: text("lastName", b.last_name)?.map(|n| person_name("lastName", &n)).transpose()?,
        email: text("email", b.email)?.map(|e| Email::parse(&e)).transpose()?,
    };
    // The email is how the account is signed in to and recovered: changing it takes the
    // password, like changing the password does (a stolen session alone must not keep the
    // account), and ends every other session.
    let new_email = patch.email.as_ref().is_some_and(|e| !e.as_str().eq_ignore_ascii_case(&holder.email));
    if new_email {
        state
            .limiter
            .attempt(&client_ip(&state, &req), Some(&holder.id))
            .map_err(|retry_after| domain::Error::RateLimited { retry_after })?;
        let current = text("currentPassword", b.current_password)?.unwrap_or_default();
        if current.is_empty() {
            return Err(
                domain::Error::invalid("currentPassword", "Current password is required to change the email").into()
            );
        }
        let id = holder.id.clone();
        let hash = state.db.read(move |c| holders::password_hash(c, &id)).await?;
        if !password::verify(current, Some(hash)).await? {
            return Err(domain::Error::invalid("currentPassword", "Current password is incorrect").into());
        }
    }
    let h = state
        .db
        .write(move |c| {
            let h = holders::update_profile(c, &holder.id, patch)?;
            if new_email {
                holders::logout_everywhere(c, &holder.id)?;
                return holders::get(c, &holder.id);
            }
            Ok(h)
        })
        .await?;
    let mut answer = json!({
        "message": "Profile updated successfully",
        "user": { "Id": h.id, "Username": h.username, "Email": h.email, "FirstName": h.first_name,
                  "LastName": h.last_name, "UpdatedAt": h.updated_at },
    });
    if new_email {
        let (token, expires_at) = session_token(&state, &h);
        answer["token"] = json!(token);
        answer["expiresAt"] = json!(expires_at);
    }
    Ok(HttpResponse::Ok().json(answer))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordBody {
    current_password: Option<String>,
    new_password: Option<String>,
}

/// `PUT /api/users/password {currentPassword, newPassword}`: ends every older session and
/// answers with a fresh one.
pub async fn change_password(
    state: web::Data<App>,
    Session(holder): Session,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    state
        .limiter
        .attempt(&client_ip(&state, &req), Some(&holder.id))
        .map_err(|retry_after| domain::Error::RateLimited { retry_after })?;
    let b: PasswordBody = body::json(&req, payload).await?;
    let current = b.current_password.unwrap_or_default();
    let new = NewPassword::parse("newPassword", b.new_password.as_deref().unwrap_or_default())?;
    let id = holder.id.clone();
    let hash = state.db.read(move |c| holders::password_hash(c, &id)).await?;
    if !password::verify(current, Some(hash)).await? {
        return Err(domain::Error::invalid("currentPassword", "Current password is incorrect").into());
    }
    let new_hash = password::hash(new.into_inner()).await?;
    let h = state.db.write(move |c| holders::set_password(c, &holder.id, &new_hash)).await?;
    let (token, expires_at) = session_token(&state, &h);
    Ok(HttpResponse::Ok()
        .json(json!({ "message": "Password updated successfully", "token": token, "expiresAt": expires_at })))
}

/// `GET /api/users/subscription`: the owned workspace's plan.
pub async fn subscription(state: web::Data<App>, Session(holder): Session) -> Result<HttpResponse, Error> {
    let info = state
        .db
        .read(move |c| {
            let ws = holders::owned_workspace(c, &holder.id)?;
            workspaces::get(c, ws)
        })
        .await?;
    let body = match (&info.trial_ends_at, &info.subscription_id) {
        (Some(ends), _) if info.plan == "trial" => {
            let end =
                chrono::DateTime::parse_from_rfc3339(ends).map(|t| t.with_timezone(&chrono::Utc)).unwrap_or_default();
            let left = end - chrono::Utc::now();
            // Whole days left, counting a part-day as a day, so "ends tomorrow" is 1.
            let days = if left <= chrono::Duration::zero() { 0 } else { (left.num_seconds() + 86_399) / 86_400 };
            json!({ "subscriptionType": "trial", "subscriptionStatus": if days > 0 { "active" } else { "expired" },
                    "trialEndsAt": ends, "daysRemaining": days })
        }
        (_, Some(sub)) => json!({ "subscriptionType": info.plan, "subscriptionStatus": "active",
                                  "subscriptionId": sub, "nextBillingDate": info.next_billing_at }),
        _ => json!({ "subscriptionType": info.plan, "subscriptionStatus": "active" }),
    };
    Ok(HttpResponse::Ok().json(body))
}

/// `GET /api/users/stats`: every figure counted from the store.
pub async fn stats(state: web::Data<App>, Session(holder): Session) -> Result<HttpResponse, Error> {
    let st = state.clone();
    let (docs, bytes, profiles_n, accounts_n, calls) = state
        .db
        .read(move |c| {
            let ws = holders::owned_workspace(c, &holder.id)?;
            let (docs, bytes) = documents::totals(c, &holder.id)?;
            let profiles_n = profiles::count(c, ws)?;
            let accounts_n = store::accounts::count_social_accounts(c, ws.0)?;
            let calls = st.usage.this_month(c, ws)?;
            Ok::<_, domain::Error>((docs, bytes, profiles_n, accounts_n, calls))
        })
        .await?;
    let limit = state.settings.storage_limit_bytes;
    Ok(HttpResponse::Ok().json(json!({
        "totalDocuments": docs, "totalProfiles": profiles_n, "totalSocialAccounts": accounts_n,
        "monthlyApiCalls": calls, "storageUsed": documents::human_bytes(bytes), "storageUsedBytes": bytes,
        "storageLimit": documents::human_bytes(limit), "storageLimitBytes": limit,
    })))
}
