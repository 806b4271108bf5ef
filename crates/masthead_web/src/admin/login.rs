//! Logging in and out, the two-factor step, and one-time password-reset links.
//!
//! Every failure says the same thing ("wrong email or password") in the same time (an
//! unknown address still runs a full password check), so the page reveals nothing about
//! which accounts exist. Attempts are throttled per address and per account before any
//! check, except from a browser remembered for that account (see `throttle`); password
//! checks run within the cap on password work (503 when it is full). A successful step
//! always starts a new session id (rotation) and remembers the browser.

use super::articles::restore_draft;
use super::session::{self, SessionHash, clear_cookie, proven_same_origin, same_origin};
use super::view;
pub(crate) use crate::client::client_ip;
use crate::desk::Staff;
use crate::{AppState, WebError};
use axum::Extension;
use axum::extract::{Form, Path, Query, State};
use axum::http::{Extensions, HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use masthead_core::UserId;
use masthead_core::password::{Password, dummy_verify_in, verify_password_in};
use masthead_core::secret::{new_token, token_hash};
use masthead_core::totp::TotpSecret;
use masthead_render::context;
use masthead_store::{Actor, SessionStage, User, normalize_email};
use serde::Deserialize;

const WRONG: &str = "Wrong email or password. Check both and try again.";

/// Percent-encodes a value for a query string.
pub fn encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// A redirect target after login: a path inside the desk, never another site.
pub fn local_next(next: &str) -> &str {
    let ok = next.starts_with("/admin")
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control);
    if ok { next } else { "/admin" }
}

/// The hash of the request's device cookie, if it names a browser remembered for `user`.
async fn known_device(
    state: &AppState,
    headers: &HeaderMap,
    user: Option<UserId>,
) -> Result<Option<String>, WebError> {
    let (Some(value), Some(user)) = (session::device_value(state, headers), user) else {
        return Ok(None);
    };
    let hash = token_hash(&value);
    let owner = state.store.device_user(&hash, state.clock.now()).await?;
    Ok((owner == Some(user)).then_some(hash))
}

/// A page shown again with a status and `Retry-After`.
pub(crate) fn with_retry(mut response: Response, secs: u64) -> Response {
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, secs.into());
    response
}

/// The login page, optionally carrying a draft posted after the session ended.
pub async fn login_page(
    state: &AppState,
    next: &str,
    draft: &str,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let ctx = context! { next => local_next(next), draft, email => "", error };
    view::bare(state, "login.html", ctx, status).unwrap_or_else(IntoResponse::into_response)
}

#[derive(Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

/// `GET /admin/login`
pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Result<Response, WebError> {
    if let Some((_, s)) = session::current(&state, &headers).await?
        && s.stage == SessionStage::Full
    {
        return Ok(Redirect::to(local_next(&q.next)).into_response());
    }
    Ok(login_page(&state, &q.next, "", None, StatusCode::OK).await)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    draft: String,
}

/// `POST /admin/login`
pub async fn submit(
    State(state): State<AppState>,
    extensions: Extensions,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    if !same_origin(&state, &headers) {
        return Err(WebError::Forbidden(
            "Log in from the desk's own login page.".into(),
        ));
    }
    let mut form = form;
    if !proven_same_origin(&state, &headers) {
        // A draft rides along only from our own pages, never from another site's form.
        form.draft.clear();
    }
    let email = normalize_email(&form.email);
    let again = |error: &str, status| {
        let ctx = context! { next => local_next(&form.next), draft => &form.draft, email => &email, error };
        view::bare(&state, "login.html", ctx, status)
    };
    let now = state.clock.now();
    let credentials = state.store.credentials(&email).await?;
    let device = known_device(&state, &headers, credentials.as_ref().map(|c| c.user.id)).await?;
    let limited = match &device {
        // The owner's own browser: its own bucket, untouched by anyone else's attempts.
        Some(hash) => state.throttle.check_device(&state.store, now, hash).await?,
        None => {
            let ip = client_ip(&state, &extensions, &headers);
            state.throttle.check(&state.store, now, &ip, &email).await?
        }
    };
    if let Err(secs) = limited {
        let page = again(
            &format!("Too many attempts. Wait {secs} seconds and try again."),
            StatusCode::TOO_MANY_REQUESTS,
        )?;
        return Ok(with_retry(page, secs));
    }
    let password = form.password.clone();
    let checked = state
        .password_work()
        .run(move |memory| match credentials {
            Some(c)
                if verify_password_in(&password, &c.password_hash, memory) && !c.user.disabled =>
            {
                Some(c.user)
            }
            Some(_) => None,
            None => {
                dummy_verify_in(&password, memory);
                None
            }
        })
        .await;
    let user = match checked {
        Ok(user) => user,
        Err(WebError::Busy(secs)) => {
            let page = again(
                &format!(
                    "The server is busy checking other logins. Wait {secs} seconds and try again."
                ),
                StatusCode::SERVICE_UNAVAILABLE,
            )?;
            return Ok(with_retry(page, secs));
        }
        Err(e) => return Err(e),
    };
    let Some(user) = user else {
        tracing::info!(%email, "failed login");
        return again(WRONG, StatusCode::UNAUTHORIZED);
    };
    let old = session::current(&state, &headers)
        .await?
        .map(|(hash, _)| hash);
    if user.totp_enabled {
        let (cookie, _) =
            session::start(&state, &user, SessionStage::Password, old.as_deref()).await?;
        let ctx = context! { next => local_next(&form.next), draft => &form.draft };
        let mut response = view::bare(&state, "code.html", ctx, StatusCode::OK)?;
        response.headers_mut().insert(header::SET_COOKIE, cookie);
        return Ok(response);
    }
    finish(
        &state,
        &headers,
        user,
        old.as_deref(),
        &form.next,
        &form.draft,
    )
    .await
}

/// Completes login: a full session and the browser remembered as the account's device, then
/// the draft restored or the page asked for.
async fn finish(
    state: &AppState,
    headers: &HeaderMap,
    user: User,
    old: Option<&str>,
    next: &str,
    draft: &str,
) -> Result<Response, WebError> {
    let (cookie, csrf) = session::start(state, &user, SessionStage::Full, old).await?;
    let now = state.clock.now();
    let device = if known_device(state, headers, Some(user.id)).await?.is_some() {
        None
    } else {
        let value = new_token("");
        let expires = now + chrono::Duration::days(super::throttle::DEVICE_DAYS);
        state
            .store
            .remember_device(&token_hash(&value), user.id, now, expires)
            .await?;
        Some(session::device_cookie(state, &value)?)
    };
    state
        .store
        .audit(
            &Actor::user(user.id, &user.name),
            "user.login",
            &format!("user {}", user.id),
            "",
            now,
        )
        .await?;
    let mut response = if draft.is_empty() {
        Redirect::to(local_next(next)).into_response()
    } else {
        let staff = Staff {
            role: user.role,
            user,
        };
        restore_draft(state, &staff, &csrf, local_next(next), draft).await?
    };
    response.headers_mut().insert(header::SET_COOKIE, cookie);
    if let Some(device) = device {
        response.headers_mut().append(header::SET_COOKIE, device);
    }
    Ok(response)
}

/// `GET /admin/login/code`
pub async fn code_page(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    match session::current(&state, &headers).await? {
        Some((_, s)) if s.stage == SessionStage::Password => view::bare(
            &state,
            "code.html",
            context! { next => "/admin", draft => "" },
            StatusCode::OK,
        ),
        _ => Ok(Redirect::to("/admin/login").into_response()),
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    draft: String,
}

/// `POST /admin/login/code`
pub async fn code_submit(
    State(state): State<AppState>,
    extensions: Extensions,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Result<Response, WebError> {
    if !same_origin(&state, &headers) {
        return Err(WebError::Forbidden(
            "Enter the code on the desk's own page.".into(),
        ));
    }
    let mut form = form;
    if !proven_same_origin(&state, &headers) {
        form.draft.clear();
    }
    let Some((hash, session)) = session::current(&state, &headers).await? else {
        return Ok(Redirect::to("/admin/login").into_response());
    };
    if session.stage != SessionStage::Password {
        return Ok(Redirect::to("/admin").into_response());
    }
    let user = session.user;
    let retry = |error: &str, status| {
        let ctx = context! { next => local_next(&form.next), draft => &form.draft, error };
        view::bare(&state, "code.html", ctx, status)
    };
    let account = format!("totp:{}", user.id);
    let ip = client_ip(&state, &extensions, &headers);
    let now = state.clock.now();
    if let Err(secs) = state
        .throttle
        .check(&state.store, now, &ip, &account)
        .await?
    {
        let mut response = retry(
            &format!("Too many attempts. Wait {secs} seconds."),
            StatusCode::TOO_MANY_REQUESTS,
        )?;
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, secs.into());
        return Ok(response);
    }
    let secret = state
        .store
        .credentials(&user.email)
        .await?
        .and_then(|c| c.totp_secret)
        .and_then(|s| TotpSecret::from_base32(&s).ok());
    let last = state.store.totp_last_step(user.id).await?;
    let now = state.clock.now().timestamp();
    let step = secret.and_then(|s| s.verify(&form.code, now, last));
    let accepted = match step {
        Some(step) => state.store.use_totp_step(user.id, step).await?,
        None => false,
    };
    if !accepted {
        return retry(
            "That code did not work. Codes change every 30 seconds; type the current one.",
            StatusCode::UNAUTHORIZED,
        );
    }
    finish(&state, &headers, user, Some(&hash), &form.next, &form.draft).await
}

/// `POST /admin/logout` (behind the guard, so it needs the CSRF token).
pub async fn logout(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Extension(SessionHash(hash)): Extension<SessionHash>,
) -> Result<Response, WebError> {
    state.store.delete_session(&hash).await?;
    let now = state.clock.now();
    state
        .store
        .audit(
            &staff.actor(),
            "user.logout",
            &format!("user {}", staff.user.id),
            "",
            now,
        )
        .await?;
    let mut response = Redirect::to("/admin/login").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, clear_cookie(&state));
    Ok(response)
}

/// `path` as it may be logged: a reset link's secret is replaced, so logs never hold one.
pub fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    match path.strip_prefix("/admin/reset/") {
        Some(rest) if !rest.is_empty() => "/admin/reset/[redacted]".into(),
        _ => path.into(),
    }
}

/// `GET /admin/reset/{token}`
pub async fn reset_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let now = state.clock.now();
    let user = state.store.reset_user(&token_hash(&token), now).await?;
    let ctx = context! {
        valid => user.is_some(),
        email => user.as_ref().map(|u| u.email.clone()).unwrap_or_default(),
        token => &token,
    };
    view::bare(
        &state,
        "reset.html",
        ctx,
        if user.is_some() {
            StatusCode::OK
        } else {
            StatusCode::NOT_FOUND
        },
    )
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
}

/// `POST /admin/reset/{token}`
pub async fn reset_submit(
    State(state): State<AppState>,
    extensions: Extensions,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<ResetForm>,
) -> Result<Response, WebError> {
    if !same_origin(&state, &headers) {
        return Err(WebError::Forbidden("Use the reset page itself.".into()));
    }
    let now = state.clock.now();
    let ip = client_ip(&state, &extensions, &headers);
    if let Err(secs) = state.throttle.check(&state.store, now, &ip, "").await? {
        return Err(WebError::TooManyRequests(secs));
    }
    let hash = token_hash(&token);
    let Some(user) = state.store.reset_user(&hash, now).await? else {
        let ctx = context! { valid => false, email => "", token => "" };
        return view::bare(&state, "reset.html", ctx, StatusCode::NOT_FOUND);
    };
    let password = match Password::parse(
        &form.password,
        &[&user.email, &user.name, &state.config().name],
    ) {
        Ok(p) => p,
        Err(e) => {
            let ctx = context! { valid => true, email => &user.email, token => &token, error => e.to_string() };
            return view::bare(&state, "reset.html", ctx, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let phc = crate::desk::hash_password(&state, password).await?;
    state.store.consume_reset(&hash, &phc, now).await?;
    let ctx = context! { next => "/admin", draft => "", email => &user.email, notice => "Your password is changed. Log in with it now." };
    view::bare(&state, "login.html", ctx, StatusCode::OK)
}
