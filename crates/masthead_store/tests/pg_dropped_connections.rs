//! PostgreSQL connections the server drops (a restart, a proxy's idle cut, an operator's
//! `pg_terminate_backend`) are replaced, against the real test server: a connection cut
//! while it sat idle is never handed to a reader (the pool pings one idle for
//! [`PING_AFTER_IDLE`] or longer before handing it out, and the public pages' reads hand a
//! connection they keep back to the pool once it has been idle that long), and a cut under
//! load costs at most one failed read per connection that was cut, after which every read
//! succeeds. Each for a read through the pool and for a public page's read, which keeps
//! its connections between reads (`kept.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use masthead_store::{PING_AFTER_IDLE, Store};
use masthead_testkit::{TestDb, t0};
use sqlx::Connection;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// The two ways a read gets its connection.
#[derive(Clone, Copy)]
enum Read {
    /// From the pool, back to it after (with sqlx's ping).
    Pool,
    /// A public page's read: a kept connection, kept again after.
    Kept,
}

impl Read {
    async fn ok(self, store: &Store) -> Result<(), String> {
        match self {
            Read::Pool => store.replay_mark().await.map(drop),
            Read::Kept => store.front_page(t0(), 10).await.map(drop),
        }
        .map_err(|e| e.to_string())
    }
}

/// Cuts every other connection to the database at `url`; returns how many were cut.
async fn cut_every_connection(url: &str) -> i64 {
    let mut admin = sqlx::PgConnection::connect(url).await.unwrap();
    let (cut,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid() \
         AND backend_type = 'client backend') AS cut",
    )
    .fetch_one(&mut admin)
    .await
    .unwrap();
    cut
}

/// Opens several pool connections at once, so more than one is cut.
async fn open_several(store: &Store, read: Read) {
    let reads: Vec<_> = (0..6)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { read.ok(&store).await.unwrap() })
        })
        .collect();
    for read in reads {
        read.await.unwrap();
    }
}

async fn connections_cut_while_idle_are_replaced_before_a_reader_gets_one(read: Read) {
    let db = TestDb::postgres().await;
    open_several(&db.store, read).await;
    tokio::time::sleep(PING_AFTER_IDLE + Duration::from_millis(200)).await;
    let cut = cut_every_connection(&db.url).await;
    assert!(cut >= 2, "only {cut} connections were open");
    for n in 0..20 {
        read.ok(&db.store)
            .await
            .unwrap_or_else(|e| panic!("read {n} after the cut got a dead connection: {e}"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pool_connections_cut_while_idle_are_replaced_before_a_reader_gets_one() {
    connections_cut_while_idle_are_replaced_before_a_reader_gets_one(Read::Pool).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kept_connections_cut_while_idle_are_replaced_before_a_reader_gets_one() {
    connections_cut_while_idle_are_replaced_before_a_reader_gets_one(Read::Kept).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_under_load_costs_at_most_one_pool_read_per_connection_cut() {
    a_cut_under_load_costs_at_most_one_read_per_connection_cut(Read::Pool).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_under_load_costs_at_most_one_kept_read_per_connection_cut() {
    a_cut_under_load_costs_at_most_one_read_per_connection_cut(Read::Kept).await;
}

async fn a_cut_under_load_costs_at_most_one_read_per_connection_cut(read: Read) {
    const READERS: usize = 8;
    let db = TestDb::postgres().await;
    open_several(&db.store, read).await;
    let start = Instant::now();
    // Each reader adds a permit once it has read 20 times: the cut waits for all of them.
    let busy = Arc::new(Semaphore::new(0));
    let readers: Vec<_> = (0..READERS)
        .map(|_| {
            let (store, busy) = (db.store.clone(), busy.clone());
            tokio::spawn(async move {
                // (when the read began, whether it succeeded)
                let mut reads = Vec::new();
                while start.elapsed() < Duration::from_secs(3) {
                    let began = start.elapsed();
                    reads.push((began, read.ok(&store).await.is_ok()));
                    if reads.len() == 20 {
                        busy.add_permits(1);
                    }
                }
                reads
            })
        })
        .collect();
    let all_busy = busy.acquire_many(READERS as u32).await.unwrap();
    all_busy.forget();
    let cut_at = start.elapsed();
    let cut = cut_every_connection(&db.url).await;
    let mut reads = Vec::new();
    for reader in readers {
        reads.extend(reader.await.unwrap());
    }
    let failed = reads.iter().filter(|(_, ok)| !ok).count();
    assert!(cut >= 1, "no connection was open to cut");
    assert!(
        failed as i64 <= cut,
        "{failed} reads failed for {cut} connections cut"
    );
    assert!(
        reads
            .iter()
            .all(|(began, ok)| *ok || *began < cut_at + PING_AFTER_IDLE),
        "a read failed long after the cut"
    );
    let late = reads
        .iter()
        .filter(|(began, _)| *began > cut_at + PING_AFTER_IDLE)
        .count();
    assert!(late > 0, "the readers went on after the cut");
    assert!(reads.len() > READERS * 10, "{} reads", reads.len());
}
