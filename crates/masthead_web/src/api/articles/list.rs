//! `GET /articles`: the articles this token may see, a page at a time.

use super::TAG;
use super::schema::{ArticleList, ArticleRow, Status};
use crate::AppState;
use crate::api::ApiError;
use crate::api::auth::ApiStaff;
use crate::api::error::ErrorResponse;
use crate::api::extract::ApiQuery;
use crate::api::responses::{BadQuery, Token};
use axum::Json;
use axum::extract::State;
use masthead_core::{ArticleStatus, ListCursor, PageNumber, Role};
use masthead_store::to_micros;
use serde::Deserialize;
use utoipa::IntoParams;

/// Articles per page.
const PER_PAGE: u32 = 50;
/// Numbered pages go this deep (an `OFFSET` of at most 950 rows); further on, `before`.
const MAX_PAGE: u32 = 20;

/// Filters of the article list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only articles in this status; leave it out for every status (an empty value is
    /// refused, like any other that is not a status).
    #[param(value_type = Option<Status>)]
    status: Option<String>,
    /// The page, from 1 to 20. Further back, use `before`.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 20)]
    page: Option<String>,
    /// The `next` value of the previous response: the page after it, at the cost of the
    /// first page however deep. Not with `page`.
    #[param(
        pattern = r"^[0-9]{1,18}\.[0-9]{1,18}$",
        example = "1764511500000000.42"
    )]
    before: Option<String>,
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
        Token,
        BadQuery,
        (status = 400, description = "A parameter is not one of its values, is sent empty, or `page` and `before` are both sent; the message says which", body = ErrorResponse),
    )
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<ArticleList>, ApiError> {
    let invalid = |e: masthead_core::InvalidInput| ApiError::bad_request(format!("{e}."));
    // A parameter sent empty is refused like any other value outside its schema: a client
    // that means "any status" or "the first page" leaves the parameter out.
    let status = match query.status.as_deref().map(str::trim) {
        None => None,
        Some(s) => Some(ArticleStatus::parse(s).map_err(|e| {
            ApiError::bad_request(format!("{e}; leave `status` out to list every status."))
        })?),
    };
    let owner = (!staff.role.at_least(Role::Editor)).then_some(staff.user.id);
    let page = query.page.as_deref();
    let before = query.before.as_deref();
    let (page, mut rows) = match (page, before) {
        (Some(_), Some(_)) => {
            return Err(ApiError::bad_request(
                "Send `page` or `before`, not both.".to_owned(),
            ));
        }
        (None, Some(cursor)) => {
            let cursor = ListCursor::parse(cursor).map_err(invalid)?;
            let rows = state
                .store
                .desk_list_before(status, owner, cursor, PER_PAGE + 1)
                .await?;
            (0, rows)
        }
        (page, None) => {
            let too_deep = || {
                ApiError::bad_request(format!(
                    "Page: send a whole number from 1 to {MAX_PAGE}; to go further, send \
                     `before` with the `next` value of the previous page."
                ))
            };
            let page = page
                .map_or(Ok(PageNumber::FIRST), PageNumber::parse)
                .map_err(|_| too_deep())?;
            if page.get() > MAX_PAGE {
                return Err(too_deep());
            }
            let rows = state
                .store
                .desk_list(status, owner, PER_PAGE + 1, page.offset(PER_PAGE))
                .await?;
            (page.get(), rows)
        }
    };
    let has_more = rows.len() > PER_PAGE as usize;
    rows.truncate(PER_PAGE as usize);
    let next = has_more.then(|| rows.last()).flatten().map(|last| {
        ListCursor {
            at: to_micros(last.modified_at),
            id: last.id.0,
        }
        .to_string()
    });
    Ok(Json(ArticleList {
        items: rows
            .into_iter()
            .map(|r| ArticleRow::new(r, state.clock.now()))
            .collect(),
        page,
        has_more,
        next,
    }))
}
