//! The API's one error shape, and the middleware that gives every API response it.
//!
//! ```json
//! {"error": {"status": 422, "code": "unprocessable", "message": "Headline: write a headline before saving."}}
//! ```
//!
//! `message` says what to fix. A 5xx carries a generic message and a `request_id`; its
//! detail goes to the log once, under that id, never to the client. A 409 from a save
//! carries `current`, the article as stored now, so the client can merge and retry.
//!
//! This module knows no resource's schema: a resource's module builds its own 409 with
//! [`ApiError::conflict_with`], and the document names the schema of `current` where it is
//! assembled (`openapi::finish`).
//!
//! Handlers return [`ApiError`], which renders this shape itself. Whatever else fails
//! (axum's router 404 and 405, the body limit's 413, the site's 414, a [`WebError`] from
//! shared code) is turned into it by [`to_json`], called from the site's `error_pages`
//! middleware for every error under `/api/`.

use crate::WebError;
use crate::error::ErrorInfo;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};
use utoipa::ToSchema;

/// The body of every API error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorResponse {
    /// What went wrong.
    pub error: ErrorDetail,
}

// A 409 from a save also carries `current`, the article as stored now: see
// `ApiError::conflict_with`, and `openapi::finish`, which documents it.
/// What went wrong, and what to do about it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// The HTTP status, repeated for clients that only keep the body.
    #[schema(example = 422)]
    pub status: u16,
    /// A stable machine-readable name for the status, e.g. `unprocessable`, `conflict`.
    #[schema(example = "unprocessable")]
    pub code: &'static str,
    /// What went wrong and how to fix it, in words a person can act on.
    #[schema(example = "Headline: write a headline before saving.")]
    pub message: String,
    /// On a 5xx only: quote it when reporting the problem; the detail is in the server log.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// The body of a 409 that carries the resource as stored now: [`ErrorResponse`]'s shape with
/// `current` added, for any resource type.
#[derive(Serialize)]
struct ConflictResponse<'a, C> {
    error: ConflictDetail<'a, C>,
}

/// [`ErrorDetail`] with `current`.
#[derive(Serialize)]
struct ConflictDetail<'a, C> {
    status: u16,
    code: &'static str,
    message: String,
    current: &'a C,
}

/// What an API handler or extractor can fail with.
#[derive(Debug)]
pub(crate) enum ApiError {
    /// Anything the shared web error covers.
    Web(WebError),
    /// No or an unusable `Authorization` header; the message says what was wrong.
    Unauthorized(&'static str),
    /// A 409 whose body carries the resource as stored now (a save named a version that is
    /// no longer the stored one), built by [`ApiError::conflict_with`].
    Conflict(Box<Response>),
    /// The router has nothing at this address.
    NoRoute,
    /// Any other client error, with its status and a message saying what to fix.
    Status(StatusCode, String),
}

impl From<WebError> for ApiError {
    fn from(e: WebError) -> Self {
        ApiError::Web(e)
    }
}

impl From<masthead_desk::DeskError> for ApiError {
    fn from(e: masthead_desk::DeskError) -> Self {
        ApiError::Web(e.into())
    }
}

impl From<masthead_store::StoreError> for ApiError {
    fn from(e: masthead_store::StoreError) -> Self {
        ApiError::Web(e.into())
    }
}

impl ApiError {
    /// A 400 whose message says how to fix the request.
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        ApiError::Web(WebError::BadRequest(message.into()))
    }

    /// A 422 whose message names the field and the fix.
    pub(crate) fn unprocessable(message: impl Into<String>) -> Self {
        ApiError::Web(WebError::Unprocessable(message.into()))
    }

    /// A 409 saying `message` (what to merge and resend) whose body also carries `current`,
    /// the resource as stored now, in the resource's own shape.
    pub(crate) fn conflict_with(message: String, current: &impl Serialize) -> Self {
        let body = ConflictResponse {
            error: ConflictDetail {
                status: StatusCode::CONFLICT.as_u16(),
                code: code(StatusCode::CONFLICT),
                message,
                current,
            },
        };
        ApiError::Conflict(Box::new((StatusCode::CONFLICT, Json(body)).into_response()))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Web(e) => to_json(e.into_response()),
            ApiError::Unauthorized(message) => {
                let mut response = error_response(StatusCode::UNAUTHORIZED, message.into(), None);
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"masthead\""),
                );
                response
            }
            ApiError::Conflict(response) => *response,
            ApiError::Status(status, message) => error_response(status, message, None),
            ApiError::NoRoute => error_response(
                StatusCode::NOT_FOUND,
                "There is no API endpoint at this address. The endpoints are listed in \
                 /api/v1/openapi.json."
                    .into(),
                None,
            ),
        }
    }
}

/// A stable name for each status the API answers with.
fn code(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::CONFLICT => "conflict",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::URI_TOO_LONG => "uri_too_long",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "unprocessable",
        StatusCode::TOO_MANY_REQUESTS => "too_many_requests",
        StatusCode::SERVICE_UNAVAILABLE => "unavailable",
        StatusCode::INSUFFICIENT_STORAGE => "insufficient_storage",
        s if s.is_server_error() => "internal",
        _ => "error",
    }
}

/// The message for an error response that came without one (from axum or tower-http).
fn default_message(status: StatusCode) -> String {
    match status {
        StatusCode::NOT_FOUND => {
            "Not found, or your token may not see it. Check the id; list what you can see \
             with GET /api/v1/articles."
        }
        StatusCode::UNAUTHORIZED => {
            "Send an API token as `Authorization: Bearer <token>`; an admin can issue one."
        }
        StatusCode::METHOD_NOT_ALLOWED => {
            "This address does not take that method; the `Allow` header lists the ones it \
             takes, and /api/v1/openapi.json describes them."
        }
        StatusCode::PAYLOAD_TOO_LARGE => {
            "The request body is too large: JSON bodies may be at most 1 MiB, uploads at most \
             21 MiB."
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            "Send the body as JSON with the header `Content-Type: application/json`."
        }
        StatusCode::URI_TOO_LONG => "The address is too long; shorten the query string.",
        _ => "The request could not be handled. Check it against /api/v1/openapi.json.",
    }
    .to_owned()
}

static REQUEST_IDS: AtomicU64 = AtomicU64::new(1);

/// An upload's multipart body that could not be read: a 413 saying `too_large` when it
/// passed the route's limit, else a 400 with the parser's reason.
pub(crate) fn multipart_refused(
    e: axum::extract::multipart::MultipartError,
    too_large: &str,
) -> ApiError {
    let status = e.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::Status(status, too_large.to_owned())
    } else {
        ApiError::bad_request(format!(
            "The multipart form could not be read ({}).",
            e.body_text()
        ))
    }
}

/// Turns an error response without a JSON body (a [`WebError`], a rejection from axum or
/// tower-http) into the API's shape, keeping its status and headers such as `Allow` and
/// `Retry-After`. A 5xx is logged here, once, with its detail.
pub(crate) fn to_json(response: Response) -> Response {
    let status = response.status();
    let info = response.extensions().get::<ErrorInfo>().cloned();
    let (mut parts, _) = response.into_parts();
    let request_id = if status.is_server_error() {
        // The request's own id (see `request_id`); a made-up one outside a request.
        let id = crate::request_id::current().map_or_else(
            || format!("api-{:08x}", REQUEST_IDS.fetch_add(1, Ordering::Relaxed)),
            |id| id.to_string(),
        );
        let detail = info.as_ref().and_then(|i| i.detail.as_deref());
        tracing::error!(request_id = %id, status = status.as_u16(), detail = ?detail, "API request failed");
        Some(id)
    } else {
        None
    };
    let message = match (status, info) {
        // Busy and full-disk errors say what happened and when to retry; they hold no detail
        // a client should not see (that stays in `detail`, logged above).
        (StatusCode::SERVICE_UNAVAILABLE | StatusCode::INSUFFICIENT_STORAGE, Some(info)) => {
            info.message
        }
        (StatusCode::SERVICE_UNAVAILABLE, _) => {
            "The database is not answering. Try again in a minute.".to_owned()
        }
        (s, _) if s.is_server_error() => {
            "Something went wrong on our side. The problem has been logged; quote the \
             request_id if you report it."
                .to_owned()
        }
        // The site's wording for these speaks of pages and logging in.
        (StatusCode::NOT_FOUND | StatusCode::UNAUTHORIZED, _) | (_, None) => {
            default_message(status)
        }
        (_, Some(info)) => info.message,
    };
    let fresh = error_response(status, message, request_id);
    let (fresh_parts, body) = fresh.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        fresh_parts.headers[header::CONTENT_TYPE].clone(),
    );
    if status == StatusCode::UNAUTHORIZED {
        parts
            .headers
            .entry(header::WWW_AUTHENTICATE)
            .or_insert(HeaderValue::from_static("Bearer realm=\"masthead\""));
    }
    Response::from_parts(parts, body)
}

fn error_response(status: StatusCode, message: String, request_id: Option<String>) -> Response {
    let body = ErrorResponse {
        error: ErrorDetail {
            status: status.as_u16(),
            code: code(status),
            message,
            request_id,
        },
    };
    (status, Json(body)).into_response()
}
