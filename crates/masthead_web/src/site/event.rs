//! One event's page (`/events/{slug}`), with its Event JSON-LD, its dates (a series lists
//! the ones to come) and its "Add to calendar" file (`/events/{slug}.ics`); and the whole
//! calendar as a subscribable feed (`/events.ics`). Only approved and cancelled events
//! exist here; a cancelled one is marked on the page and `STATUS:CANCELLED` in its file.
//! The organiser's contact never reaches any of them.

use crate::render::render_page;
use crate::site::cached::{document, page};
use crate::site::events::views;
use crate::site::structured;
use crate::{AppState, WebError};
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::Duration;
use chrono_tz::Tz;
use masthead_core::Slug;
use masthead_core::recurrence::Rule;
use masthead_render::ics::{CalEvent, calendar};
use masthead_render::{Theme, context, ser};
use masthead_store::Event;

/// How many of a series' dates to come its page lists.
const DATES_SHOWN: usize = 12;
/// How far back `/events.ics` reaches (dates ended longer ago are left out).
const FEED_PAST_DAYS: i64 = 90;
/// The most events `/events.ics` holds.
const FEED_EVENTS: u32 = 1_000;

const ICS_TYPE: &str = "text/calendar; charset=utf-8";

fn zone(e: &Event) -> Tz {
    e.timezone.parse().unwrap_or(chrono_tz::UTC)
}

/// The host of the base URL, for calendar UIDs.
fn host(base_url: &str) -> &str {
    let rest = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    rest.split(['/', ':']).next().unwrap_or(rest)
}

fn cal_event<'a>(e: &'a Event, base_url: &str) -> CalEvent<'a> {
    CalEvent {
        uid: format!("event-{}@{}", e.id.0, host(base_url)),
        title: &e.title,
        starts_at: e.starts_at,
        ends_at: e.ends_at,
        all_day: e.all_day,
        timezone: zone(e),
        location: &e.location,
        description: &e.description,
        url: format!("{base_url}/events/{}", e.slug),
        rrule: &e.rrule,
        cancelled: e.cancelled,
        created_at: e.created_at,
        updated_at: e.updated_at,
    }
}

/// `GET /events/{slug}` and `GET /events/{slug}.ics`
pub async fn show(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, WebError> {
    let (slug, ics) = match name.strip_suffix(".ics") {
        Some(s) => (s, true),
        None => (name.as_str(), false),
    };
    let slug = Slug::parse(slug).map_err(|_| WebError::NotFound)?;
    let event = state
        .reads()
        .event_by_slug(&slug)
        .await?
        .ok_or(WebError::NotFound)?;
    let config = state.config();
    if ics {
        let text = calendar(&event.title, &[cal_event(&event, &config.base_url)]);
        return Ok(document(ICS_TYPE, text));
    }
    let now = state.clock.now();
    let dates = state.reads().event_dates(event.id).await?;
    let tz = zone(&event);
    let coming: Vec<_> = dates
        .iter()
        .filter(|d| d.ends_at >= now)
        .take(DATES_SHOWN)
        .map(|d| context! { starts_at => ser(&d.starts_at), ends_at => ser(&d.ends_at) })
        .collect();
    let repeats = if event.rrule.is_empty() {
        None
    } else {
        let local = event.starts_at.with_timezone(&tz).naive_local();
        Rule::parse(&event.rrule, local, tz)
            .ok()
            .map(|r| r.describe(local.date()))
    };
    let paragraphs: Vec<String> = event
        .description
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    let last_end = dates.last().map_or(event.starts_at, |d| d.ends_at);
    let html = render_page(
        &state,
        "event.html",
        context! {
            e => ser(&event),
            repeats,
            coming,
            is_past => last_end < now,
            paragraphs,
            json_ld => Theme::safe(structured::events(std::slice::from_ref(&event), &config)),
            ics_url => format!("/events/{}.ics", event.slug),
            views => views(&state),
            canonical => format!("{}/events/{}", config.base_url, event.slug),
        },
    )
    .await?;
    Ok(page(html))
}

/// `GET /events.ics`: every event readers may see with a date from the last 90 days on, a
/// series as one entry with its rule.
pub async fn feed(State(state): State<AppState>) -> Result<Response, WebError> {
    let config = state.config();
    let since = state.clock.now() - Duration::days(FEED_PAST_DAYS);
    let events = state.reads().calendar_events(since, FEED_EVENTS).await?;
    let entries: Vec<CalEvent<'_>> = events
        .iter()
        .map(|e| cal_event(e, &config.base_url))
        .collect();
    let text = calendar(&format!("{} events", config.name), &entries);
    Ok(document(ICS_TYPE, text))
}

#[cfg(test)]
mod tests {
    use super::host;

    #[test]
    fn uids_use_the_base_urls_host() {
        assert_eq!(host("https://news.example.org"), "news.example.org");
        assert_eq!(host("http://127.0.0.1:8080/x"), "127.0.0.1");
    }
}
