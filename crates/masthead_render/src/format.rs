//! Date and time formats for readers, in the site's or an event's time zone, AP style
//! ("Nov. 27, 2026, 6:30 p.m.").

use chrono::{DateTime, Datelike, Timelike, Utc};
use chrono_tz::Tz;

const MONTHS: [&str; 12] = [
    "Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.",
    "Dec.",
];
const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// "Nov. 27, 2026".
pub fn date(t: DateTime<Utc>, tz: Tz) -> String {
    let l = t.with_timezone(&tz);
    format!("{} {}, {}", MONTHS[l.month0() as usize], l.day(), l.year())
}

/// A calendar day: "Nov. 25, 2026".
pub fn long_date(d: chrono::NaiveDate) -> String {
    format!("{} {}, {}", MONTHS[d.month0() as usize], d.day(), d.year())
}

/// "6:30 p.m." or "noon".
pub fn time(t: DateTime<Utc>, tz: Tz) -> String {
    let l = t.with_timezone(&tz);
    let (pm, h) = l.hour12();
    match (l.hour(), l.minute()) {
        (12, 0) => "noon".to_owned(),
        (0, 0) => "midnight".to_owned(),
        (_, 0) => format!("{h} {}", if pm { "p.m." } else { "a.m." }),
        (_, m) => format!("{h}:{m:02} {}", if pm { "p.m." } else { "a.m." }),
    }
}

/// "Nov. 27, 2026, 6:30 p.m."
pub fn datetime(t: DateTime<Utc>, tz: Tz) -> String {
    format!("{}, {}", date(t, tz), time(t, tz))
}

/// "Saturday, Dec. 5".
pub fn day(t: DateTime<Utc>, tz: Tz) -> String {
    let l = t.with_timezone(&tz);
    format!(
        "{}, {} {}",
        WEEKDAYS[l.weekday().num_days_from_monday() as usize],
        MONTHS[l.month0() as usize],
        l.day()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn formats_in_the_given_zone_ap_style() {
        let t = Utc
            .with_ymd_and_hms(2026, 11, 28, 0, 30, 0)
            .single()
            .unwrap_or_default();
        let tz = chrono_tz::America::Chicago;
        assert_eq!(datetime(t, tz), "Nov. 27, 2026, 6:30 p.m.");
        assert_eq!(day(t, tz), "Friday, Nov. 27");
        let noon = Utc
            .with_ymd_and_hms(2026, 3, 2, 18, 0, 0)
            .single()
            .unwrap_or_default();
        assert_eq!(time(noon, tz), "noon");
    }
}
