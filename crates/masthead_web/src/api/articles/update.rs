//! `PUT /articles/{id}`: replaces an article's fields, if nobody saved since the version
//! the change started from.

use super::schema::{ArticleInput, ArticleOut};
use super::{TAG, in_api_terms, saved};
use crate::AppState;
use crate::api::ApiError;
use crate::api::auth::ApiStaff;
use crate::api::error::ErrorResponse;
use crate::api::extract::{ApiJson, ApiPath};
use crate::api::responses::{IdInPath, JsonBody, Token};
use crate::desk::{self, Command};
use axum::Json;
use axum::extract::State;
use masthead_core::ArticleId;

/// Replaces the fields; the status stays. The body's `version` is the one the change
/// started from: if someone saved since, nothing is written and the answer is a 409 whose
/// `error.current` is the stored article, to merge and send again.
#[utoipa::path(
    put,
    path = "/articles/{id}",
    operation_id = "replace_article",
    tag = TAG,
    params(("id" = i64, Path, description = "The article's id")),
    request_body = ArticleInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Saved; the article with its new version", body = ArticleOut),
        Token,
        IdInPath,
        JsonBody,
        (status = 400, description = "The id in the address is not a whole number, or the body is not JSON", body = ErrorResponse),
        (status = 403, description = "The role may not change this article, or its owner has not set up the two-factor login the site requires", body = ErrorResponse),
        (status = 404, description = "No such article, or not yours to see", body = ErrorResponse),
        (status = 409, description = "Saved by someone else since `version`; `error.current` holds it", body = ErrorResponse),
        (status = 422, description = "No `version`, the JSON does not fit the schema, or a field breaks a rule the schema cannot say (a section, author or image id that names nothing; a kind's required part missing; a video address not on YouTube or Vimeo); the message names it", body = ErrorResponse),
    )
)]
pub(crate) async fn update(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ArticleInput>,
) -> Result<Json<ArticleOut>, ApiError> {
    let id = ArticleId(id);
    let Some(base) = input.version else {
        return Err(ApiError::unprocessable(
            "Version: send the `version` your change started from, as GET returned it.",
        ));
    };
    let current = desk::load(&state, &staff, id).await?;
    let fields = input.into_fields(Some(&current.fields), state.clock.now())?;
    let now = state.clock.now();
    let outcome = masthead_desk::save(&state.store, &staff, id, base, fields, Command::Save, now)
        .await
        .map_err(in_api_terms)?;
    Ok(Json(saved(&state, &staff, id, base, outcome).await?))
}
