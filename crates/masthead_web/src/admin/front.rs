//! The front page desk at `/admin/front`, for editors and admins: pin the top story,
//! feature stories in order (up and down buttons, no script), give each a time to leave the
//! front, and put up or take down the breaking-news banner. The rules are
//! `masthead_desk::front`'s; this module reads the forms and shows the page.

use super::csrf::Csrf;
use super::desk_user::DeskUser;
use super::form::FormData;
use super::view;
use crate::desk::Staff;
use crate::{AppState, WebError};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use masthead_core::{ArticleId, ArticleStatus, SiteAction};
use masthead_desk::front::{self, FrontCommand, MAX_BANNER, MAX_FEATURED};
use masthead_render::{context, ser};
use serde::Deserialize;

/// How many recently saved published stories the "add a story" list offers.
const CANDIDATES: u32 = 40;

#[derive(Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
}

/// `GET /admin/front`
pub async fn show(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let notice = match q.done.as_str() {
        "" => None,
        "banner" => Some("The banner is up on every page of the site."),
        "banner_off" => Some("The banner is down."),
        "pin" => Some("Pinned: it leads the front page now."),
        "feature" => Some("Featured on the front page."),
        "remove" => Some("Taken off the front page."),
        "move" => Some("The featured stories are in the new order."),
        _ => Some("The front page is changed."),
    };
    page(&state, &staff, &csrf, notice, None, StatusCode::OK).await
}

async fn page(
    state: &AppState,
    staff: &Staff,
    csrf: &Csrf,
    notice: Option<&str>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    staff.require(SiteAction::ArrangeFront)?;
    let now = state.clock.now();
    let tz = state.config().timezone;
    let slots = state.store.front_slots().await?;
    let local = |t: Option<DateTime<Utc>>| {
        t.map(|t| t.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string())
            .unwrap_or_default()
    };
    let slot = |s: &masthead_store::DeskSlot| {
        context! {
            id => s.id.0,
            title => &s.title,
            slug => &s.slug,
            until => local(s.expires_at),
            expires_at => s.expires_at.map(|t| t.to_rfc3339()),
            expired => s.expires_at.is_some_and(|t| t <= now),
        }
    };
    let top = slots.iter().find(|s| s.position == 0).map(slot);
    let featured: Vec<_> = slots.iter().filter(|s| s.position > 0).map(slot).collect();
    let candidates = state
        .store
        .desk_list(Some(ArticleStatus::Published), None, CANDIDATES, 0)
        .await?;
    let banner = state.store.stored_banner().await?;
    let banner = banner.map(|b| {
        context! {
            text => b.text,
            link => b.link,
            until => local(b.expires_at),
            expires_at => b.expires_at.map(|t| t.to_rfc3339()),
            expired => b.expires_at.is_some_and(|t| t <= now),
        }
    });
    let ctx = context! {
        top,
        featured,
        candidates => ser(&candidates),
        banner,
        max_featured => MAX_FEATURED,
        max_banner => MAX_BANNER,
        timezone => tz.name(),
        notice,
        error,
    };
    view::page_with_status(state, staff, csrf, "front.html", ctx, status)
}

/// `POST /admin/front` with `action` (`pin`, `feature`, `remove`, `up`, `down`, `until`),
/// `article` and, for the first two and the last, `until` (empty: no end).
pub async fn arrange(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    body: Bytes,
) -> Result<Response, WebError> {
    staff.require(SiteAction::ArrangeFront)?;
    let form = FormData::parse(&body);
    let tz = state.config().timezone;
    let command = match command(&form, tz) {
        Ok(c) => c,
        Err(e) => return again(&state, &staff, &csrf, e).await,
    };
    let now = state.clock.now();
    match front::arrange(&state.store, &staff, command, now).await {
        Ok(_) => {
            let done = match command {
                FrontCommand::Pin(..) => "pin",
                FrontCommand::Feature(..) => "feature",
                FrontCommand::Remove(_) => "remove",
                FrontCommand::Up(_) | FrontCommand::Down(_) => "move",
                FrontCommand::Until(..) => "until",
            };
            Ok(Redirect::to(&format!("/admin/front?done={done}")).into_response())
        }
        Err(e) => again(&state, &staff, &csrf, e.into()).await,
    }
}

/// `POST /admin/front/banner` with `action` (`save` or `remove`), `text`, `link`, `until`.
pub async fn banner(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    body: Bytes,
) -> Result<Response, WebError> {
    staff.require(SiteAction::ArrangeFront)?;
    let form = FormData::parse(&body);
    let now = state.clock.now();
    let store = &state.store;
    let done = if form.get("action") == "remove" {
        front::clear_banner(store, &staff, now)
            .await
            .map(|()| "banner_off")
    } else {
        let until = match until(form.get("until"), state.config().timezone) {
            Ok(u) => u,
            Err(e) => return again(&state, &staff, &csrf, e).await,
        };
        front::set_banner(
            store,
            &staff,
            form.get("text"),
            form.get("link"),
            until,
            now,
        )
        .await
        .map(|()| "banner")
    };
    match done {
        Ok(done) => Ok(Redirect::to(&format!("/admin/front?done={done}")).into_response()),
        Err(e) => again(&state, &staff, &csrf, e.into()).await,
    }
}

/// The page again with the reason a change was refused; other errors propagate.
async fn again(
    state: &AppState,
    staff: &Staff,
    csrf: &Csrf,
    e: WebError,
) -> Result<Response, WebError> {
    let status = match &e {
        WebError::Unprocessable(_) | WebError::BadRequest(_) => StatusCode::UNPROCESSABLE_ENTITY,
        WebError::Conflict(_) => StatusCode::CONFLICT,
        _ => return Err(e),
    };
    let message = match e {
        WebError::Unprocessable(m) | WebError::BadRequest(m) | WebError::Conflict(m) => m,
        _ => String::new(),
    };
    page(state, staff, csrf, None, Some(message), status).await
}

fn command(form: &FormData, tz: Tz) -> Result<FrontCommand, WebError> {
    let article = form
        .get("article")
        .trim()
        .parse::<i64>()
        .map(ArticleId)
        .map_err(|_| WebError::Unprocessable("Story: choose a story from the list.".into()))?;
    // The editor page's buttons are named `front`, apart from the editor's own `action`s.
    let action = match form.get("front") {
        "" => form.get("action"),
        front => front,
    };
    Ok(match action {
        "pin" => FrontCommand::Pin(article, until(form.get("until"), tz)?),
        "feature" => FrontCommand::Feature(article, until(form.get("until"), tz)?),
        "remove" => FrontCommand::Remove(article),
        "up" => FrontCommand::Up(article),
        "down" => FrontCommand::Down(article),
        "until" => FrontCommand::Until(article, until(form.get("until"), tz)?),
        other => {
            return Err(WebError::Unprocessable(format!(
                "Unknown action \"{other}\": use the page's buttons."
            )));
        }
    })
}

/// A `datetime-local` value in the site's zone; empty is no end.
fn until(value: &str, tz: Tz) -> Result<Option<DateTime<Utc>>, WebError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let naive = NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M").map_err(|_| {
        WebError::Unprocessable(
            "Until: give a date and time (or leave it empty to keep it until you change it)."
                .into(),
        )
    })?;
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| Some(t.with_timezone(&Utc)))
        .ok_or_else(|| {
            WebError::Unprocessable(
                "Until: that time does not exist here (the clocks skip it); choose another.".into(),
            )
        })
}
