//! The staff member's own account: change password, set up or remove two-factor login, and
//! create or revoke API tokens (shown once, stored hashed, never wider than the role).

use super::session::Csrf;
use super::view;
use crate::desk::Staff;
use crate::{AppState, WebError};
use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use masthead_core::password::{Password, verify_password};
use masthead_core::secret::{new_token, token_hash};
use masthead_core::totp::TotpSecret;
use masthead_core::{Role, TokenId};
use masthead_render::{Value, context, ser};
use serde::Deserialize;

use super::form::FormData;

#[derive(Deserialize, Default)]
pub struct AccountQuery {
    #[serde(default)]
    setup: String,
    #[serde(default)]
    done: String,
}

async fn render(
    state: &AppState,
    staff: &Staff,
    csrf: &Csrf,
    extra: Value,
    status: StatusCode,
) -> Result<Response, WebError> {
    let tokens = state.store.list_tokens(staff.user.id).await?;
    let secret = TotpSecret::generate();
    let required = super::session::totp_required(state, staff.role).await?;
    let scopes: Vec<&str> = Role::ALL
        .iter()
        .filter(|r| staff.role.at_least(**r))
        .map(|r| r.as_str())
        .collect();
    let ctx = context! {
        tokens => ser(&tokens),
        totp_enabled => staff.user.totp_enabled,
        totp_required => required,
        new_secret => secret.to_base32(),
        otpauth => secret.otpauth_uri(&state.config().name, &staff.user.email),
        scopes,
        ..extra
    };
    view::page_with_status(state, staff, csrf, "account.html", ctx, status)
}

/// `GET /admin/account`
pub async fn show(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Extension(csrf): Extension<Csrf>,
    Query(q): Query<AccountQuery>,
) -> Result<Response, WebError> {
    let notice = match (q.setup.as_str(), q.done.as_str()) {
        ("2fa", _) => {
            Some("This site requires two-factor login for your role. Set it up below to continue.")
        }
        (_, "password") => Some("Password changed."),
        (_, "2fa") => Some("Two-factor login is updated."),
        (_, "revoked") => Some("Token revoked."),
        _ => None,
    };
    render(&state, &staff, &csrf, context! { notice }, StatusCode::OK).await
}

/// `POST /admin/account/password`: needs the current password; ends every session.
pub async fn password(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Extension(csrf): Extension<Csrf>,
    body: Bytes,
) -> Result<Response, WebError> {
    let form = FormData::parse(&body);
    let creds = state
        .store
        .credentials(&staff.user.email)
        .await?
        .ok_or(WebError::Unauthorized)?;
    let current = form.get("current").to_owned();
    let ok = tokio::task::spawn_blocking(move || verify_password(&current, &creds.password_hash))
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let fail = |m: String| {
        render(
            &state,
            &staff,
            &csrf,
            context! { error => m },
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    if !ok {
        return fail("Your current password is not right.".into()).await;
    }
    let new = match Password::parse(
        form.get("new"),
        &[&staff.user.email, &staff.user.name, &state.config().name],
    ) {
        Ok(p) => p,
        Err(e) => return fail(e.to_string()).await,
    };
    let phc = crate::desk::hash_password(new).await?;
    let now = state.clock.now();
    state
        .store
        .set_user_password(staff.user.id, &phc, &staff.actor(), now)
        .await?;
    // Every session ended, this one too: log in again with the new password.
    Ok(Redirect::to("/admin/login?next=/admin/account").into_response())
}

/// `POST /admin/account/2fa`: turns two-factor login on (with a code proving the app has
/// the secret) or off (with the current password's proof of presence: a fresh code).
pub async fn totp(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Extension(csrf): Extension<Csrf>,
    body: Bytes,
) -> Result<Response, WebError> {
    let form = FormData::parse(&body);
    let now = state.clock.now();
    let fail = |m: &str| {
        render(
            &state,
            &staff,
            &csrf,
            context! { error => m },
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    if form.get("disable") == "1" {
        if super::session::totp_required(&state, staff.role).await? {
            return fail(
                "This site requires two-factor login for your role; it cannot be turned off.",
            )
            .await;
        }
        state
            .store
            .set_user_totp(staff.user.id, None, &staff.actor(), now)
            .await?;
        return Ok(Redirect::to("/admin/login?next=/admin/account").into_response());
    }
    let Ok(secret) = TotpSecret::from_base32(form.get("secret")) else {
        return fail("The setup key was damaged; reload the page and start again.").await;
    };
    let Some(step) = secret.verify(form.get("code"), now.timestamp(), None) else {
        return fail(
            "That code did not match. Add the key to your app, then type the code it shows now.",
        )
        .await;
    };
    state
        .store
        .set_user_totp(
            staff.user.id,
            Some(&secret.to_base32()),
            &staff.actor(),
            now,
        )
        .await?;
    state.store.use_totp_step(staff.user.id, step).await?;
    Ok(Redirect::to("/admin/login?next=/admin/account").into_response())
}

/// `POST /admin/account/tokens`: makes a token and shows it once.
pub async fn create_token(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Extension(csrf): Extension<Csrf>,
    body: Bytes,
) -> Result<Response, WebError> {
    let form = FormData::parse(&body);
    let name = form.get("name").trim();
    let scope = match form.get("scope") {
        "" => staff.role,
        s => Role::parse(s).map_err(|e| WebError::Unprocessable(e.to_string()))?,
    };
    if !staff.role.at_least(scope) || name.is_empty() || name.len() > 100 {
        let m = "Name the token (up to 100 characters) and pick a scope no wider than your role.";
        return render(
            &state,
            &staff,
            &csrf,
            context! { error => m },
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let token = new_token("mh_");
    let now = state.clock.now();
    state
        .store
        .create_token(
            staff.user.id,
            name,
            &token_hash(&token),
            scope,
            &staff.actor(),
            now,
        )
        .await?;
    render(
        &state,
        &staff,
        &csrf,
        context! { new_token => token },
        StatusCode::OK,
    )
    .await
}

/// `POST /admin/account/tokens/{id}/revoke`
pub async fn revoke_token(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let now = state.clock.now();
    state
        .store
        .revoke_token(staff.user.id, TokenId(id), &staff.actor(), now)
        .await?;
    Ok(Redirect::to("/admin/account?done=revoked").into_response())
}
