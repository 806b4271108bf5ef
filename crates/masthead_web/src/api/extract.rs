//! axum's extractors with their rejections in the API's error shape, each message saying
//! what to fix.

use super::ApiError;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::{Json, Json as AxumJson};
use serde::de::DeserializeOwned;

/// A JSON body. Wrong content type: 415; not JSON (or nested deeper than serde_json's
/// limit of 128 levels): 400; JSON of the wrong shape: 422; over the limit: 413.
#[derive(Debug)]
pub(crate) struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        match AxumJson::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
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
