//! Read replicas (`database_read_url`, issue 17 part 4) with a real streaming replica of the
//! test PostgreSQL server (`pg_basebackup -R`, Debian's binaries, another loopback port) and
//! the real binary over HTTP: public pages read from a caught-up replica and staff from the
//! primary; an editor's write shows at once although the replica's replay is paused; a
//! replica that is stopped costs readers no error and is used again once back; reads take
//! turns over two replicas; many readers while an editor writes see no error; and SQLite
//! refuses replicas with a clear message.
//!
//! Which database answered is read from the page itself: with the replica's replay paused,
//! a title changed on the primary by plain SQL (no content-version bump, so the replica still
//! counts as caught up) shows only on pages rendered from the primary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use masthead_core::Role;
use masthead_testkit::{
    ArticleBuilder, Desk, RawResponse, RunningBinary, StreamingReplica, TestDb, run_command,
    wait_until,
};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_masthead");
const METRICS_TOKEN: &str = "replica-test-metrics-token-0123456789";
/// The story every test reads; its title as the replica has it.
const STORY: &str = "/stories/council-meets";
const TITLE: &str = "Council meets on Tuesday";
/// The title written on the primary alone (replay paused, no version bump).
const PRIMARY_TITLE: &str = "Written past the replica";
/// The series counting public reads a replica answered.
const FROM_REPLICA: &str = "masthead_replica_reads_total{outcome=\"replica\"}";

/// One test at a time: each runs a debug-built server, the primary and one or two replicas,
/// and on two cores several at once starve the replicas' probes past their one-second
/// timeout, so a replica counts as down for reasons that are the test machine's, not ours.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A database with a story and an API token, and a streaming replica of it.
struct Site {
    db: TestDb,
    replica: StreamingReplica,
    /// A second replica, for the round-robin test.
    second: Option<StreamingReplica>,
    token: String,
    section: i64,
}

impl Site {
    async fn new() -> Self {
        let db = TestDb::postgres().await;
        let desk = Desk::create(&db.store).await;
        ArticleBuilder::new(TITLE, desk.news)
            .slug("council-meets")
            .insert(&db.store)
            .await;
        let (_, token) = db.staff_with_token("editor@example.org", Role::Admin).await;
        let replica = StreamingReplica::start().await;
        replica.catch_up().await;
        Self {
            db,
            replica,
            second: None,
            token,
            section: desk.news.0,
        }
    }

    /// The real binary on the primary with the replica for public reads.
    fn serve(&self, page_cache: &str) -> RunningBinary {
        let data = self.db.dir.path().join("data");
        let first = self.replica.url_for(&self.db.url);
        let mut args = vec![
            "--data-dir",
            data.to_str().unwrap(),
            "--database-url",
            &self.db.url,
            "--database-read-url",
            &first,
            "--page-cache",
            page_cache,
        ];
        let second = self.second.as_ref().map(|r| r.url_for(&self.db.url));
        if let Some(second) = &second {
            args.extend(["--database-read-url", second.as_str()]);
        }
        RunningBinary::start(BIN, &args, &[("MASTHEAD_METRICS_TOKEN", METRICS_TOKEN)])
    }

    /// [`Site::serve`], once its first start's re-render of the stored stories (which moves
    /// the content version) is done and the replica has replayed it.
    async fn serve_settled(&self, page_cache: &str) -> RunningBinary {
        let server = self.serve(page_cache);
        let server = tokio::task::spawn_blocking(move || {
            server.wait_for_log("stored stories rendered again", Duration::from_secs(30));
            server
        })
        .await
        .unwrap();
        self.replica.catch_up().await;
        if let Some(second) = &self.second {
            second.catch_up().await;
        }
        server
    }

    /// Changes the story's title on the primary by plain SQL, without bumping the content
    /// version: a replica whose replay is paused keeps the old title yet counts as caught up.
    async fn retitle_on_primary_only(&self, title: &str) {
        self.db
            .execute_legacy_sql(&format!(
                "UPDATE articles SET title = '{title}' WHERE slug = 'council-meets'"
            ))
            .await;
    }

    /// The content version on the primary and on the replica.
    async fn versions(&self) -> (i64, i64) {
        self.replica.content_versions(&self.db.url).await
    }
}

/// Publishes a story through the API with `token`; returns its address.
fn publish(server: &RunningBinary, token: &str, section: i64, title: &str) -> String {
    let (published, _) = server.publish_story(token, section, title);
    format!("/stories/{}", published["slug"].as_str().unwrap())
}

/// The story's headline on its page (the only place a title changed without a version bump
/// shows: the page parts around it, such as the latest-stories list, are kept per version).
fn headline(page: &RawResponse) -> &str {
    page.body
        .split_once("<h1>")
        .and_then(|(_, rest)| rest.split_once("</h1>"))
        .map_or("", |(h, _)| h)
}

fn get(server: &RunningBinary, path: &str, headers: &[(&str, &str)]) -> RawResponse {
    server.request("GET", path, headers, b"").unwrap()
}

/// A count from `/metrics`: the line starting with `series`.
fn metric(server: &RunningBinary, series: &str) -> f64 {
    let auth = format!("Bearer {METRICS_TOKEN}");
    let page = get(server, "/metrics", &[("Authorization", &auth)]);
    assert_eq!(page.status, 200, "{}", page.body);
    page.body
        .lines()
        .find(|l| l.starts_with(series))
        .and_then(|l| l.rsplit(' ').next()?.parse().ok())
        .unwrap_or_else(|| panic!("no {series} in {}", page.body))
}

/// Waits up to ten seconds until a replica has answered more than `before` public reads,
/// asking for `path` meanwhile; on failure says where the reads went and what the server
/// logged.
fn until_a_replica_answers(server: &RunningBinary, path: &str, before: f64) {
    let answered = wait_until(Duration::from_secs(10), || {
        assert_eq!(get(server, path, &[]).status, 200, "{path}");
        metric(server, FROM_REPLICA) > before
    });
    if answered.is_none() {
        let auth = format!("Bearer {METRICS_TOKEN}");
        let metrics = get(server, "/metrics", &[("Authorization", &auth)]).body;
        let reads: Vec<&str> = metrics
            .lines()
            .filter(|l| l.starts_with("masthead_replica"))
            .collect();
        panic!(
            "no replica answered {path} within 10 s: {reads:#?}\nthe server's log:\n{}",
            server.log_so_far()
        );
    }
}

/// Asks for `path` until `want` holds of the page, for up to `patience`; returns how long.
fn until(
    server: &RunningBinary,
    path: &str,
    patience: Duration,
    want: impl Fn(&RawResponse) -> bool,
) -> Duration {
    let mut last = String::new();
    let took = wait_until(patience, || {
        let page = get(server, path, &[]);
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        let wanted = want(&page);
        last = page.body;
        wanted
    });
    took.unwrap_or_else(|| panic!("{path} never showed what was expected: {last}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_pages_read_from_a_caught_up_replica_and_staff_from_the_primary() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let site = Site::new().await;
    let server = site.serve_settled("off").await;
    site.replica.pause_replay().await;
    site.retitle_on_primary_only(PRIMARY_TITLE).await;
    tokio::task::spawn_blocking(move || {
        // Once the replica's version has been read (one poll), strangers get its pages.
        until(&server, STORY, Duration::from_secs(5), |p| {
            headline(p) == TITLE
        });
        for _ in 0..10 {
            let page = get(&server, STORY, &[]);
            assert_eq!(headline(&page), TITLE, "from the replica");
        }
        // Staff read the primary: a session cookie, or a token.
        let cookie = get(&server, STORY, &[("Cookie", "masthead_session=anything")]);
        assert_eq!(headline(&cookie), PRIMARY_TITLE);
        let token = get(
            &server,
            STORY,
            &[("Authorization", "Bearer mh_not_a_token")],
        );
        assert_eq!(headline(&token), PRIMARY_TITLE);
        // Search reads the replica too.
        let found = get(&server, "/search?q=council", &[]);
        assert_eq!(found.status, 200);
        // The result's title as the replica has it (the primary's does not say "council").
        assert!(
            found
                .body
                .contains("<mark>Council</mark> meets on Tuesday</a></h2>"),
            "{}",
            found.body
        );
        let replica_reads = metric(&server, FROM_REPLICA);
        assert!(replica_reads >= 12.0, "{replica_reads}");
        assert_eq!(metric(&server, "masthead_replica_up{replica=\""), 1.0);
        server.stop();
    })
    .await
    .unwrap();
    site.replica.resume_replay().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_editor_reads_what_they_just_wrote_while_the_replica_lags() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let site = Site::new().await;
    let server = site.serve_settled("on").await;
    let (token, section) = (site.token.clone(), site.section);
    let server = tokio::task::spawn_blocking(move || {
        // The replica is in use before the write.
        until_a_replica_answers(&server, "/search?q=council", 0.0);
        assert!(!get(&server, "/", &[]).body.contains("Budget passes"));
        server
    })
    .await
    .unwrap();
    site.replica.pause_replay().await;
    let (server, path) = tokio::task::spawn_blocking(move || {
        let path = publish(&server, &token, section, "Budget passes");
        // At once, before any poll: this server wrote since its last poll, so it reads the
        // primary.
        let story = get(&server, &path, &[]);
        assert_eq!(story.status, 200, "{}", story.body);
        assert!(story.body.contains("Budget passes"));
        // The front page (kept in the page cache) within the poll interval.
        let took = until(&server, "/", Duration::from_secs(1), |p| {
            p.body.contains("Budget passes")
        });
        assert!(took < Duration::from_secs(1), "{took:?}");
        for page in ["/latest", "/section/news", "/search?q=budget", "/feed.xml"] {
            let page = get(&server, page, &[]);
            assert!(page.body.contains("Budget passes"), "{}", page.body);
        }
        (server, path)
    })
    .await
    .unwrap();
    let (primary, replica) = site.versions().await;
    assert!(
        replica < primary,
        "the replica lagged all along: {replica} < {primary}"
    );
    site.replica.resume_replay().await;
    site.replica.catch_up().await;
    tokio::task::spawn_blocking(move || {
        let before = metric(&server, FROM_REPLICA);
        until_a_replica_answers(&server, "/search?q=budget", before);
        let found = get(&server, "/search?q=budget", &[]);
        assert!(found.body.contains("Budget passes"), "{}", found.body);
        assert_eq!(get(&server, &path, &[]).status, 200);
        server.stop();
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_that_goes_away_costs_readers_nothing_and_is_used_again_when_back() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let site = Site::new().await;
    let mut server = Some(site.serve_settled("off").await);
    site.replica.pause_replay().await;
    site.retitle_on_primary_only(PRIMARY_TITLE).await;
    let mut log = String::new();
    let s = server.take().unwrap();
    let s = tokio::task::spawn_blocking(move || {
        until(&s, STORY, Duration::from_secs(5), |p| headline(p) == TITLE);
        s
    })
    .await
    .unwrap();
    site.replica.stop();
    let s = tokio::task::spawn_blocking(move || {
        let start = Instant::now();
        let mut from_primary = 0;
        while start.elapsed() < Duration::from_secs(3) {
            for path in [STORY, "/", "/latest", "/search?q=council"] {
                let page = get(&s, path, &[]);
                assert_eq!(page.status, 200, "{path}: {}", page.body);
            }
            if headline(&get(&s, STORY, &[])) == PRIMARY_TITLE {
                from_primary += 1;
            }
        }
        assert!(
            from_primary > 0,
            "the primary answered while the replica was gone"
        );
        assert_eq!(metric(&s, "masthead_replica_up{replica=\""), 0.0);
        s
    })
    .await
    .unwrap();
    log.push_str(&s.log_so_far());
    assert_eq!(
        log.matches("a read replica is not answering").count(),
        1,
        "logged once, not per request: {log}"
    );
    // Back: it replays what it missed, then is paused again behind a second change.
    site.replica.start_again();
    site.replica.catch_up().await;
    site.replica.pause_replay().await;
    site.retitle_on_primary_only("Second primary title").await;
    let s = tokio::task::spawn_blocking(move || {
        // The back-off was at most a few seconds; then the replica's (older) title shows.
        until(&s, STORY, Duration::from_secs(40), |p| {
            headline(p) == PRIMARY_TITLE
        });
        s.wait_for_log("a read replica answers again", Duration::from_secs(5));
        s
    })
    .await
    .unwrap();
    site.replica.resume_replay().await;
    server = Some(s);
    tokio::task::spawn_blocking(move || server.take().unwrap().stop())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_readers_while_an_editor_writes_see_no_errors() {
    let _turn = ONE_AT_A_TIME.lock().await;
    const READERS: usize = 8;
    const STORIES: usize = 10;
    let site = Site::new().await;
    let server = site.serve_settled("off").await;
    // The replica answers before the readers and the writer start.
    let server = tokio::task::spawn_blocking(move || {
        until_a_replica_answers(&server, STORY, 0.0);
        server
    })
    .await
    .unwrap();
    let addr = server.addr.clone();
    let (token, section) = (site.token.clone(), site.section);
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..READERS)
        .map(|n| {
            let (addr, done) = (addr.clone(), done.clone());
            std::thread::spawn(move || {
                let paths = [
                    "/",
                    "/latest",
                    STORY,
                    "/section/news",
                    "/feed.xml",
                    "/search?q=council",
                ];
                let mut served = 0;
                let mut i = n;
                let start = Instant::now();
                // Bounded, so a failed writer cannot leave the readers running forever.
                while !done.load(std::sync::atomic::Ordering::Acquire)
                    && start.elapsed() < Duration::from_secs(120)
                {
                    let path = paths[i % paths.len()];
                    let page = masthead_testkit::http(&addr, "GET", path, &[], b"").unwrap();
                    assert_eq!(page.status, 200, "{path}: {}", page.body);
                    served += 1;
                    i += 1;
                }
                served
            })
        })
        .collect();
    let writer = tokio::task::spawn_blocking(move || {
        let writer = server;
        for n in 0..STORIES {
            let title = format!("Story number {n} of the evening");
            let path = publish(&writer, &token, section, &title);
            let page = get(&writer, &path, &[]);
            assert_eq!(page.status, 200, "read after write: {}", page.body);
            assert!(page.body.contains(&title));
        }
        writer
    })
    .await
    .unwrap();
    done.store(true, std::sync::atomic::Ordering::Release);
    let served: usize = readers.into_iter().map(|r| r.join().unwrap()).sum();
    assert!(served > READERS * 10, "{served} reads");
    // Once the replica has replayed the last story, readers are sent back to it.
    site.replica.catch_up().await;
    let server = writer;
    tokio::task::spawn_blocking(move || {
        assert_eq!(
            metric(&server, "masthead_replica_reads_total{outcome=\"retried\"}"),
            0.0,
            "no read failed on the replica"
        );
        let before = metric(&server, FROM_REPLICA);
        until_a_replica_answers(&server, "/latest", before);
        let last = get(&server, "/latest", &[]);
        assert!(last.body.contains("Story number 9 of the evening"));
        server.stop();
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_are_spread_over_several_caught_up_replicas_in_turn() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut site = Site::new().await;
    site.second = Some(StreamingReplica::start().await);
    let server = site.serve_settled("off").await;
    // The first replica keeps the old title; the second replays the new one, then stops
    // replaying too, so each page says which replica rendered it.
    site.replica.pause_replay().await;
    site.retitle_on_primary_only(PRIMARY_TITLE).await;
    let second = site.second.as_ref().unwrap();
    second.catch_up().await;
    second.pause_replay().await;
    tokio::task::spawn_blocking(move || {
        until(&server, STORY, Duration::from_secs(5), |p| {
            headline(p) == TITLE
        });
        let (mut first, mut other) = (0, 0);
        for _ in 0..20 {
            match headline(&get(&server, STORY, &[])) {
                TITLE => first += 1,
                PRIMARY_TITLE => other += 1,
                h => panic!("unexpected headline {h:?}"),
            }
        }
        // In turn: each serves about half (a poll's probe may skip one now and then).
        assert!(
            first >= 8 && other >= 8,
            "{first} and {other} of 20; the server's log:\n{}",
            server.log_so_far()
        );
        server.stop();
    })
    .await
    .unwrap();
    site.replica.resume_replay().await;
    site.second.as_ref().unwrap().resume_replay().await;
}

#[test]
fn sqlite_refuses_read_replicas_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_command(
        BIN,
        &[
            "serve",
            "--data-dir",
            dir.path().to_str().unwrap(),
            "--database-read-url",
            "postgres://reader@127.0.0.1:5433/news",
        ],
        dir.path(),
        None,
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("read replicas need PostgreSQL"), "{err}");
}
