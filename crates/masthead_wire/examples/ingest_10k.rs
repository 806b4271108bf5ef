//! Times the performance case end to end: a 10,000-item feed of new stories served
//! over loopback, pulled into a fresh database (SQLite file by default, or the PostgreSQL
//! database named by the first argument), without image downloads; then the unchanged
//! re-pull, which must be one conditional request answered 304 with no writes.
//!
//! `cargo run --release -p masthead_wire --example ingest_10k [postgres://…]`
//! (figures in docs/PERFORMANCE.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mod.rs"]
mod support;

use chrono::Duration;
use masthead_core::{Slug, SystemClock};
use masthead_fetch::{FetchPolicy, Fetcher};
use masthead_store::{Store, WireMode, WireSourceSettings};
use masthead_wire::Ingest;
use std::sync::Arc;
use std::time::Instant;
use support::{FeedServer, Item, rss};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("ingest.db").display()));
    let store = Store::connect(&url).await.unwrap();
    store
        .insert_section(&Slug::parse("news").unwrap(), "News", "")
        .await
        .unwrap();
    let server = FeedServer::start().await;
    let items: Vec<Item> = (0..10_000)
        .map(|n| {
            let mut item = Item::new(n);
            item.category = format!("Cat {}", n % 7);
            item.author = format!("Writer {}", n % 40);
            item.body = format!(
                "<p>Paragraph one of story {n}, with <a href=\"/rel/{n}\">a link</a>.</p>\
                 <p>Paragraph two holds more words about the county board and its budget.</p>\
                 <p>Paragraph three ends it.</p>"
            );
            item
        })
        .collect();
    let feed = rss(&items);
    println!(
        "feed: {} bytes, {} items, database {}",
        feed.len(),
        items.len(),
        masthead_store::redact_url(&url)
    );
    server.serve_rss(&feed, 1);
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
            chrono::DateTime::UNIX_EPOCH,
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
        clock: Arc::new(SystemClock),
    };
    let source = store.wire_source(id).await.unwrap();
    let t = Instant::now();
    let first = ingest.pull(&source, None).await.unwrap();
    let took = t.elapsed();
    assert_eq!(first.created, 10_000, "{first:?}");
    println!(
        "first pull: {} stories created in {:.2} s",
        first.created,
        took.as_secs_f64()
    );
    let audit = store.audit_log(100_000, 0).await.unwrap().len();
    let source = store.wire_source(id).await.unwrap();
    let t = Instant::now();
    let second = ingest.pull(&source, None).await.unwrap();
    let took = t.elapsed();
    assert!(second.not_modified);
    assert_eq!(store.audit_log(100_000, 0).await.unwrap().len(), audit);
    println!(
        "unchanged re-pull: {} request(s) in all, status {:?}, {:.1} ms, no story written",
        server.feed_requests(),
        second.status,
        took.as_secs_f64() * 1000.0
    );
    store.close().await;
}
