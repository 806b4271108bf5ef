//! The web error type.
//!
//! Policy: a handler returns `WebError`; user mistakes become 400/404/414 with a message that
//! says what to do; an unreachable or busy database, or unreachable media storage (an object
//! store that is down), becomes 503 with `Retry-After`; a full
//! disk becomes 507 with a message naming the cause; anything else is a 500 whose detail
//! goes to the log once, with a request id that the page shows, never to the reader.
//! `IntoResponse` only records what happened (an [`ErrorInfo`] on the response); the
//! `error_pages` middleware renders the themed page or the API's JSON, since it has the state
//! (theme, shared parts) that `IntoResponse` lacks. This module depends on no surface.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use masthead_core::InvalidInput;
use masthead_render::ThemeError;
use masthead_store::StoreError;

/// What went wrong while answering a request.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// Nothing is published at this address.
    #[error("not found")]
    NotFound,
    /// The request itself is malformed; the message says how to fix it.
    #[error("{0}")]
    BadRequest(String),
    /// The address is longer than we accept.
    #[error("address too long")]
    UriTooLong,
    /// Login is needed (API: no or a bad token).
    #[error("login required")]
    Unauthorized,
    /// The staff member's role does not allow this; the message says what would.
    #[error("{0}")]
    Forbidden(String),
    /// The input was understood but breaks a rule; the message names the field and the fix.
    #[error("{0}")]
    Unprocessable(String),
    /// The change collides with another (a slug in use, someone else's newer save).
    #[error("{0}")]
    Conflict(String),
    /// Too many attempts; try again after this many seconds.
    #[error("too many attempts")]
    TooManyRequests(u64),
    /// The body is larger than accepted for this address.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// Too much password hashing is already running (each Argon2 check holds 19 MiB); try
    /// again after this many seconds.
    #[error("busy checking passwords")]
    Busy(u64),
    /// The database did not answer in time.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// The media storage (an object store) did not answer in time or answered with an
    /// error: nothing was saved, and reading an image fails until it is back.
    #[error("media storage unavailable: {0}")]
    MediaUnavailable(String),
    /// A resource shared by every reader is in use by others (the turns to be sent a
    /// meeting document's original); the message says so and to try again shortly.
    #[error("{0}")]
    AtCapacity(String),
    /// The database is busy (another writer, a held lock); retrying in a moment works.
    #[error("database busy: {0}")]
    DatabaseBusy(String),
    /// The database's disk is full: nothing can be saved until space is freed.
    #[error("insufficient storage: {0}")]
    InsufficientStorage(String),
    /// A bug or a broken dependency: what we were doing, and the error that stopped it (kept
    /// whole, so the log shows its chain of causes). Logged, never shown.
    #[error("internal error: {context}")]
    Internal {
        /// What we were doing.
        context: String,
        /// The cause, when there is one.
        #[source]
        source: Option<BoxError>,
    },
}

/// Any error, kept with its chain of causes.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

impl WebError {
    /// A 500 for `context`, keeping `source` (and its causes) for the log.
    pub fn internal(context: impl Into<String>, source: impl Into<BoxError>) -> Self {
        WebError::Internal {
            context: context.into(),
            source: Some(source.into()),
        }
    }

    /// A 500 for a broken invariant with no underlying error.
    pub fn bug(context: impl Into<String>) -> Self {
        WebError::Internal {
            context: context.into(),
            source: None,
        }
    }
}

/// `error` and each of its causes, joined with ": ".
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        text.push_str(": ");
        text.push_str(&e.to_string());
        cause = e.source();
    }
    text
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => WebError::NotFound,
            StoreError::Unavailable(_) => WebError::Unavailable(e.to_string()),
            StoreError::Busy(_) => WebError::DatabaseBusy(e.to_string()),
            StoreError::Full(_) => WebError::InsufficientStorage(e.to_string()),
            StoreError::Conflict(m) => WebError::Conflict(m),
            StoreError::Invalid(i) => {
                WebError::Unprocessable(format!("{}: {}", i.field, i.message))
            }
            other => WebError::internal("the database", other),
        }
    }
}

impl WebError {
    /// The web error for a media storage error while `context`: 503 when the object store
    /// is unreachable (the detail, with its causes, goes to the log), else a 500.
    pub fn media_storage(context: &str, error: masthead_media::MediaError) -> Self {
        if error.is_unreachable() {
            WebError::MediaUnavailable(format!("{context}: {}", with_causes(&error)))
        } else {
            WebError::internal(context.to_owned(), error)
        }
    }
}

impl From<ThemeError> for WebError {
    fn from(e: ThemeError) -> Self {
        WebError::internal("rendering the theme", e)
    }
}

impl From<InvalidInput> for WebError {
    fn from(e: InvalidInput) -> Self {
        WebError::BadRequest(format!(
            "The {} in this address is not valid: {}.",
            e.field, e.message
        ))
    }
}

/// Carried on an error response from `into_response` to the `error_pages` middleware (and
/// the API's JSON errors).
#[derive(Debug, Clone)]
pub(crate) struct ErrorInfo {
    pub(crate) message: String,
    pub(crate) detail: Option<String>,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let retry_after = match self {
            WebError::TooManyRequests(secs) | WebError::Busy(secs) => Some(secs),
            WebError::DatabaseBusy(_) => Some(BUSY_RETRY_AFTER_SECS),
            _ => None,
        };
        let (status, message, detail) = match self {
            WebError::NotFound => (
                StatusCode::NOT_FOUND,
                "We could not find that page. It may have moved, or the address may be mistyped."
                    .to_owned(),
                None,
            ),
            WebError::BadRequest(m) => (StatusCode::BAD_REQUEST, m, None),
            WebError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "Please log in to continue.".to_owned(),
                None,
            ),
            WebError::Forbidden(m) => (StatusCode::FORBIDDEN, m, None),
            WebError::Unprocessable(m) => (StatusCode::UNPROCESSABLE_ENTITY, m, None),
            WebError::Conflict(m) => (StatusCode::CONFLICT, m, None),
            WebError::TooManyRequests(secs) => (
                StatusCode::TOO_MANY_REQUESTS,
                format!("Too many attempts. Wait {secs} seconds and try again."),
                Some(secs.to_string()),
            ),
            WebError::PayloadTooLarge(m) => (StatusCode::PAYLOAD_TOO_LARGE, m, None),
            WebError::Busy(secs) => (
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "The server is busy checking other logins. Wait {secs} seconds and try again."
                ),
                Some("password hashing at capacity".to_owned()),
            ),
            WebError::UriTooLong => (
                StatusCode::URI_TOO_LONG,
                "That address is too long. Check the link, or start again from the front page."
                    .to_owned(),
                None,
            ),
            WebError::Unavailable(d) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "The site is having trouble reaching its database. Please try again in a minute."
                    .to_owned(),
                Some(d),
            ),
            WebError::MediaUnavailable(d) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "The site cannot reach its image storage right now, so nothing was saved and \
                 images may not show. Please try again in a minute."
                    .to_owned(),
                Some(d),
            ),
            WebError::AtCapacity(m) => (
                StatusCode::SERVICE_UNAVAILABLE,
                m,
                Some("at capacity".to_owned()),
            ),
            WebError::DatabaseBusy(d) => (
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "The database is busy with other work, so nothing was changed. Please try again \
                     in {BUSY_RETRY_AFTER_SECS} seconds."
                ),
                Some(d),
            ),
            WebError::InsufficientStorage(d) => (
                StatusCode::INSUFFICIENT_STORAGE,
                "Nothing was saved: the server's disk is full. Reading still works; ask the \
                 site's operator to free disk space, then try again (no restart is needed)."
                    .to_owned(),
                Some(d),
            ),
            WebError::Internal { context, source } => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side. The problem has been logged.".to_owned(),
                Some(match source {
                    Some(source) => format!("{context}: {}", with_causes(source.as_ref())),
                    None => context,
                }),
            ),
        };
        let mut response = status.into_response();
        response
            .extensions_mut()
            .insert(ErrorInfo { message, detail });
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("30"));
        }
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
        }
        response
    }
}

/// How long a client should wait before retrying after the database was busy.
pub(crate) const BUSY_RETRY_AFTER_SECS: u64 = 2;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Issue 8: `WebError` flattened its cause into a string; it now keeps the error, and
    /// the logged detail carries the whole chain of causes.
    #[test]
    fn internal_errors_keep_their_cause_and_log_its_chain() {
        #[derive(Debug, thiserror::Error)]
        #[error("disk said no")]
        struct Outer(#[source] std::io::Error);
        let inner = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "EACCES");
        let error = WebError::internal("reading media file a.jpg", Outer(inner));
        let source = std::error::Error::source(&error).unwrap();
        assert_eq!(source.to_string(), "disk said no");
        let response = error.into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let info = response.extensions().get::<ErrorInfo>().unwrap();
        assert_eq!(
            info.detail.as_deref(),
            Some("reading media file a.jpg: disk said no: EACCES")
        );
        assert!(
            !info.message.contains("EACCES"),
            "never shown to the reader"
        );
    }
}
