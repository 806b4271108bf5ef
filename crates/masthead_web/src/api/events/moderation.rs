//! `/moderation/events`: the desk's event queue through the API, for editors and admins
//! (`SiteAction::ModerateEvents`, the permission the desk checks). Lists by status with the
//! organiser's contact, one event, and the four moderation actions. Each action is the
//! store's one status write with its audit entry, as the desk's buttons are; it moves the
//! event only from the statuses where the action means something, so it cannot publish a
//! held submission by "cancelling" it, and leaves an event already where it would put it
//! untouched (200, nothing written or logged).

use super::TAG;
use super::schema::{EventState, ModerationEvent, ModerationList};
use crate::AppState;
use crate::api::ApiError;
use crate::api::auth::ApiStaff;
use crate::api::error::ErrorResponse;
use crate::api::extract::{ApiPath, ApiQuery};
use crate::api::responses::{BadQuery, IdInPath, Token};
use crate::desk::Staff;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use masthead_core::{EventId, EventStatus, Occurrence, SiteAction};
use masthead_store::StatusMove;
use serde::Deserialize;
use std::collections::HashMap;
use utoipa::IntoParams;

/// The most events one list answers with.
const LIST_LIMIT: u32 = 100;

/// Which events to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// The status to list; `pending` (the submissions waiting) when left out.
    #[param(value_type = Option<EventState>)]
    status: Option<String>,
}

fn not_found(id: i64) -> ApiError {
    ApiError::Status(
        StatusCode::NOT_FOUND,
        format!(
            "No event has the id {id}. GET /api/v1/moderation/events?status=… lists them by \
             status."
        ),
    )
}

/// The event as moderators see it now, with its dates.
async fn load(state: &AppState, id: i64) -> Result<ModerationEvent, ApiError> {
    let event = state
        .store
        .desk_event(EventId(id))
        .await?
        .ok_or_else(|| not_found(id))?;
    let dates = state.store.event_dates(event.event.id).await?;
    Ok(ModerationEvent::new(
        event,
        &dates,
        &state.config().base_url,
    ))
}

/// Lists events in one moderation status, newest first, with each organiser's contact:
/// the held submissions (`pending`) unless `status` says otherwise.
#[utoipa::path(
    get,
    path = "/moderation/events",
    operation_id = "list_moderation_events",
    tag = TAG,
    params(QueueQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "At most 100 events in the status", body = ModerationList),
        Token,
        BadQuery,
        (status = 400, description = "`status` is not one of its values, or is sent empty; the message lists them", body = ErrorResponse),
        (status = 403, description = "Not an editor's or admin's token, or its owner has not set up the two-factor login the site requires", body = ErrorResponse),
    )
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiQuery(query): ApiQuery<QueueQuery>,
) -> Result<Json<ModerationList>, ApiError> {
    staff.require(SiteAction::ModerateEvents)?;
    let status = match query.status.as_deref() {
        None => EventStatus::Pending,
        Some(s) => EventStatus::parse(s.trim()).map_err(|e| {
            ApiError::bad_request(format!(
                "`status`: {}; leave it out to list the pending ones.",
                e.message
            ))
        })?,
    };
    let mut events = state.store.desk_events(status, LIST_LIMIT + 1).await?;
    let has_more = events.len() > LIST_LIMIT as usize;
    events.truncate(LIST_LIMIT as usize);
    let pending = state.store.pending_event_count().await?;
    let ids: Vec<EventId> = events.iter().map(|e| e.event.id).collect();
    let mut dates: HashMap<EventId, Vec<Occurrence>> = HashMap::new();
    for (id, date) in state.store.events_dates(&ids).await? {
        dates.entry(id).or_default().push(date);
    }
    let base = &state.config().base_url;
    let items = events
        .into_iter()
        .map(|e| {
            let its = dates.remove(&e.event.id).unwrap_or_default();
            ModerationEvent::new(e, &its, base)
        })
        .collect();
    Ok(Json(ModerationList {
        status: status.into(),
        pending,
        items,
        has_more,
    }))
}

/// One event in any status, with its organiser's contact.
#[utoipa::path(
    get,
    path = "/moderation/events/{id}",
    operation_id = "get_moderation_event",
    tag = TAG,
    params(("id" = i64, Path, description = "The event's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The event", body = ModerationEvent),
        Token,
        IdInPath,
        (status = 403, description = "Not an editor's or admin's token, or its owner has not set up the two-factor login the site requires", body = ErrorResponse),
        (status = 404, description = "No event has this id", body = ErrorResponse),
    )
)]
pub(crate) async fn show(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ModerationEvent>, ApiError> {
    staff.require(SiteAction::ModerateEvents)?;
    Ok(Json(load(&state, id).await?))
}

/// A moderation action: where it moves an event, from which statuses, and what to say
/// about an event in any other.
struct Action {
    to: EventStatus,
    from: &'static [EventStatus],
    refusal: fn(EventStatus, i64) -> String,
}

const APPROVE: Action = Action {
    to: EventStatus::Approved,
    from: &[EventStatus::Pending, EventStatus::Rejected],
    refusal: |_, id| {
        format!(
            "This event was cancelled; to put it back on the calendar, restore it with POST \
             /api/v1/moderation/events/{id}/restore."
        )
    },
};

const REJECT: Action = Action {
    to: EventStatus::Rejected,
    from: &[
        EventStatus::Pending,
        EventStatus::Approved,
        EventStatus::Cancelled,
    ],
    // Every status but rejected may be rejected, and a rejected event is answered as it is.
    refusal: |status, _| format!("This event is {status} and cannot be rejected."),
};

const CANCEL: Action = Action {
    to: EventStatus::Cancelled,
    from: &[EventStatus::Approved],
    refusal: |status, id| {
        format!(
            "Only an approved event can be cancelled, and this one is {status}: cancelling \
             would put it on the calendar. Approve it first (POST \
             /api/v1/moderation/events/{id}/approve), or reject it."
        )
    },
};

const RESTORE: Action = Action {
    to: EventStatus::Approved,
    from: &[EventStatus::Cancelled],
    refusal: |status, id| {
        format!(
            "Only a cancelled event can be restored, and this one is {status}; to put it on \
             the calendar, approve it with POST /api/v1/moderation/events/{id}/approve."
        )
    },
};

/// Applies `action` to event `id` as `staff`, and answers with the event as it is now.
async fn act(
    state: &AppState,
    staff: &Staff,
    id: i64,
    action: &Action,
) -> Result<Json<ModerationEvent>, ApiError> {
    staff.require(SiteAction::ModerateEvents)?;
    let moved = state
        .store
        .move_event_status(
            EventId(id),
            action.from,
            action.to,
            &staff.actor(),
            state.clock.now(),
        )
        .await
        .map_err(|e| match e {
            masthead_store::StoreError::NotFound => not_found(id),
            e => e.into(),
        })?;
    if let StatusMove::Refused(status) = moved {
        return Err(ApiError::Status(
            StatusCode::CONFLICT,
            (action.refusal)(status, id),
        ));
    }
    Ok(Json(load(state, id).await?))
}

/// Approves a held (or rejected) event: it goes on the calendar. An approved event is
/// answered as it is.
#[utoipa::path(
    post,
    path = "/moderation/events/{id}/approve",
    operation_id = "approve_event",
    tag = TAG,
    params(("id" = i64, Path, description = "The event's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Approved (now, or already)", body = ModerationEvent),
        Token,
        IdInPath,
        (status = 403, description = "Not an editor's or admin's token, or its owner has not set up the two-factor login the site requires", body = ErrorResponse),
        (status = 404, description = "No event has this id", body = ErrorResponse),
        (status = 409, description = "The event is cancelled: restore it instead", body = ErrorResponse),
    )
)]
pub(crate) async fn approve(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ModerationEvent>, ApiError> {
    act(&state, &staff, id, &APPROVE).await
}

/// Rejects an event: it leaves the calendar (if it was on it) and is never shown. A rejected
/// event is answered as it is.
#[utoipa::path(
    post,
    path = "/moderation/events/{id}/reject",
    operation_id = "reject_event",
    tag = TAG,
    params(("id" = i64, Path, description = "The event's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Rejected (now, or already)", body = ModerationEvent),
        Token,
        IdInPath,
        (status = 403, description = "Not an editor's or admin's token, or its owner has not set up the two-factor login the site requires", body = ErrorResponse),
        (status = 404, description = "No event has this id", body = ErrorResponse),
    )
)]
pub(crate) async fn reject(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ModerationEvent>, ApiError> {
    act(&state, &staff, id, &REJECT).await
}

/// Cancels an approved event: it stays on the calendar, marked cancelled (its page and
/// calendar file say so). A cancelled event is answered as it is.
#[utoipa::path(
    post,
    path = "/moderation/events/{id}/cancel",
    operation_id = "cancel_event",
    tag = TAG,
    params(("id" = i64, Path, description = "The event's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Cancelled (now, or already)", body = ModerationEvent),
        Token,
        IdInPath,
        (status = 403, description = "Not an editor's or admin's token, or its owner has not set up the two-factor login the site requires", body = ErrorResponse),
        (status = 404, description = "No event has this id", body = ErrorResponse),
        (status = 409, description = "The event is not approved (held or rejected): approve or reject it instead", body = ErrorResponse),
    )
)]
pub(crate) async fn cancel(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ModerationEvent>, ApiError> {
    act(&state, &staff, id, &CANCEL).await
}

/// Restores a cancelled event: approved again, no longer marked. An approved event is
/// answered as it is.
#[utoipa::path(
    post,
    path = "/moderation/events/{id}/restore",
    operation_id = "restore_event",
    tag = TAG,
    params(("id" = i64, Path, description = "The event's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Approved again (now, or already)", body = ModerationEvent),
        Token,
        IdInPath,
        (status = 403, description = "Not an editor's or admin's token, or its owner has not set up the two-factor login the site requires", body = ErrorResponse),
        (status = 404, description = "No event has this id", body = ErrorResponse),
        (status = 409, description = "The event is held or rejected, not cancelled: approve it instead", body = ErrorResponse),
    )
)]
pub(crate) async fn restore(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ModerationEvent>, ApiError> {
    act(&state, &staff, id, &RESTORE).await
}
