//! `POST /articles/{id}/{submit,publish,schedule,unpublish}`: status changes that keep the
//! stored fields. Each names the version it starts from, like a save, and goes through
//! [`desk::save`], which decides whether this role may (a contributor never publishes).

use super::schema::{ArticleOut, ScheduleInput, VersionInput};
use super::{TAG, in_api_terms, saved};
use crate::AppState;
use crate::api::ApiError;
use crate::api::auth::ApiStaff;
use crate::api::error::ErrorResponse;
use crate::api::extract::{ApiJson, ApiPath};
use crate::api::responses::{IdInPath, JsonBody, Token};
use crate::desk::{self, Command, Staff};
use axum::Json;
use axum::extract::State;
use masthead_core::ArticleId;

/// Applies `command` to the stored fields of article `id` at version `base`.
async fn change(
    state: &AppState,
    staff: &Staff,
    id: i64,
    base: i64,
    command: Command,
) -> Result<Json<ArticleOut>, ApiError> {
    let id = ArticleId(id);
    let current = desk::load(state, staff, id).await?;
    let now = state.clock.now();
    let outcome = masthead_desk::save(&state.store, staff, id, base, current.fields, command, now)
        .await
        .map_err(in_api_terms)?;
    Ok(Json(saved(state, staff, id, base, outcome).await?))
}

/// Sends a draft to the editors for review.
#[utoipa::path(
    post,
    path = "/articles/{id}/submit",
    operation_id = "submit_article",
    tag = TAG,
    params(("id" = i64, Path, description = "The article's id")),
    request_body = VersionInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "In review", body = ArticleOut),
        Token,
        IdInPath,
        JsonBody,
        (status = 400, description = "The id in the address is not a whole number, or the body is not JSON", body = ErrorResponse),
        (status = 403, description = "The role may not submit this article, or its owner has not set up the two-factor login the site requires", body = ErrorResponse),
        (status = 404, description = "No such article, or not yours to see", body = ErrorResponse),
        (status = 409, description = "Saved by someone else since `version`; `error.current` holds it", body = ErrorResponse),
    )
)]
pub(crate) async fn submit(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<VersionInput>,
) -> Result<Json<ArticleOut>, ApiError> {
    change(&state, &staff, id, input.version, Command::Submit).await
}

/// Publishes now. Authors may publish their own stories, editors and admins any;
/// contributors never. A story published before keeps its first publication time.
#[utoipa::path(
    post,
    path = "/articles/{id}/publish",
    operation_id = "publish_article",
    tag = TAG,
    params(("id" = i64, Path, description = "The article's id")),
    request_body = VersionInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Published", body = ArticleOut),
        Token,
        IdInPath,
        JsonBody,
        (status = 400, description = "The id in the address is not a whole number, or the body is not JSON", body = ErrorResponse),
        (status = 403, description = "The role may not publish this article, or its owner has not set up the two-factor login the site requires", body = ErrorResponse),
        (status = 404, description = "No such article, or not yours to see", body = ErrorResponse),
        (status = 409, description = "Saved by someone else since `version`; `error.current` holds it", body = ErrorResponse),
        (status = 422, description = "The JSON does not fit the schema, or the story is not publishable yet (e.g. the lead image lacks alt text)", body = ErrorResponse),
    )
)]
pub(crate) async fn publish(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<VersionInput>,
) -> Result<Json<ArticleOut>, ApiError> {
    change(&state, &staff, id, input.version, Command::Publish).await
}

/// Schedules publication at a future time; the story appears on the site then.
#[utoipa::path(
    post,
    path = "/articles/{id}/schedule",
    operation_id = "schedule_article",
    tag = TAG,
    params(("id" = i64, Path, description = "The article's id")),
    request_body = ScheduleInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Scheduled", body = ArticleOut),
        Token,
        IdInPath,
        JsonBody,
        (status = 400, description = "The id in the address is not a whole number, or the body is not JSON", body = ErrorResponse),
        (status = 403, description = "The role may not publish this article, or its owner has not set up the two-factor login the site requires", body = ErrorResponse),
        (status = 404, description = "No such article, or not yours to see", body = ErrorResponse),
        (status = 409, description = "Saved by someone else since `version`; `error.current` holds it", body = ErrorResponse),
        (status = 422, description = "The JSON does not fit the schema, `publish_at` is not in the future, the story is on the site now (scheduling would take it down: unpublish it first), or the story is not publishable yet", body = ErrorResponse),
    )
)]
pub(crate) async fn schedule(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ScheduleInput>,
) -> Result<Json<ArticleOut>, ApiError> {
    let command = Command::Schedule(input.publish_at);
    change(&state, &staff, id, input.version, command).await
}

/// Takes a story down from the site.
#[utoipa::path(
    post,
    path = "/articles/{id}/unpublish",
    operation_id = "unpublish_article",
    tag = TAG,
    params(("id" = i64, Path, description = "The article's id")),
    request_body = VersionInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Unpublished", body = ArticleOut),
        Token,
        IdInPath,
        JsonBody,
        (status = 400, description = "The id in the address is not a whole number, or the body is not JSON", body = ErrorResponse),
        (status = 403, description = "The role may not unpublish this article, or its owner has not set up the two-factor login the site requires", body = ErrorResponse),
        (status = 404, description = "No such article, or not yours to see", body = ErrorResponse),
        (status = 409, description = "Saved by someone else since `version`; `error.current` holds it", body = ErrorResponse),
    )
)]
pub(crate) async fn unpublish(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<VersionInput>,
) -> Result<Json<ArticleOut>, ApiError> {
    change(&state, &staff, id, input.version, Command::Unpublish).await
}
