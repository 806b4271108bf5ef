//! Events as the API sends them. The public shapes ([`EventOut`], [`EventSummary`]) have no
//! field for the organiser's contact, so no public answer can carry it; only
//! [`ModerationEvent`] adds it.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use masthead_core::recurrence::Rule;
use masthead_core::{EventStatus, Occurrence};
use masthead_store::{DeskEvent, Event};
use serde::Serialize;
use utoipa::ToSchema;

/// Where an event is in moderation. Readers see `approved` and `cancelled` events only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventState {
    /// Sent by a reader, waiting for an editor.
    Pending,
    /// On the calendar.
    Approved,
    /// Refused by an editor; never shown.
    Rejected,
    /// Called off: still on the calendar, marked cancelled.
    Cancelled,
}

impl From<EventStatus> for EventState {
    fn from(s: EventStatus) -> Self {
        match s {
            EventStatus::Pending => EventState::Pending,
            EventStatus::Approved => EventState::Approved,
            EventStatus::Rejected => EventState::Rejected,
            EventStatus::Cancelled => EventState::Cancelled,
        }
    }
}

/// One date of an event.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventDate {
    /// When this date starts.
    pub starts_at: DateTime<Utc>,
    /// When it ends; null when the event has no end time.
    pub ends_at: Option<DateTime<Utc>>,
}

/// An event's date on the calendar: a series appears once per date.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventSummary {
    /// The event's id.
    pub id: i64,
    /// Its address on the calendar: `/events/{slug}`.
    pub slug: String,
    /// Its page on the site.
    pub url: String,
    /// The title, as plain text.
    pub title: String,
    /// `approved`, or `cancelled` (shown, marked).
    pub status: EventState,
    /// When this date starts.
    pub starts_at: DateTime<Utc>,
    /// When this date ends; null when the event has no end time.
    pub ends_at: Option<DateTime<Utc>>,
    /// Whether it lasts all day (then only the dates matter).
    pub all_day: bool,
    /// The IANA time zone its times are shown in.
    #[schema(example = "America/Chicago")]
    pub timezone: String,
    /// Where, as plain text.
    pub location: String,
    /// Whether it is one date of a series (see the event's `rrule`).
    pub repeats: bool,
}

impl EventSummary {
    /// A date of `e` from a calendar list (`e`'s times are that date's).
    pub(crate) fn new(e: Event, base_url: &str) -> Self {
        EventSummary {
            id: e.id.0,
            url: format!("{base_url}/events/{}", e.slug),
            slug: e.slug,
            title: e.title,
            status: e.status.into(),
            starts_at: e.starts_at,
            ends_at: e.ends_at,
            all_day: e.all_day,
            timezone: e.timezone,
            location: e.location,
            repeats: !e.rrule.is_empty(),
        }
    }
}

/// An event with every date. Text fields are plain text: show them escaped.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventOut {
    /// Its id.
    pub id: i64,
    /// Its address on the calendar: `/events/{slug}`.
    pub slug: String,
    /// Its page on the site (answering once the event is approved or cancelled).
    pub url: String,
    /// Its iCalendar file (likewise).
    pub ics_url: String,
    /// The title.
    pub title: String,
    /// Where it is in moderation; readers see `approved` and `cancelled` only.
    pub status: EventState,
    /// When its first date starts.
    pub starts_at: DateTime<Utc>,
    /// When its first date ends; null when it has no end time.
    pub ends_at: Option<DateTime<Utc>>,
    /// Whether it lasts all day.
    pub all_day: bool,
    /// The IANA time zone its times are shown in (a series keeps its wall-clock time in it).
    #[schema(example = "America/Chicago")]
    pub timezone: String,
    /// Where.
    pub location: String,
    /// What it is; paragraphs separated by a blank line.
    pub description: String,
    /// A web address for more information, if any.
    pub link: Option<String>,
    /// Its RFC 5545 recurrence rule in canonical form (`FREQ=WEEKLY;COUNT=4`), if it repeats.
    #[schema(example = "FREQ=WEEKLY;COUNT=4")]
    pub rrule: Option<String>,
    /// The rule in words, as its page says it.
    #[schema(example = "Every week on Saturday, 4 dates")]
    pub repeats: Option<String>,
    /// Every date, in order (a series has at most 100).
    pub dates: Vec<EventDate>,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
}

impl EventOut {
    /// `e` (its first date) with all of its `dates`.
    pub(crate) fn new(e: Event, dates: &[Occurrence], base_url: &str) -> Self {
        let tz: Tz = e.timezone.parse().unwrap_or(chrono_tz::UTC);
        let repeats = (!e.rrule.is_empty())
            .then(|| {
                let local = e.starts_at.with_timezone(&tz).naive_local();
                Rule::parse(&e.rrule, local, tz)
                    .ok()
                    .map(|r| r.describe(local.date()))
            })
            .flatten();
        let has_end = e.ends_at.is_some();
        EventOut {
            id: e.id.0,
            url: format!("{base_url}/events/{}", e.slug),
            ics_url: format!("{base_url}/events/{}.ics", e.slug),
            slug: e.slug,
            title: e.title,
            status: e.status.into(),
            starts_at: e.starts_at,
            ends_at: e.ends_at,
            all_day: e.all_day,
            timezone: e.timezone,
            location: e.location,
            description: e.description,
            link: (!e.link.is_empty()).then_some(e.link),
            rrule: (!e.rrule.is_empty()).then_some(e.rrule),
            repeats,
            dates: dates
                .iter()
                .map(|d| EventDate {
                    starts_at: d.starts_at,
                    ends_at: has_end.then_some(d.ends_at),
                })
                .collect(),
            updated_at: e.updated_at,
        }
    }
}

/// An event as moderators see it: everything readers see, and what only the desk sees.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ModerationEvent {
    /// The event.
    pub event: EventOut,
    /// How to reach the organiser, as they gave it. Never shown to readers.
    pub contact: String,
    /// When it was sent or added.
    pub created_at: DateTime<Utc>,
}

impl ModerationEvent {
    pub(crate) fn new(e: DeskEvent, dates: &[Occurrence], base_url: &str) -> Self {
        let created_at = e.event.created_at;
        ModerationEvent {
            event: EventOut::new(e.event, dates, base_url),
            contact: e.contact,
            created_at,
        }
    }
}

/// A page of upcoming dates, soonest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventList {
    /// The dates on this page.
    pub items: Vec<EventSummary>,
    /// This page's number.
    pub page: u32,
    /// Dates per page.
    pub per_page: u32,
    /// Whether a next page exists.
    pub has_more: bool,
}

/// Events in one moderation status, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ModerationList {
    /// The status listed.
    pub status: EventState,
    /// How many events wait for moderation (`pending`), whatever status is listed.
    pub pending: i64,
    /// The events, newest first, at most 100.
    pub items: Vec<ModerationEvent>,
    /// Whether more events are in this status than listed (act on these first).
    pub has_more: bool,
}
