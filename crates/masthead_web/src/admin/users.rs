//! Staff accounts, for admins: add an account, change its role, disable or enable it, and
//! make a one-time password-reset link (shown to the admin to pass on).

use super::csrf::Csrf;
use super::desk_user::DeskUser;
use super::form::FormData;
use super::view;
use crate::desk::Staff;
use crate::{AppState, WebError};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Duration;
use masthead_core::password::Password;
use masthead_core::secret::{new_token, token_hash};
use masthead_core::{EmailAddress, Role, SiteAction, UserId};
use masthead_render::{Value, context, ser};
use masthead_store::NewUser;

async fn render(
    state: &AppState,
    staff: &Staff,
    csrf: &Csrf,
    extra: Value,
    status: StatusCode,
) -> Result<Response, WebError> {
    let users = state.store.list_users().await?;
    let authors = state.store.authors().await?;
    let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
    let ctx = context! { users => ser(&users), authors => ser(&authors), roles, ..extra };
    view::page_with_status(state, staff, csrf, "users.html", ctx, status)
}

/// `GET /admin/users`
pub async fn list(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
) -> Result<Response, WebError> {
    staff.require(SiteAction::ManageUsers)?;
    render(&state, &staff, &csrf, context! {}, StatusCode::OK).await
}

/// `POST /admin/users`: adds an account with a first password the admin passes on.
pub async fn create(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    body: Bytes,
) -> Result<Response, WebError> {
    staff.require(SiteAction::ManageUsers)?;
    let form = FormData::parse(&body);
    let fail = |m: String| {
        render(
            &state,
            &staff,
            &csrf,
            context! { error => m, form => form.value() },
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    let email = match EmailAddress::parse(form.get("email")) {
        Ok(email) => email.to_string(),
        Err(e) => return fail(format!("{e}.")).await,
    };
    let email = email.as_str();
    let name = form.get("name").trim();
    if name.is_empty() || name.chars().count() > 100 {
        return fail("Name: give a name (up to 100 characters).".into()).await;
    }
    let role = match Role::parse(form.get("role")) {
        Ok(r) => r,
        Err(e) => return fail(e.to_string()).await,
    };
    let password = match Password::parse(form.get("password"), &[email, name, &state.config().name])
    {
        Ok(p) => p,
        Err(e) => return fail(e.to_string()).await,
    };
    let phc = crate::desk::hash_password(&state, password).await?;
    let now = state.clock.now();
    let new = NewUser {
        email: email.into(),
        name: name.into(),
        role,
        password_hash: phc,
    };
    match state.store.create_user(&new, &staff.actor(), now).await {
        Ok(_) => Ok(Redirect::to("/admin/users").into_response()),
        Err(masthead_store::StoreError::Conflict(m)) => fail(m).await,
        Err(e) => Err(e.into()),
    }
}

/// `POST /admin/users/{id}`: role, disabled flag and byline profile.
pub async fn update(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    staff.require(SiteAction::ManageUsers)?;
    let form = FormData::parse(&body);
    let id = UserId(id);
    let user = state.store.user(id).await?;
    let now = state.clock.now();
    let actor = staff.actor();
    if id == staff.user.id && (form.get("disabled") == "1" || form.get("role") != "admin") {
        let m = "You cannot disable yourself or remove your own admin role; ask another admin.";
        return render(
            &state,
            &staff,
            &csrf,
            context! { error => m },
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let role = Role::parse(form.get("role")).map_err(|e| WebError::Unprocessable(e.to_string()))?;
    if role != user.role {
        state.store.set_user_role(id, role, &actor, now).await?;
    }
    let disabled = form.get("disabled") == "1";
    if disabled != user.disabled {
        state
            .store
            .set_user_disabled(id, disabled, &actor, now)
            .await?;
    }
    let author = form.get("author").parse().ok().map(masthead_core::AuthorId);
    if author != user.author {
        state.store.set_user_author(id, author).await?;
    }
    Ok(Redirect::to("/admin/users").into_response())
}

/// `POST /admin/users/{id}/reset`: a one-time link, valid for 24 hours, shown once.
pub async fn reset_link(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    staff.require(SiteAction::ManageUsers)?;
    let user = state.store.user(UserId(id)).await?;
    let token = new_token("");
    let now = state.clock.now();
    state
        .store
        .create_reset(
            user.id,
            &token_hash(&token),
            now + Duration::hours(24),
            &staff.actor(),
            now,
        )
        .await?;
    let link = format!("{}/admin/reset/{token}", state.config().base_url);
    let ctx = context! { reset_link => link, reset_for => &user.email };
    render(&state, &staff, &csrf, ctx, StatusCode::OK).await
}
