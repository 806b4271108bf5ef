//! What `/metrics` reports of the work queues (`Store::queue_lengths`), on SQLite and on
//! PostgreSQL, with something in every queue, so a bind that went missing (silently NULL,
//! which counts nothing) shows; and the pools' use (`Store::pool_use`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Duration;
use masthead_core::{EmailAddress, ListId};
use masthead_store::{
    Actor, ImportedReader, ListKind, QueueLengths, SendContent, SendState, Signup, Store, WireMode,
    WireSourceSettings,
};
use masthead_testkit::{ArticleBuilder, Desk, db_tests, insert_all, t0};

db_tests!(every_queue_is_counted_when_its_work_is_due);

async fn list(store: &Store, slug: &str) -> ListId {
    let lists = store.newsletter_lists().await.unwrap();
    lists.iter().find(|l| l.slug == slug).unwrap().id
}

async fn every_queue_is_counted_when_its_work_is_due(store: Store) {
    assert_eq!(
        store.queue_lengths(t0()).await.unwrap(),
        QueueLengths::default()
    );

    // Two stories scheduled (one already due but not yet promoted), one published.
    let desk = Desk::create(&store).await;
    let story = |title: &str, at| {
        ArticleBuilder::new(title, desk.news)
            .author(desk.reporter)
            .body("Words.")
            .status(masthead_core::ArticleStatus::Scheduled)
            .published(at)
            .build()
    };
    insert_all(
        &store,
        vec![
            story("Later today", t0() + Duration::hours(3)),
            story("Due a minute ago", t0() - Duration::minutes(1)),
            ArticleBuilder::new("Out already", desk.news)
                .author(desk.reporter)
                .body("Words.")
                .published(t0() - Duration::hours(1))
                .build(),
        ],
    )
    .await;

    // Two wire sources, due at once when added; a disabled one never is.
    for (name, url, enabled) in [
        ("Prairie", "https://prairie.example/feed", true),
        ("Capitol", "https://capitol.example/rss", true),
        ("Off", "https://off.example/rss", false),
    ] {
        let settings = WireSourceSettings {
            name: name.into(),
            url: url.into(),
            rules_json: r#"{"wire_name":"Prairie State News"}"#.into(),
            mode: WireMode::Review,
            interval: Duration::minutes(15),
            enabled,
        };
        store.add_wire_source(&settings, t0()).await.unwrap();
    }

    // A reader signing up: a confirmation mail due now.
    let daily = list(&store, "daily").await;
    let email = EmailAddress::parse("ann@example.org").unwrap();
    let signed = store.sign_up(&email, "Ann", &[daily], t0()).await.unwrap();
    assert!(matches!(signed, Signup::Confirm(_)), "{signed:?}");

    // A send to three confirmed readers, started: three copies queued.
    let readers: Vec<_> = (0..3)
        .map(|i| ImportedReader {
            email: EmailAddress::parse(&format!("reader{i}@example.org")).unwrap(),
            name: String::new(),
            confirmed: true,
        })
        .collect();
    let actor = Actor::system("test");
    store
        .import_subscribers(&readers, &[daily], &actor, t0())
        .await
        .unwrap();
    let content = SendContent {
        subject: "Today".into(),
        ..Default::default()
    };
    let send = store
        .create_send(daily, ListKind::Digest, &content, &actor, t0())
        .await
        .unwrap();
    store
        .move_send(
            send,
            &[SendState::Draft],
            SendState::Scheduled,
            Some(t0()),
            &actor,
            t0(),
        )
        .await
        .unwrap();
    assert_eq!(store.start_due_send(t0()).await.unwrap(), Some(send));

    let counted = store.queue_lengths(t0()).await.unwrap();
    assert_eq!(
        counted,
        QueueLengths {
            newsletter_mails_due: 1,
            newsletter_items_queued: 3,
            wire_sources_due: 2,
            stories_scheduled: 2,
        }
    );
    // An hour earlier nothing had come due yet; what is queued stays queued.
    let earlier = store
        .queue_lengths(t0() - Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(earlier.newsletter_mails_due, 0);
    assert_eq!(earlier.wire_sources_due, 0);
    assert_eq!(earlier.newsletter_items_queued, 3);
    assert_eq!(earlier.stories_scheduled, 2);

    let pools = store.pool_use();
    let names: Vec<&str> = pools.iter().map(|p| p.name).collect();
    match store.backend() {
        masthead_store::Backend::Sqlite => assert_eq!(names, ["read", "write"]),
        masthead_store::Backend::Postgres => assert_eq!(names, ["shared"]),
    }
    for p in pools {
        assert!(p.max >= 1 && p.size <= p.max && p.idle <= p.size, "{p:?}");
    }
}
