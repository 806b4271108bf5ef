//! The real binary, started on port 0 over real HTTP: the demo on both databases, restarts,
//! graceful shutdown, and the errors an operator sees.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use masthead_core::Clock;
use masthead_testkit::{RunningBinary, TestDb};
use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_masthead");

/// Starts the real binary (`serve --addr 127.0.0.1:0 ARGS…`) and waits until it listens.
fn start(args: &[&str], envs: &[(&str, &str)]) -> RunningBinary {
    RunningBinary::start(BIN, args, envs)
}

fn run_fails(args: &[&str], envs: &[(&str, &str)], cwd: &Path) -> String {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .current_dir(cwd)
        .env_remove("MASTHEAD_DATABASE_URL")
        .env_remove("MASTHEAD_DATA_DIR");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run masthead");
    assert!(!out.status.success(), "{args:?} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn check_demo_site(server: &RunningBinary) {
    let (status, home) = server.get("/");
    assert_eq!(status, 200);
    assert!(home.contains("The Cedar Hollow Courier") && home.contains("Latest News Stories"));
    let slug = home
        .split("href=\"/stories/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a story link");
    let (status, story) = server.get(&format!("/stories/{slug}"));
    assert_eq!(status, 200, "{slug}");
    assert!(story.contains("Leave a Comment"));
    assert_eq!(
        server.get("/stories/preview-monday-budget-hearing").0,
        404,
        "the scheduled demo story is hidden"
    );
    assert_eq!(
        server.get("/stories/fire-department-seeks-volunteers").0,
        404,
        "the draft is hidden"
    );
    // The newsroom's pages, in the footer by menu order.
    let about = home.find("<a href=\"/about\">About the Courier</a>");
    let contact = home.find("<a href=\"/contact\">Contact us</a>");
    assert!(
        matches!((about, contact), (Some(a), Some(c)) if a < c),
        "the footer lists the demo's pages"
    );
    let (status, events) = server.get("/events");
    assert_eq!(status, 200);
    assert!(
        events.matches("class=\"event\"").count() >= 5,
        "the demo's upcoming events"
    );
    let image = home
        .split("src=\"/media/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("an image");
    assert_eq!(server.get(&format!("/media/{image}")).0, 200);
    // Demo images come with resized copies, offered in srcset and served.
    let resized = home
        .split("srcset=\"/media/")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .expect("an image with srcset");
    assert!(resized.ends_with("w.jpg"), "{resized}");
    assert_eq!(server.get(&format!("/media/{resized}")).0, 200);
    assert_eq!(server.get("/healthz"), (200, "ok\n".to_owned()));
}

/// Every page of the demo (each story of every kind, every list) passes the HTML checker;
/// returns their paths.
fn validate_every_demo_page(server: &RunningBinary) -> Vec<String> {
    let mut paths: Vec<String> = vec![
        "/".into(),
        "/events".into(),
        "/no-such-page".into(),
        // The newsroom's own pages: two in the footer, one under "About".
        "/about".into(),
        "/about/ethics".into(),
        "/contact".into(),
    ];
    for page in 1..=3 {
        let (_, list) = server.get(&format!("/latest?page={page}"));
        paths.push(format!("/latest?page={page}"));
        for link in list
            .split("href=\"")
            .skip(1)
            .filter_map(|s| s.split('"').next())
        {
            let wanted = ["/stories/", "/section/", "/author/", "/tag/"]
                .iter()
                .any(|p| link.starts_with(p));
            if wanted && !paths.iter().any(|p| p == link) {
                paths.push(link.to_owned());
            }
        }
    }
    assert!(paths.len() > 50, "found {} pages", paths.len());
    let pages: Vec<(String, String)> = paths
        .iter()
        .enumerate()
        .map(|(i, path)| {
            let (status, body) = server.get(path);
            let expected = if path == "/no-such-page" { 404 } else { 200 };
            assert_eq!(status, expected, "{path}");
            (format!("page{i:03}"), body)
        })
        .collect();
    let named: Vec<(&str, String)> = pages.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    masthead_testkit::assert_valid_html(&named);
    paths
}

/// Every feed of the demo (the site's, and every section's, author's and tag's its pages
/// link, in each format) is read by feedparser or validates against the JSON Feed schema, and
/// every sitemap validates against its XSD, over real HTTP.
fn check_demo_feeds_and_sitemaps(server: &RunningBinary, pages: &[String]) {
    let mut scopes = vec![String::new()];
    scopes.extend(
        pages
            .iter()
            .filter(|p| {
                ["/section/", "/author/", "/tag/"]
                    .iter()
                    .any(|k| p.starts_with(k))
            })
            .filter(|p| !p.contains('?'))
            .cloned(),
    );
    let mut feeds = std::collections::BTreeMap::new();
    for (i, scope) in scopes.iter().enumerate() {
        for format in ["feed.xml", "atom.xml", "feed.json"] {
            let (status, body) = server.get(&format!("{scope}/{format}"));
            assert_eq!(status, 200, "{scope}/{format}");
            let ext = if format.ends_with(".json") {
                "json"
            } else {
                "xml"
            };
            feeds.insert(format!("{i:03}-{}.{ext}", &format[..4]), body);
        }
    }
    for (name, feed) in masthead_testkit::read_feeds(&feeds) {
        assert_eq!(feed["bozo"], 0, "{name}: {}", feed["bozo_exception"]);
        assert_eq!(feed["schema_errors"], serde_json::json!([]), "{name}");
        assert!(!feed["entries"].as_array().unwrap().is_empty(), "{name}");
    }
    let schemas = masthead_testkit::SitemapSchemas::new();
    let (status, index) = server.get("/sitemap.xml");
    assert_eq!(status, 200);
    schemas.validate("siteindex.xsd", "/sitemap.xml", &index);
    let mut listed = 0;
    for loc in index
        .split("<loc>")
        .skip(1)
        .filter_map(|s| s.split("</loc>").next())
    {
        let path = &loc[loc.find("/sitemaps/").expect("a sitemap address")..];
        let (status, sitemap) = server.get(path);
        assert_eq!(status, 200, "{path}");
        schemas.validate("sitemap.xsd", path, &sitemap);
        listed += sitemap.matches("<url>").count();
    }
    assert!(listed > 50, "the demo's sitemaps list {listed} pages");
    let (status, news) = server.get("/news-sitemap.xml");
    assert_eq!(status, 200);
    assert!(
        news.contains("<news:news>"),
        "the demo has stories from the last two days"
    );
    schemas.validate("news-sitemap.xsd", "/news-sitemap.xml", &news);
}

/// The demo served, every page validated, stopped with SIGTERM, and served again after the
/// restart (a second `--demo` run loads nothing), with its data directory in `dir` and its
/// database at `database_url` (else SQLite in the data directory).
fn demo_serves_restarts_and_stops_gracefully(dir: &Path, database_url: Option<&str>) {
    let data = dir.join("data");
    let mut args = vec!["--demo", "--data-dir", data.to_str().unwrap()];
    args.extend(database_url.iter().flat_map(|url| ["--database-url", url]));
    let server = start(&args, &[]);
    check_demo_site(&server);
    let pages = validate_every_demo_page(&server);
    check_demo_feeds_and_sitemaps(&server, &pages);
    let log = server.stop();
    assert!(
        log.contains("loaded the demo newsroom: 48 stories"),
        "{log}"
    );
    assert!(log.contains("shutting down"), "{log}");

    // The README's command works every time: a second --demo run loads nothing and serves.
    let again = start(&args, &[("MASTHEAD_PAGE_CACHE", "off")]);
    check_demo_site(&again);
    let log = again.stop();
    assert!(log.contains("already has content"), "{log}");
    assert!(!log.contains("loaded the demo newsroom"), "{log}");
    // The database is in the data directory only when no other was named.
    assert_eq!(data.join("masthead.db").exists(), database_url.is_none());
}

#[test]
fn demo_on_sqlite_serves_restarts_and_stops_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    demo_serves_restarts_and_stops_gracefully(dir.path(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_on_postgres_serves_restarts_and_stops_gracefully() {
    let db = TestDb::postgres().await;
    let (dir, url) = (db.dir.path().to_owned(), db.url.clone());
    tokio::task::spawn_blocking(move || {
        demo_serves_restarts_and_stops_gracefully(&dir, Some(&url))
    })
    .await
    .unwrap();
}

#[test]
fn operator_errors_say_what_to_fix() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let err = run_fails(
        &[
            "serve",
            "--database-url",
            "postgres://news:s3cret@127.0.0.1:1/news",
        ],
        &[],
        cwd,
    );
    assert!(
        err.contains("news:***@127.0.0.1:1") && !err.contains("s3cret"),
        "{err}"
    );
    assert!(err.contains("Check that the server is running"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");

    let err = run_fails(&["serve", "--database-url", "mysql://x@y/z"], &[], cwd);
    assert!(
        err.contains("sqlite://") && err.contains("postgres://"),
        "{err}"
    );

    std::fs::write(cwd.join("a-file"), "not a directory").unwrap();
    let err = run_fails(&["serve", "--data-dir", "a-file/data"], &[], cwd);
    assert!(
        err.contains("cannot create the data directory") && err.contains("--data-dir"),
        "{err}"
    );

    let err = run_fails(&["serve"], &[("MASTHEAD_PAGE_CACHE", "sometimes")], cwd);
    assert!(
        err.contains("page_cache must be \"on\" or \"off\""),
        "{err}"
    );

    std::fs::write(cwd.join("masthead.toml"), "adress = \"127.0.0.1:9\"\n").unwrap();
    let err = run_fails(&["serve"], &[], cwd);
    assert!(err.contains("adress"), "unknown keys are named: {err}");
    std::fs::write(cwd.join("masthead.toml"), "addr = \"127.0.0.1:notaport\"\n").unwrap();
    let err = run_fails(&["serve", "--data-dir", "d"], &[], cwd);
    assert!(err.contains("cannot listen on 127.0.0.1:notaport"), "{err}");
}

#[test]
fn configuration_layers_file_then_env_then_flags() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("site.toml"),
        "site_name = \"From File\"\ntagline = \"File tagline\"\n",
    )
    .unwrap();
    let data = dir.path().join("data");
    let config = dir.path().join("site.toml");
    let server = start(
        &[
            "--config",
            config.to_str().unwrap(),
            "--data-dir",
            data.to_str().unwrap(),
        ],
        &[("MASTHEAD_TAGLINE", "Env tagline")],
    );
    let (_, home) = server.get("/");
    assert!(
        home.contains("From File")
            && home.contains("Env tagline")
            && !home.contains("File tagline"),
        "{home}"
    );
    server.stop();
    let flagged = start(
        &[
            "--config",
            config.to_str().unwrap(),
            "--data-dir",
            data.to_str().unwrap(),
            "--site-name",
            "From Flag",
        ],
        &[],
    );
    assert!(flagged.get("/").1.contains("From Flag"));
    flagged.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_story_due_while_down_is_published_at_start_on_sqlite() {
    a_story_due_while_down_is_published_at_start(TestDb::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_story_due_while_down_is_published_at_start_on_postgres() {
    a_story_due_while_down_is_published_at_start(TestDb::postgres().await).await;
}

/// A story that came due while no server ran is recorded as published when one starts,
/// exactly once, by the scheduler.
async fn a_story_due_while_down_is_published_at_start(db: TestDb) {
    use masthead_core::ArticleStatus;
    use masthead_testkit::{ArticleBuilder, Desk};
    let desk = Desk::create(&db.store).await;
    let an_hour_ago = masthead_core::SystemClock.now() - chrono::Duration::hours(1);
    let id = ArticleBuilder::new("Council meets tonight", desk.news)
        .status(ArticleStatus::Scheduled)
        .published(an_hour_ago)
        .insert(&db.store)
        .await;
    let url = db.url.clone();
    let data = db.dir.path().join("data");
    let data = data.to_str().unwrap().to_owned();
    let server = tokio::task::spawn_blocking(move || {
        start(&["--data-dir", &data, "--database-url", &url], &[])
    })
    .await
    .unwrap();
    // The catch-up runs before the server says it is listening.
    let stored = db.store.desk_article(id).await.unwrap();
    assert_eq!(stored.status, ArticleStatus::Published);
    let log = db.store.audit_log(10, 0).await.unwrap();
    let promoted: Vec<_> = log
        .iter()
        .filter(|e| e.action == "article.publish")
        .collect();
    assert_eq!(promoted.len(), 1, "{log:?}");
    assert_eq!(promoted[0].actor, "scheduler");
    let (status, body) = tokio::task::spawn_blocking(move || {
        let page = server.get("/stories/council-meets-tonight");
        server.stop();
        page
    })
    .await
    .unwrap();
    assert_eq!(status, 200, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_stories_are_at_the_current_rendering_on_sqlite() {
    generated_stories_are_at_the_current_rendering(TestDb::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_stories_are_at_the_current_rendering_on_postgres() {
    generated_stories_are_at_the_current_rendering(TestDb::postgres().await).await;
}

/// `generate` on a new database records the rendering it wrote its stories with, so the
/// first server does not render them all again (moving every page cache over once per batch
/// of 200); a database that already holds stories keeps its rendering, for upkeep to catch up.
async fn generated_stories_are_at_the_current_rendering(db: TestDb) {
    let before = db.store.render_state().await.unwrap();
    assert!(
        before.version < masthead_render::RENDER_VERSION,
        "{before:?}"
    );
    let data = db.dir.path().join("data");
    let args = [
        "generate",
        "--stories",
        "30",
        "--data-dir",
        data.to_str().unwrap(),
        "--database-url",
        &db.url,
    ];
    let out = Command::new(BIN)
        .args(args)
        .env_remove("MASTHEAD_DATABASE_URL")
        .env_remove("MASTHEAD_DATA_DIR")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = db.store.render_state().await.unwrap();
    assert_eq!(after.version, masthead_render::RENDER_VERSION);
    assert!(db.store.count_articles().await.unwrap() >= 30);
    // Not on a database with stories already: those may be at an older rendering.
    assert!(
        !db.store
            .start_at_rendering(after.version + 1)
            .await
            .unwrap()
    );
    assert_eq!(db.store.render_state().await.unwrap(), after);
}
