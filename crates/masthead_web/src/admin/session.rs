//! Staff sessions on the HTTP side: the cookie, starting and finding a session, and the
//! same-origin checks that login and the guard (see `guard`) both make.
//!
//! The cookie holds a random id; the database keeps its SHA-256 (see the store's
//! `sessions`). Over https the cookie is `__Host-masthead_session`, `Secure`, `HttpOnly`,
//! `SameSite=Lax`; over plain http (development, tests) it drops the prefix and `Secure`,
//! which browsers require for them.
//!
//! This module renders no page and knows no handler: the login pages and the guard build on
//! it, never the other way round.

use super::csrf::Csrf;
use crate::{AppState, WebError};
use axum::http::{HeaderMap, HeaderValue, header};
use chrono::Duration;
use masthead_core::Role;
use masthead_core::secret::{new_token, token_hash};
use masthead_store::{NewSession, Session, SessionStage, User};

/// How long a login lasts.
pub const SESSION_HOURS: i64 = 12;

/// How long a half-finished login (password right, two-factor code owed) lasts: long enough
/// to open the authenticator app, short enough that a password alone buys little.
pub const CODE_STEP_MINUTES: i64 = 10;

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

/// The hash of the request's session id, put beside the staff member by the guard (logout
/// ends it).
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

pub use crate::client::same_origin;

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
