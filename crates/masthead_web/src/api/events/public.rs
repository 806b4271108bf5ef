//! `GET /events` and `GET /events/{slug}`: the calendar as readers see it, open without a
//! token (like `/events` on the site and `/events.ics`). Approved and cancelled events only;
//! a held or rejected one is a 404 as on the site.

use super::TAG;
use super::schema::{EventList, EventOut, EventSummary};
use crate::AppState;
use crate::api::ApiError;
use crate::api::error::ErrorResponse;
use crate::api::extract::{ApiPath, ApiQuery};
use crate::api::responses::BadQuery;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use masthead_core::{PageNumber, Slug};
use serde::Deserialize;
use utoipa::IntoParams;

/// Dates per page unless `per_page` says otherwise.
const PER_PAGE: u32 = 20;
/// The most dates one page may hold.
const MAX_PER_PAGE: u32 = 100;
/// Numbered pages go this deep, like the article list's, so no request reads past the
/// 2,000th upcoming date (an `OFFSET` of at most 1,900 with the largest pages).
const MAX_PAGE: u32 = 20;

/// The page of the upcoming list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// The page, from 1 to 20.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 20)]
    page: Option<String>,
    /// Dates per page, from 1 to 100; 20 when left out.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    per_page: Option<String>,
}

/// A whole number from 1 to `max`, or the 400 naming the parameter and its range.
fn bounded(name: &str, value: Option<&str>, default: u32, max: u32) -> Result<u32, ApiError> {
    let Some(value) = value else {
        return Ok(default);
    };
    match value.trim().parse::<u32>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(ApiError::bad_request(format!(
            "`{name}`: send a whole number from 1 to {max}, or leave it out."
        ))),
    }
}

/// Lists the calendar's dates that have not ended, soonest first: a series appears once per
/// date. Cancelled events are listed, marked `cancelled`.
#[utoipa::path(
    get,
    path = "/events",
    operation_id = "list_events",
    tag = TAG,
    params(ListQuery),
    responses(
        (status = 200, description = "A page of upcoming dates; past the last page, none", body = EventList),
        BadQuery,
        (status = 400, description = "`page` or `per_page` is not a whole number in its range, or is sent empty; the message says which", body = ErrorResponse),
    )
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<EventList>, ApiError> {
    let page = bounded("page", query.page.as_deref(), 1, MAX_PAGE)?;
    let per_page = bounded(
        "per_page",
        query.per_page.as_deref(),
        PER_PAGE,
        MAX_PER_PAGE,
    )?;
    let number =
        PageNumber::parse(&page.to_string()).map_err(|e| ApiError::bad_request(format!("{e}.")))?;
    let found = state
        .reads()
        .upcoming_events(state.clock.now(), number, per_page)
        .await?;
    let base = &state.config().base_url;
    Ok(Json(EventList {
        items: found
            .items
            .into_iter()
            .map(|e| EventSummary::new(e, base))
            .collect(),
        page,
        per_page,
        has_more: found.has_more,
    }))
}

/// One event readers can see, by its slug: every date, its rule, whether it is cancelled.
#[utoipa::path(
    get,
    path = "/events/{slug}",
    operation_id = "get_event",
    tag = TAG,
    params((
        "slug" = String, Path,
        description = "The event's slug, as `/events` lists it",
        pattern = "^[a-z0-9]+(-[a-z0-9]+)*$",
        max_length = 120,
        example = "library-book-sale"
    )),
    responses(
        (status = 200, description = "The event", body = EventOut),
        (status = 400, description = "The slug is not a slug: lowercase letters, digits and single hyphens, at most 120 characters", body = ErrorResponse),
        (status = 404, description = "No event readers can see has this slug (held and rejected events are not shown)", body = ErrorResponse),
    )
)]
pub(crate) async fn show(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<EventOut>, ApiError> {
    let slug =
        Slug::parse(&slug).map_err(|e| ApiError::bad_request(format!("Slug: {}.", e.message)))?;
    let event = state.reads().event_by_slug(&slug).await?.ok_or_else(|| {
        ApiError::Status(
            StatusCode::NOT_FOUND,
            format!(
                "No event on the calendar has the slug \"{slug}\". GET /api/v1/events lists \
                 the ones to come."
            ),
        )
    })?;
    let dates = state.reads().event_dates(event.id).await?;
    Ok(Json(EventOut::new(event, &dates, &state.config().base_url)))
}
