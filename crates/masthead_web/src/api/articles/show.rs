//! `GET /articles/{id}`: one article with every field and its version.

use super::schema::ArticleOut;
use super::{TAG, load_out};
use crate::AppState;
use crate::api::ApiError;
use crate::api::auth::ApiStaff;
use crate::api::error::ErrorResponse;
use crate::api::extract::ApiPath;
use crate::api::responses::{IdInPath, Token};
use axum::Json;
use axum::extract::State;
use masthead_core::ArticleId;

/// Gets one article. An article the token may not see is a 404, like one that does not
/// exist, so ids reveal nothing.
#[utoipa::path(
    get,
    path = "/articles/{id}",
    operation_id = "get_article",
    tag = TAG,
    params(("id" = i64, Path, description = "The article's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The article", body = ArticleOut),
        Token,
        IdInPath,
        (status = 404, description = "No such article, or not yours to see", body = ErrorResponse),
    )
)]
pub(crate) async fn show(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ArticleOut>, ApiError> {
    Ok(Json(load_out(&state, &staff, ArticleId(id)).await?))
}
