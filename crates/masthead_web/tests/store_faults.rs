//! The site when its database is under pressure or at fault, through the real router on
//! SQLite and PostgreSQL: many writers at once, a lock held by someone else, a full disk.
//! Each answers 503 (busy, with `Retry-After`) or 507 (full, naming the cause), never 500;
//! reads never wait on a write; `/healthz` tells the truth; everything recovers without a
//! restart.
//!
//! The concurrency soak runs `MASTHEAD_SOAK_SECS` seconds per backend (10 by default; set
//! it to 60 for the full minute) and prints its figures (run with `--nocapture`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::StatusCode;
use chrono::Duration;
use masthead_core::Role;
use masthead_store::{Backend, PG_LOCK_TIMEOUT};
use masthead_testkit::{Desk, HttpClient, TestApp, TestDb, TestServer, app_tests, t0};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};
use tokio::sync::Barrier;

mod api_support;
use api_support::*;

app_tests!(
    concurrent_api_writes_never_answer_database_is_locked,
    a_held_lock_answers_503_within_the_deadline_and_recovers,
    checking_a_token_never_waits_for_the_write_lock,
    a_desk_save_on_a_busy_database_keeps_the_words,
    a_flood_of_health_checks_probes_the_store_at_most_once_a_second,
    of_sixteen_saves_from_one_version_exactly_one_writes,
);

/// How long a request may take to give up on a held lock: the backend's lock deadline
/// (SQLite's busy timeout is 5 s) plus room for a loaded test machine.
fn lock_bound(app: &TestApp) -> StdDuration {
    match app.store().backend() {
        Backend::Sqlite => StdDuration::from_secs(5),
        Backend::Postgres => PG_LOCK_TIMEOUT,
    }
    .saturating_add(StdDuration::from_secs(3))
}

fn soak_secs() -> u64 {
    std::env::var("MASTHEAD_SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10)
}

fn percentile(sorted: &[StdDuration], p: f64) -> StdDuration {
    if sorted.is_empty() {
        return StdDuration::ZERO;
    }
    let rank = ((sorted.len() as f64) * p).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Issue 7, item 13: 4 to 20 clients creating stories through the API at once got 36–43%
/// of `500 database is locked` on SQLite. Twenty writers (each creating a story, then
/// saving it) and four readers, each a client on its own connection to the app served over
/// loopback, released together, run for the soak time: every write answers 201/200 and
/// every read 200.
async fn concurrent_api_writes_never_answer_database_is_locked(app: TestApp) {
    const WRITERS: usize = 20;
    const READERS: usize = 4;
    let desk = Desk::create(app.store()).await;
    let (_, token) = staff(&app, "ed@example.org", Role::Editor).await;
    let section = desk.news.0;
    let server = TestServer::app(&app).await;
    let soak = StdDuration::from_secs(soak_secs());
    let start = Arc::new(Barrier::new(WRITERS + READERS));
    let bearer = format!("Bearer {token}");

    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let (mut client, bearer, start) = (
            HttpClient::connect(&server).await,
            bearer.clone(),
            start.clone(),
        );
        writers.push(tokio::spawn(async move {
            let headers = [
                ("authorization", bearer.as_str()),
                ("content-type", "application/json"),
            ];
            start.wait().await;
            let until = Instant::now() + soak;
            let (mut times, mut failures) = (Vec::new(), Vec::new());
            let mut n = 0;
            while Instant::now() < until {
                n += 1;
                let began = Instant::now();
                let body = json!({"title": format!("Story {w}-{n}"), "section": section, "body_md": "Words."});
                let made = client
                    .send("POST", "/api/v1/articles", &headers, body.to_string())
                    .await;
                times.push(began.elapsed());
                if made.status != StatusCode::CREATED {
                    failures.push(format!("create: {} {}", made.status, made.body));
                    continue;
                }
                let made: serde_json::Value = serde_json::from_str(&made.body).unwrap();
                let id = made["id"].as_i64().unwrap();
                let began = Instant::now();
                let body = json!({"version": 1, "title": format!("Story {w}-{n}, updated"), "section": section, "body_md": "More words."});
                let saved = client
                    .send("PUT", &format!("/api/v1/articles/{id}"), &headers, body.to_string())
                    .await;
                times.push(began.elapsed());
                if saved.status != StatusCode::OK {
                    failures.push(format!("save: {} {}", saved.status, saved.body));
                }
            }
            (times, failures)
        }));
    }
    let mut readers = Vec::new();
    for r in 0..READERS {
        let (mut client, bearer, start) = (
            HttpClient::connect(&server).await,
            bearer.clone(),
            start.clone(),
        );
        readers.push(tokio::spawn(async move {
            start.wait().await;
            let until = Instant::now() + soak;
            let (mut reads, mut failures) = (0u64, Vec::new());
            while Instant::now() < until {
                let read = if r % 2 == 0 {
                    let headers = [("authorization", bearer.as_str())];
                    client.send("GET", "/api/v1/articles", &headers, "").await
                } else {
                    client.send("GET", "/", &[], "").await
                };
                reads += 1;
                if read.status != StatusCode::OK {
                    failures.push(format!("read: {}", read.status));
                }
            }
            (reads, failures)
        }));
    }

    let (mut times, mut failures) = (Vec::new(), Vec::new());
    for w in writers {
        let (t, f) = w.await.unwrap();
        times.extend(t);
        failures.extend(f);
    }
    let mut reads = 0;
    for r in readers {
        let (n, f) = r.await.unwrap();
        reads += n;
        failures.extend(f);
    }
    times.sort();
    let secs = soak.as_secs_f64();
    println!(
        "soak {:?} {}s: {WRITERS} writers, {READERS} readers: {} writes ({:.0}/s), p50 {:?}, \
         p99 {:?}, max {:?}; {reads} reads ({:.0}/s); {} errors",
        app.store().backend(),
        soak.as_secs(),
        times.len(),
        times.len() as f64 / secs,
        percentile(&times, 0.50),
        percentile(&times, 0.99),
        times.last().copied().unwrap_or_default(),
        reads as f64 / secs,
        failures.len(),
    );
    assert!(
        failures.is_empty(),
        "{} failed requests, first: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    assert!(times.len() >= WRITERS, "every writer got through");
}

/// Issue 7, item 15 (and the SQLite side of 13): a request that met a locked table waited
/// as long as the lock was held (59 s in the test, unbounded in general), and a few such
/// requests exhausted the pool. Now a request that needs the lock answers 503 with
/// `Retry-After` within the deadline; `/healthz` says so; after the release everything
/// works again without a restart.
async fn a_held_lock_answers_503_within_the_deadline_and_recovers(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let (_, token) = staff(&app, "ed@example.org", Role::Editor).await;
    let id = draft(&app, &token, "Before the lock", desk.news.0).await;
    let bound = lock_bound(&app);
    let lock = app
        .db
        .hold_lock("LOCK TABLE articles IN ACCESS EXCLUSIVE MODE")
        .await;

    let started = Instant::now();
    let create = call(
        &app,
        "POST",
        "/api/v1/articles",
        Some(&token),
        Some(json!({"title": "During the lock", "section": desk.news.0})),
    )
    .await;
    assert!(started.elapsed() < bound, "{:?}", started.elapsed());
    let message = create.error(503, "unavailable");
    assert!(message.contains("try again"), "{message}");
    assert_eq!(create.response.header("retry-after"), "2");

    let path = format!("/api/v1/articles/{id}");
    let read = call(&app, "GET", &path, Some(&token), None).await;
    match app.store().backend() {
        // SQLite readers never wait for the writer.
        Backend::Sqlite => assert_eq!(read.status(), 200, "{}", read.response.body),
        // An exclusive table lock on PostgreSQL blocks reads too: they give up in time.
        Backend::Postgres => {
            read.error(503, "unavailable");
        }
    }
    let started = Instant::now();
    let health = app.get("/healthz").await;
    assert_eq!(health.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(started.elapsed() < bound, "{:?}", started.elapsed());

    lock.release().await;
    let create = call(
        &app,
        "POST",
        "/api/v1/articles",
        Some(&token),
        Some(json!({"title": "After the lock", "section": desk.news.0})),
    )
    .await;
    assert_eq!(create.status(), 201, "{}", create.response.body);
    assert_eq!(
        call(&app, "GET", &path, Some(&token), None).await.status(),
        200
    );
    let health = app.get("/healthz").await;
    assert_eq!(
        (health.status, health.body.as_str()),
        (StatusCode::OK, "ok\n")
    );
}

/// Issue 7, item 14: checking an API token wrote its `last_used_at`, so every API read
/// waited (5 s on SQLite) whenever the database could not take a write. Now the check only
/// reads, and the use is recorded later, off the request path.
async fn checking_a_token_never_waits_for_the_write_lock(app: TestApp) {
    let (ed, token) = staff(&app, "ed@example.org", Role::Editor).await;
    let lock = app
        .db
        .hold_lock("LOCK TABLE api_tokens IN EXCLUSIVE MODE")
        .await;
    let started = Instant::now();
    for _ in 0..3 {
        let r = call(&app, "GET", "/api/v1/sections", Some(&token), None).await;
        assert_eq!(r.status(), 200, "{}", r.response.body);
    }
    assert!(
        started.elapsed() < StdDuration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    lock.release().await;
    // The use is still recorded, once the database takes writes again.
    app.store()
        .touch_token(app.store().list_tokens(ed).await.unwrap()[0].id, t0())
        .await
        .unwrap();
    assert!(
        app.store().list_tokens(ed).await.unwrap()[0]
            .last_used_at
            .is_some()
    );
}

/// Issue 7, item 14: after `database or disk is full`, SQLite writes kept failing with
/// `database is locked` once space was freed, API reads stalled 5 s, scheduled publishing
/// stopped and `/healthz` still said 200. Now a write answers 507 naming the full disk,
/// reads answer at once, `/healthz` answers 503 naming the cause, and when room comes back
/// writes and scheduled publishing work again with no restart. The disk is filled for
/// real by capping the database's size (`PRAGMA max_page_count`), which works without root.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_answers_507_and_recovers_by_itself() {
    let app = TestApp::new(TestDb::sqlite().await).await;
    let desk = Desk::create(app.store()).await;
    let (_, token) = staff(&app, "ed@example.org", Role::Editor).await;
    let due = draft(&app, &token, "Embargoed report", desk.news.0).await;
    let scheduled = call(
        &app,
        "POST",
        &format!("/api/v1/articles/{due}/schedule"),
        Some(&token),
        Some(json!({"version": 1, "publish_at": (t0() + Duration::minutes(10)).to_rfc3339()})),
    )
    .await;
    assert_eq!(scheduled.status(), 200, "{}", scheduled.response.body);

    let pages = app.store().sqlite_page_count().await.unwrap();
    app.store().limit_sqlite_size(Some(pages + 40));
    let body = "Long council minutes. ".repeat(400);
    let mut full = None;
    for n in 0..300 {
        let r = call(
            &app,
            "POST",
            "/api/v1/articles",
            Some(&token),
            Some(json!({"title": format!("Filler {n}"), "section": desk.news.0, "body_md": body})),
        )
        .await;
        if r.status() != 201 {
            full = Some(r);
            break;
        }
    }
    let full = full.expect("the capped database fills up");
    let message = full.error(507, "insufficient_storage");
    assert!(message.contains("disk is full"), "{message}");
    // It stays a clean 507, answered at once, never `database is locked`.
    let started = Instant::now();
    let again = call(
        &app,
        "POST",
        "/api/v1/articles",
        Some(&token),
        Some(json!({"title": "Still full", "section": desk.news.0, "body_md": body})),
    )
    .await;
    again.error(507, "insufficient_storage");
    // Reads, with a token too, answer at once.
    let read = call(&app, "GET", "/api/v1/articles", Some(&token), None).await;
    assert_eq!(read.status(), 200, "{}", read.response.body);
    assert!(
        started.elapsed() < StdDuration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let health = app.get("/healthz").await;
    assert_eq!(health.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(health.body.contains("disk is full"), "{}", health.body);

    // Room comes back: no restart.
    app.store().limit_sqlite_size(None);
    let health = app.get("/healthz").await;
    assert_eq!(
        (health.status, health.body.as_str()),
        (StatusCode::OK, "ok\n")
    );
    app.clock.advance(Duration::minutes(10));
    masthead_web::housekeeping::promote_due(&app.state).await;
    let story = call(
        &app,
        "GET",
        &format!("/api/v1/articles/{due}"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(story.json["status"], "published", "{}", story.response.body);
    let r = call(
        &app,
        "POST",
        "/api/v1/articles",
        Some(&token),
        Some(json!({"title": "After the cleanup", "section": desk.news.0, "body_md": body})),
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.response.body);
}

/// Issue 7, item 13, the desk's side: a save that meets a busy database answers 503 and
/// shows the form again with everything typed, instead of an error page that loses it.
async fn a_desk_save_on_a_busy_database_keeps_the_words(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let ana = app.staff("ana@example.org", Role::Editor).await;
    let section = desk.news.0.to_string();
    let made = app
        .post_as(
            &ana,
            "/admin/articles/new",
            &[
                ("kind", "news"),
                ("title", "Board meets"),
                ("section", section.as_str()),
                ("body_md", "Words."),
                ("version", "0"),
            ],
        )
        .await;
    assert_eq!(made.status.as_u16(), 303, "{}", made.body);
    let path = made.header("location").to_owned();
    // Writers wait; on PostgreSQL readers still read, as under a long-running write.
    let lock = app
        .db
        .hold_lock("LOCK TABLE articles IN EXCLUSIVE MODE")
        .await;
    let save = [
        ("version", "1"),
        ("kind", "news"),
        ("title", "Board meets"),
        ("section", section.as_str()),
        ("body_md", "A careful paragraph typed during the lock."),
        ("action", "save"),
    ];
    let started = Instant::now();
    let r = app.post_as(&ana, &path, &save).await;
    assert!(
        started.elapsed() < lock_bound(&app),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    assert!(
        r.body
            .contains("A careful paragraph typed during the lock."),
        "{}",
        r.body
    );
    assert!(r.body.contains("nothing was saved"), "{}", r.body);
    lock.release().await;
    let r = app.post_as(&ana, &path, &save).await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
}

/// `/healthz` is public and its probe takes SQLite's write lock for a moment, so a flood of
/// health checks would have been a flood of write-lock probes. A passed probe is reused for
/// a second (and concurrent checks wait for the one in flight); a failed one never is.
async fn a_flood_of_health_checks_probes_the_store_at_most_once_a_second(app: TestApp) {
    let app = Arc::new(app);
    let before = app.state.health_probes();
    let started = Instant::now();
    let barrier = Arc::new(Barrier::new(50));
    let checks: Vec<_> = (0..50)
        .map(|_| {
            let (app, barrier) = (app.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                app.get("/healthz").await.status
            })
        })
        .collect();
    for check in checks {
        assert_eq!(check.await.unwrap(), StatusCode::OK);
    }
    for _ in 0..200 {
        assert_eq!(app.get("/healthz").await.status, StatusCode::OK);
    }
    let probes = app.state.health_probes() - before;
    let allowed = started.elapsed().as_secs() + 1;
    assert!(
        (1..=allowed).contains(&probes),
        "{probes} probes in {:?} for 250 checks",
        started.elapsed()
    );
}

/// The docs say "of two saves from one version exactly one writes"; here it is proved with
/// sixteen saves through the API released together, five rounds over: each round exactly
/// one answers 200 and the other fifteen 409 (never a 5xx), exactly one revision is added,
/// and the stored text is the winner's.
async fn of_sixteen_saves_from_one_version_exactly_one_writes(app: TestApp) {
    const SAVERS: usize = 16;
    let desk = Desk::create(app.store()).await;
    let (_, token) = staff(&app, "ed@example.org", Role::Editor).await;
    let id = draft(&app, &token, "Levy vote tonight", desk.news.0).await;
    let article = masthead_core::ArticleId(id);
    let app = Arc::new(app);
    let token = Arc::new(token);
    for round in 0..5 {
        let version = app.store().desk_article(article).await.unwrap().version;
        let revisions = app.store().revisions(article).await.unwrap().len();
        let barrier = Arc::new(Barrier::new(SAVERS));
        let saves: Vec<_> = (0..SAVERS)
            .map(|n| {
                let (app, token, barrier) = (app.clone(), token.clone(), barrier.clone());
                tokio::spawn(async move {
                    let body = format!("Round {round}, saver {n}.");
                    let save = json!({"version": version, "title": "Levy vote tonight",
                                      "section": desk.news.0, "body_md": body});
                    barrier.wait().await;
                    let r = call(
                        &app,
                        "PUT",
                        &format!("/api/v1/articles/{id}"),
                        Some(&token),
                        Some(save),
                    )
                    .await;
                    (r.status(), body)
                })
            })
            .collect();
        let mut statuses = Vec::new();
        let mut winner = None;
        for save in saves {
            let (status, body) = save.await.unwrap();
            if status == 200 {
                winner = Some(body);
            }
            statuses.push(status);
        }
        let ok = statuses.iter().filter(|s| **s == 200).count();
        let conflicts = statuses.iter().filter(|s| **s == 409).count();
        assert_eq!(
            (ok, conflicts),
            (1, SAVERS - 1),
            "round {round}: {statuses:?}"
        );
        let stored = app.store().desk_article(article).await.unwrap();
        assert_eq!(stored.version, version + 1, "round {round}");
        assert_eq!(Some(stored.fields.body_md), winner, "round {round}");
        assert_eq!(
            app.store().revisions(article).await.unwrap().len(),
            revisions + 1,
            "round {round}: one new revision"
        );
    }
}
