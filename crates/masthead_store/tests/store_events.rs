//! The calendar's store: series expanded into dates across a daylight-saving change, held
//! submissions, replayed forms, free slugs under concurrent writers, the content version,
//! and status moves (only from the statuses an action allows, once under many writers).
//! Each on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Duration;
use masthead_core::{DateWindow, EventDraft, EventFields, EventId, EventStatus, PageNumber};
use masthead_store::{Actor, StatusMove, Store, StoreError};
use masthead_testkit::{db_tests, t0};

db_tests!(
    a_weekly_series_keeps_its_local_time_across_the_clock_change,
    held_submissions_change_nothing_readers_see,
    a_replayed_form_writes_nothing,
    many_writers_with_one_title_get_distinct_slugs,
    dates_overlapping_a_range_are_listed,
    status_moves_only_from_allowed_statuses_and_once_under_many_writers,
);

/// A weekly Saturday 9:00 market from 28 February 2026 (Chicago's clocks change 8 March).
fn market(count: u32) -> EventFields {
    EventDraft {
        title: "Farmers market".into(),
        start_date: "2026-02-28".into(),
        start_time: "09:00".into(),
        end_time: "12:00".into(),
        timezone: "America/Chicago".into(),
        location: "Depot Square".into(),
        contact: "market@example.org".into(),
        rrule: format!("FREQ=WEEKLY;COUNT={count}"),
        ..Default::default()
    }
    .check(DateWindow::staff(t0()))
    .unwrap()
}

fn actor() -> Actor {
    Actor::system("test")
}

async fn a_weekly_series_keeps_its_local_time_across_the_clock_change(store: Store) {
    let (id, slug) = store
        .create_event(&market(3), EventStatus::Approved, &actor(), t0())
        .await
        .unwrap();
    assert_eq!(slug.as_str(), "farmers-market");
    let dates = store.event_dates(id).await.unwrap();
    let utc: Vec<String> = dates.iter().map(|d| d.starts_at.to_rfc3339()).collect();
    assert_eq!(
        utc,
        [
            "2026-02-28T15:00:00+00:00",
            "2026-03-07T15:00:00+00:00",
            "2026-03-14T14:00:00+00:00"
        ]
    );
    assert!(
        dates
            .iter()
            .all(|d| d.ends_at - d.starts_at == Duration::hours(3))
    );
    let shown = store.event_by_slug(&slug).await.unwrap().unwrap();
    assert_eq!(shown.rrule, "FREQ=WEEKLY;COUNT=3");
    let desk = store.desk_event(id).await.unwrap().unwrap();
    assert_eq!(desk.contact, "market@example.org");
}

async fn held_submissions_change_nothing_readers_see(store: Store) {
    let before = store.content_state(t0()).await.unwrap().version;
    let id = store
        .submit_event(&market(2), "nonce-1", t0())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(store.content_state(t0()).await.unwrap().version, before);
    let slug = store.desk_event(id).await.unwrap().unwrap().event.slug;
    let slug = masthead_core::Slug::parse(&slug).unwrap();
    assert!(store.event_by_slug(&slug).await.unwrap().is_none());
    let list = store
        .upcoming_events(t0(), PageNumber::FIRST, 10)
        .await
        .unwrap();
    assert!(list.items.is_empty());
    assert_eq!(store.pending_event_count().await.unwrap(), 1);
    store
        .set_event_status(id, EventStatus::Approved, &actor(), t0())
        .await
        .unwrap();
    assert!(store.content_state(t0()).await.unwrap().version > before);
    assert!(store.event_by_slug(&slug).await.unwrap().is_some());
    store
        .set_event_status(id, EventStatus::Cancelled, &actor(), t0())
        .await
        .unwrap();
    let shown = store.event_by_slug(&slug).await.unwrap().unwrap();
    assert!(shown.cancelled, "a cancelled event stays visible, marked");
}

async fn a_replayed_form_writes_nothing(store: Store) {
    assert!(
        store
            .submit_event(&market(1), "same", t0())
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .submit_event(&market(1), "same", t0())
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.pending_event_count().await.unwrap(), 1);
    assert_eq!(
        store
            .purge_form_nonces(t0() + Duration::hours(1))
            .await
            .unwrap(),
        1
    );
}

async fn many_writers_with_one_title_get_distinct_slugs(store: Store) {
    let mut tasks = Vec::new();
    for n in 0..16 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            if n % 2 == 0 {
                store
                    .submit_event(&market(4), &format!("nonce-{n}"), t0())
                    .await
                    .unwrap()
                    .unwrap()
            } else {
                store
                    .create_event(&market(4), EventStatus::Approved, &actor(), t0())
                    .await
                    .unwrap()
                    .0
            }
        }));
    }
    let mut slugs = std::collections::BTreeSet::new();
    for t in tasks {
        let id = t.await.unwrap();
        let e = store.desk_event(id).await.unwrap().unwrap();
        assert_eq!(store.event_dates(id).await.unwrap().len(), 4);
        slugs.insert(e.event.slug);
    }
    assert_eq!(slugs.len(), 16, "{slugs:?}");
    assert!(slugs.contains("farmers-market") && slugs.contains("farmers-market-16"));
}

async fn dates_overlapping_a_range_are_listed(store: Store) {
    store
        .create_event(&market(3), EventStatus::Approved, &actor(), t0())
        .await
        .unwrap();
    let day = chrono::DateTime::parse_from_rfc3339("2026-03-07T06:00:00Z")
        .unwrap()
        .to_utc();
    let on_day = store
        .events_between(day, day + Duration::days(1))
        .await
        .unwrap();
    assert_eq!(on_day.len(), 1);
    assert_eq!(
        on_day[0].starts_at.to_rfc3339(),
        "2026-03-07T15:00:00+00:00"
    );
    let month = store
        .events_between(day - Duration::days(30), day + Duration::days(30))
        .await
        .unwrap();
    assert_eq!(month.len(), 3);
}

async fn status_moves_only_from_allowed_statuses_and_once_under_many_writers(store: Store) {
    use EventStatus::{Approved, Cancelled, Pending, Rejected};
    let id = store
        .submit_event(&market(2), "n1", t0())
        .await
        .unwrap()
        .unwrap();
    let other = store
        .submit_event(&market(3), "n2", t0())
        .await
        .unwrap()
        .unwrap();
    let audited = |store: Store, id: EventId, action: &'static str| async move {
        let target = format!("event {}", id.0);
        store
            .audit_log(1000, 0)
            .await
            .unwrap()
            .iter()
            .filter(|e| e.action == action && e.target == target)
            .count()
    };
    // Not from a status the action does not allow: nothing written, nothing logged.
    let before = store.content_state(t0()).await.unwrap();
    let r = store
        .move_event_status(id, &[Approved], Cancelled, &actor(), t0())
        .await
        .unwrap();
    assert_eq!(r, StatusMove::Refused(Pending));
    assert_eq!(store.content_state(t0()).await.unwrap(), before);
    assert_eq!(audited(store.clone(), id, "event.cancelled").await, 0);
    // Sixteen writers at once: one moves it, the rest find it moved.
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .move_event_status(id, &[Pending, Rejected], Approved, &actor(), t0())
                .await
                .unwrap()
        }));
    }
    let mut moved = 0;
    for t in tasks {
        match t.await.unwrap() {
            StatusMove::Moved(from) => {
                assert_eq!(from, Pending);
                moved += 1;
            }
            StatusMove::Already => {}
            StatusMove::Refused(s) => panic!("refused from {s}"),
        }
    }
    assert_eq!(moved, 1);
    assert_eq!(audited(store.clone(), id, "event.approved").await, 1);
    assert_ne!(
        store.content_state(t0()).await.unwrap(),
        before,
        "pages turn over"
    );
    assert_eq!(
        store.desk_event(id).await.unwrap().unwrap().event.status,
        Approved
    );
    // The desk's form: any status, the same write.
    store
        .set_event_status(id, Rejected, &actor(), t0())
        .await
        .unwrap();
    assert_eq!(audited(store.clone(), id, "event.rejected").await, 1);
    assert!(matches!(
        store
            .move_event_status(EventId(987_654), EventStatus::ALL, Approved, &actor(), t0())
            .await,
        Err(StoreError::NotFound)
    ));
    // Every listed event's dates in one query, in order.
    let dates = store.events_dates(&[other, id]).await.unwrap();
    assert_eq!(dates.len(), 5);
    assert!(
        dates[..2].iter().all(|(e, _)| *e == id) && dates[2..].iter().all(|(e, _)| *e == other)
    );
    assert!(dates[2].1.starts_at < dates[3].1.starts_at);
    assert!(store.events_dates(&[]).await.unwrap().is_empty());
}
