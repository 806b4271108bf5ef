//! `POST /articles`: a new draft owned by the token's owner.

use super::schema::{ArticleInput, ArticleOut};
use super::{TAG, in_api_terms, load_out};
use crate::AppState;
use crate::api::auth::ApiStaff;
use crate::api::error::ErrorResponse;
use crate::api::extract::ApiJson;
use crate::api::responses::{JsonBody, Token};
use crate::api::{ApiError, PREFIX};
use crate::desk::Command;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Creates a draft. Any role may; the answer's `Location` is the new article's address.
#[utoipa::path(
    post,
    path = "/articles",
    operation_id = "create_article",
    tag = TAG,
    request_body = ArticleInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created as a draft", body = ArticleOut,
         headers(("Location" = String, description = "The new article's API address"))),
        Token,
        JsonBody,
        (status = 409, description = "The slug is taken", body = ErrorResponse),
        (status = 422, description = "The JSON does not fit the schema, or a field breaks a rule the schema cannot say (a section, author or image id that names nothing; a kind's required part missing; a video address not on YouTube or Vimeo); the message names it", body = ErrorResponse),
    )
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiJson(input): ApiJson<ArticleInput>,
) -> Result<Response, ApiError> {
    let fields = input.into_fields(None, state.clock.now())?;
    let now = state.clock.now();
    let id = masthead_desk::create(&state.store, &staff, fields, Command::Save, now)
        .await
        .map_err(in_api_terms)?;
    let article = load_out(&state, &staff, id).await?;
    let location = format!("{PREFIX}/articles/{id}");
    let mut response = (StatusCode::CREATED, Json(article)).into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}
