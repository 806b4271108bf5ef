//! The wire desk through the real binary (issue 12, items 1, 2 and 8): `masthead wire add`
//! refuses a loopback feed without `--allow-local-fetch` and names the fix, then `list`,
//! `pull` and `remove`; and two `masthead serve` processes on one PostgreSQL database with
//! the worker on pull one fixture feed once per interval between them, creating each story
//! once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../masthead_wire/tests/support/mod.rs"]
mod support;

use chrono::Duration;
use masthead_core::Clock;
use masthead_store::{WireMode, WireSourceSettings};
use masthead_testkit::{Desk, RunningBinary, TestDb, run_command, t0};
use std::time::{Duration as StdDuration, Instant};
use support::{FeedServer, Item, rss};

const BIN: &str = env!("CARGO_BIN_EXE_masthead");

fn text(out: &std::process::Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wire_add_refuses_loopback_then_list_pull_and_remove_work() {
    let db = TestDb::sqlite().await;
    Desk::create(&db.store).await;
    let server = FeedServer::start().await;
    server.serve_rss(&rss(&(0..3).map(Item::new).collect::<Vec<_>>()), 1);
    let url = db.url.clone();
    let dir = db.dir.path().to_owned();
    let feed = server.feed_url();
    let store = db.store.clone();
    let data = dir.join("data");
    let run = move |args: &[&str]| {
        let mut all: Vec<&str> = args.to_vec();
        all.extend([
            "--database-url",
            url.as_str(),
            "--data-dir",
            data.to_str().unwrap(),
        ]);
        run_command(BIN, &all, &dir, None)
    };
    let output = tokio::task::spawn_blocking(move || {
        let refused = run(&["wire", "add", &feed, "--name", "Prairie State"]);
        let added = run(&[
            "wire",
            "add",
            &feed,
            "--name",
            "Prairie State",
            "--section",
            "news",
            "--mode",
            "auto",
            "--allow-local-fetch",
        ]);
        let bad_section = run(&[
            "wire",
            "add",
            "http://127.0.0.1:9/other",
            "--name",
            "Other",
            "--section",
            "nope",
            "--allow-local-fetch",
        ]);
        let pulled = run(&["wire", "pull", "--source", "1", "--allow-local-fetch"]);
        let again = run(&["wire", "pull", "--allow-local-fetch"]);
        let listed = run(&["wire", "list"]);
        let removed = run(&["wire", "remove", "1"]);
        let missing = run(&["wire", "remove", "1"]);
        let empty = run(&["wire", "list"]);
        vec![
            refused,
            added,
            bad_section,
            pulled,
            again,
            listed,
            removed,
            missing,
            empty,
        ]
    })
    .await
    .unwrap();
    let [
        refused,
        added,
        bad_section,
        pulled,
        again,
        listed,
        removed,
        missing,
        empty,
    ] = <[_; 9]>::try_from(output).unwrap();

    let (_, err) = text(&refused);
    assert!(!refused.status.success());
    assert_eq!(server.other_requests(), 0);
    assert!(err.contains("loopback"), "{err}");
    assert!(
        err.contains("--allow-local-fetch"),
        "the error names the fix: {err}"
    );

    let (out, err) = text(&added);
    assert!(added.status.success(), "{err}");
    assert!(out.contains("added source 1"), "{out}");

    let (_, err) = text(&bad_section);
    assert!(!bad_section.status.success());
    assert!(
        err.contains("no section \"nope\"") && err.contains("news"),
        "{err}"
    );

    let (out, err) = text(&pulled);
    assert!(pulled.status.success(), "{err}");
    assert!(out.contains("200, 3 created"), "{out}");
    assert!(
        !err.contains('\u{1b}'),
        "no progress bar when not a terminal: {err:?}"
    );
    let (out, _) = text(&again);
    assert!(out.contains("304, not modified"), "{out}");
    assert_eq!(server.feed_requests(), 2);

    let (out, err) = text(&listed);
    assert!(listed.status.success(), "{err}");
    assert!(out.contains("Prairie State"), "{out}");
    assert!(out.contains("LAST FETCH"), "{out}");
    let row = out.lines().find(|l| l.contains("Prairie State")).unwrap();
    assert!(
        row.contains(" auto ") && row.contains(" 304 ") && row.contains(" 3 "),
        "{row}"
    );

    let (out, err) = text(&removed);
    assert!(removed.status.success(), "{err}");
    assert!(out.contains("stay"), "{out}");
    let (_, err) = text(&missing);
    assert!(!missing.status.success());
    assert!(err.contains("masthead wire list"), "{err}");
    let (out, _) = text(&empty);
    assert!(out.contains("no wire sources"), "{out}");
    assert_eq!(store.count_articles().await.unwrap(), 3, "the stories stay");
}

/// Two app servers, two processes, one PostgreSQL database, the worker on in both: the feed
/// is requested once when the source comes due, not once per server, and every story exists
/// once; made due again, it is requested once more (answered 304).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgres_pull_each_feed_once_per_interval() {
    let db = TestDb::postgres().await;
    Desk::create(&db.store).await;
    let server = FeedServer::start().await;
    server.serve_rss(&rss(&(0..25).map(Item::new).collect::<Vec<_>>()), 1);
    let settings = WireSourceSettings {
        name: "Prairie State".into(),
        url: server.feed_url(),
        rules_json: "{}".into(),
        mode: WireMode::Auto,
        interval: Duration::minutes(15),
        enabled: true,
    };
    let id = db.store.add_wire_source(&settings, t0()).await.unwrap();
    let url = db.url.clone();
    let dir = db.dir.path().to_owned();
    let start = move |name: &str| {
        let data = dir.join(name);
        RunningBinary::start(
            BIN,
            &[
                "--data-dir",
                data.to_str().unwrap(),
                "--database-url",
                &url,
                "--allow-local-fetch",
            ],
            &[],
        )
    };
    let (a, b) = tokio::task::spawn_blocking(move || (start("a"), start("b")))
        .await
        .unwrap();

    let (feed, db_ref) = (&server, &db);
    let waited = wait_until(move || async move { feed.feed_requests() >= 1 }).await;
    assert!(waited, "a server pulled the feed");
    let settled =
        wait_until(move || async move { db_ref.store.count_articles().await.unwrap() >= 25 }).await;
    assert!(settled, "25 stories arrived");
    // Several worker ticks on both servers (every 5 s): nobody pulls the feed again.
    tokio::time::sleep(StdDuration::from_secs(12)).await;
    assert_eq!(server.feed_requests(), 1, "once, not once per server");
    assert_eq!(db.store.count_articles().await.unwrap(), 25);

    // Due again (disabled and enabled, which makes a source due at once): once more.
    let mut off = settings.clone();
    off.enabled = false;
    db.store.update_wire_source(id, &off, t0()).await.unwrap();
    db.store
        .update_wire_source(id, &settings, masthead_core::SystemClock.now())
        .await
        .unwrap();
    assert!(wait_until(move || async move { feed.feed_requests() >= 2 }).await);
    tokio::time::sleep(StdDuration::from_secs(12)).await;
    assert_eq!(server.feed_requests(), 2);
    let s = db.store.wire_source(id).await.unwrap();
    assert_eq!(s.last_status, Some(304));
    assert_eq!(
        db.store.count_articles().await.unwrap(),
        25,
        "no duplicates"
    );
    let log = a.log_so_far() + &b.log_so_far();
    assert!(!log.contains("database is locked"), "{log}");
    tokio::task::spawn_blocking(move || {
        a.stop();
        b.stop();
    })
    .await
    .unwrap();
}

/// Polls `done` every 100 ms until it holds, for at most 40 s; whether it held.
async fn wait_until<F: std::future::Future<Output = bool>>(mut done: impl FnMut() -> F) -> bool {
    let deadline = Instant::now() + StdDuration::from_secs(40);
    while Instant::now() < deadline {
        if done().await {
            return true;
        }
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
    false
}
