//! Acknowledged writes survive `kill -9` of the server (SECURITY.md, "Durability"), on both
//! databases: many API clients create stories at once against the real binary, the server
//! is killed without warning while writes are in flight, and after a restart every story
//! whose creation was answered 201 is there, whole, and served.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use masthead_core::{ArticleId, Role};
use masthead_testkit::{Desk, RunningBinary, TestDb, http};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_masthead");
/// Clients writing at once.
const WRITERS: usize = 8;
/// Acknowledged creates to wait for before the kill, so it lands mid-stream.
const ACKS_BEFORE_KILL: usize = 60;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_kill_9_on_sqlite() {
    acknowledged_writes_survive_kill_9(TestDb::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_kill_9_on_postgres() {
    acknowledged_writes_survive_kill_9(TestDb::postgres().await).await;
}

async fn acknowledged_writes_survive_kill_9(db: TestDb) {
    let desk = Desk::create(&db.store).await;
    // The bot works through its token.
    let (_, token) = db
        .staff_with_token("wire-bot@example.org", Role::Editor)
        .await;
    let url = db.url.clone();
    let data = db.dir.path().join("data").to_str().unwrap().to_owned();
    let section = desk.news.0;
    let bearer = format!("Bearer {token}");

    let acked = tokio::task::spawn_blocking(move || {
        let mut server =
            RunningBinary::start(BIN, &["--data-dir", &data, "--database-url", &url], &[]);
        let acked: Arc<Mutex<Vec<(i64, String)>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                let (acked, stop, addr, token) = (
                    acked.clone(),
                    stop.clone(),
                    server.addr.clone(),
                    token.clone(),
                );
                std::thread::spawn(move || {
                    let auth = format!("Bearer {token}");
                    for n in 0.. {
                        if stop.load(Ordering::Relaxed) {
                            break;
                        }
                        let title = format!("Crash test story {w}-{n}");
                        let body = serde_json::json!({
                            "title": title, "section": section,
                            "body_md": format!("Paragraph of story {w}-{n}.")
                        })
                        .to_string();
                        let headers = [
                            ("Authorization", auth.as_str()),
                            ("Content-Type", "application/json"),
                        ];
                        match http(&addr, "POST", "/api/v1/articles", &headers, body.as_bytes()) {
                            Ok(r) if r.status == 201 => {
                                let json: serde_json::Value =
                                    serde_json::from_str(&r.body).unwrap();
                                acked
                                    .lock()
                                    .unwrap()
                                    .push((json["id"].as_i64().unwrap(), title));
                            }
                            // A busy database may refuse; only acknowledged writes are promised.
                            Ok(_) => {}
                            // The server is gone: the kill happened.
                            Err(_) => break,
                        }
                    }
                })
            })
            .collect();
        let deadline = Instant::now() + Duration::from_secs(120);
        while acked.lock().unwrap().len() < ACKS_BEFORE_KILL {
            assert!(
                Instant::now() < deadline,
                "too few writes were acknowledged"
            );
            std::thread::yield_now();
        }
        server.kill();
        stop.store(true, Ordering::Relaxed);
        for w in writers {
            w.join().unwrap();
        }
        acked.lock().unwrap().clone()
    })
    .await
    .unwrap();
    assert!(acked.len() >= ACKS_BEFORE_KILL);

    // The restarted server (recovering the SQLite WAL) and the database hold every one.
    let url = db.url.clone();
    let data = db.dir.path().join("data").to_str().unwrap().to_owned();
    let server = tokio::task::spawn_blocking(move || {
        RunningBinary::start(BIN, &["--data-dir", &data, "--database-url", &url], &[])
    })
    .await
    .unwrap();
    for (id, title) in &acked {
        let stored = db.store.desk_article(ArticleId(*id)).await.unwrap();
        assert_eq!(&stored.fields.title, title);
        assert!(stored.fields.body_md.starts_with("Paragraph of story"));
    }
    let (last_id, last_title) = acked[acked.len() - 1].clone();
    let (health, api) = tokio::task::spawn_blocking(move || {
        let health = server.get("/healthz").0;
        let api = server
            .request(
                "GET",
                &format!("/api/v1/articles/{last_id}"),
                &[("Authorization", &bearer)],
                b"",
            )
            .unwrap();
        server.stop();
        (health, api)
    })
    .await
    .unwrap();
    assert_eq!(health, 200);
    assert_eq!(api.status, 200, "{}", api.body);
    assert!(api.body.contains(&last_title), "{}", api.body);
}
