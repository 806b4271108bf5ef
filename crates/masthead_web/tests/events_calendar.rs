//! The public calendar through the real router, on SQLite and PostgreSQL: each event's own
//! page with its JSON-LD, cancelled events marked, the archive, the day, week and month
//! lists and the month grid, the widget, a cached page turned over by an edit, and the HTML
//! checker on every new page.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::StatusCode;
use chrono::Duration;
use masthead_core::{DateWindow, EventDraft, EventId, EventStatus};
use masthead_store::Actor;
use masthead_testkit::{Desk, TestApp, app_tests, assert_valid_html, t0};
use serde_json::Value;

app_tests!(
    an_event_has_its_own_page_with_event_json_ld,
    a_cancelled_event_stays_visible_and_marked,
    held_and_rejected_events_are_not_found,
    day_week_month_and_grid_views_list_each_date,
    the_archive_lists_past_dates_latest_first,
    an_edit_turns_over_the_cached_pages_that_show_the_event,
    calendar_addresses_outside_the_calendar_are_not_found,
    the_new_pages_are_valid_html,
);

/// A draft in Chicago on `date` at `time` for two hours.
pub fn draft(title: &str, date: &str, time: &str) -> EventDraft {
    EventDraft {
        title: title.into(),
        start_date: date.into(),
        start_time: time.into(),
        end_time: {
            let (h, m) = time.split_once(':').unwrap();
            format!("{:02}:{m}", h.parse::<u32>().unwrap() + 2)
        },
        timezone: "America/Chicago".into(),
        location: "Village Green".into(),
        description: "Bring a chair.\n\nFree for all.".into(),
        link: "https://library.example.org/e".into(),
        contact: "organiser@example.org".into(),
        ..Default::default()
    }
}

async fn add(app: &TestApp, d: EventDraft) -> (EventId, String) {
    let fields = d.check(DateWindow::staff(t0())).unwrap();
    let (id, slug) = app
        .store()
        .create_event(&fields, EventStatus::Approved, &Actor::system("test"), t0())
        .await
        .unwrap();
    app.refresh().await;
    (id, slug.as_str().to_owned())
}

/// The page's `<main>`, without the sidebar's widget of upcoming events.
fn main_of(html: &str) -> &str {
    let start = html.find("<main").unwrap();
    let end = html.find("</main>").unwrap();
    &html[start..end]
}

fn json_ld(html: &str) -> Value {
    let open = r#"<script type="application/ld+json">"#;
    let start = html.find(open).unwrap() + open.len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

async fn an_event_has_its_own_page_with_event_json_ld(app: TestApp) {
    Desk::create(app.store()).await;
    let (_, slug) = add(&app, draft("Band concert", "2026-11-29", "18:00")).await;
    assert_eq!(slug, "band-concert");
    let page = app.get("/events/band-concert").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let b = &page.body;
    assert!(b.contains("<h1>Band concert</h1>"));
    assert!(b.contains("Sunday, Nov. 29, 6 p.m."), "{b}");
    assert!(b.contains("Bring a chair.") && b.contains("Free for all."));
    assert!(
        b.contains(r#"href="/events/band-concert.ics""#),
        "Add to calendar"
    );
    assert!(
        !b.contains("organiser@example.org"),
        "the contact is private"
    );
    let ld = json_ld(b);
    let e = &ld["@graph"][0];
    assert_eq!(e["@type"], "Event");
    assert_eq!(e["startDate"], "2026-11-29T18:00:00-06:00");
    assert_eq!(e["url"], "https://news.example.org/events/band-concert");
    assert_eq!(e["eventStatus"], "https://schema.org/EventScheduled");
    // Listed on the calendar and in the widget, linking to its page.
    let list = app.get("/events").await.body;
    assert!(list.contains(r#"<a href="/events/band-concert">Band concert</a>"#));
    let home = app.get("/").await.body;
    assert!(home.contains(r#"<li><a href="/events/band-concert">Band concert</a>"#));
    // A second with the same title gets its own address.
    let (_, second) = add(&app, draft("Band concert", "2026-12-06", "18:00")).await;
    assert_eq!(second, "band-concert-2");
}

async fn a_cancelled_event_stays_visible_and_marked(app: TestApp) {
    let (id, slug) = add(&app, draft("Tree lighting", "2026-12-01", "17:00")).await;
    app.store()
        .set_event_status(id, EventStatus::Cancelled, &Actor::system("test"), t0())
        .await
        .unwrap();
    app.refresh().await;
    let page = app.get(&format!("/events/{slug}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<strong>Cancelled.</strong>"));
    assert_eq!(
        json_ld(&page.body)["@graph"][0]["eventStatus"],
        "https://schema.org/EventCancelled"
    );
    let list = app.get("/events").await.body;
    assert!(list.contains("Tree lighting</a> <strong class=\"badge\">Cancelled</strong>"));
    let home = app.get("/").await.body;
    assert!(home.contains("Tree lighting</a> <strong class=\"badge\">Cancelled</strong>"));
}

async fn held_and_rejected_events_are_not_found(app: TestApp) {
    let fields = draft("Held event", "2026-12-01", "17:00")
        .check(DateWindow::staff(t0()))
        .unwrap();
    let id = app
        .store()
        .submit_event(&fields, "n1", t0())
        .await
        .unwrap()
        .unwrap();
    app.refresh().await;
    assert_eq!(app.get("/events/held-event").await.status, 404);
    assert_eq!(app.get("/events/held-event.ics").await.status, 404);
    assert!(!app.get("/events").await.body.contains("Held event"));
    assert!(!app.get("/events.ics").await.body.contains("Held event"));
    app.store()
        .set_event_status(id, EventStatus::Rejected, &Actor::system("t"), t0())
        .await
        .unwrap();
    app.refresh().await;
    assert_eq!(app.get("/events/held-event").await.status, 404);
}

async fn day_week_month_and_grid_views_list_each_date(app: TestApp) {
    let mut d = draft("Farmers market", "2026-11-28", "09:00");
    d.rrule = "FREQ=WEEKLY;COUNT=6".into();
    add(&app, d).await;
    add(&app, draft("Craft fair", "2026-12-02", "10:00")).await;
    let day = app.get("/events/day/2026-12-05").await;
    assert_eq!(day.status, 200);
    let main = main_of(&day.body);
    assert!(main.contains("Farmers market") && !main.contains("Craft fair"));
    assert!(
        day.body.contains("Events on Saturday, Dec. 5, 2026"),
        "{}",
        day.body
    );
    let week = app.get("/events/week/2026-12-03").await;
    assert!(week.body.contains("week of Nov. 30, 2026"));
    let main = main_of(&week.body);
    assert!(main.contains("Craft fair") && main.contains("Farmers market"));
    let month = app.get("/events/month/2026-12").await;
    assert_eq!(
        main_of(&month.body).matches(">Farmers market</a>").count(),
        4
    );
    assert_eq!(main_of(&month.body).matches(">Craft fair</a>").count(), 1);
    let grid = app.get("/events/calendar/2026-12").await;
    assert_eq!(grid.status, 200);
    // December 2026 starts on a Tuesday: the grid runs from Monday, Nov. 30 to Sunday, Jan. 3.
    assert!(
        grid.body
            .contains(r#"<time datetime="2026-11-30">30</time>"#)
    );
    assert!(
        grid.body
            .contains(r#"<time datetime="2027-01-03">3</time>"#)
    );
    assert_eq!(
        main_of(&grid.body).matches(">Farmers market</a>").count(),
        5,
        "Jan. 2 too"
    );
    let page = app.get("/events/farmers-market").await.body;
    assert!(page.contains("Every week on Saturday, 6 dates"), "{page}");
    assert_eq!(
        page.matches("<li><time").count(),
        6,
        "all six dates are to come"
    );
}

async fn the_archive_lists_past_dates_latest_first(app: TestApp) {
    add(&app, draft("Harvest supper", "2026-10-03", "17:00")).await;
    add(&app, draft("Pumpkin walk", "2026-10-31", "17:00")).await;
    add(&app, draft("Tree lighting", "2026-12-04", "17:00")).await;
    let past = app.get("/events/past").await.body;
    let past = main_of(&past);
    let walk = past.find("Pumpkin walk").unwrap();
    let supper = past.find("Harvest supper").unwrap();
    assert!(walk < supper, "latest first");
    assert!(!past.contains("Tree lighting</a>"));
    let upcoming = app.get("/events").await.body;
    assert!(!main_of(&upcoming).contains("Pumpkin walk") && upcoming.contains("Tree lighting"));
    // A past event's page still answers, marked as over.
    let page = app.get("/events/pumpkin-walk").await.body;
    assert!(page.contains("This event has ended."));
}

async fn an_edit_turns_over_the_cached_pages_that_show_the_event(app: TestApp) {
    let (id, slug) = add(&app, draft("Quilt show", "2026-12-02", "10:00")).await;
    let paths = [
        format!("/events/{slug}"),
        "/events".to_owned(),
        "/events/month/2026-12".to_owned(),
        "/".to_owned(),
        "/events.ics".to_owned(),
    ];
    for p in &paths {
        app.get(p).await;
        assert_eq!(app.get(p).await.header("x-cache"), "hit", "{p} is cached");
    }
    let mut changed = draft("Quilt and craft show", "2026-12-02", "10:00");
    changed.location = "Grange Hall".into();
    let fields = changed.check(DateWindow::staff(t0())).unwrap();
    app.store()
        .update_event(
            id,
            &fields,
            &Actor::system("t"),
            t0() + Duration::minutes(1),
        )
        .await
        .unwrap();
    app.refresh().await;
    for p in &paths {
        let r = app.get(p).await;
        assert!(
            r.body.contains("Quilt and craft show"),
            "{p} shows the edit"
        );
    }
    assert!(
        app.get(&format!("/events/{slug}"))
            .await
            .body
            .contains("Grange Hall")
    );
}

async fn calendar_addresses_outside_the_calendar_are_not_found(app: TestApp) {
    for path in [
        "/events/day/9999-01-01",
        "/events/day/2026-13-01",
        "/events/day/2026-1-1",
        "/events/week/nonsense",
        "/events/month/2026-00",
        "/events/month/9999-12",
        "/events/calendar/2026",
        "/events/NOT_A_SLUG",
        "/events/no-such-event",
        "/events/no-such-event.ics",
    ] {
        assert_eq!(app.get(path).await.status, 404, "{path}");
    }
    assert_eq!(app.get("/events/past?page=2").await.status, 404);
}

async fn the_new_pages_are_valid_html(app: TestApp) {
    Desk::create(app.store()).await;
    let mut d = draft("Farmers <market> & \"more\"", "2026-11-28", "09:00");
    d.rrule = "FREQ=MONTHLY;BYDAY=-1SA;COUNT=3".into();
    let (id, slug) = add(&app, d).await;
    add(&app, draft("Past supper", "2026-10-03", "17:00")).await;
    let mut pages = Vec::new();
    for (name, path) in [
        ("event", format!("/events/{slug}")),
        ("events", "/events".to_owned()),
        ("past", "/events/past".to_owned()),
        ("day", "/events/day/2026-11-28".to_owned()),
        ("week", "/events/week/2026-11-23".to_owned()),
        ("month", "/events/month/2026-11".to_owned()),
        ("grid", "/events/calendar/2026-11".to_owned()),
        ("empty-day", "/events/day/2026-11-02".to_owned()),
        ("submit", "/events/submit".to_owned()),
        ("thanks", "/events/submit/thanks".to_owned()),
    ] {
        let r = app.get(&path).await;
        assert_eq!(r.status, 200, "{path}");
        pages.push((name, r.body));
    }
    app.store()
        .set_event_status(id, EventStatus::Cancelled, &Actor::system("t"), t0())
        .await
        .unwrap();
    app.refresh().await;
    pages.push(("cancelled", app.get(&format!("/events/{slug}")).await.body));
    assert_valid_html(&pages);
}
