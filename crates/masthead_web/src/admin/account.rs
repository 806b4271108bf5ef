//! The staff member's own account: change password, set up, replace or remove two-factor
//! login, and create or revoke API tokens (shown once, stored hashed, never wider than the
//! role).
//!
//! A password or two-factor change ends every session and API token of the account (the page
//! says so beside each form). Replacing or removing a two-factor secret that is set up needs
//! proof of presence: a current code from the app or the password. A staff member who must
//! use two-factor login and has not set it up sees only the enrolment form (the guard lets
//! such a session do nothing else).

use super::csrf::Csrf;
use super::desk_user::DeskUser;
use super::view;
use crate::desk::Staff;
use crate::{AppState, WebError};
use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{Extensions, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use masthead_core::password::{Password, verify_password_in};
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

/// The account page again, 429 with `Retry-After`, when a proof is over its limit.
async fn too_many_attempts(
    state: &AppState,
    staff: &Staff,
    csrf: &Csrf,
    secs: u64,
) -> Result<Response, WebError> {
    let m = format!("Too many attempts. Wait {secs} seconds and try again.");
    let page = render(
        state,
        staff,
        csrf,
        context! { error => m },
        StatusCode::TOO_MANY_REQUESTS,
    )
    .await?;
    Ok(super::login::with_retry(page, secs))
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
    let enrol_only = required && !staff.user.totp_enabled;
    let scopes: Vec<&str> = Role::ALL
        .iter()
        .filter(|r| staff.role.at_least(**r))
        .map(|r| r.as_str())
        .collect();
    let ctx = context! {
        tokens => ser(&tokens),
        totp_enabled => staff.user.totp_enabled,
        totp_required => required,
        enrol_only,
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
    DeskUser { staff, csrf }: DeskUser,
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

/// `POST /admin/account/password`: needs the current password; ends every session and API
/// token.
pub async fn password(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    extensions: Extensions,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let form = FormData::parse(&body);
    // Limited like login: a stolen session is no way to guess the password faster.
    let ip = super::login::client_ip(&state, &extensions, &headers);
    let account = format!("reauth:{}", staff.user.id);
    if let Err(secs) = state
        .throttle
        .check(&state.store, state.clock.now(), &ip, &account)
        .await?
    {
        return too_many_attempts(&state, &staff, &csrf, secs).await;
    }
    let creds = state
        .store
        .credentials(&staff.user.email)
        .await?
        .ok_or(WebError::Unauthorized)?;
    let current = form.get("current").to_owned();
    let ok = state
        .password_work()
        .run(move |memory| verify_password_in(&current, &creds.password_hash, memory))
        .await?;
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
    let phc = crate::desk::hash_password(&state, new).await?;
    let now = state.clock.now();
    state
        .store
        .set_user_password(staff.user.id, &phc, &staff.actor(), now)
        .await?;
    // Every session ended, this one too: log in again with the new password.
    Ok(Redirect::to("/admin/login?next=/admin/account").into_response())
}

/// `POST /admin/account/2fa`: turns two-factor login on (with a code proving the app has
/// the new secret), replaces its secret, or turns it off. Replacing or turning off a secret
/// that is set up also needs `proof`: a current code from the app or the password.
pub async fn totp(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    extensions: Extensions,
    headers: HeaderMap,
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
    if staff.user.totp_enabled {
        match present(&state, &staff, &extensions, &headers, form.get("proof")).await? {
            Presence::Proven => {}
            Presence::Refused(message) => return fail(message).await,
            Presence::Wait(secs) => {
                return too_many_attempts(&state, &staff, &csrf, secs).await;
            }
        }
    }
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

/// The outcome of asking for proof of presence.
enum Presence {
    Proven,
    Refused(&'static str),
    Wait(u64),
}

/// Checks `proof` against the account: six to eight digits are a code from the app (used
/// once, like a login code), anything else the password. Attempts share the two-factor
/// login's limits, so the form is no faster way to guess a code.
async fn present(
    state: &AppState,
    staff: &Staff,
    extensions: &Extensions,
    headers: &HeaderMap,
    proof: &str,
) -> Result<Presence, WebError> {
    let proof = proof.trim();
    if proof.is_empty() {
        return Ok(Presence::Refused(
            "Type a current code from your authenticator app, or your password, to change two-factor login.",
        ));
    }
    let now = state.clock.now();
    let ip = super::login::client_ip(state, extensions, headers);
    let account = format!("totp:{}", staff.user.id);
    if let Err(secs) = state
        .throttle
        .check(&state.store, now, &ip, &account)
        .await?
    {
        return Ok(Presence::Wait(secs));
    }
    let creds = state
        .store
        .credentials(&staff.user.email)
        .await?
        .ok_or(WebError::Unauthorized)?;
    let digits = proof.chars().filter(char::is_ascii_digit).count();
    let is_code =
        (6..=8).contains(&digits) && proof.chars().all(|c| c.is_ascii_digit() || c == ' ');
    let ok = if is_code {
        let secret = creds
            .totp_secret
            .as_deref()
            .and_then(|s| TotpSecret::from_base32(s).ok());
        let last = state.store.totp_last_step(staff.user.id).await?;
        match secret.and_then(|s| s.verify(proof, now.timestamp(), last)) {
            Some(step) => state.store.use_totp_step(staff.user.id, step).await?,
            None => false,
        }
    } else {
        let proof = proof.to_owned();
        state
            .password_work()
            .run(move |memory| verify_password_in(&proof, &creds.password_hash, memory))
            .await?
    };
    Ok(if ok {
        Presence::Proven
    } else {
        Presence::Refused(
            "That is neither a current code from your app nor your password. Try a fresh code.",
        )
    })
}

/// `POST /admin/account/tokens`: makes a token and shows it once.
pub async fn create_token(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
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
