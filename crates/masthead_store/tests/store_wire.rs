//! The wire desk's store (issue 12), each story on SQLite and on PostgreSQL: sources added,
//! listed, changed and removed; a due source claimed by exactly one of many claimants; what
//! a fetch records (validators, backoff, 410 disabling); item identities taken once; the
//! inbox's keyset pages.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Duration;
use masthead_core::WireSourceId;
use masthead_store::{
    FetchOutcome, FetchRecord, InboxCursor, Store, StoreError, WIRE_INBOX_PAGE, WireItemRecord,
    WireItemState, WireMode, WireSourceSettings,
};
use masthead_testkit::{db_tests, t0};

db_tests!(
    sources_are_added_listed_changed_and_removed,
    a_due_source_is_claimed_by_exactly_one_of_many,
    fetches_record_validators_back_off_and_410_disables,
    identities_are_taken_once_and_the_inbox_pages_newest_first,
);

fn settings(name: &str, url: &str) -> WireSourceSettings {
    WireSourceSettings {
        name: name.into(),
        url: url.into(),
        rules_json: r#"{"wire_name":"Prairie State News"}"#.into(),
        mode: WireMode::Review,
        interval: Duration::minutes(15),
        enabled: true,
    }
}

async fn sources_are_added_listed_changed_and_removed(store: Store) {
    let a = store
        .add_wire_source(&settings("Prairie", "https://prairie.example/feed"), t0())
        .await
        .unwrap();
    let b = store
        .add_wire_source(&settings("Capitol", "https://capitol.example/rss"), t0())
        .await
        .unwrap();
    let again = store
        .add_wire_source(&settings("Copy", "https://prairie.example/feed"), t0())
        .await
        .unwrap_err();
    assert!(
        matches!(&again, StoreError::Conflict(m) if m.contains("already exists")),
        "{again}"
    );
    let bad = store
        .add_wire_source(
            &WireSourceSettings {
                interval: Duration::seconds(5),
                ..settings("Fast", "https://fast.example/")
            },
            t0(),
        )
        .await
        .unwrap_err();
    assert!(bad.to_string().contains("Interval"), "{bad}");

    let list = store.wire_sources().await.unwrap();
    assert_eq!(
        list.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        ["Capitol", "Prairie"]
    );
    let prairie = store.wire_source(a).await.unwrap();
    assert_eq!(prairie.mode, WireMode::Review);
    assert_eq!(prairie.interval_secs, 900);
    assert!(prairie.enabled);
    assert_eq!(prairie.next_due_at, t0(), "a new source is due at once");
    assert_eq!(
        (
            prairie.items_created,
            prairie.waiting,
            prairie.last_fetch_at
        ),
        (0, 0, None)
    );

    store
        .update_wire_source(
            a,
            &WireSourceSettings {
                mode: WireMode::Auto,
                interval: Duration::minutes(30),
                ..settings("Prairie State", "https://prairie.example/feed")
            },
            t0(),
        )
        .await
        .unwrap();
    let prairie = store.wire_source(a).await.unwrap();
    assert_eq!(
        (prairie.name.as_str(), prairie.mode, prairie.interval_secs),
        ("Prairie State", WireMode::Auto, 1800)
    );

    store.remove_wire_source(b, t0()).await.unwrap();
    assert!(matches!(
        store.wire_source(b).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.remove_wire_source(WireSourceId(999), t0()).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.wire_sources().await.unwrap().len(), 1);
}

/// Sixteen claimants at once (as sixteen app servers' workers): exactly one gets the source;
/// nobody gets it again until the lease ends or the outcome is recorded.
async fn a_due_source_is_claimed_by_exactly_one_of_many(store: Store) {
    let id = store
        .add_wire_source(&settings("Prairie", "https://prairie.example/feed"), t0())
        .await
        .unwrap();
    let lease = Duration::minutes(5);
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store.claim_due_wire_source(t0(), lease).await
        }));
    }
    let mut won = 0;
    for task in tasks {
        if task.await.unwrap().unwrap().is_some() {
            won += 1;
        }
    }
    assert_eq!(won, 1, "exactly one claimant wins");
    assert!(
        store
            .claim_wire_source(id, t0(), lease)
            .await
            .unwrap()
            .is_none(),
        "a held source cannot be claimed by the command line either"
    );
    // A server that died mid-pull: its lease runs out and another takes the source.
    let later = t0() + lease + Duration::seconds(1);
    let source = store
        .claim_due_wire_source(later, lease)
        .await
        .unwrap()
        .expect("claimable after the lease");
    store
        .record_wire_fetch(
            &source,
            &FetchRecord {
                status: Some(304),
                outcome: FetchOutcome::NotModified,
            },
            later,
        )
        .await
        .unwrap();
    assert!(
        store
            .claim_due_wire_source(later, lease)
            .await
            .unwrap()
            .is_none(),
        "not due again until its interval has passed"
    );
    assert!(
        store
            .claim_due_wire_source(later + Duration::minutes(15), lease)
            .await
            .unwrap()
            .is_some()
    );
}

async fn fetches_record_validators_back_off_and_410_disables(store: Store) {
    let id = store
        .add_wire_source(&settings("Prairie", "https://prairie.example/feed"), t0())
        .await
        .unwrap();
    let lease = Duration::minutes(5);
    let source = store
        .claim_wire_source(id, t0(), lease)
        .await
        .unwrap()
        .unwrap();
    let next = store
        .record_wire_fetch(
            &source,
            &FetchRecord {
                status: Some(200),
                outcome: FetchOutcome::Fetched {
                    etag: Some("\"v1\"".into()),
                    last_modified: Some("Fri, 27 Nov 2026 17:00:00 GMT".into()),
                    seen: 12,
                    created: 10,
                    updated: 0,
                },
            },
            t0(),
        )
        .await
        .unwrap();
    assert_eq!(next, t0() + Duration::minutes(15));
    let s = store.wire_source(id).await.unwrap();
    assert_eq!(s.etag.as_deref(), Some("\"v1\""));
    assert_eq!(
        (s.items_seen, s.items_created, s.last_status, s.lease_until),
        (12, 10, Some(200), None)
    );

    // Three failures in a row: the wait doubles (within the jitter), the validators and the
    // counts stay, the reason is kept for the editor.
    let mut now = t0();
    let mut waits = Vec::new();
    for _ in 0..3 {
        let source = store
            .claim_wire_source(id, now, lease)
            .await
            .unwrap()
            .unwrap();
        let next = store
            .record_wire_fetch(
                &source,
                &FetchRecord {
                    status: Some(500),
                    outcome: FetchOutcome::Failed {
                        reason: "the feed answered 500 Internal Server Error".into(),
                    },
                },
                now,
            )
            .await
            .unwrap();
        waits.push((next - now).num_seconds());
        now = next;
    }
    for (wait, minutes) in waits.iter().zip([15, 30, 60]) {
        let expected = minutes * 60;
        assert!(
            (wait - expected).abs() <= expected / 10,
            "{waits:?} against 15, 30, 60 minutes"
        );
    }
    let s = store.wire_source(id).await.unwrap();
    assert_eq!(s.failures, 3);
    assert!(s.last_error.contains("500"), "{}", s.last_error);
    assert_eq!(s.etag.as_deref(), Some("\"v1\""));
    assert_eq!(s.items_created, 10);

    // A success clears the failures; a 410 disables the source with its reason.
    let source = store
        .claim_wire_source(id, now, lease)
        .await
        .unwrap()
        .unwrap();
    store
        .record_wire_fetch(
            &source,
            &FetchRecord {
                status: Some(304),
                outcome: FetchOutcome::NotModified,
            },
            now,
        )
        .await
        .unwrap();
    let s = store.wire_source(id).await.unwrap();
    assert_eq!((s.failures, s.last_error.as_str()), (0, ""));
    let source = store
        .claim_wire_source(id, now, lease)
        .await
        .unwrap()
        .unwrap();
    store
        .record_wire_fetch(
            &source,
            &FetchRecord {
                status: Some(410),
                outcome: FetchOutcome::Gone {
                    reason: "the feed answered 410 Gone".into(),
                },
            },
            now,
        )
        .await
        .unwrap();
    let s = store.wire_source(id).await.unwrap();
    assert!(!s.enabled);
    assert!(s.disabled_reason.contains("410"));
    assert!(
        store
            .claim_due_wire_source(now + Duration::days(30), lease)
            .await
            .unwrap()
            .is_none(),
        "a disabled source is never due"
    );
    // Enabling it again (the sources page) makes it due at once.
    store
        .update_wire_source(
            id,
            &settings("Prairie", "https://prairie.example/feed"),
            now,
        )
        .await
        .unwrap();
    let s = store.wire_source(id).await.unwrap();
    assert!(s.enabled && s.disabled_reason.is_empty() && s.next_due_at == now);
}

fn record(title: &str, state: WireItemState) -> WireItemRecord {
    WireItemRecord {
        content_hash: format!("hash of {title}"),
        article_id: None,
        state,
        ingested_version: 0,
        needs_alt: false,
        note: String::new(),
        title: title.into(),
        item_json: "{}".into(),
        expires_at: None,
    }
}

async fn identities_are_taken_once_and_the_inbox_pages_newest_first(store: Store) {
    let source = store
        .add_wire_source(&settings("Prairie", "https://prairie.example/feed"), t0())
        .await
        .unwrap();
    let total = WIRE_INBOX_PAGE + 7;
    let mut write = store.write_story().await.unwrap();
    for n in 0..total {
        let at = t0() + Duration::seconds(n as i64);
        let state = if n == 3 {
            WireItemState::Published
        } else {
            WireItemState::Queued
        };
        let id = write
            .claim_wire_identity(
                source,
                &format!("guid:{n}"),
                &record(&format!("Item {n}"), state),
                at,
            )
            .await
            .unwrap();
        assert!(id.is_some());
    }
    let twice = write
        .claim_wire_identity(
            source,
            "guid:5",
            &record("Again", WireItemState::Queued),
            t0(),
        )
        .await
        .unwrap();
    assert_eq!(twice, None, "an identity is taken once");
    write.commit().await.unwrap();

    let known = store
        .wire_items_known(source, &["guid:5".into(), "guid:none".into()])
        .await
        .unwrap();
    assert_eq!(known.len(), 1);
    let five = &known["guid:5"];
    assert_eq!(five.title, "Item 5");
    assert_eq!(five.source_name, "Prairie");

    // The changed hash is written once: a second writer with the old hash changes nothing.
    let mut write = store.write_story().await.unwrap();
    let changed = WireItemRecord {
        content_hash: "new".into(),
        ..record("Item 5, changed", WireItemState::Queued)
    };
    assert!(
        write
            .update_wire_item(
                five.id,
                &five.content_hash,
                &changed,
                t0() + Duration::hours(1)
            )
            .await
            .unwrap()
    );
    assert!(
        !write
            .update_wire_item(five.id, &five.content_hash, &changed, t0())
            .await
            .unwrap()
    );
    write.commit().await.unwrap();

    let first = store.wire_inbox(None).await.unwrap();
    assert_eq!(first.len(), WIRE_INBOX_PAGE);
    assert_eq!(first[0].title, "Item 5, changed", "the newest change first");
    assert_eq!(first[1].title, format!("Item {}", total - 1));
    let last = first.last().unwrap();
    let second = store
        .wire_inbox(Some(InboxCursor {
            updated_at: last.updated_at,
            id: last.id,
        }))
        .await
        .unwrap();
    // Every queued item once across the pages; the published one in neither.
    assert_eq!(first.len() + second.len(), total - 1);
    let mut ids: Vec<_> = first.iter().chain(&second).map(|i| i.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), total - 1);
    assert!(first.iter().chain(&second).all(|i| i.title != "Item 3"));

    store.discard_wire_item(five.id, t0()).await.unwrap();
    let after = store.wire_inbox(None).await.unwrap();
    assert!(after.iter().all(|i| i.id != five.id));
    assert_eq!(
        store.wire_item(five.id).await.unwrap().state,
        WireItemState::Discarded
    );
}
