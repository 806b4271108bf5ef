//! The guard every admin route sits behind, except login, the two-factor step and reset:
//! it checks the session, two-factor setup and the CSRF token of every state-changing
//! request, and marks responses uncacheable.
//!
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
//!
//! It sits above both `session` (cookies, same-origin checks) and `login` (the login page it
//! shows when a session has ended), so neither of those needs the other's caller.

use super::csrf::Csrf;
use super::login;
use super::session::{SessionHash, current, proven_same_origin, same_origin, totp_required};
use crate::desk::Staff;
use crate::{AppState, WebError};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use masthead_core::secret::constant_time_eq;
use masthead_store::SessionStage;

/// The largest form the guard reads to find the CSRF token (article text included).
pub const MAX_FORM: usize = 2 * 1024 * 1024;

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
    let csrf = Csrf(session.csrf_token);
    request.extensions_mut().insert(staff.clone());
    request.extensions_mut().insert(csrf.clone());
    request.extensions_mut().insert(SessionHash(hash));
    let mut response = next.run(request).await;
    // An error page is rendered above the router (`error_pages`): it needs who is asking to
    // draw the desk's navigation, so the staff member can go on from there.
    if response.status().is_client_error() || response.status().is_server_error() {
        response.extensions_mut().insert(staff);
        response.extensions_mut().insert(csrf);
    }
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(crate::headers::PRIVATE_NO_STORE),
    );
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
