//! The connections PostgreSQL's public reads keep between reads (`kept.rs`), against the real
//! test server: a read dropped half-way never hands its answer to the next read, many
//! readers at once never wait on a connection that lies idle, every connection comes back,
//! and closing the store does not wait for the kept ones. (Connections the server cuts are
//! in `pg_dropped_connections.rs`.)
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use chrono::Duration as Span;
use masthead_core::PageNumber;
use masthead_store::{ArticleFilter, Store};
use masthead_testkit::{ArticleBuilder, Desk, TestDb, t0};
use std::time::{Duration, Instant};

/// Two published stories, "alpha" and "beta".
async fn two_stories(store: &Store) {
    let desk = Desk::create(store).await;
    for (n, title) in ["Alpha", "Beta"].into_iter().enumerate() {
        ArticleBuilder::new(title, desk.news)
            .body(&format!("The {title} story. ").repeat(400))
            .published(t0() - Span::hours(i64::try_from(n).unwrap() + 1))
            .insert(store)
            .await;
    }
}

/// Lets the runtime run `n` times.
async fn turns(n: u32) {
    for _ in 0..n {
        tokio::task::yield_now().await;
    }
}

/// Reads of "alpha" dropped at every point of their course (before the statement is sent,
/// while PostgreSQL runs it, half-way through its answer) are each followed by a read of
/// "beta", which must get beta's page, and by a list, which must list both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_dropped_half_way_never_hands_its_answer_to_the_next() {
    let db = TestDb::postgres().await;
    two_stories(&db.store).await;
    let (mut dropped, mut finished) = (0, 0);
    // Rounds of reads, the first polled once, each next one turn more, up to `span`. A read
    // takes more turns on a busy machine (the database answers later): when fewer than a
    // quarter of a round's reads finish, the next round gives them twice as many turns, so
    // reads are still dropped at every point of their course and enough of them finish.
    let (mut span, mut reads) = (40_u32, 0_u32);
    while (reads < 400 || finished < 20) && reads < 4_000 {
        let finished_before = finished;
        for n in 0..span {
            // Polled once, then once more for each of the first `n` turns of the runtime (a
            // timer is too coarse: its millisecond is longer than the whole read).
            let alpha = db.store.article_page("alpha", t0());
            tokio::pin!(alpha);
            tokio::select! {
                biased;
                page = &mut alpha => {
                    assert_eq!(page.unwrap().unwrap().teaser.slug, "alpha");
                    finished += 1;
                }
                () = turns(n) => dropped += 1,
            }
            reads += 1;
            let beta = db.store.article_page("beta", t0()).await.unwrap().unwrap();
            assert_eq!(beta.teaser.slug, "beta", "after read {reads}");
            assert!(
                beta.body_html.contains("The Beta story."),
                "after read {reads}"
            );
            let list = db
                .store
                .list_articles(ArticleFilter::All, t0(), PageNumber::FIRST, 10)
                .await
                .unwrap();
            let slugs: Vec<_> = list.items.iter().map(|t| t.slug.as_str()).collect();
            assert_eq!(slugs, ["alpha", "beta"], "after read {reads}");
        }
        if (finished - finished_before) * 4 < span {
            span = (span * 2).min(5_000);
        }
    }
    assert!(dropped >= 20, "only {dropped} reads were dropped half-way");
    assert!(finished >= 20, "only {finished} reads finished");
}

/// 48 readers at once, more than the pool's 16 connections, each reading 40 times, then
/// fewer and fewer as they finish: no read waits for a connection while others lie idle
/// (that would be the pool's 5-second wait and an error), and afterwards every connection
/// the pool opened is idle again, in the pool or kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_readers_at_once_never_wait_while_connections_lie_idle() {
    let db = TestDb::postgres().await;
    two_stories(&db.store).await;
    let readers: Vec<_> = (0..48_usize)
        .map(|r| {
            let store = db.store.clone();
            tokio::spawn(async move {
                let mut slowest = Duration::ZERO;
                for i in 0..40 + r {
                    let began = Instant::now();
                    if i % 2 == 0 {
                        let page = store.article_page("beta", t0()).await.unwrap();
                        assert_eq!(page.unwrap().teaser.slug, "beta");
                    } else {
                        let front = store.front_page(t0(), 10).await.unwrap();
                        assert_eq!(front.latest.items.len(), 2);
                    }
                    slowest = slowest.max(began.elapsed());
                }
                slowest
            })
        })
        .collect();
    let mut slowest = Duration::ZERO;
    for reader in readers {
        slowest = slowest.max(reader.await.unwrap());
    }
    assert!(
        slowest < Duration::from_secs(2),
        "a read took {slowest:?}: it waited for a connection"
    );
    // A connection dropped into the pool is pinged first, by a task of sqlx's own.
    let mut shared = db.store.pool_use()[0];
    for _ in 0..50 {
        if shared.idle == shared.size {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        shared = db.store.pool_use()[0];
    }
    assert!(
        shared.size > 4,
        "the readers used {} connections",
        shared.size
    );
    assert_eq!(
        shared.idle, shared.size,
        "a connection did not come back: {shared:?}"
    );
}

/// Closing the store after public reads returns at once: the pool waits for every
/// connection to come back, and the kept ones do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_the_store_does_not_wait_for_kept_connections() {
    let db = TestDb::postgres().await;
    two_stories(&db.store).await;
    for _ in 0..5 {
        db.store.front_page(t0(), 10).await.unwrap();
    }
    tokio::time::timeout(Duration::from_secs(10), db.store.close())
        .await
        .expect("the store closed");
}
