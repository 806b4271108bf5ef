//! A calendar event's fields as typed by a reader, an editor or an API client, and the one
//! set of rules that turns them into [`EventFields`]: required fields, lengths, the time
//! zone, dates within bounds, a start that exists on the clock (not in a daylight-saving
//! gap), an end after the start, a web link, and a recurrence rule of the subset we expand.
//! Every refusal names its field and the fix; all of them are reported at once.

use crate::recurrence::{Rule, place};
use crate::{InvalidInput, WebUrl};
use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The longest title, in characters.
pub const MAX_TITLE: usize = 200;
/// The longest location.
pub const MAX_LOCATION: usize = 300;
/// The longest description.
pub const MAX_DESCRIPTION: usize = 5_000;
/// The longest organiser contact.
pub const MAX_CONTACT: usize = 300;
/// The longest an event may last.
pub const MAX_DAYS: i64 = 31;

/// An event as typed: text fields, untrimmed and unchecked. Dates are `YYYY-MM-DD`, times
/// `HH:MM` (24-hour; ignored for all-day events).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct EventDraft {
    /// What it is called.
    pub title: String,
    /// The first day.
    pub start_date: String,
    /// The start time.
    pub start_time: String,
    /// The last day (empty: the first).
    pub end_date: String,
    /// The end time (empty: none given).
    pub end_time: String,
    /// IANA zone name.
    pub timezone: String,
    /// Whether it runs all day.
    pub all_day: bool,
    /// Where.
    pub location: String,
    /// What happens.
    pub description: String,
    /// A web page about it.
    pub link: String,
    /// How to reach the organiser; never shown to readers.
    pub contact: String,
    /// An `RRULE` of the accepted subset, or empty.
    pub rrule: String,
}

/// The window of dates an event may start in (submissions get a narrower one than staff).
#[derive(Debug, Clone, Copy)]
pub struct DateWindow {
    /// The earliest start.
    pub earliest: DateTime<Utc>,
    /// The latest start.
    pub latest: DateTime<Utc>,
    /// How the latest is described in a refusal ("two years from now").
    pub latest_words: &'static str,
}

impl DateWindow {
    /// For readers' submissions: from yesterday up to two years ahead.
    pub fn submission(now: DateTime<Utc>) -> Self {
        Self {
            earliest: now - Duration::days(1),
            latest: now + Duration::days(731),
            latest_words: "two years from now",
        }
    }

    /// For staff and the API: back to 2000 (the archive) and up to five years ahead.
    pub fn staff(now: DateTime<Utc>) -> Self {
        Self {
            earliest: Utc
                .with_ymd_and_hms(2000, 1, 1, 0, 0, 0)
                .single()
                .unwrap_or(now),
            latest: now + Duration::days(5 * 366),
            latest_words: "five years from now",
        }
    }
}

/// An event's checked fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventFields {
    /// Title, trimmed.
    pub title: String,
    /// The first start, local.
    pub start: NaiveDateTime,
    /// The first end, local (all-day: the midnight after the last day).
    pub end: Option<NaiveDateTime>,
    /// All day.
    pub all_day: bool,
    /// Its zone.
    pub timezone: Tz,
    /// Where.
    pub location: String,
    /// What.
    pub description: String,
    /// Its web page.
    pub link: Option<WebUrl>,
    /// The organiser's contact, private.
    pub contact: String,
    /// Recurrence.
    pub rule: Option<Rule>,
}

/// One start and end of an event, in UTC (the end is the start when none was given).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    /// When it starts.
    pub starts_at: DateTime<Utc>,
    /// When it ends.
    pub ends_at: DateTime<Utc>,
}

fn text(
    errors: &mut Vec<InvalidInput>,
    field: &'static str,
    value: &str,
    max: usize,
    required: bool,
) -> String {
    let v = value.trim();
    if v.contains('\0') {
        errors.push(InvalidInput::new(field, "remove the NUL character"));
    }
    if required && v.is_empty() {
        errors.push(InvalidInput::new(field, "required: fill it in"));
    }
    let n = v.chars().count();
    if n > max {
        errors.push(InvalidInput::new(
            field,
            format!("{n} characters is too long; at most {max}"),
        ));
    }
    v.to_owned()
}

fn parse_date(errors: &mut Vec<InvalidInput>, field: &'static str, v: &str) -> Option<NaiveDate> {
    match NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(InvalidInput::new(
                field,
                format!(
                    "{:?} is not a date; write it as YYYY-MM-DD, like 2026-06-14",
                    v.trim()
                ),
            ));
            None
        }
    }
}

fn parse_time(errors: &mut Vec<InvalidInput>, field: &'static str, v: &str) -> Option<NaiveTime> {
    let v = v.trim();
    NaiveTime::parse_from_str(v, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(v, "%H:%M:%S"))
        .map_err(|_| {
            errors.push(InvalidInput::new(
                field,
                format!("{v:?} is not a time; write it as HH:MM on a 24-hour clock, like 19:30"),
            ));
        })
        .ok()
}

/// Places `local` in `tz`, refusing a time the clocks skip (naming the first time that
/// exists after it) and taking the first of a repeated one.
fn exact(
    errors: &mut Vec<InvalidInput>,
    field: &'static str,
    local: NaiveDateTime,
    tz: Tz,
) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(first, _) => Some(first.with_timezone(&Utc)),
        LocalResult::None => {
            let after = place(local, tz).with_timezone(&tz);
            errors.push(InvalidInput::new(
                field,
                format!(
                    "{} does not exist in {tz}: the clocks skip it for daylight saving; \
                     choose {} or another time",
                    local.format("%-d %B %Y %H:%M"),
                    after.format("%H:%M")
                ),
            ));
            None
        }
    }
}

impl EventDraft {
    /// Checks every field (all refusals at once) for an event starting inside `window`.
    pub fn check(&self, window: DateWindow) -> Result<EventFields, Vec<InvalidInput>> {
        let mut errors = Vec::new();
        let title = text(&mut errors, "Title", &self.title, MAX_TITLE, true);
        let location = text(&mut errors, "Location", &self.location, MAX_LOCATION, false);
        let description = text(
            &mut errors,
            "Description",
            &self.description,
            MAX_DESCRIPTION,
            false,
        );
        let contact = text(
            &mut errors,
            "Organiser contact",
            &self.contact,
            MAX_CONTACT,
            false,
        );
        let link = match WebUrl::parse_optional("Link", self.link.trim()) {
            Ok(l) => l,
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let tz = match self.timezone.trim().parse::<Tz>() {
            Ok(tz) => Some(tz),
            Err(_) => {
                errors.push(InvalidInput::new(
                    "Time zone",
                    format!(
                        "{:?} is not a time zone; choose one from the list, like America/Chicago",
                        self.timezone.trim()
                    ),
                ));
                None
            }
        };
        let start_date = if self.start_date.trim().is_empty() {
            errors.push(InvalidInput::new("Start date", "required: fill it in"));
            None
        } else {
            parse_date(&mut errors, "Start date", &self.start_date)
        };
        let start_time = if self.all_day {
            Some(NaiveTime::MIN)
        } else if self.start_time.trim().is_empty() {
            errors.push(InvalidInput::new(
                "Start time",
                "required unless the event lasts all day",
            ));
            None
        } else {
            parse_time(&mut errors, "Start time", &self.start_time)
        };
        let end_date = if self.end_date.trim().is_empty() {
            start_date
        } else {
            parse_date(&mut errors, "End date", &self.end_date)
        };
        let end_time = if self.all_day || self.end_time.trim().is_empty() {
            None
        } else {
            parse_time(&mut errors, "End time", &self.end_time)
        };
        let mut start = None;
        let mut end = None;
        let mut rule = None;
        if let (Some(tz), Some(d), Some(t)) = (tz, start_date, start_time) {
            let local = d.and_time(t);
            if let Some(at) = exact(&mut errors, "Start time", local, tz) {
                if at < window.earliest {
                    errors.push(InvalidInput::new(
                        "Start date",
                        format!(
                            "{} is in the past; choose a date from {} on",
                            d,
                            window.earliest.with_timezone(&tz).format("%Y-%m-%d")
                        ),
                    ));
                } else if at > window.latest {
                    errors.push(InvalidInput::new(
                        "Start date",
                        format!(
                            "{d} is too far ahead; events can start up to {} ({})",
                            window.latest_words,
                            window.latest.with_timezone(&tz).format("%Y-%m-%d")
                        ),
                    ));
                }
                start = Some(local);
            }
            let end_local = match (self.all_day, end_date, end_time) {
                (true, Some(ed), _) => ed.succ_opt().map(|n| n.and_time(NaiveTime::MIN)),
                (false, Some(ed), Some(et)) => Some(ed.and_time(et)),
                (false, Some(ed), None) if ed != d => {
                    errors.push(InvalidInput::new(
                        "End time",
                        "give an end time for an event that ends on another day",
                    ));
                    None
                }
                _ => None,
            };
            if let (Some(s), Some(e)) = (start, end_local) {
                let e_at = if self.all_day {
                    Some(place(e, tz))
                } else {
                    exact(&mut errors, "End time", e, tz)
                };
                let s_at = place(s, tz);
                if let Some(e_at) = e_at {
                    if e_at <= s_at {
                        errors.push(InvalidInput::new(
                            "End time",
                            "the end is before the start; check the end date and time",
                        ));
                    } else if e_at - s_at > Duration::days(MAX_DAYS) {
                        errors.push(InvalidInput::new(
                            "End date",
                            format!(
                                "an event lasts at most {MAX_DAYS} days; for a longer run, \
                                 make it repeat"
                            ),
                        ));
                    } else {
                        end = Some(e);
                    }
                }
            }
            if let Some(s) = start
                && !self.rrule.trim().is_empty()
            {
                match Rule::parse(&self.rrule, s, tz) {
                    Ok(r) => rule = Some(r),
                    Err(e) => errors.push(e),
                }
            }
        }
        match (errors.is_empty(), start, tz) {
            (true, Some(start), Some(timezone)) => Ok(EventFields {
                title,
                start,
                end,
                all_day: self.all_day,
                timezone,
                location,
                description,
                link,
                contact,
                rule,
            }),
            _ => Err(errors),
        }
    }
}

impl EventFields {
    /// Every start and end of the event in UTC: one, or the series' dates, each at the same
    /// wall-clock time and lasting as long on the clock as the first.
    pub fn occurrences(&self) -> Vec<Occurrence> {
        let length = self.end.map(|e| e - self.start);
        let starts = match &self.rule {
            Some(rule) => rule.local_dates(self.start),
            None => vec![self.start],
        };
        starts
            .into_iter()
            .map(|s| {
                let starts_at = place(s, self.timezone);
                let ends_at =
                    length.map_or(starts_at, |l| place(s + l, self.timezone).max(starts_at));
                Occurrence { starts_at, ends_at }
            })
            .collect()
    }

    /// The fields as a form shows them again.
    pub fn to_draft(&self) -> EventDraft {
        let last_day = |e: NaiveDateTime| {
            if self.all_day {
                e.date().pred_opt().unwrap_or(e.date())
            } else {
                e.date()
            }
        };
        EventDraft {
            title: self.title.clone(),
            start_date: self.start.date().to_string(),
            start_time: if self.all_day {
                String::new()
            } else {
                self.start.format("%H:%M").to_string()
            },
            end_date: self
                .end
                .map(|e| last_day(e).to_string())
                .unwrap_or_default(),
            end_time: match (self.all_day, self.end) {
                (false, Some(e)) => e.format("%H:%M").to_string(),
                _ => String::new(),
            },
            timezone: self.timezone.name().to_owned(),
            all_day: self.all_day,
            location: self.location.clone(),
            description: self.description.clone(),
            link: self
                .link
                .as_ref()
                .map(|l| l.to_string())
                .unwrap_or_default(),
            contact: self.contact.clone(),
            rrule: self
                .rule
                .as_ref()
                .map(|r| r.to_string())
                .unwrap_or_default(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 2, 1, 12, 0, 0).unwrap()
    }

    fn draft() -> EventDraft {
        EventDraft {
            title: " Pancake breakfast ".into(),
            start_date: "2026-03-08".into(),
            start_time: "08:00".into(),
            end_time: "11:00".into(),
            timezone: "America/Chicago".into(),
            ..Default::default()
        }
    }

    fn fields_of(errors: Vec<InvalidInput>) -> Vec<&'static str> {
        errors.iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_good_draft_round_trips() {
        let f = draft().check(DateWindow::submission(now())).unwrap();
        assert_eq!(f.title, "Pancake breakfast");
        let o = f.occurrences();
        assert_eq!(o.len(), 1);
        // 8 a.m. daylight time, the morning the clocks changed.
        assert_eq!(o[0].starts_at.to_rfc3339(), "2026-03-08T13:00:00+00:00");
        assert_eq!(o[0].ends_at - o[0].starts_at, Duration::hours(3));
        let again = f.to_draft();
        assert_eq!(again.check(DateWindow::submission(now())).unwrap(), f);
    }

    #[test]
    fn bad_input_is_named_field_by_field() {
        let mut d = draft();
        d.start_time = "02:30".into();
        let e = d.check(DateWindow::submission(now())).unwrap_err();
        assert!(e[0].message.contains("does not exist"), "{e:?}");
        assert!(e[0].message.contains("03:30"), "{e:?}");

        let mut d = draft();
        d.start_date = "9999-01-01".into();
        let e = d.check(DateWindow::submission(now())).unwrap_err();
        assert!(e[0].message.contains("too far ahead"), "{e:?}");

        let mut d = draft();
        d.end_time = "07:00".into();
        let e = d.check(DateWindow::submission(now())).unwrap_err();
        assert_eq!(fields_of(e), ["End time"]);

        let d = EventDraft::default();
        let e = d.check(DateWindow::submission(now())).unwrap_err();
        assert_eq!(
            fields_of(e),
            ["Title", "Time zone", "Start date", "Start time"]
        );

        let mut d = draft();
        d.description = "x".repeat(MAX_DESCRIPTION + 1);
        d.link = "javascript:alert(1)".into();
        let e = d.check(DateWindow::submission(now())).unwrap_err();
        assert_eq!(fields_of(e), ["Description", "Link"]);
    }

    #[test]
    fn all_day_events_end_at_the_midnight_after_their_last_day() {
        let mut d = draft();
        d.all_day = true;
        d.end_date = "2026-03-09".into();
        let f = d.check(DateWindow::submission(now())).unwrap();
        let o = f.occurrences();
        // 8 March is 23 hours long in Chicago.
        assert_eq!(o[0].ends_at - o[0].starts_at, Duration::hours(47));
        assert_eq!(f.to_draft().end_date, "2026-03-09");
    }
}
