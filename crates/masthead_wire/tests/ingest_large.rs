//! The performance case as a test (the time is measured by hand in release mode with
//! `examples/ingest_10k.rs` and recorded in docs/PERFORMANCE.md; here only what it does):
//! a 10,000-item feed of new stories is stored whole on both databases, and the unchanged
//! re-pull is one conditional request answered 304 that writes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use chrono::Duration;
use masthead_core::ManualClock;
use masthead_fetch::{FetchPolicy, Fetcher};
use masthead_store::{Store, WireMode, WireSourceSettings};
use masthead_testkit::{Desk, db_tests, t0};
use masthead_wire::Ingest;
use std::sync::Arc;
use support::{FeedServer, Item, rss};

db_tests!(a_10000_item_feed_is_stored_once_and_re_pulled_for_one_request);

async fn a_10000_item_feed_is_stored_once_and_re_pulled_for_one_request(store: Store) {
    Desk::create(&store).await;
    let server = FeedServer::start().await;
    server.serve_rss(&rss(&(0..10_000).map(Item::new).collect::<Vec<_>>()), 1);
    let id = store
        .add_wire_source(
            &WireSourceSettings {
                name: "Big Wire".into(),
                url: server.feed_url(),
                rules_json: "{}".into(),
                mode: WireMode::Auto,
                interval: Duration::minutes(15),
                enabled: true,
            },
            t0(),
        )
        .await
        .unwrap();
    let ingest = Ingest {
        store: store.clone(),
        fetcher: Fetcher::new(FetchPolicy {
            allow_local: true,
            ..FetchPolicy::new("https://news.example")
        })
        .unwrap(),
        media: None,
        clock: Arc::new(ManualClock::new(t0())),
    };
    let source = store.wire_source(id).await.unwrap();
    let batches = std::sync::Mutex::new(Vec::new());
    let progress = |done: usize, total: usize| batches.lock().unwrap().push((done, total));
    let first = ingest.pull(&source, Some(&progress)).await.unwrap();
    assert_eq!((first.seen, first.created), (10_000, 10_000), "{first:?}");
    assert_eq!(store.count_articles().await.unwrap(), 10_000);
    let batches = batches.into_inner().unwrap();
    assert_eq!(
        batches.len(),
        10_000 / masthead_wire::BATCH,
        "one transaction a batch"
    );
    assert_eq!(batches.last(), Some(&(10_000, 10_000)));

    let audit = store.audit_log(100_000, 0).await.unwrap().len();
    let source = store.wire_source(id).await.unwrap();
    let second = ingest.pull(&source, None).await.unwrap();
    assert!(second.not_modified);
    assert_eq!(server.feed_requests(), 2);
    assert_eq!(store.audit_log(100_000, 0).await.unwrap().len(), audit);
    assert_eq!(store.count_articles().await.unwrap(), 10_000);
}
