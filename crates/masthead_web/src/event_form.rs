//! The event form readers and editors fill in (the public submission form and the desk's
//! editor show the same fields): parsing a posted form into an [`EventDraft`], the
//! "Repeats" choice turned into an `RRULE` of the subset we expand, and the form's values
//! and refusals for a template, so a refused form comes back as typed.

use chrono::{Datelike, NaiveDate};
use masthead_core::recurrence::{MAX_OCCURRENCES, weekday_code, weekday_ordinal};
use masthead_core::{DateWindow, EventDraft, EventFields, InvalidInput};
use masthead_render::{Value, context, ser};

/// An event form as posted.
#[derive(Debug, Clone, Default)]
pub(crate) struct EventForm {
    /// The event's own fields.
    pub draft: EventDraft,
    /// "" (once), `weekly`, `monthly-day` or `monthly-weekday`; or `rule` (keep the stored
    /// rule as it is, shown in the desk).
    pub repeat: String,
    /// How many dates a series holds.
    pub repeat_count: String,
}

impl EventForm {
    /// Reads the form's fields by name (the first value of each).
    pub fn parse(body: &[u8]) -> (Self, Vec<(String, String)>) {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let form = Self {
            draft: EventDraft {
                title: get("title"),
                start_date: get("start_date"),
                start_time: get("start_time"),
                end_date: get("end_date"),
                end_time: get("end_time"),
                timezone: get("timezone"),
                all_day: !get("all_day").is_empty(),
                location: get("location"),
                description: get("description"),
                link: get("link"),
                contact: get("contact"),
                rrule: get("rrule"),
            },
            repeat: get("repeat"),
            repeat_count: get("repeat_count"),
        };
        (form, pairs)
    }

    /// A form showing stored fields.
    pub fn of(fields: &EventFields) -> Self {
        let draft = fields.to_draft();
        let (repeat, repeat_count) = match &fields.rule {
            Some(rule) => ("rule".to_owned(), rule.count.to_string()),
            None => (String::new(), String::new()),
        };
        Self {
            draft,
            repeat,
            repeat_count,
        }
    }

    /// Checks the form: the "Repeats" choice becomes the draft's rule, then every field is
    /// checked against `window`. All refusals at once.
    pub fn check(&self, window: DateWindow) -> Result<EventFields, Vec<InvalidInput>> {
        let mut draft = self.draft.clone();
        let mut errors = Vec::new();
        if self.repeat != "rule" {
            draft.rrule = String::new();
        }
        if !self.repeat.is_empty() && self.repeat != "rule" {
            let count = self
                .repeat_count
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|n| (2..=MAX_OCCURRENCES).contains(n));
            let start = NaiveDate::parse_from_str(draft.start_date.trim(), "%Y-%m-%d").ok();
            match (count, self.repeat.as_str()) {
                (None, _) => errors.push(InvalidInput::new(
                    "Number of dates",
                    format!(
                        "a repeating event needs a number of dates from 2 to {MAX_OCCURRENCES}"
                    ),
                )),
                (Some(n), "weekly") => draft.rrule = format!("FREQ=WEEKLY;COUNT={n}"),
                (Some(n), "monthly-day") => draft.rrule = format!("FREQ=MONTHLY;COUNT={n}"),
                (Some(n), "monthly-weekday") => {
                    if let Some(d) = start {
                        draft.rrule = format!(
                            "FREQ=MONTHLY;BYDAY={}{};COUNT={n}",
                            weekday_ordinal(d),
                            weekday_code(d.weekday())
                        );
                    }
                }
                _ => errors.push(InvalidInput::new(
                    "Repeats",
                    "choose once, weekly, or monthly by date or by weekday",
                )),
            }
        }
        match draft.check(window) {
            Ok(fields) if errors.is_empty() => Ok(fields),
            Ok(_) => Err(errors),
            Err(more) => {
                errors.extend(more);
                Err(errors)
            }
        }
    }

    /// The form's values for a template (`form.title`, `form.repeat`, …).
    pub fn value(&self) -> Value {
        context! {
            title => &self.draft.title,
            start_date => &self.draft.start_date,
            start_time => &self.draft.start_time,
            end_date => &self.draft.end_date,
            end_time => &self.draft.end_time,
            timezone => &self.draft.timezone,
            all_day => self.draft.all_day,
            location => &self.draft.location,
            description => &self.draft.description,
            link => &self.draft.link,
            contact => &self.draft.contact,
            rrule => &self.draft.rrule,
            repeat => &self.repeat,
            repeat_count => &self.repeat_count,
        }
    }
}

/// Refusals for a template: `[{field, message}]`.
pub(crate) fn errors_value(errors: &[InvalidInput]) -> Value {
    let list: Vec<(&str, &str)> = errors
        .iter()
        .map(|e| (e.field, e.message.as_str()))
        .collect();
    Value::from_iter(
        list.into_iter()
            .map(|(field, message)| context! { field, message }),
    )
}

/// Every zone a form offers, by name.
pub(crate) fn zones() -> Value {
    let names: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect();
    ser(&names)
}
