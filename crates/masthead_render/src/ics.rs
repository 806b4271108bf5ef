//! iCalendar (RFC 5545) for the calendar: the subscribable `/events.ics` and one file per
//! event, written with the `icalendar` crate (STACK.md), which escapes text, folds lines at
//! 75 octets and ends them with CRLF.
//!
//! A timed event is written in its own zone (`DTSTART;TZID=America/Chicago:…`, the IANA name
//! every calendar app resolves), so a series' `RRULE` repeats at the same wall-clock time
//! across a daylight-saving change, as our own expansion does; an all-day event by date
//! (`VALUE=DATE`, `DTEND` the day after its last). A cancelled event says
//! `STATUS:CANCELLED`. The `UID` is the event's id under the site's host, stable across
//! edits; `DTSTAMP` and `LAST-MODIFIED` are its last change, so the same content is the same
//! bytes. The organiser's contact is never written.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use icalendar::{Calendar, CalendarDateTime, Component, EventLike, EventStatus};

/// One event as a calendar file holds it.
#[derive(Debug, Clone)]
pub struct CalEvent<'a> {
    /// Stable unique id (`event-42@news.example.org`).
    pub uid: String,
    /// Title.
    pub title: &'a str,
    /// The first start (of a series, its first date).
    pub starts_at: DateTime<Utc>,
    /// Its end, if given.
    pub ends_at: Option<DateTime<Utc>>,
    /// All day.
    pub all_day: bool,
    /// The event's zone.
    pub timezone: Tz,
    /// Where.
    pub location: &'a str,
    /// What.
    pub description: &'a str,
    /// The event's page on the site.
    pub url: String,
    /// The canonical `RRULE` value, or empty.
    pub rrule: &'a str,
    /// Called off.
    pub cancelled: bool,
    /// When it was added.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// A calendar named `name` holding `events`, as text.
pub fn calendar(name: &str, events: &[CalEvent<'_>]) -> String {
    let mut cal = Calendar::new();
    cal.name(name);
    for e in events {
        let mut ev = icalendar::Event::new();
        ev.uid(&e.uid)
            .summary(e.title)
            .timestamp(e.updated_at)
            .created(e.created_at)
            .last_modified(e.updated_at)
            .url(&e.url);
        if e.all_day {
            let first = e.starts_at.with_timezone(&e.timezone).date_naive();
            ev.starts(first);
            let after = e
                .ends_at
                .map(|t| t.with_timezone(&e.timezone).date_naive())
                .filter(|d| *d > first)
                .or_else(|| first.succ_opt());
            if let Some(after) = after {
                ev.ends(after);
            }
        } else {
            let local = |t: DateTime<Utc>| CalendarDateTime::WithTimezone {
                date_time: t.with_timezone(&e.timezone).naive_local(),
                tzid: e.timezone.name().to_owned(),
            };
            ev.starts(local(e.starts_at));
            if let Some(end) = e.ends_at {
                ev.ends(local(end));
            }
        }
        if !e.location.is_empty() {
            ev.location(e.location);
        }
        if !e.description.is_empty() {
            ev.description(e.description);
        }
        if !e.rrule.is_empty() {
            ev.add_property("RRULE", e.rrule);
        }
        ev.status(if e.cancelled {
            EventStatus::Cancelled
        } else {
            EventStatus::Confirmed
        });
        cal.push(ev.done());
    }
    cal.done().to_string()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_series_is_written_in_its_zone_with_its_rule() {
        let start = Utc.with_ymd_and_hms(2026, 2, 28, 15, 0, 0).unwrap();
        let text = calendar(
            "Courier events",
            &[CalEvent {
                uid: "event-1@news.example.org".into(),
                title: "Market; <b>fresh</b>, local",
                starts_at: start,
                ends_at: Some(start + chrono::Duration::hours(3)),
                all_day: false,
                timezone: chrono_tz::America::Chicago,
                location: "Depot Square",
                description: "Line one\nline two",
                url: "https://news.example.org/events/market".into(),
                rrule: "FREQ=WEEKLY;COUNT=3",
                cancelled: true,
                created_at: start,
                updated_at: start,
            }],
        );
        assert!(
            text.contains("DTSTART;TZID=America/Chicago:20260228T090000\r\n"),
            "{text}"
        );
        assert!(text.contains("RRULE:FREQ=WEEKLY;COUNT=3\r\n"));
        assert!(text.contains("SUMMARY:Market\\; <b>fresh</b>\\, local\r\n"));
        assert!(text.contains("DESCRIPTION:Line one\\nline two\r\n"));
        assert!(text.contains("STATUS:CANCELLED\r\n"));
    }
}
