//! The community calendar's lists: upcoming dates (`/events`), the archive of past ones
//! (`/events/past`), and the dates of one day, week or month (`/events/day/2026-12-05`,
//! `/events/week/2026-11-30`, `/events/month/2026-12`), each grouped by day in the site's
//! zone, and the month grid (`/events/calendar/2026-12`). Every event links to its own page;
//! a cancelled one is marked. All are cached pages: a write that readers see moves the
//! content generation, and an event starting or ending moves it by the clock.

use crate::params::Page;
use crate::render::render_page;
use crate::site::cached::page;
use crate::site::structured;
use crate::{AppState, WebError};
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use masthead_core::PageNumber;
use masthead_render::{Theme, Value, context, ser};
use masthead_store::Event;
use serde::Serialize;

/// Years a calendar address may name; others are a 404 (no page for the year 9999).
const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// The dates of one day, in the site's zone.
#[derive(Serialize)]
struct DayGroup {
    /// `2026-12-05`.
    date: String,
    /// "Saturday, Dec. 5, 2026".
    label: String,
    /// `/events/day/2026-12-05`.
    url: String,
    events: Vec<Event>,
}

fn day_label(d: NaiveDate) -> String {
    format!("{}, {}", d.format("%A"), masthead_render::long_date(d))
}

/// Groups dates (soonest first, or latest first) by their day in `tz`.
fn by_day(events: Vec<Event>, tz: Tz) -> Vec<DayGroup> {
    let mut groups: Vec<DayGroup> = Vec::new();
    for e in events {
        let d = e.starts_at.with_timezone(&tz).date_naive();
        match groups.last_mut() {
            Some(g) if g.date == d.to_string() => g.events.push(e),
            _ => groups.push(DayGroup {
                date: d.to_string(),
                label: day_label(d),
                url: format!("/events/day/{d}"),
                events: vec![e],
            }),
        }
    }
    groups
}

/// Local midnight of `d` in `tz` (the first instant of the day if midnight is skipped).
pub(crate) fn midnight(d: NaiveDate, tz: Tz) -> DateTime<Utc> {
    masthead_core::recurrence::place(d.and_time(chrono::NaiveTime::MIN), tz)
}

fn parse_day(text: &str) -> Result<NaiveDate, WebError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|d| YEARS.contains(&d.year()) && text.len() == 10)
        .ok_or(WebError::NotFound)
}

fn parse_month(text: &str) -> Result<NaiveDate, WebError> {
    let (y, m) = text.split_once('-').ok_or(WebError::NotFound)?;
    let (y, m) = (y.parse::<i32>(), m.parse::<u32>());
    match (y, m) {
        (Ok(y), Ok(m)) if YEARS.contains(&y) && text.len() == 7 => {
            NaiveDate::from_ymd_opt(y, m, 1).ok_or(WebError::NotFound)
        }
        _ => Err(WebError::NotFound),
    }
}

fn next_month(d: NaiveDate) -> NaiveDate {
    d.checked_add_months(chrono::Months::new(1)).unwrap_or(d)
}

fn prev_month(d: NaiveDate) -> NaiveDate {
    d.checked_sub_months(chrono::Months::new(1)).unwrap_or(d)
}

fn monday_of(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

/// The links between the calendar's views, for today in the site's zone.
pub(crate) fn views(state: &AppState) -> Value {
    let today = state
        .clock
        .now()
        .with_timezone(&state.config().timezone)
        .date_naive();
    context! {
        today => format!("/events/day/{today}"),
        week => format!("/events/week/{}", monday_of(today)),
        month => format!("/events/month/{}", today.format("%Y-%m")),
        grid => format!("/events/calendar/{}", today.format("%Y-%m")),
    }
}

/// Renders `events.html` for a list of dates.
#[allow(clippy::too_many_arguments)]
async fn list_page(
    state: &AppState,
    heading: String,
    path: &str,
    events: Vec<Event>,
    empty: &str,
    prev: Option<(String, String)>,
    next: Option<(String, String)>,
    robots_noindex: bool,
) -> Result<Response, WebError> {
    let tz = state.config().timezone;
    let json_ld = structured::events(&events, &state.config());
    let any = !events.is_empty();
    let html = render_page(
        state,
        "events.html",
        context! {
            heading,
            days => ser(&by_day(events, tz)),
            any,
            empty,
            json_ld => Theme::safe(json_ld),
            prev => prev.map(|(url, label)| context! { url, label }),
            next => next.map(|(url, label)| context! { url, label }),
            views => views(state),
            noindex => robots_noindex,
            canonical => format!("{}{}", state.config().base_url, path),
        },
    )
    .await?;
    Ok(page(html))
}

fn page_url(base: &str, n: PageNumber) -> String {
    if n.get() == 1 {
        base.to_owned()
    } else {
        format!("{base}?page={}", n.get())
    }
}

/// `GET /events?page=N`
pub async fn show(
    State(state): State<AppState>,
    Page(page_num): Page,
) -> Result<Response, WebError> {
    let list = state
        .reads()
        .upcoming_events(state.clock.now(), page_num, state.config().page_size)
        .await?;
    if list.items.is_empty() && page_num.get() > 1 {
        return Err(WebError::NotFound);
    }
    let heading = if page_num.get() > 1 {
        format!("Community events (page {})", page_num.get())
    } else {
        "Community events".to_owned()
    };
    list_page(
        &state,
        heading,
        &page_url("/events", page_num),
        list.items,
        "No upcoming events yet.",
        page_num
            .prev()
            .map(|p| (page_url("/events", p), "Sooner".to_owned())),
        list.has_more
            .then(|| (page_url("/events", page_num.next()), "Later".to_owned())),
        false,
    )
    .await
}

/// `GET /events/past?page=N`: the archive, latest first.
pub async fn past(
    State(state): State<AppState>,
    Page(page_num): Page,
) -> Result<Response, WebError> {
    let list = state
        .reads()
        .past_events(state.clock.now(), page_num, state.config().page_size)
        .await?;
    if list.items.is_empty() && page_num.get() > 1 {
        return Err(WebError::NotFound);
    }
    list_page(
        &state,
        "Past events".to_owned(),
        &page_url("/events/past", page_num),
        list.items,
        "No past events yet.",
        page_num
            .prev()
            .map(|p| (page_url("/events/past", p), "More recent".to_owned())),
        list.has_more.then(|| {
            (
                page_url("/events/past", page_num.next()),
                "Older".to_owned(),
            )
        }),
        false,
    )
    .await
}

/// `GET /events/day/{YYYY-MM-DD}`
pub async fn day(
    State(state): State<AppState>,
    Path(date): Path<String>,
) -> Result<Response, WebError> {
    let d = parse_day(&date)?;
    let tz = state.config().timezone;
    let events = state
        .reads()
        .events_between(midnight(d, tz), midnight(d + Duration::days(1), tz))
        .await?;
    let (prev, next) = (d - Duration::days(1), d + Duration::days(1));
    list_page(
        &state,
        format!("Events on {}", day_label(d)),
        &format!("/events/day/{d}"),
        events,
        "Nothing on the calendar that day.",
        Some((format!("/events/day/{prev}"), day_label(prev))),
        Some((format!("/events/day/{next}"), day_label(next))),
        true,
    )
    .await
}

/// `GET /events/week/{YYYY-MM-DD}`: the week (Monday to Sunday) holding that day.
pub async fn week(
    State(state): State<AppState>,
    Path(date): Path<String>,
) -> Result<Response, WebError> {
    let monday = monday_of(parse_day(&date)?);
    let tz = state.config().timezone;
    let events = state
        .reads()
        .events_between(
            midnight(monday, tz),
            midnight(monday + Duration::days(7), tz),
        )
        .await?;
    let (prev, next) = (monday - Duration::days(7), monday + Duration::days(7));
    list_page(
        &state,
        format!(
            "Events in the week of {}",
            masthead_render::long_date(monday)
        ),
        &format!("/events/week/{monday}"),
        events,
        "Nothing on the calendar that week.",
        Some((format!("/events/week/{prev}"), "Week before".to_owned())),
        Some((format!("/events/week/{next}"), "Week after".to_owned())),
        true,
    )
    .await
}

/// `GET /events/month/{YYYY-MM}`
pub async fn month(
    State(state): State<AppState>,
    Path(text): Path<String>,
) -> Result<Response, WebError> {
    let first = parse_month(&text)?;
    let tz = state.config().timezone;
    let events = state
        .reads()
        .events_between(midnight(first, tz), midnight(next_month(first), tz))
        .await?;
    let (prev, next) = (prev_month(first), next_month(first));
    list_page(
        &state,
        format!("Events in {}", first.format("%B %Y")),
        &format!("/events/month/{}", first.format("%Y-%m")),
        events,
        "Nothing on the calendar that month.",
        Some((
            format!("/events/month/{}", prev.format("%Y-%m")),
            prev.format("%B %Y").to_string(),
        )),
        Some((
            format!("/events/month/{}", next.format("%Y-%m")),
            next.format("%B %Y").to_string(),
        )),
        true,
    )
    .await
}

/// One square of the month grid.
#[derive(Serialize)]
struct Cell {
    day: u32,
    date: String,
    url: String,
    in_month: bool,
    today: bool,
    events: Vec<Event>,
}

/// `GET /events/calendar/{YYYY-MM}`: the month as a grid of weeks, Monday first.
pub async fn grid(
    State(state): State<AppState>,
    Path(text): Path<String>,
) -> Result<Response, WebError> {
    let first = parse_month(&text)?;
    let tz = state.config().timezone;
    let start = monday_of(first);
    let after = next_month(first);
    let weeks_len = ((after - start).num_days() + 6) / 7;
    let end = start + Duration::days(weeks_len * 7);
    let events = state
        .reads()
        .events_between(midnight(start, tz), midnight(end, tz))
        .await?;
    let today = state.clock.now().with_timezone(&tz).date_naive();
    let mut weeks: Vec<Vec<Cell>> = Vec::new();
    for w in 0..weeks_len {
        let mut week = Vec::with_capacity(7);
        for i in 0..7 {
            let d = start + Duration::days(w * 7 + i);
            let (from, to) = (midnight(d, tz), midnight(d + Duration::days(1), tz));
            week.push(Cell {
                day: d.day(),
                date: d.to_string(),
                url: format!("/events/day/{d}"),
                in_month: d.month() == first.month(),
                today: d == today,
                events: events
                    .iter()
                    .filter(|e| e.starts_at < to && e.ends_at.unwrap_or(e.starts_at) >= from)
                    .cloned()
                    .collect(),
            });
        }
        weeks.push(week);
    }
    let (prev, next) = (prev_month(first), next_month(first));
    let path = format!("/events/calendar/{}", first.format("%Y-%m"));
    let html = render_page(
        &state,
        "events_grid.html",
        context! {
            heading => format!("{} calendar", first.format("%B %Y")),
            month_name => first.format("%B %Y").to_string(),
            weeks => ser(&weeks),
            prev => context! { url => format!("/events/calendar/{}", prev.format("%Y-%m")), label => prev.format("%B %Y").to_string() },
            next => context! { url => format!("/events/calendar/{}", next.format("%Y-%m")), label => next.format("%B %Y").to_string() },
            list_url => format!("/events/month/{}", first.format("%Y-%m")),
            views => views(&state),
            canonical => format!("{}{path}", state.config().base_url),
        },
    )
    .await?;
    Ok(page(html))
}
