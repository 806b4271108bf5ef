//! Feeds (RSS, Atom, JSON Feed for the site and every section, author and tag), on both
//! databases through the real router, read by consumers that are not ours: Python's
//! feedparser reads the RSS and Atom feeds (`bozo == 0`), and the JSON Feeds validate against
//! the published JSON Feed 1.1 schema (npm `jsonfeed-schema`) with formats checked.
//! `scripts/test.sh` installs both, pinned (see `masthead_testkit::read_feeds`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{Duration, NaiveDate};
use masthead_core::{ArticleId, ArticleStatus, Decision, NoteKind, Outcome, RoundupItem};
use masthead_desk::Command;
use masthead_store::{Meeting, NewMedia, Note};
use masthead_testkit::{ArticleBuilder, Desk, TestApp, app_tests, change_story, read_feeds, t0};
use serde_json::Value;
use std::collections::BTreeMap;

const BASE: &str = "https://news.example.org";
const FORMATS: [&str; 3] = ["feed.xml", "atom.xml", "feed.json"];
/// Every feed of the fixture newsroom, by the list page it mirrors.
const SCOPES: [&str; 4] = [
    "",
    "/section/news",
    "/author/ana-reyes",
    "/tag/village-board",
];

/// The fixture's stories, by id.
struct Newsroom {
    levy: ArticleId,
    budget: ArticleId,
    parade: ArticleId,
    sidewalks: ArticleId,
    video: ArticleId,
    roundup: ArticleId,
}

async fn newsroom(app: &TestApp) -> Newsroom {
    let s = app.store();
    let desk = Desk::create(s).await;
    let hall = s
        .insert_media(
            &NewMedia {
                storage_name: "hall.jpg".into(),
                original_name: "hall.jpg".into(),
                content_type: "image/jpeg".into(),
                width: 800,
                height: 450,
                byte_size: 12345,
                alt: "The village hall at dusk".into(),
                credit: "Times photo".into(),
                uploaded_by: None,
                variants: Vec::new(),
            },
            t0(),
        )
        .await
        .unwrap();
    let levy = ArticleBuilder::new("Village board approves levy", desk.news)
        .author(desk.reporter)
        .summary("Trustees approved a 2% levy increase.")
        .body("Trustees voted **5-2** on Tuesday <script>alert(1)</script>.")
        .image(hall, "Trustees at Tuesday's meeting.")
        .tag("Village Board")
        .note(Note {
            kind: NoteKind::Correction,
            text: "An earlier version misstated the vote.".into(),
            at: t0() - Duration::minutes(20),
        })
        .meeting(Meeting {
            body: "Test Town Village Board".into(),
            date: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
            decisions: vec![Decision {
                motion: "Approve a 2% levy increase".into(),
                vote: "5-2".into(),
                outcome: Outcome::Passed,
            }],
        })
        .published(t0() - Duration::hours(2))
        .insert(s)
        .await;
    let budget = ArticleBuilder::new("State budget passes", desk.news)
        .wire(
            "Jo Writer",
            "Prairie Wire",
            "https://wire.example.org/budget",
            true,
        )
        .tag("Village Board")
        .published(t0() - Duration::hours(3))
        .insert(s)
        .await;
    let parade = ArticleBuilder::new("Homecoming parade & fireworks", desk.sports)
        .author(desk.reporter)
        .author(desk.editor)
        .published(t0() - Duration::hours(4))
        .insert(s)
        .await;
    let sidewalks = ArticleBuilder::new("Fix the sidewalks", desk.news)
        .author(desk.editor)
        .published(t0() - Duration::hours(5))
        .insert(s)
        .await;
    // The other kinds, in the sports feed: a video post and a roundup.
    let video = ArticleBuilder::new("WATCH: Homecoming highlights", desk.sports)
        .video("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ")
        .author(desk.editor)
        .published(t0() - Duration::hours(6))
        .insert(s)
        .await;
    let roundup = ArticleBuilder::new("Sports quick hits", desk.sports)
        .items(vec![RoundupItem {
            headline: "Leaf pickup starts".into(),
            body_html: String::new(),
            body_md: "Crews begin *Monday*.".into(),
        }])
        .author(desk.editor)
        .published(t0() - Duration::hours(7))
        .insert(s)
        .await;
    // Never in any feed: a draft and a story scheduled for later.
    ArticleBuilder::new("Secret draft", desk.news)
        .author(desk.reporter)
        .tag("Village Board")
        .draft()
        .insert(s)
        .await;
    ArticleBuilder::new("Tomorrow's story", desk.news)
        .author(desk.reporter)
        .tag("Village Board")
        .status(ArticleStatus::Scheduled)
        .published(t0() + Duration::hours(1))
        .insert(s)
        .await;
    app.refresh().await;
    Newsroom {
        levy,
        budget,
        parade,
        sidewalks,
        video,
        roundup,
    }
}

fn guid(id: ArticleId) -> String {
    format!("tag:news.example.org,2026:story:{}", id.0)
}

/// Every feed of every scope, by file name (`section-news.atom.xml`, …).
async fn fetch_all(app: &TestApp) -> BTreeMap<String, String> {
    let mut feeds = BTreeMap::new();
    for scope in SCOPES {
        for format in FORMATS {
            let path = format!("{scope}/{format}");
            let r = app.get(&path).await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
            let name = if scope.is_empty() {
                "site".into()
            } else {
                scope[1..].replace('/', "-")
            };
            let (stem, ext) = format.split_once('.').unwrap();
            feeds.insert(format!("{name}.{stem}.{ext}"), r.body);
        }
    }
    feeds
}

/// What the consumers read in each feed (`masthead_testkit::read_feeds`).
fn consume(feeds: &BTreeMap<String, String>) -> BTreeMap<String, Value> {
    let read = read_feeds(feeds);
    assert_eq!(read.len(), SCOPES.len() * FORMATS.len());
    read
}

fn ids(feed: &Value) -> Vec<String> {
    feed["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect()
}

fn entry<'a>(feed: &'a Value, id: &str) -> &'a Value {
    feed["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == id)
        .unwrap_or_else(|| panic!("no entry {id} in {feed}"))
}

/// Unix seconds of an entry's date, whichever way the reader gave it.
fn seconds(v: &Value) -> i64 {
    match v {
        Value::Number(n) => n.as_i64().unwrap(),
        Value::String(s) => chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp(),
        other => panic!("no date: {other}"),
    }
}

async fn every_feed_kind_is_read_by_real_consumers(app: TestApp) {
    let n = newsroom(&app).await;
    let read = consume(&fetch_all(&app).await);
    let expected: BTreeMap<&str, Vec<ArticleId>> = BTreeMap::from([
        (
            "site",
            vec![n.levy, n.budget, n.parade, n.sidewalks, n.video, n.roundup],
        ),
        ("section-news", vec![n.levy, n.budget, n.sidewalks]),
        ("author-ana-reyes", vec![n.levy, n.parade]),
        ("tag-village-board", vec![n.levy, n.budget]),
    ]);
    for (name, feed) in &read {
        assert_eq!(feed["bozo"], 0, "{name}: {}", feed["bozo_exception"]);
        assert_eq!(feed["schema_errors"], Value::Array(vec![]), "{name}");
        let version = match name.rsplit_once('.').unwrap().1 {
            "json" => "https://jsonfeed.org/version/1.1",
            _ if name.contains(".atom.") => "atom10",
            _ => "rss20",
        };
        assert_eq!(feed["version"], version, "{name}");
        assert_eq!(feed["language"], "en", "{name}");
        let scope = name.split('.').next().unwrap();
        let want: Vec<String> = expected[scope].iter().map(|id| guid(*id)).collect();
        assert_eq!(
            ids(feed),
            want,
            "{name}: newest first, visible stories only"
        );

        let levy = entry(feed, &guid(n.levy));
        assert_eq!(levy["title"], "Village board approves levy", "{name}");
        assert_eq!(
            levy["link"],
            format!("{BASE}/stories/village-board-approves-levy"),
            "{name}"
        );
        assert_eq!(
            seconds(&levy["published"]),
            (t0() - Duration::hours(2)).timestamp(),
            "{name}"
        );
        assert_eq!(
            seconds(&levy["updated"]),
            (t0() - Duration::minutes(20)).timestamp(),
            "{name}: a corrected story carries its correction's time"
        );
        let content = levy["content"][0].as_str().unwrap();
        assert!(
            content.contains("<strong>5-2</strong>"),
            "{name}: full content: {content}"
        );
        assert!(!content.contains("<script"), "{name}: sanitized content");
        assert!(
            content.contains("An earlier version misstated the vote."),
            "{name}: the correction"
        );
        assert!(
            content.contains("Approve a 2% levy increase"),
            "{name}: the meeting's decisions"
        );
        assert_eq!(levy["authors"][0]["name"], "Ana Reyes", "{name}");
        if !name.ends_with(".feed.xml") {
            // RSS names its writers in one `dc:creator`, as the byline reads.
            assert_eq!(
                levy["authors"][0]["href"],
                format!("{BASE}/author/ana-reyes"),
                "{name}"
            );
        }
        let image = format!("{BASE}/media/hall.jpg");
        if name.ends_with(".json") {
            assert_eq!(levy["image"], image.as_str(), "{name}");
            assert_eq!(levy["attachments"][0]["url"], image.as_str(), "{name}");
            assert_eq!(levy["attachments"][0]["size_in_bytes"], 12345, "{name}");
        } else {
            let enclosure = &levy["enclosures"][0];
            assert_eq!(enclosure["href"], image.as_str(), "{name}");
            assert_eq!(enclosure["type"], "image/jpeg", "{name}");
            assert_eq!(enclosure["length"], "12345", "{name}");
            assert_eq!(
                levy["media"][0]["url"],
                image.as_str(),
                "{name}: media:content"
            );
            assert_eq!(levy["media"][0]["medium"], "image", "{name}");
        }
        if scope == "site" || scope == "tag-village-board" || scope == "section-news" {
            let budget = entry(feed, &guid(n.budget));
            let credit = "Jo Writer | Prairie Wire";
            assert_eq!(
                budget["authors"][0]["name"], credit,
                "{name}: the wire's credit"
            );
            assert_eq!(budget["authors"].as_array().unwrap().len(), 1, "{name}");
            let content = budget["content"][0].as_str().unwrap();
            assert!(
                content.contains(&format!("By {credit}")),
                "{name}: {content}"
            );
            if !name.ends_with(".json") {
                // Atom requires `updated` (we give publication, for a story never changed);
                // feedparser reports publication for an RSS item without one.
                assert_eq!(
                    seconds(&budget["updated"]),
                    seconds(&budget["published"]),
                    "{name}"
                );
            } else {
                assert!(budget["updated"].is_null(), "{name}: never updated");
            }
        }
        if scope == "site" {
            let parade = entry(feed, &guid(n.parade));
            assert_eq!(
                parade["title"], "Homecoming parade & fireworks",
                "{name}: escaped once"
            );
            let (count, first) = if name.ends_with(".feed.xml") {
                (1, "Ana Reyes and Bo Lindqvist")
            } else {
                (2, "Ana Reyes")
            };
            assert_eq!(parade["authors"].as_array().unwrap().len(), count, "{name}");
            assert_eq!(parade["authors"][0]["name"], first, "{name}");
            let video = entry(feed, &guid(n.video))["content"][0].as_str().unwrap();
            assert!(
                video.contains("<a href=\"https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ\">Watch the video</a>"),
                "{name}: {video}"
            );
            let roundup = entry(feed, &guid(n.roundup))["content"][0]
                .as_str()
                .unwrap();
            assert!(
                roundup.contains("<h2>Leaf pickup starts</h2>")
                    && roundup.contains("<em>Monday</em>"),
                "{name}: the roundup's items: {roundup}"
            );
        }
    }
    // The wire story's page prints the same credit.
    let page = app.get("/stories/state-budget-passes").await.body;
    assert!(page.contains("By Jo Writer | <span class=\"source\">Prairie Wire</span>"));
}

async fn guids_survive_a_new_headline_and_slug(app: TestApp) {
    let n = newsroom(&app).await;
    let before = consume(&fetch_all(&app).await);
    change_story(app.store(), n.sidewalks, Command::Save, t0(), |f| {
        f.title = "Fix the sidewalks now".into();
        f.slug = masthead_core::Slug::parse("fix-the-sidewalks-now").unwrap();
    })
    .await;
    app.refresh().await;
    let after = consume(&fetch_all(&app).await);
    for (name, feed) in &after {
        assert_eq!(ids(feed), ids(&before[name]), "{name}");
        if let Some(e) = feed["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == guid(n.sidewalks))
        {
            assert_eq!(e["title"], "Fix the sidewalks now", "{name}");
            assert_eq!(
                e["link"],
                format!("{BASE}/stories/fix-the-sidewalks-now"),
                "{name}"
            );
        }
    }
}

async fn an_unpublished_story_leaves_every_feed_at_once(app: TestApp) {
    let n = newsroom(&app).await;
    // Fill the page cache first: the change must not wait for it.
    let cached = fetch_all(&app).await;
    assert!(cached.values().all(|f| !f.is_empty()));
    change_story(app.store(), n.levy, Command::Unpublish, t0(), |_| {}).await;
    app.refresh().await;
    for (name, body) in fetch_all(&app).await {
        assert!(
            !body.contains(&guid(n.levy)),
            "{name} still lists the story"
        );
        assert!(!body.contains("Village board approves levy"), "{name}");
    }
}

async fn feeds_answer_conditional_requests(app: TestApp) {
    newsroom(&app).await;
    for path in [
        "/feed.xml",
        "/section/news/atom.xml",
        "/tag/village-board/feed.json",
    ] {
        let first = app.get(path).await;
        let etag = first.header("etag").to_owned();
        let modified = first.header("last-modified").to_owned();
        assert!(etag.starts_with('"') && etag.len() > 10, "{path}: {etag:?}");
        assert_eq!(modified, "Fri, 27 Nov 2026 18:00:00 GMT", "{path}");
        let again = app.get(path).await;
        assert_eq!(again.header("x-cache"), "hit", "{path}: cached like pages");
        assert_eq!(
            again.header("content-type"),
            first.header("content-type"),
            "{path}: with its type"
        );
        assert_eq!(again.header("etag"), etag, "{path}");
        assert_eq!(again.body, first.body, "{path}");
        for (name, value) in [
            ("if-none-match", etag.clone()),
            ("if-none-match", format!("\"other\", W/{etag}")),
            ("if-modified-since", modified.clone()),
        ] {
            let r = app
                .request(
                    Request::get(path)
                        .header(name, &value)
                        .body(Body::empty())
                        .unwrap(),
                )
                .await;
            assert_eq!(r.status, StatusCode::NOT_MODIFIED, "{path} {name}: {value}");
            assert!(r.body.is_empty(), "{path}");
            assert_eq!(r.header("etag"), etag, "{path}");
        }
        let stale = app
            .request(
                Request::get(path)
                    .header("if-none-match", "\"stale\"")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(stale.status, StatusCode::OK, "{path}");
        let older = app
            .request(
                Request::get(path)
                    .header("if-modified-since", "Fri, 27 Nov 2026 17:59:59 GMT")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(older.status, StatusCode::OK, "{path}");
    }
    // New content: a new tag and body, so the old tag no longer matches.
    let old = app.get("/feed.xml").await;
    let desk_section = app.store().sections().await.unwrap()[0].id;
    app.clock.advance(Duration::minutes(5));
    ArticleBuilder::new("Late news", desk_section)
        .published(t0() + Duration::minutes(1))
        .insert(app.store())
        .await;
    app.refresh().await;
    let r = app
        .request(
            Request::get("/feed.xml")
                .header("if-none-match", old.header("etag"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Late news"));
    assert_ne!(r.header("etag"), old.header("etag"));
}

async fn feeds_refuse_nothing_and_trust_no_header(app: TestApp) {
    newsroom(&app).await;
    for scope in SCOPES {
        for format in FORMATS {
            let path = format!("{scope}/{format}");
            let plain = app.get(&path).await;
            for junk in [
                "?page=abc",
                "?x=%ff%fe",
                "?before=1.2&after=%3Cscript%3E",
                "?=&&=",
                "?q=%00",
            ] {
                let r = app.get(&format!("{path}{junk}")).await;
                assert_eq!(r.status, StatusCode::OK, "{path}{junk}");
                assert_eq!(
                    r.body, plain.body,
                    "{path}{junk}: the query changes nothing"
                );
            }
            for evil in ["evil.example", "evil.example:443"] {
                let r = app
                    .request(
                        Request::get(&path)
                            .header("host", evil)
                            .header("x-forwarded-host", evil)
                            .header("x-forwarded-proto", "http")
                            .body(Body::empty())
                            .unwrap(),
                    )
                    .await;
                assert_eq!(r.status, StatusCode::OK);
                assert!(!r.body.contains("evil"), "{path}: {evil}");
                assert_eq!(r.body, plain.body, "{path}");
            }
            // Every absolute address is under the configured base URL.
            for url in plain.body.split("http").skip(1) {
                let url = format!("http{}", url);
                let known = url.starts_with(BASE)
                    || url.starts_with("https://wire.example.org/")
                    || url.starts_with("https://www.youtube-nocookie.com/embed/")
                    || url.starts_with("http://search.yahoo.com/mrss/")
                    || url.starts_with("http://www.w3.org/2005/Atom")
                    || url.starts_with("http://purl.org/")
                    || url.starts_with("https://jsonfeed.org/version/1.1");
                assert!(known, "{path}: {}", &url[..url.len().min(60)]);
            }
        }
    }
    for scope in [
        "/section/nope",
        "/author/nobody",
        "/tag/no-such-tag",
        "/section/NOT%20A%20SLUG",
        "/tag/%ff",
    ] {
        for format in FORMATS {
            let r = app.get(&format!("{scope}/{format}")).await;
            assert!(
                matches!(r.status, StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST),
                "{scope}/{format}: {}",
                r.status
            );
        }
        let r = app.get(&format!("{scope}/feed.xml")).await;
        assert_ne!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    }
    assert_eq!(
        app.get("/section/nope/feed.xml").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/author/nobody/atom.xml").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/tag/no-such-tag/feed.json").await.status,
        StatusCode::NOT_FOUND
    );
}

async fn list_pages_link_their_feeds(app: TestApp) {
    newsroom(&app).await;
    for (page, scope) in [
        ("/", ""),
        ("/latest", ""),
        ("/section/news", "/section/news"),
        ("/author/ana-reyes", "/author/ana-reyes"),
        ("/tag/village-board", "/tag/village-board"),
    ] {
        let response = app.get(page).await;
        assert_eq!(response.status, StatusCode::OK, "{page}");
        let html = response.body;
        for (format, media_type) in FORMATS.iter().zip([
            "application/rss+xml",
            "application/atom+xml",
            "application/feed+json",
        ]) {
            let href = format!("{BASE}{scope}/{format}");
            let link = format!("<link rel=\"alternate\" type=\"{media_type}\"");
            let at = html
                .find(&format!("href=\"{href}\""))
                .unwrap_or_else(|| panic!("{page} does not link {href}"));
            assert!(html[..at].rfind(&link).is_some(), "{page}: {link}");
            let feed = app.get(&href[BASE.len()..]).await;
            assert_eq!(feed.status, StatusCode::OK, "{href}");
            assert_eq!(
                feed.header("content-type"),
                format!("{media_type}; charset=utf-8")
            );
        }
    }
}

/// Both databases write byte-identical feeds (the same snapshots).
async fn site_feeds_match_their_snapshots(app: TestApp) {
    newsroom(&app).await;
    for format in FORMATS {
        let body = app.get(&format!("/{format}")).await.body;
        insta::assert_snapshot!(format!("site_{}", format.replace('.', "_")), body);
    }
}

app_tests!(
    every_feed_kind_is_read_by_real_consumers,
    guids_survive_a_new_headline_and_slug,
    an_unpublished_story_leaves_every_feed_at_once,
    feeds_answer_conditional_requests,
    feeds_refuse_nothing_and_trust_no_header,
    list_pages_link_their_feeds,
    site_feeds_match_their_snapshots,
);
