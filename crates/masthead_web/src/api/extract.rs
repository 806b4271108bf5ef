//! axum's extractors with their rejections in the API's error shape, each message saying
//! what to fix.

use super::ApiError;
use super::json_body;
use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use bytes::Bytes;
use serde::de::DeserializeOwned;

/// A JSON body. Wrong content type: 415; not JSON (or nested deeper than serde_json's
/// limit of 128 levels): 400; JSON of the wrong shape: 422; a text holding the NUL
/// character, which PostgreSQL cannot store: 422; over the limit: 413.
///
/// A whole number written with a fraction (`3.0`) is taken where an integer is expected:
/// the document's integers are JSON Schema integers, which include it.
#[derive(Debug)]
pub(crate) struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(request.headers()) {
            return Err(ApiError::Status(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Send the body as JSON, with the header `Content-Type: application/json`.".into(),
            ));
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|e| json_rejection(e.into()))?;
        let value = match Json::<T>::from_bytes(&bytes) {
            Ok(Json(value)) => value,
            Err(rejection @ JsonRejection::JsonDataError(_)) => {
                json_body::with_whole_numbers(&bytes).ok_or_else(|| json_rejection(rejection))?
            }
            Err(rejection) => return Err(json_rejection(rejection)),
        };
        if let Some(field) = json_body::field_with_nul(&bytes) {
            return Err(ApiError::unprocessable(format!(
                "{field}: remove the NUL character (\\u0000); text may not contain it."
            )));
        }
        Ok(ApiJson(value))
    }
}

/// Whether the body is declared as JSON: `application/json` or `application/…+json`, with
/// any parameters (as axum's own `Json` decides).
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim();
    let Some((kind, subtype)) = essence.split_once('/') else {
        return false;
    };
    let subtype = subtype.trim().to_ascii_lowercase();
    kind.trim().eq_ignore_ascii_case("application")
        && (subtype == "json" || subtype.len() > 5 && subtype.ends_with("+json"))
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    let text = rejection.body_text();
    let detail = detail(&text);
    match rejection {
        JsonRejection::MissingJsonContentType(_) => ApiError::Status(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Send the body as JSON, with the header `Content-Type: application/json`.".into(),
        ),
        JsonRejection::JsonSyntaxError(_) => ApiError::bad_request(format!(
            "The body is not valid JSON ({detail}). Check quotes, commas and brackets, and \
             that the text is UTF-8."
        )),
        JsonRejection::JsonDataError(_) => ApiError::unprocessable(format!(
            "The JSON does not fit this endpoint: {detail}. The schemas are in \
             /api/v1/openapi.json."
        )),
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::Web(crate::WebError::PayloadTooLarge(format!(
                "The body is larger than {} KiB; send less at once.",
                super::MAX_JSON_BODY / 1024
            )))
        }
        _ => ApiError::bad_request(format!("The request body could not be read ({detail}).")),
    }
}

/// The query string, parsed. A malformed one is a 400 naming the problem.
#[derive(Debug)]
pub(crate) struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(ApiQuery(value)),
            Err(rejection @ QueryRejection::FailedToDeserializeQueryString(_)) => {
                Err(ApiError::bad_request(format!(
                    "The query string is not valid: {}.",
                    detail(&rejection.body_text())
                )))
            }
            Err(rejection) => Err(ApiError::bad_request(rejection.body_text())),
        }
    }
}

/// Path parameters, parsed. An id that is not a number is a 400 saying so.
#[derive(Debug)]
pub(crate) struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ApiPath(value)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => {
                Err(ApiError::bad_request(format!(
                    "The address is not valid: {}. Ids are whole numbers, as in \
                     /api/v1/articles/42.",
                    e.body_text()
                )))
            }
            Err(rejection) => Err(ApiError::bad_request(rejection.body_text())),
        }
    }
}

/// The part of a rejection's text after axum's generic lead-in, which is what says what
/// was wrong (serde's message with the field's path, or the parser's line and column).
fn detail(text: &str) -> &str {
    text.split_once(": ").map_or(text, |(_, detail)| detail)
}
