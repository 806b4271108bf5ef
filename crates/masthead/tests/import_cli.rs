//! `masthead import wordpress` through the real binary (issue 13), on SQLite and on
//! PostgreSQL: a run killed with SIGKILL half-way refuses to start over without
//! `--resume`, resumes with it, and ends with every story once and each with all its
//! comments; a third run creates nothing. A dry run writes nothing, and broken files
//! (cut off, a DOCTYPE with an entity bomb, another CMS's export, no file) are refused with
//! a message naming the fix and nothing written.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../masthead_wordpress/tests/import_common/mod.rs"]
mod import_common;

use import_common::{C, P, export};
use masthead_core::CommentStatus;
use masthead_testkit::{TestDb, run_command};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_masthead");

/// Posts in the export the run is killed in.
const POSTS: u64 = 4000;

fn archive() -> String {
    let items: Vec<P> = (1..=POSTS)
        .map(|n| P {
            comments: vec![
                C::new(n * 10, 0, &format!("Comment on {n}")),
                C::new(n * 10 + 1, n * 10, "A reply"),
            ],
            ..P::post(
                n,
                &format!("Archive story {n}"),
                &format!("<p>Body of story {n}.</p>\n\n<p>More.</p>"),
            )
        })
        .collect();
    export(&items)
}

fn args<'a>(db: &'a TestDb, data: &'a str, file: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut all = vec![
        "import",
        "wordpress",
        file,
        "--no-fetch",
        "--database-url",
        db.url.as_str(),
        "--data-dir",
        data,
    ];
    all.extend_from_slice(extra);
    all
}

async fn killed_half_way_resumes_and_every_story_has_its_comments(db: TestDb) {
    let dir = db.dir.path().to_owned();
    let file = dir.join("export.xml");
    std::fs::write(&file, archive()).unwrap();
    let (file, data) = (
        file.to_str().unwrap().to_owned(),
        dir.join("data").to_str().unwrap().to_owned(),
    );

    let mut child = Command::new(BIN)
        .args(args(&db, &data, &file, &[]))
        .env_remove("MASTHEAD_DATABASE_URL")
        .env_remove("MASTHEAD_DATA_DIR")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while db.store.count_articles().await.unwrap() < 400 {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the import wrote nothing"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import ended before it was killed"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let part = db.store.count_articles().await.unwrap();
    assert!(
        part < POSTS as i64,
        "killed before the end ({part} stories)"
    );
    let shown = db
        .store
        .moderation_queue(CommentStatus::Approved, 100_000)
        .await
        .unwrap();
    assert_eq!(
        shown.len() as i64,
        part * 2,
        "each story written has both its comments, never fewer"
    );

    let run = |extra: &'static [&'static str]| {
        let (db_url, data, file, dir) = (db.url.clone(), data.clone(), file.clone(), dir.clone());
        tokio::task::spawn_blocking(move || {
            let mut all = vec![
                "import",
                "wordpress",
                file.as_str(),
                "--no-fetch",
                "--database-url",
                db_url.as_str(),
                "--data-dir",
                data.as_str(),
            ];
            all.extend_from_slice(extra);
            run_command(BIN, &all, &dir, None)
        })
    };
    let refused = run(&[]).await.unwrap();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(
        stderr.contains("did not finish") && stderr.contains("--resume"),
        "{stderr}"
    );
    assert_eq!(
        db.store.count_articles().await.unwrap(),
        part,
        "the refusal wrote nothing"
    );

    let resumed = run(&["--resume"]).await.unwrap();
    let report = String::from_utf8_lossy(&resumed.stdout);
    assert!(
        resumed.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    assert!(report.contains(&format!("{part} stories")), "{report}");
    assert_eq!(db.store.count_articles().await.unwrap(), POSTS as i64);
    let shown = db
        .store
        .moderation_queue(CommentStatus::Approved, 100_000)
        .await
        .unwrap();
    assert_eq!(shown.len() as u64, POSTS * 2, "every comment once");

    let again = run(&[]).await.unwrap();
    let report = String::from_utf8_lossy(&again.stdout);
    assert!(again.status.success(), "{report}");
    assert!(
        !report.contains("created: ") || report.contains("created: 0"),
        "{report}"
    );
    assert!(report.contains(&format!("{POSTS} stories")), "{report}");
    assert_eq!(db.store.count_articles().await.unwrap(), POSTS as i64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_half_way_resumes_on_sqlite() {
    killed_half_way_resumes_and_every_story_has_its_comments(TestDb::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_half_way_resumes_on_postgres() {
    killed_half_way_resumes_and_every_story_has_its_comments(TestDb::postgres().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_runs_and_broken_files_write_nothing_and_say_what_to_do() {
    let db = TestDb::sqlite().await;
    let dir = db.dir.path().to_owned();
    let data = dir.join("data").to_str().unwrap().to_owned();
    let good = export(&[
        P::post(1, "One story", "<p>Text.</p>"),
        P::post(2, "Two", "<p>More.</p>"),
    ]);
    let bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>\n<rss><channel><title>&lol2;</title></channel></rss>";
    let cases: Vec<(&str, String, Vec<&str>, bool, &str)> = vec![
        (
            "dry.xml",
            good.clone(),
            vec!["--dry-run"],
            true,
            "would be created: 2 bylines",
        ),
        (
            "cut.xml",
            good[..good.len() - 400].to_owned(),
            vec![],
            false,
            "cut off",
        ),
        ("bomb.xml", bomb.to_owned(), vec![], false, "DOCTYPE"),
        (
            "ghost.json",
            "{\"db\":[{\"data\":{\"posts\":[]}}]}".to_owned(),
            vec![],
            false,
            "Tools → Export",
        ),
    ];
    for (name, text, extra, ok, says) in cases {
        let file = dir.join(name);
        std::fs::write(&file, text).unwrap();
        let file = file.to_str().unwrap().to_owned();
        let all: Vec<String> = args(&db, &data, &file, &extra)
            .into_iter()
            .map(str::to_owned)
            .collect();
        let dir2 = dir.clone();
        let out = tokio::task::spawn_blocking(move || {
            let refs: Vec<&str> = all.iter().map(String::as_str).collect();
            run_command(BIN, &refs, &dir2, None)
        })
        .await
        .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.status.success(), ok, "{name}: {text}");
        assert!(text.contains(says), "{name} should say {says:?}: {text}");
        assert_eq!(
            db.store.count_articles().await.unwrap(),
            0,
            "{name} wrote stories"
        );
        assert!(
            db.store.sections().await.unwrap().is_empty(),
            "{name} wrote sections"
        );
    }
    let missing = tokio::task::spawn_blocking(move || {
        run_command(
            BIN,
            &[
                "import",
                "wordpress",
                "/nonexistent/export.xml",
                "--data-dir",
                &data,
            ],
            &dir,
            None,
        )
    })
    .await
    .unwrap();
    assert!(!missing.status.success());
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("could not open /nonexistent/export.xml")
    );
}
