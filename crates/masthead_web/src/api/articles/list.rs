//! `GET /articles`: the articles this token may see, a page at a time.

use super::TAG;
use super::schema::{ArticleList, ArticleRow, Status};
use crate::AppState;
use crate::api::ApiError;
use crate::api::auth::ApiStaff;
use crate::api::error::ErrorResponse;
use crate::api::extract::ApiQuery;
use axum::Json;
use axum::extract::State;
use masthead_core::{ArticleStatus, PageNumber, Role};
use serde::Deserialize;
use utoipa::IntoParams;

/// Articles per page.
const PER_PAGE: u32 = 50;

/// Filters of the article list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only articles in this status.
    #[param(value_type = Option<Status>)]
    status: Option<String>,
    /// The page, from 1.
    #[param(value_type = Option<u32>, minimum = 1)]
    page: Option<String>,
}

/// Lists articles, most recently saved first. Editors and admins see every article;
/// contributors and authors see their own.
#[utoipa::path(
    get,
    path = "/articles",
    operation_id = "list_articles",
    tag = TAG,
    params(ListQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of articles", body = ArticleList),
        (status = 400, description = "A bad status or page", body = ErrorResponse),
        (status = 401, description = "No valid token", body = ErrorResponse),
    )
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<ArticleList>, ApiError> {
    let invalid = |e: masthead_core::InvalidInput| ApiError::bad_request(format!("{e}."));
    let status = match query.status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(ArticleStatus::parse(s).map_err(invalid)?),
    };
    let page = match query.page.as_deref() {
        None | Some("") => PageNumber::FIRST,
        Some(p) => PageNumber::parse(p).map_err(invalid)?,
    };
    let owner = (!staff.role.at_least(Role::Editor)).then_some(staff.user.id);
    let mut rows = state
        .store
        .desk_list(status, owner, PER_PAGE + 1, page.offset(PER_PAGE))
        .await?;
    let has_more = rows.len() > PER_PAGE as usize;
    rows.truncate(PER_PAGE as usize);
    Ok(Json(ArticleList {
        items: rows.into_iter().map(ArticleRow::from).collect(),
        page: page.get(),
        has_more,
    }))
}
