//! Recurring events: the subset of RFC 5545 `RRULE`s the calendar accepts, and their
//! expansion into dates in the event's own time zone.
//!
//! Accepted: `FREQ=WEEKLY` or `FREQ=MONTHLY`, `INTERVAL`, `COUNT` or `UNTIL` (one of them:
//! an open-ended series is refused), weekly `BYDAY=MO,WE,…`, monthly `BYMONTHDAY=N` (1 to 31
//! or -1 to -31) or `BYDAY=2TU` / `BYDAY=-1FR`. A series holds at most
//! [`MAX_OCCURRENCES`] dates. A rule is kept in its canonical form with `COUNT` (an `UNTIL`
//! is turned into the count of dates up to it), so what we store and what our `.ics` files
//! say is exactly the series we expanded.
//!
//! Dates are expanded as wall-clock times (a 7 pm meeting stays at 7 pm across a
//! daylight-saving change) and then placed in the zone: a time the clocks skip is read with
//! the offset before the gap (RFC 5545, 3.3.5), a time they repeat as its first instance.

use crate::InvalidInput;
use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc,
    Weekday,
};
use chrono_tz::Tz;
use std::fmt;

/// The most dates one series may hold.
pub const MAX_OCCURRENCES: u32 = 100;

/// How often a series repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freq {
    /// Every `interval` weeks.
    Weekly,
    /// Every `interval` months.
    Monthly,
}

/// Which day of the month a monthly series falls on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonthDay {
    /// The start's day of the month.
    Same,
    /// Day N of the month (negative counts from its end); months without it are skipped.
    Day(i32),
    /// The Nth weekday of the month (negative counts from its end): `2TU`, `-1FR`.
    Weekday(i32, Weekday),
}

/// A checked recurrence rule, always ending after `count` dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Weekly or monthly.
    pub freq: Freq,
    /// Every how many weeks or months.
    pub interval: u32,
    /// How many dates the series holds, the first included.
    pub count: u32,
    /// Weekly: the days of the week (empty: the start's).
    pub by_day: Vec<Weekday>,
    /// Monthly: which day.
    pub month_day: MonthDay,
}

fn bad(message: impl Into<String>) -> InvalidInput {
    InvalidInput::new("Repeats", message)
}

/// The RFC 5545 code of a weekday (`MO`, `TU`, …).
pub fn weekday_code(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

fn parse_weekday(code: &str) -> Option<Weekday> {
    Some(match code {
        "MO" => Weekday::Mon,
        "TU" => Weekday::Tue,
        "WE" => Weekday::Wed,
        "TH" => Weekday::Thu,
        "FR" => Weekday::Fri,
        "SA" => Weekday::Sat,
        "SU" => Weekday::Sun,
        _ => return None,
    })
}

/// The ordinal of `date`'s weekday in its month: 1 to 4, or -1 for the last one (a fifth
/// one is always the last).
pub fn weekday_ordinal(date: NaiveDate) -> i32 {
    let nth = (date.day() as i32 - 1) / 7 + 1;
    let next_week = date + Duration::days(7);
    if nth >= 4 && next_week.month() != date.month() {
        -1
    } else {
        nth
    }
}

impl Rule {
    /// Parses an `RRULE` value (with or without the `RRULE:` prefix) for a series starting
    /// at `start` (local) in `tz`. Refuses what the subset does not cover, a start that is
    /// not one of the rule's own dates, an open-ended series and one over
    /// [`MAX_OCCURRENCES`] dates, each with a message naming the fix.
    pub fn parse(text: &str, start: NaiveDateTime, tz: Tz) -> Result<Self, InvalidInput> {
        let text = text.trim();
        let text = text.strip_prefix("RRULE:").unwrap_or(text);
        let mut freq = None;
        let mut interval = 1u32;
        let mut count = None;
        let mut until = None;
        let mut by_day_text = None;
        let mut by_month_day = None;
        for part in text.split(';').filter(|p| !p.is_empty()) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| bad(format!("{part:?} is not NAME=VALUE")))?;
            match key.to_ascii_uppercase().as_str() {
                "FREQ" => {
                    freq = Some(match value.to_ascii_uppercase().as_str() {
                        "WEEKLY" => Freq::Weekly,
                        "MONTHLY" => Freq::Monthly,
                        other => {
                            return Err(bad(format!(
                                "FREQ={other} is not offered; events repeat WEEKLY or MONTHLY"
                            )));
                        }
                    });
                }
                "INTERVAL" => {
                    interval = value
                        .parse()
                        .ok()
                        .filter(|n| (1..=12).contains(n))
                        .ok_or_else(|| bad("INTERVAL must be a number from 1 to 12"))?;
                }
                "COUNT" => {
                    count = Some(
                        value
                            .parse::<u32>()
                            .ok()
                            .filter(|n| (1..=MAX_OCCURRENCES).contains(n))
                            .ok_or_else(|| {
                                bad(format!(
                                    "COUNT must be a number from 1 to {MAX_OCCURRENCES}"
                                ))
                            })?,
                    );
                }
                "UNTIL" => until = Some(parse_until(value, tz)?),
                "BYDAY" => by_day_text = Some(value.to_ascii_uppercase()),
                "BYMONTHDAY" => {
                    by_month_day = Some(
                        value
                            .parse::<i32>()
                            .ok()
                            .filter(|n| *n != 0 && (-31..=31).contains(n))
                            .ok_or_else(|| {
                                bad("BYMONTHDAY must be one day, 1 to 31 or -1 to -31")
                            })?,
                    );
                }
                "WKST" if value.eq_ignore_ascii_case("MO") => {}
                other => {
                    return Err(bad(format!(
                        "{other} is not offered; use FREQ, INTERVAL, COUNT or UNTIL, BYDAY and BYMONTHDAY"
                    )));
                }
            }
        }
        let freq = freq.ok_or_else(|| bad("say FREQ=WEEKLY or FREQ=MONTHLY"))?;
        let (by_day, month_day) = match freq {
            Freq::Weekly => {
                if by_month_day.is_some() {
                    return Err(bad("BYMONTHDAY goes with FREQ=MONTHLY"));
                }
                let mut days = Vec::new();
                for code in by_day_text.iter().flat_map(|t| t.split(',')) {
                    let day = parse_weekday(code).ok_or_else(|| {
                        bad(format!(
                            "BYDAY={code} is not a day; use MO, TU, WE, TH, FR, SA or SU"
                        ))
                    })?;
                    if !days.contains(&day) {
                        days.push(day);
                    }
                }
                days.sort_by_key(|d| d.num_days_from_monday());
                (days, MonthDay::Same)
            }
            Freq::Monthly => {
                let month_day = match (by_day_text, by_month_day) {
                    (Some(_), Some(_)) => {
                        return Err(bad("give BYDAY or BYMONTHDAY, not both"));
                    }
                    (None, Some(n)) => MonthDay::Day(n),
                    (None, None) => MonthDay::Same,
                    (Some(t), None) => {
                        let split = t.len().saturating_sub(2);
                        let day = t.get(split..).and_then(parse_weekday);
                        let nth = t.get(..split).and_then(|n| n.parse::<i32>().ok());
                        match (nth, day) {
                            (Some(n), Some(d)) if (1..=4).contains(&n) || n == -1 => {
                                MonthDay::Weekday(n, d)
                            }
                            _ => {
                                return Err(bad(format!(
                                    "monthly BYDAY={t} is not offered; use one weekday with its \
                                     place in the month, 1 to 4 or -1 for the last: BYDAY=2TU"
                                )));
                            }
                        }
                    }
                };
                (Vec::new(), month_day)
            }
        };
        let mut rule = Self {
            freq,
            interval,
            count: MAX_OCCURRENCES,
            by_day,
            month_day,
        };
        if !rule.matches(start.date()) {
            return Err(bad(format!(
                "the start, {}, is not one of the rule's dates; start on one of them",
                start.date().format("%A %-d %B %Y")
            )));
        }
        rule.count = match (count, until) {
            (Some(_), Some(_)) => return Err(bad("give COUNT or UNTIL, not both")),
            (None, None) => {
                return Err(bad(format!(
                    "say when the series ends: a number of dates (COUNT) or a last date \
                     (UNTIL), at most {MAX_OCCURRENCES} dates"
                )));
            }
            (Some(n), None) => n,
            (None, Some(last)) => {
                let dates = rule.dates_until(start, last);
                if dates == 0 {
                    return Err(bad("UNTIL is before the start"));
                }
                if dates > MAX_OCCURRENCES {
                    return Err(bad(format!(
                        "that series has more than {MAX_OCCURRENCES} dates; end it sooner"
                    )));
                }
                dates
            }
        };
        Ok(rule)
    }

    /// Whether `date` is one of the dates the rule's pattern allows (ignoring interval and
    /// count) for a series starting on it.
    fn matches(&self, date: NaiveDate) -> bool {
        match (self.freq, self.month_day) {
            (Freq::Weekly, _) => self.by_day.is_empty() || self.by_day.contains(&date.weekday()),
            (Freq::Monthly, MonthDay::Same) => true,
            (Freq::Monthly, MonthDay::Day(n)) => {
                month_day(date.year(), date.month(), n) == Some(date)
            }
            (Freq::Monthly, MonthDay::Weekday(n, d)) => {
                nth_weekday(date.year(), date.month(), n, d) == Some(date)
            }
        }
    }

    /// How many dates from `start` fall on or before `last` (local), stopping one past the cap.
    fn dates_until(&self, start: NaiveDateTime, last: NaiveDateTime) -> u32 {
        let mut probe = self.clone();
        probe.count = MAX_OCCURRENCES + 1;
        probe
            .local_dates(start)
            .into_iter()
            .take_while(|d| *d <= last)
            .count() as u32
    }

    /// The series' local start times, the first being `start`.
    pub fn local_dates(&self, start: NaiveDateTime) -> Vec<NaiveDateTime> {
        let mut out = Vec::with_capacity(self.count as usize);
        let want = self.count as usize;
        let time = start.time();
        let first = start.date();
        // Enough periods for `count` dates even when most months lack day 31; bounded.
        let periods = (want as u32 * 12 + 12).min(2_400);
        match self.freq {
            Freq::Weekly => {
                let days: Vec<Weekday> = if self.by_day.is_empty() {
                    vec![first.weekday()]
                } else {
                    self.by_day.clone()
                };
                let monday =
                    first - Duration::days(i64::from(first.weekday().num_days_from_monday()));
                for week in 0..periods {
                    let week_start = monday + Duration::weeks(i64::from(week * self.interval));
                    for d in &days {
                        let date = week_start + Duration::days(i64::from(d.num_days_from_monday()));
                        if date >= first {
                            out.push(date.and_time(time));
                            if out.len() == want {
                                return out;
                            }
                        }
                    }
                }
            }
            Freq::Monthly => {
                let base = first.year() * 12 + first.month0() as i32;
                for k in 0..periods {
                    let m = base + (k * self.interval) as i32;
                    let (year, month) = (m.div_euclid(12), m.rem_euclid(12) as u32 + 1);
                    let date = match self.month_day {
                        MonthDay::Same => month_day(year, month, first.day() as i32),
                        MonthDay::Day(n) => month_day(year, month, n),
                        MonthDay::Weekday(n, d) => nth_weekday(year, month, n, d),
                    };
                    if let Some(date) = date.filter(|d| *d >= first) {
                        out.push(date.and_time(time));
                        if out.len() == want {
                            return out;
                        }
                    }
                }
            }
        }
        out
    }
}

impl Rule {
    /// The rule in words for readers, for a series starting on `start`: "Every week on
    /// Saturday, 10 dates", "Every 2 months on the second Tuesday, 6 dates".
    pub fn describe(&self, start: NaiveDate) -> String {
        let every = match (self.freq, self.interval) {
            (Freq::Weekly, 1) => "Every week".to_owned(),
            (Freq::Weekly, n) => format!("Every {n} weeks"),
            (Freq::Monthly, 1) => "Every month".to_owned(),
            (Freq::Monthly, n) => format!("Every {n} months"),
        };
        let on = match (self.freq, self.month_day) {
            (Freq::Weekly, _) => {
                let days: Vec<String> = if self.by_day.is_empty() {
                    vec![start.format("%A").to_string()]
                } else {
                    self.by_day
                        .iter()
                        .map(|d| day_name(*d).to_owned())
                        .collect()
                };
                days.join(", ")
            }
            (Freq::Monthly, MonthDay::Same) => format!("day {}", start.day()),
            (Freq::Monthly, MonthDay::Day(n)) if n > 0 => format!("day {n}"),
            (Freq::Monthly, MonthDay::Day(n)) => format!("day {} from the end", -n),
            (Freq::Monthly, MonthDay::Weekday(n, d)) => {
                let nth = match n {
                    1 => "first",
                    2 => "second",
                    3 => "third",
                    4 => "fourth",
                    _ => "last",
                };
                format!("the {nth} {}", day_name(d))
            }
        };
        format!("{every} on {on}, {} dates", self.count)
    }
}

fn day_name(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

impl fmt::Display for Rule {
    /// The canonical `RRULE` value: `FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;COUNT=10`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.freq {
            Freq::Weekly => f.write_str("FREQ=WEEKLY")?,
            Freq::Monthly => f.write_str("FREQ=MONTHLY")?,
        }
        if self.interval != 1 {
            write!(f, ";INTERVAL={}", self.interval)?;
        }
        if !self.by_day.is_empty() {
            let days: Vec<&str> = self.by_day.iter().map(|d| weekday_code(*d)).collect();
            write!(f, ";BYDAY={}", days.join(","))?;
        }
        match self.month_day {
            MonthDay::Same => {}
            MonthDay::Day(n) => write!(f, ";BYMONTHDAY={n}")?,
            MonthDay::Weekday(n, d) => write!(f, ";BYDAY={n}{}", weekday_code(d))?,
        }
        write!(f, ";COUNT={}", self.count)
    }
}

/// `UNTIL` as a local date-time in `tz`: a date (its whole day counts) or a UTC date-time.
fn parse_until(value: &str, tz: Tz) -> Result<NaiveDateTime, InvalidInput> {
    let v = value.trim();
    if let Ok(d) = NaiveDate::parse_from_str(v, "%Y%m%d") {
        return d
            .and_hms_opt(23, 59, 59)
            .ok_or_else(|| bad("UNTIL is not a date"));
    }
    if let Some(utc) = v.strip_suffix('Z')
        && let Ok(t) = NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S")
    {
        return Ok(Utc.from_utc_datetime(&t).with_timezone(&tz).naive_local());
    }
    Err(bad(format!(
        "UNTIL={v} is not a date; write it as YYYYMMDD or YYYYMMDDTHHMMSSZ"
    )))
}

/// Day `n` of a month (negative from its end), if the month has it.
fn month_day(year: i32, month: u32, n: i32) -> Option<NaiveDate> {
    if n > 0 {
        NaiveDate::from_ymd_opt(year, month, n as u32)
    } else {
        let next = if month == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)?
        } else {
            NaiveDate::from_ymd_opt(year, month + 1, 1)?
        };
        let d = next + Duration::days(i64::from(n));
        (d.month() == month).then_some(d)
    }
}

/// The `n`th `day` of a month (`-1`: the last).
fn nth_weekday(year: i32, month: u32, n: i32, day: Weekday) -> Option<NaiveDate> {
    if n > 0 {
        NaiveDate::from_weekday_of_month_opt(year, month, day, n as u8)
    } else {
        let last = month_day(year, month, -1)?;
        let back = (last.weekday().num_days_from_monday() + 7 - day.num_days_from_monday()) % 7;
        Some(last - Duration::days(i64::from(back)))
    }
}

/// A local time placed in `tz` for a date of a series: a skipped time takes the offset in
/// force before the gap (RFC 5545), a repeated one its first instance.
pub fn place(local: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        LocalResult::None => {
            // The offset a few hours earlier is the one before the gap.
            let before = tz
                .from_local_datetime(&(local - Duration::hours(6)))
                .earliest()
                .map(|t| t.offset().fix())
                .unwrap_or_else(|| Utc.fix());
            Utc.from_utc_datetime(&(local - Duration::seconds(i64::from(before.local_minus_utc()))))
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono_tz::America::Chicago;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
    }

    #[test]
    fn weekly_keeps_wall_clock_time_across_the_spring_change() {
        // Saturdays at 9:00 from 28 Feb 2026; clocks go forward on 8 March in Chicago.
        let start = at(2026, 2, 28, 9, 0);
        let rule = Rule::parse("FREQ=WEEKLY;COUNT=3", start, Chicago).unwrap();
        let utc: Vec<String> = rule
            .local_dates(start)
            .into_iter()
            .map(|d| place(d, Chicago).to_rfc3339())
            .collect();
        assert_eq!(
            utc,
            [
                "2026-02-28T15:00:00+00:00",
                "2026-03-07T15:00:00+00:00",
                "2026-03-14T14:00:00+00:00"
            ]
        );
    }

    #[test]
    fn monthly_by_weekday_and_by_day_skip_short_months() {
        let start = at(2026, 1, 13, 19, 0); // the second Tuesday
        let rule = Rule::parse("RRULE:FREQ=MONTHLY;BYDAY=2TU;COUNT=3", start, Chicago).unwrap();
        let days: Vec<u32> = rule.local_dates(start).iter().map(|d| d.day()).collect();
        assert_eq!(days, [13, 10, 10]);
        let start = at(2026, 1, 31, 12, 0);
        let rule = Rule::parse("FREQ=MONTHLY;COUNT=3", start, Chicago).unwrap();
        let months: Vec<u32> = rule.local_dates(start).iter().map(|d| d.month()).collect();
        assert_eq!(months, [1, 3, 5]);
        assert_eq!(rule.to_string(), "FREQ=MONTHLY;COUNT=3");
    }

    #[test]
    fn until_becomes_a_count_and_open_series_are_refused() {
        let start = at(2026, 3, 2, 18, 0); // a Monday
        let rule = Rule::parse("FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20260311", start, Chicago).unwrap();
        assert_eq!(rule.to_string(), "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4");
        assert!(Rule::parse("FREQ=WEEKLY", start, Chicago).is_err());
        assert!(Rule::parse("FREQ=DAILY;COUNT=2", start, Chicago).is_err());
        assert!(Rule::parse("FREQ=WEEKLY;COUNT=101", start, Chicago).is_err());
        assert!(Rule::parse("FREQ=WEEKLY;UNTIL=20300101", start, Chicago).is_err());
        let not_a_tuesday = Rule::parse("FREQ=WEEKLY;BYDAY=TU;COUNT=2", start, Chicago);
        assert!(not_a_tuesday.unwrap_err().message.contains("not one of"));
    }

    #[test]
    fn a_skipped_time_takes_the_offset_before_the_gap() {
        let t = place(at(2026, 3, 8, 2, 30), Chicago);
        assert_eq!(t.to_rfc3339(), "2026-03-08T08:30:00+00:00");
        assert_eq!(
            weekday_ordinal(NaiveDate::from_ymd_opt(2026, 3, 31).unwrap()),
            -1
        );
    }
}
