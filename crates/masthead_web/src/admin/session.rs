//! Staff sessions on the HTTP side: the cookie, the guard every admin route sits behind,
//! and the CSRF check on every state-changing request.
//!
//! The cookie holds a random id; the database keeps its SHA-256 (see the store's
//! `sessions`). Over https the cookie is `__Host-masthead_session`, `Secure`, `HttpOnly`,
//! `SameSite=Lax`; over plain http (development, tests) it drops the prefix and `Secure`,
//! which browsers require for them.
//!
//! The guard, for every route under `/admin` except login and reset:
//! - no live session: a GET goes to the login page with `next`; a POST from another site is
//!   refused (403) and nothing of it is kept; a POST that proves it came from our own pages
//!   (see [`proven_same_origin`]) gets the login page with the posted form kept in it (so a
//!   stale session loses no draft), never an action;
//! - a half-finished login (password right, code owed) goes to the code page;
//! - staff whose role must use two-factor login and have not set it up may only enrol: see
//!   the account page, post the enrolment form, and log out;
//! - POST, PUT, PATCH and DELETE must carry the session's CSRF token (form field `csrf`, the
//!   first part of a multipart form, or the `X-CSRF-Token` header; never the address, where
//!   it would reach logs and history) and must not come from another site
//!   (`Sec-Fetch-Site`, `Origin`).

use super::login;
use crate::desk::Staff;
use crate::{AppState, WebError};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Duration;
use masthead_core::Role;
use masthead_core::secret::{constant_time_eq, new_token, token_hash};
use masthead_store::{NewSession, Session, SessionStage, User};

/// How long a login lasts.
pub const SESSION_HOURS: i64 = 12;

/// How long a half-finished login (password right, two-factor code owed) lasts: long enough
/// to open the authenticator app, short enough that a password alone buys little.
pub const CODE_STEP_MINUTES: i64 = 10;

/// The largest form the guard reads to find the CSRF token (article text included).
pub const MAX_FORM: usize = 2 * 1024 * 1024;

/// The session's CSRF token, for forms.
#[derive(Debug, Clone)]
pub struct Csrf(pub String);

/// The cookie's name for this site.
pub fn cookie_name(state: &AppState) -> &'static str {
    if secure(state) {
        "__Host-masthead_session"
    } else {
        "masthead_session"
    }
}

fn secure(state: &AppState) -> bool {
    state.config().base_url.starts_with("https://")
}

/// The session id the request's cookie carries, if any.
pub fn cookie_value(state: &AppState, headers: &HeaderMap) -> Option<String> {
    read_cookie(headers, cookie_name(state))
}

/// The remembered-device cookie's name for this site (see `throttle`).
pub fn device_cookie_name(state: &AppState) -> &'static str {
    if secure(state) {
        "__Host-masthead_device"
    } else {
        "masthead_device"
    }
}

/// The remembered-device id the request's cookie carries, if any.
pub fn device_value(state: &AppState, headers: &HeaderMap) -> Option<String> {
    read_cookie(headers, device_cookie_name(state))
}

/// The `Set-Cookie` value that remembers this browser as a login device: sent only to our
/// own pages (`SameSite=Strict`), never readable by script.
pub fn device_cookie(state: &AppState, value: &str) -> Result<HeaderValue, WebError> {
    let attrs = if secure(state) { "; Secure" } else { "" };
    let cookie = format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{attrs}",
        device_cookie_name(state),
        super::throttle::DEVICE_DAYS * 24 * 3600
    );
    HeaderValue::from_str(&cookie).map_err(|e| WebError::internal("the session cookie", e))
}

fn read_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty() && v.len() <= 128)
}

/// The live session behind the request's cookie, if any.
pub async fn current(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<(String, Session)>, WebError> {
    let Some(value) = cookie_value(state, headers) else {
        return Ok(None);
    };
    let hash = token_hash(&value);
    let now = state.clock.now();
    Ok(state.store.session(&hash, now).await?.map(|s| (hash, s)))
}

/// The hash of the request's session id, put beside [`Staff`] by the guard (logout ends it).
#[derive(Debug, Clone)]
pub struct SessionHash(pub String);

/// Starts a session for `user` at `stage`, replacing `old` (rotation), and returns the
/// `Set-Cookie` value with the new session's CSRF token.
pub async fn start(
    state: &AppState,
    user: &User,
    stage: SessionStage,
    old: Option<&str>,
) -> Result<(HeaderValue, Csrf), WebError> {
    let value = new_token("");
    let now = state.clock.now();
    let csrf = new_token("");
    let lifetime = match stage {
        SessionStage::Full => Duration::hours(SESSION_HOURS),
        SessionStage::Password => Duration::minutes(CODE_STEP_MINUTES),
    };
    state
        .store
        .create_session(
            &NewSession {
                id_hash: &token_hash(&value),
                user: user.id,
                csrf_token: &csrf,
                stage,
                expires_at: now + lifetime,
            },
            old,
            now,
        )
        .await?;
    let attrs = if secure(state) { "; Secure" } else { "" };
    let cookie = format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{attrs}",
        cookie_name(state),
        lifetime.num_seconds()
    );
    let cookie =
        HeaderValue::from_str(&cookie).map_err(|e| WebError::internal("the session cookie", e))?;
    Ok((cookie, Csrf(csrf)))
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(state: &AppState) -> HeaderValue {
    let attrs = if secure(state) { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{attrs}",
        cookie_name(state)
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Whether the request comes from our own pages: a browser's `Sec-Fetch-Site` must be
/// same-origin (or none, for a typed address), and an `Origin`, when sent, must be ours.
pub fn same_origin(state: &AppState, headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site")
        && !matches!(site.as_bytes(), b"same-origin" | b"none")
    {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else {
        return true;
    };
    // Ours if it is the configured address, or the host this request was sent to (a
    // browser never lets a page on another site set either to our value).
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin_host = origin.split_once("://").map(|(_, h)| h);
    origin == state.config().base_url.trim_end_matches('/')
        || (origin_host.is_some() && origin_host == host)
}

/// Whether the request positively shows it was sent by one of our own pages, not merely
/// that nothing says otherwise: `Sec-Fetch-Site: same-origin`, or an `Origin` or `Referer`
/// on our site (a browser never lets another site's page set any of them to ours). What a
/// request without such proof carries is never kept (a draft held over login).
pub fn proven_same_origin(state: &AppState, headers: &HeaderMap) -> bool {
    if !same_origin(state, headers) {
        return false;
    }
    if headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"same-origin")
    {
        return true;
    }
    let base = state.config().base_url.trim_end_matches('/').to_owned();
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let ours = |url: &str| {
        let rest = url.split_once("://").map(|(_, rest)| rest);
        let authority = rest.map(|r| r.split('/').next().unwrap_or(r));
        url == base
            || url.starts_with(&format!("{base}/"))
            || (authority.is_some() && authority == host)
    };
    let header_ours = |name: header::HeaderName| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .is_some_and(ours)
    };
    header_ours(header::ORIGIN) || header_ours(header::REFERER)
}

/// Whether two-factor login is required for `role` on this site.
pub async fn totp_required(state: &AppState, role: Role) -> Result<bool, WebError> {
    Ok(state.store.two_factor_required(role).await?)
}

/// The guard around every admin route but login and reset.
pub async fn require_staff(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    match guard(&state, request, next).await {
        Ok(response) | Err(response) => response,
    }
}

async fn guard(state: &AppState, request: Request, next: Next) -> Result<Response, Response> {
    let unsafe_method = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let path = request
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str().to_owned())
        .unwrap_or_default();
    let session = current(state, request.headers())
        .await
        .map_err(IntoResponse::into_response)?;
    let Some((hash, session)) = session else {
        if unsafe_method {
            // Another site's form: refused, and nothing of it is kept (it would otherwise
            // come back, pre-filled in the editor, after the victim logs in).
            if !same_origin(state, request.headers()) {
                return Err(forbidden_csrf());
            }
            // Keep what was posted only when the request proves it came from our own page:
            // the login page carries it back after login.
            let keep = proven_same_origin(state, request.headers());
            let draft = if keep {
                let (parts, body) = request.into_parts();
                let form = read_form(&parts.headers, body).await.unwrap_or_default();
                String::from_utf8(form.to_vec()).unwrap_or_default()
            } else {
                String::new()
            };
            let message = if draft.is_empty() {
                "Your session has ended. Log in again."
            } else {
                "Your session has ended. Log in again; what you were working on is kept and will come back after login."
            };
            return Err(login::login_page(
                state,
                // The form's own address is where the draft belongs (the editor posts to it).
                &path,
                &draft,
                Some(message),
                axum::http::StatusCode::UNAUTHORIZED,
            )
            .await);
        }
        return Err(
            Redirect::to(&format!("/admin/login?next={}", login::encode(&path))).into_response(),
        );
    };
    if session.stage != SessionStage::Full {
        return Err(Redirect::to("/admin/login/code").into_response());
    }
    let staff = Staff {
        role: session.user.role,
        user: session.user.clone(),
    };
    if !staff.user.totp_enabled
        && !enrolment_step(request.method(), request.uri().path())
        && totp_required(state, staff.role)
            .await
            .map_err(IntoResponse::into_response)?
    {
        // Until enrolled, the session may only enrol (or log out): no tokens, no password
        // change, no desk work.
        if unsafe_method {
            return Err(WebError::Forbidden(
                "This site requires two-factor login for your role. Set it up on your account page first."
                    .into(),
            )
            .into_response());
        }
        return Err(Redirect::to("/admin/account?setup=2fa").into_response());
    }
    let mut request = request;
    if unsafe_method {
        if !same_origin(state, request.headers()) {
            return Err(forbidden_csrf());
        }
        let (parts, body) = request.into_parts();
        let from_header = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let kind = content_type(&parts.headers);
        let (body, from_form) = if kind.starts_with("application/x-www-form-urlencoded") {
            let bytes = read_form(&parts.headers, body)
                .await
                .map_err(IntoResponse::into_response)?;
            let token = form_urlencoded::parse(&bytes)
                .find(|(k, _)| k == "csrf")
                .map(|(_, v)| v.into_owned());
            (Body::from(bytes), token)
        } else if from_header.is_none() && kind.starts_with("multipart/form-data") {
            // An upload: the token is the form's first part, read without reading the file.
            super::multipart_csrf::first_part_token(kind, body)
                .await
                .map_err(IntoResponse::into_response)?
        } else {
            (body, None)
        };
        let presented = from_header.or(from_form).unwrap_or_default();
        if !constant_time_eq(presented.as_bytes(), session.csrf_token.as_bytes()) {
            return Err(forbidden_csrf());
        }
        request = Request::from_parts(parts, body);
    }
    request.extensions_mut().insert(staff);
    request.extensions_mut().insert(Csrf(session.csrf_token));
    request.extensions_mut().insert(SessionHash(hash));
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// What a session that must still enrol in two-factor login may do: see its account page,
/// post the enrolment form, and log out.
fn enrolment_step(method: &Method, path: &str) -> bool {
    matches!(
        (method, path),
        (&Method::GET | &Method::HEAD, "/admin/account")
            | (&Method::POST, "/admin/account/2fa")
            | (&Method::POST, "/admin/logout")
    )
}

fn content_type(headers: &HeaderMap) -> &str {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

async fn read_form(headers: &HeaderMap, body: Body) -> Result<Bytes, WebError> {
    if !content_type(headers).starts_with("application/x-www-form-urlencoded") {
        return Ok(Bytes::new());
    }
    axum::body::to_bytes(body, MAX_FORM).await.map_err(|_| {
        WebError::PayloadTooLarge("The form is too large to save (2 MB at most).".into())
    })
}

fn forbidden_csrf() -> Response {
    WebError::Forbidden(
        "This form is out of date or came from another site. Go back, reload the page and submit again."
            .into(),
    )
    .into_response()
}
