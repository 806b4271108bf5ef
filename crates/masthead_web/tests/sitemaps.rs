//! Sitemaps, the sitemap index, the Google News sitemap and robots.txt, on both databases
//! through the real router, validated by `xmllint --schema` (Debian's libxml2-utils) against
//! sitemaps.org's sitemap.xsd (npm `sitemap@9.0.1`, installed by scripts/test.sh, which sets
//! `MASTHEAD_TEST_SITEMAP_XSD`) and, for the index and the News extension, the schemas in
//! `masthead_testkit/consumers/` (see their headers for what they are and why they are ours).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::Duration;
use masthead_core::{ArticleId, ArticleStatus, EventStatus, NoteKind, Slug};
use masthead_desk::Command;
use masthead_store::{NewEvent, Note, SitemapKind};
use masthead_testkit::{
    ArticleBuilder, Desk, SitemapSchemas, TestApp, app_tests, change_story, t0,
};
use std::collections::BTreeSet;

const BASE: &str = "https://news.example.org";

struct Newsroom {
    levy: ArticleId,
}

async fn newsroom(app: &TestApp) -> Newsroom {
    let s = app.store();
    let desk = Desk::create(s).await;
    s.insert_section(&Slug::parse("empty").unwrap(), "Empty", "Nothing yet.")
        .await
        .unwrap();
    s.insert_author(&Slug::parse("new-hire").unwrap(), "New Hire", "", None)
        .await
        .unwrap();
    let levy = ArticleBuilder::new("Village board approves levy", desk.news)
        .author(desk.reporter)
        .tag("Village Board")
        .published(t0() - Duration::hours(2))
        .updated(t0() - Duration::minutes(30))
        .note(Note {
            kind: NoteKind::Correction,
            text: "An earlier version misstated the vote.".into(),
            at: t0() - Duration::minutes(30),
        })
        .insert(s)
        .await;
    ArticleBuilder::new("Fish & chips night returns", desk.sports)
        .author(desk.editor)
        .tag("Food")
        .published(t0() - Duration::hours(5))
        .insert(s)
        .await;
    ArticleBuilder::new("Last week's storm", desk.news)
        .wire("Jo Writer", "Prairie Wire", "", false)
        .published(t0() - Duration::days(3))
        .insert(s)
        .await;
    // Never listed: a draft (with a tag of its own) and a story scheduled for later.
    ArticleBuilder::new("Secret draft", desk.news)
        .author(desk.reporter)
        .tag("Only in drafts")
        .draft()
        .insert(s)
        .await;
    ArticleBuilder::new("Tomorrow's story", desk.news)
        .author(desk.reporter)
        .status(ArticleStatus::Scheduled)
        .published(t0() + Duration::hours(1))
        .insert(s)
        .await;
    // An event on the calendar and one held for moderation (not listed).
    for (title, status) in [
        ("Tree lighting", EventStatus::Approved),
        ("Held event", EventStatus::Pending),
    ] {
        s.insert_event(
            &NewEvent {
                title: title.into(),
                starts_at: t0() + Duration::days(2),
                ends_at: None,
                all_day: false,
                timezone: "America/Chicago".into(),
                location: String::new(),
                description: String::new(),
                link: String::new(),
                status,
            },
            t0(),
        )
        .await
        .unwrap();
    }
    app.refresh().await;
    Newsroom { levy }
}

/// The text of every `<tag>` in `xml`, in order.
fn texts(xml: &str, tag: &str) -> Vec<String> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    xml.split(&open)
        .skip(1)
        .map(|rest| rest.split(&close).next().unwrap().to_owned())
        .collect()
}

/// Every address the sitemaps list, after validating the index and each sitemap.
async fn crawl(app: &TestApp, schemas: &SitemapSchemas) -> (Vec<String>, BTreeSet<String>) {
    let index = app.get("/sitemap.xml").await;
    assert_eq!(index.status, StatusCode::OK);
    assert_eq!(
        index.header("content-type"),
        "application/xml; charset=utf-8"
    );
    schemas.validate("siteindex.xsd", "/sitemap.xml", &index.body);
    let sitemaps = texts(&index.body, "loc");
    let mut urls = BTreeSet::new();
    for sitemap in &sitemaps {
        let path = sitemap.strip_prefix(BASE).expect("under the base URL");
        let r = app.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert_eq!(r.header("content-type"), "application/xml; charset=utf-8");
        schemas.validate("sitemap.xsd", path, &r.body);
        for url in texts(&r.body, "loc") {
            assert!(urls.insert(url.clone()), "{url} listed twice");
        }
    }
    (sitemaps, urls)
}

async fn sitemaps_validate_and_list_only_visible_pages(app: TestApp) {
    newsroom(&app).await;
    let schemas = SitemapSchemas::new();
    let (sitemaps, urls) = crawl(&app, &schemas).await;
    let names: Vec<&str> = sitemaps.iter().map(|s| &s[BASE.len()..]).collect();
    assert_eq!(
        names,
        [
            "/sitemaps/pages.xml",
            "/sitemaps/sections.xml",
            "/sitemaps/stories-1.xml",
            "/sitemaps/authors-1.xml",
            "/sitemaps/tags-1.xml",
            "/sitemaps/events-1.xml",
        ]
    );
    let expected: BTreeSet<String> = [
        "/",
        "/latest",
        "/events",
        "/events/past",
        "/events/tree-lighting",
        "/section/news",
        "/section/sports",
        "/stories/village-board-approves-levy",
        "/stories/fish-and-chips-night-returns",
        "/stories/last-weeks-storm",
        "/author/ana-reyes",
        "/author/bo-lindqvist",
        "/tag/village-board",
        "/tag/food",
    ]
    .iter()
    .map(|p| format!("{BASE}{p}"))
    .collect();
    assert_eq!(urls, expected, "visible pages only, each once");
    for url in &urls {
        let r = app.get(&url[BASE.len()..]).await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "{url} is listed but does not answer"
        );
    }
    // lastmod: a story's update, else its publication; an author's newest visible story.
    let stories = app.get("/sitemaps/stories-1.xml").await.body;
    assert!(stories.contains(
        "<url><loc>https://news.example.org/stories/village-board-approves-levy</loc><lastmod>2026-11-27T17:30:00Z</lastmod></url>"
    ), "{stories}");
    assert!(stories.contains(
        "<loc>https://news.example.org/stories/last-weeks-storm</loc><lastmod>2026-11-24T18:00:00Z</lastmod>"
    ));
    let authors = app.get("/sitemaps/authors-1.xml").await.body;
    assert!(authors.contains(
        "<loc>https://news.example.org/author/ana-reyes</loc><lastmod>2026-11-27T16:00:00Z</lastmod>"
    ), "{authors}");

    let news = app.get("/news-sitemap.xml").await;
    assert_eq!(news.status, StatusCode::OK);
    schemas.validate("news-sitemap.xsd", "/news-sitemap.xml", &news.body);
    assert_eq!(
        texts(&news.body, "loc"),
        [
            format!("{BASE}/stories/village-board-approves-levy"),
            format!("{BASE}/stories/fish-and-chips-night-returns"),
        ],
        "the last 48 hours, newest first"
    );
    assert_eq!(texts(&news.body, "news:name"), ["The Test Town Times"; 2]);
    assert_eq!(texts(&news.body, "news:language"), ["en"; 2]);
    assert_eq!(
        texts(&news.body, "news:title"),
        [
            "Village board approves levy",
            "Fish &amp; chips night returns"
        ]
    );
    assert_eq!(
        texts(&news.body, "news:publication_date"),
        ["2026-11-27T16:00:00Z", "2026-11-27T13:00:00Z"]
    );
    // Two days on, nothing is new: the news sitemap is empty (but well formed).
    app.clock.advance(Duration::hours(49));
    app.refresh().await;
    let later = app.get("/news-sitemap.xml").await.body;
    assert!(texts(&later, "loc").is_empty(), "{later}");
    assert!(later.ends_with("</urlset>"));
}

async fn an_unpublished_story_leaves_the_sitemaps_at_once(app: TestApp) {
    let n = newsroom(&app).await;
    let schemas = SitemapSchemas::new();
    let story = format!("{BASE}/stories/village-board-approves-levy");
    let (_, before) = crawl(&app, &schemas).await;
    assert!(before.contains(&story));
    assert!(app.get("/news-sitemap.xml").await.body.contains(&story));
    change_story(app.store(), n.levy, Command::Unpublish, t0(), |_| {}).await;
    app.refresh().await;
    let (_, after) = crawl(&app, &schemas).await;
    assert!(!after.contains(&story));
    // Its tag had no other story; its author still has none visible: both leave too.
    assert!(!after.contains(&format!("{BASE}/tag/village-board")));
    assert!(!after.contains(&format!("{BASE}/author/ana-reyes")));
    assert!(!app.get("/news-sitemap.xml").await.body.contains(&story));
}

async fn sitemap_addresses_refuse_junk_and_trust_no_header(app: TestApp) {
    newsroom(&app).await;
    let paths = [
        "/sitemap.xml",
        "/news-sitemap.xml",
        "/robots.txt",
        "/sitemaps/pages.xml",
        "/sitemaps/sections.xml",
        "/sitemaps/stories-1.xml",
        "/sitemaps/authors-1.xml",
        "/sitemaps/tags-1.xml",
    ];
    for path in paths {
        let plain = app.get(path).await;
        assert_eq!(plain.status, StatusCode::OK, "{path}");
        for junk in [
            "?page=2",
            "?x=%ff%fe",
            "?=&&=",
            "?before=1.1&after=%3Cscript%3E",
        ] {
            let r = app.get(&format!("{path}{junk}")).await;
            assert_eq!(r.status, StatusCode::OK, "{path}{junk}");
            assert_eq!(r.body, plain.body, "{path}{junk}");
        }
        let r = app
            .request(
                Request::get(path)
                    .header("host", "evil.example")
                    .header("x-forwarded-host", "evil.example")
                    .header("forwarded", "host=evil.example;proto=http")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(r.body, plain.body, "{path}: no header changes an address");
        assert!(!r.body.contains("evil"));
    }
    for bad in [
        "/sitemaps/stories-0.xml",
        "/sitemaps/stories-01.xml",
        "/sitemaps/stories-2.xml",
        "/sitemaps/stories-99999999999.xml",
        "/sitemaps/stories-99999999999999999999.xml",
        "/sitemaps/stories--1.xml",
        "/sitemaps/stories-1.xml.gz",
        "/sitemaps/stories-x.xml",
        "/sitemaps/events-2.xml",
        "/sitemaps/..%2Fsitemap.xml",
        "/sitemaps/%2e%2e",
        "/sitemaps/",
    ] {
        let r = app.get(bad).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{bad}");
    }
    assert_eq!(
        app.get("/sitemaps/%ff.xml").await.status,
        StatusCode::BAD_REQUEST
    );
}

async fn robots_names_both_sitemaps(app: TestApp) {
    let r = app.get("/robots.txt").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), "text/plain; charset=utf-8");
    assert_eq!(
        r.body,
        "User-agent: *\nDisallow: /admin\nDisallow: /api/\n\n\
         Sitemap: https://news.example.org/sitemap.xml\n\
         Sitemap: https://news.example.org/news-sitemap.xml\n"
    );
}

/// Ranges hold at most `chunk` ids and are read `batch` rows at a time by keyset, with the
/// visibility rule; the web layer uses 50,000 and 1,000.
async fn ranges_split_by_id_and_read_in_batches(app: TestApp) {
    let s = app.store();
    let desk = Desk::create(s).await;
    for i in 0..8 {
        let b = ArticleBuilder::new(&format!("Story {i}"), desk.news).author(desk.reporter);
        let b = if i == 4 { b.draft() } else { b };
        b.insert(s).await;
    }
    let now = t0();
    assert_eq!(
        s.sitemap_chunks(SitemapKind::Stories, now, 3)
            .await
            .unwrap(),
        [1, 2, 3]
    );
    assert_eq!(
        s.sitemap_chunks(SitemapKind::Stories, now, 100)
            .await
            .unwrap(),
        [1]
    );
    assert_eq!(
        s.sitemap_chunks(SitemapKind::Authors, now, 1)
            .await
            .unwrap(),
        [1]
    );
    // Range 2 of 3 is ids 4..=6, of which 5 is the draft.
    let ids = |rows: Vec<masthead_store::SitemapRow>| rows.iter().map(|r| r.id).collect::<Vec<_>>();
    let first = s
        .sitemap_batch(SitemapKind::Stories, now, 3, 6, 1)
        .await
        .unwrap();
    assert_eq!(ids(first), [4]);
    let next = s
        .sitemap_batch(SitemapKind::Stories, now, 4, 6, 1)
        .await
        .unwrap();
    assert_eq!(ids(next), [6], "the draft is skipped");
    assert!(
        s.sitemap_batch(SitemapKind::Stories, now, 6, 6, 1)
            .await
            .unwrap()
            .is_empty()
    );
    let all = s
        .sitemap_batch(SitemapKind::Stories, now, 0, 100, 1000)
        .await
        .unwrap();
    assert_eq!(ids(all), [1, 2, 3, 4, 6, 7, 8]);
    // Before anything was published, nothing.
    let early = t0() - Duration::days(30);
    assert!(
        s.sitemap_chunks(SitemapKind::Stories, early, 3)
            .await
            .unwrap()
            .is_empty()
    );
}

app_tests!(
    sitemaps_validate_and_list_only_visible_pages,
    an_unpublished_story_leaves_the_sitemaps_at_once,
    sitemap_addresses_refuse_junk_and_trust_no_header,
    robots_names_both_sitemaps,
    ranges_split_by_id_and_read_in_batches,
);
