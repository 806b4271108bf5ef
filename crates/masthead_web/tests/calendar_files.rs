//! The calendar's iCalendar files read by a parser that is not ours (Python's icalendar,
//! with python-dateutil expanding the rules), on SQLite and PostgreSQL: `/events.ics` and
//! every event's own file parse; titles, places and descriptions come back exactly as typed
//! (escaping and line folding); a cancelled event says so; held events and organisers'
//! contacts are nowhere; and each series expands, in its own zone, to exactly the dates we
//! stored, across the spring daylight-saving change.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use masthead_core::{DateWindow, EventDraft, EventStatus};
use masthead_store::Actor;
use masthead_testkit::{TestApp, app_tests, read_calendars, t0};
use std::collections::BTreeMap;

app_tests!(every_calendar_file_is_read_by_icalendar_with_our_dates);

fn draft(title: &str, date: &str, time: &str, rrule: &str) -> EventDraft {
    EventDraft {
        title: title.into(),
        start_date: date.into(),
        start_time: time.into(),
        end_time: if time.is_empty() {
            String::new()
        } else {
            "21:00".into()
        },
        timezone: "America/Chicago".into(),
        location: "Grange Hall, 12 Mill Rd.; upstairs".into(),
        description: "Line one, with a comma; and a semicolon.\n\nSecond paragraph: a long line \
                      that must be folded at seventy-five octets by the writer, é and ü included."
            .into(),
        contact: "secret-organiser@example.org".into(),
        rrule: rrule.into(),
        ..Default::default()
    }
}

async fn every_calendar_file_is_read_by_icalendar_with_our_dates(app: TestApp) {
    let actor = Actor::system("test");
    let staff = DateWindow::staff(t0());
    let add = async |d: EventDraft, status: EventStatus| {
        let fields = d.check(staff).unwrap();
        app.store()
            .create_event(&fields, status, &actor, t0())
            .await
            .unwrap()
    };
    // Saturdays at 19:00 from 6 March 2027: Chicago's clocks go forward on 14 March.
    let (weekly, weekly_slug) = add(
        draft("Contra dance", "2027-03-06", "19:00", "FREQ=WEEKLY;COUNT=3"),
        EventStatus::Approved,
    )
    .await;
    // The second Tuesday of each month from February 2027.
    let (monthly, monthly_slug) = add(
        draft(
            "Library board <b>&</b> \"friends\"",
            "2027-02-09",
            "19:00",
            "FREQ=MONTHLY;BYDAY=2TU;COUNT=3",
        ),
        EventStatus::Approved,
    )
    .await;
    let mut all_day = draft("Harvest fair", "2026-12-05", "", "");
    all_day.all_day = true;
    all_day.end_date = "2026-12-06".into();
    let (_, fair_slug) = add(all_day, EventStatus::Approved).await;
    let (cancelled, cancelled_slug) = add(
        draft("Tree lighting", "2026-12-04", "17:00", ""),
        EventStatus::Approved,
    )
    .await;
    app.store()
        .set_event_status(cancelled, EventStatus::Cancelled, &actor, t0())
        .await
        .unwrap();
    add(
        draft("Held event", "2026-12-10", "17:00", ""),
        EventStatus::Pending,
    )
    .await;
    app.refresh().await;

    let mut files = BTreeMap::new();
    let feed = app.get("/events.ics").await;
    assert_eq!(feed.status, 200);
    assert_eq!(feed.header("content-type"), "text/calendar; charset=utf-8");
    files.insert("events.ics".to_owned(), feed.body);
    for slug in [&weekly_slug, &monthly_slug, &fair_slug, &cancelled_slug] {
        let r = app.get(&format!("/events/{slug}.ics")).await;
        assert_eq!(r.status, 200, "{slug}");
        files.insert(format!("{slug}.ics"), r.body);
    }
    for (name, text) in &files {
        assert!(!text.contains("secret-organiser"), "{name}: no contact");
        assert!(!text.contains("Held event"), "{name}: nothing held");
        assert!(
            text.lines().all(|l| l.trim_end_matches('\r').len() <= 75),
            "{name}: folded"
        );
    }
    let read = read_calendars(&files);
    let feed = &read["events.ics"]["events"];
    let titles: Vec<&str> = feed
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["summary"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Tree lighting",
            "Harvest fair",
            "Library board <b>&</b> \"friends\"",
            "Contra dance"
        ]
    );
    for (name, cal) in &read {
        assert_eq!(cal["version"], "2.0", "{name}");
        for e in cal["events"].as_array().unwrap() {
            assert_eq!(e["location"], "Grange Hall, 12 Mill Rd.; upstairs");
            assert!(
                e["description"]
                    .as_str()
                    .unwrap()
                    .ends_with("é and ü included.")
            );
            assert!(
                e["url"]
                    .as_str()
                    .unwrap()
                    .starts_with("https://news.example.org/events/")
            );
            assert!(e["uid"].as_str().unwrap().ends_with("@news.example.org"));
        }
    }
    let one = |slug: &masthead_core::Slug| read[&format!("{slug}.ics")]["events"][0].clone();
    assert_eq!(one(&cancelled_slug)["status"], "CANCELLED");
    assert_eq!(one(&weekly_slug)["status"], "CONFIRMED");
    let fair = one(&fair_slug);
    assert_eq!(fair["start"]["date"], "2026-12-05");
    assert_eq!(
        fair["end"]["date"], "2026-12-07",
        "DTEND is the day after the last"
    );
    // Each series, expanded by dateutil from DTSTART in its zone, gives our stored dates.
    for (slug, id, expect) in [
        (
            &weekly_slug,
            weekly,
            [
                "2027-03-07T01:00:00Z",
                "2027-03-14T01:00:00Z",
                "2027-03-21T00:00:00Z",
            ],
        ),
        (
            &monthly_slug,
            monthly,
            [
                "2027-02-10T01:00:00Z",
                "2027-03-10T01:00:00Z",
                "2027-04-14T00:00:00Z",
            ],
        ),
    ] {
        let e = one(slug);
        assert_eq!(e["start"]["zone"], "America/Chicago", "{slug}");
        assert_eq!(e["start"]["local"].as_str().unwrap()[11..], *"19:00");
        let theirs: Vec<&str> = e["dates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["utc"].as_str().unwrap())
            .collect();
        let ours: Vec<String> = app
            .store()
            .event_dates(id)
            .await
            .unwrap()
            .iter()
            .map(|d| d.starts_at.format("%Y-%m-%dT%H:%M:%SZ").to_string())
            .collect();
        assert_eq!(theirs, expect, "{slug}: dateutil's dates");
        assert_eq!(ours, expect, "{slug}: our stored dates");
        let locals: Vec<&str> = e["dates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| &d["local"].as_str().unwrap()[11..])
            .collect();
        assert_eq!(locals, ["19:00"; 3], "{slug}: the same wall-clock time");
    }
}
