//! The calendar in the desk, for editors and admins: the moderation queue by status (with
//! counts), adding an event (approved at once), editing one, and approving, rejecting,
//! cancelling or restoring it. Each write is one transaction with its audit entry; a form
//! with a mistake comes back as typed (422) with every refusal named. The organiser's
//! contact is shown here and nowhere else.

use super::desk_user::DeskUser;
use super::view;
use crate::desk::Staff;
use crate::event_form::{EventForm, errors_value, zones};
use crate::{AppState, WebError};
use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use masthead_core::{DateWindow, EventFields, EventId, EventStatus, InvalidInput, SiteAction};
use masthead_render::{context, ser};
use masthead_store::DeskEvent;
use serde::Deserialize;

/// How many events one queue page lists.
const QUEUE: u32 = 200;

#[derive(Deserialize)]
pub struct QueueQuery {
    #[serde(default)]
    status: String,
}

/// `GET /admin/events?status=pending`
pub async fn list(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Query(q): Query<QueueQuery>,
) -> Result<Response, WebError> {
    staff.require(SiteAction::ModerateEvents)?;
    let status = match q.status.as_str() {
        "" => EventStatus::Pending,
        s => EventStatus::parse(s).map_err(|e| WebError::BadRequest(e.to_string()))?,
    };
    let events = state.store.desk_events(status, QUEUE).await?;
    let pending = state.store.pending_event_count().await?;
    let statuses: Vec<&str> = EventStatus::ALL.iter().map(|s| s.as_str()).collect();
    let ctx = context! {
        events => ser(&events),
        status => status.as_str(),
        statuses,
        pending,
    };
    view::page(&state, &staff, &csrf, "events.html", ctx)
}

/// The editor page for a new event (`event` None) or a stored one.
fn editor(
    state: &AppState,
    user: &DeskUser,
    event: Option<&DeskEvent>,
    form: &EventForm,
    errors: &[InvalidInput],
    status: StatusCode,
    saved: bool,
) -> Result<Response, WebError> {
    let mut form = form.clone();
    if form.draft.timezone.is_empty() {
        form.draft.timezone = state.config().timezone.name().to_owned();
    }
    let ctx = context! {
        event => event.map(ser),
        form => form.value(),
        errors => errors_value(errors),
        zones => zones(),
        saved,
    };
    view::page_with_status(
        state,
        &user.staff,
        &user.csrf,
        "event_edit.html",
        ctx,
        status,
    )
}

/// `GET /admin/events/new`
pub async fn new(State(state): State<AppState>, user: DeskUser) -> Result<Response, WebError> {
    user.staff.require(SiteAction::ModerateEvents)?;
    editor(
        &state,
        &user,
        None,
        &EventForm::default(),
        &[],
        StatusCode::OK,
        false,
    )
}

/// `POST /admin/events/new`: added approved.
pub async fn create(
    State(state): State<AppState>,
    user: DeskUser,
    body: Bytes,
) -> Result<Response, WebError> {
    user.staff.require(SiteAction::ModerateEvents)?;
    let now = state.clock.now();
    let (form, _) = EventForm::parse(&body);
    match form.check(DateWindow::staff(now)) {
        Ok(fields) => {
            let (id, _) = state
                .store
                .create_event(&fields, EventStatus::Approved, &user.staff.actor(), now)
                .await?;
            Ok(Redirect::to(&format!("/admin/events/{}?saved=1", id.0)).into_response())
        }
        Err(errors) => editor(
            &state,
            &user,
            None,
            &form,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
            false,
        ),
    }
}

async fn load(state: &AppState, id: i64) -> Result<DeskEvent, WebError> {
    state
        .store
        .desk_event(EventId(id))
        .await?
        .ok_or(WebError::NotFound)
}

/// A stored event's fields as the form shows them (stored before the rules, a field may not
/// pass them: then the form shows the row as it is, and saving asks for the fix).
fn stored_form(e: &DeskEvent) -> EventForm {
    let ev = &e.event;
    let tz = ev.timezone.parse().unwrap_or(chrono_tz::UTC);
    let start = ev.starts_at.with_timezone(&tz).naive_local();
    let rule = if ev.rrule.is_empty() {
        None
    } else {
        masthead_core::recurrence::Rule::parse(&ev.rrule, start, tz).ok()
    };
    let fields = EventFields {
        title: ev.title.clone(),
        start,
        end: ev.ends_at.map(|t| t.with_timezone(&tz).naive_local()),
        all_day: ev.all_day,
        timezone: tz,
        location: ev.location.clone(),
        description: ev.description.clone(),
        link: masthead_core::WebUrl::parse_optional("Link", &ev.link)
            .ok()
            .flatten(),
        contact: e.contact.clone(),
        rule,
    };
    EventForm::of(&fields)
}

#[derive(Deserialize)]
pub struct SavedQuery {
    #[serde(default)]
    saved: String,
}

/// `GET /admin/events/{id}` (`?saved=1` after a save says so).
pub async fn edit(
    State(state): State<AppState>,
    user: DeskUser,
    Path(id): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, WebError> {
    user.staff.require(SiteAction::ModerateEvents)?;
    let event = load(&state, id).await?;
    editor(
        &state,
        &user,
        Some(&event),
        &stored_form(&event),
        &[],
        StatusCode::OK,
        !q.saved.is_empty(),
    )
}

/// `POST /admin/events/{id}`: saves the fields (status unchanged).
pub async fn save(
    State(state): State<AppState>,
    user: DeskUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    user.staff.require(SiteAction::ModerateEvents)?;
    let event = load(&state, id).await?;
    let now = state.clock.now();
    let (form, _) = EventForm::parse(&body);
    match form.check(DateWindow::staff(now)) {
        Ok(fields) => {
            state
                .store
                .update_event(EventId(id), &fields, &user.staff.actor(), now)
                .await?;
            Ok(Redirect::to(&format!("/admin/events/{id}?saved=1")).into_response())
        }
        Err(errors) => editor(
            &state,
            &user,
            Some(&event),
            &form,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
            false,
        ),
    }
}

/// `POST /admin/events/{id}/status` with `status` (approved, rejected, cancelled,
/// pending) and `from` (the queue to go back to; empty: the event's page).
pub async fn moderate(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    staff.require(SiteAction::ModerateEvents)?;
    let pairs: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    let status =
        EventStatus::parse(get("status")).map_err(|e| WebError::Unprocessable(e.to_string()))?;
    state
        .store
        .set_event_status(EventId(id), status, &staff.actor(), state.clock.now())
        .await?;
    let back = match EventStatus::parse(get("from")) {
        Ok(s) => format!("/admin/events?status={}", s.as_str()),
        Err(_) => format!("/admin/events/{id}?saved=1"),
    };
    Ok(Redirect::to(&back).into_response())
}
