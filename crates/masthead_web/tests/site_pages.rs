//! The public site through the real router, each story on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::StatusCode;
use chrono::{Duration, NaiveDate};
use masthead_core::{
    ArticleKind, ArticleStatus, CommentStatus, Decision, EventStatus, NoteKind, Outcome,
    RoundupItem, Slug,
};
use masthead_desk::Command;
use masthead_store::{Meeting, NewEvent, NewMedia, Note};
use masthead_testkit::{ArticleBuilder, Desk, TestApp, app_tests, change_story, insert_image, t0};

app_tests!(
    home_shows_lead_latest_sections_and_events,
    article_page_shows_every_part_of_each_kind,
    wire_copy_is_credited_and_canonical_to_the_original,
    scheduled_stories_appear_at_their_time_through_the_cache,
    edits_invalidate_cached_pages,
    old_slugs_redirect_permanently,
    lists_paginate_with_links_and_404_past_the_end,
    bad_input_gets_friendly_4xx_pages,
    user_text_is_escaped_everywhere,
    events_page_and_widget_have_real_empty_states,
    media_is_served_with_exact_type_and_names_are_checked,
    health_and_headers,
    events_leave_the_widget_when_they_end,
    a_closed_database_gives_a_friendly_503,
);

fn event(title: &str, in_hours: i64) -> NewEvent {
    NewEvent {
        title: title.into(),
        starts_at: t0() + Duration::hours(in_hours),
        ends_at: Some(t0() + Duration::hours(in_hours + 2)),
        all_day: false,
        timezone: "America/Chicago".into(),
        location: "Village Green".into(),
        description: "Bring a chair.".into(),
        link: String::new(),
        status: EventStatus::Approved,
    }
}

async fn home_shows_lead_latest_sections_and_events(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    ArticleBuilder::new("Older story", desk.sports)
        .published(t0() - Duration::hours(5))
        .insert(app.store())
        .await;
    ArticleBuilder::new("Lead story", desk.news)
        .author(desk.reporter)
        .summary("What happened.")
        .insert(app.store())
        .await;
    app.store()
        .insert_event(&event("Tree lighting", 30), t0())
        .await
        .unwrap();
    app.refresh().await;
    let r = app.get("/").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header("content-type").starts_with("text/html"));
    let lead = r.body.find("Lead story").expect("lead shown");
    let latest = r.body.find("Latest News Stories").expect("latest heading");
    assert!(lead < latest && r.body[latest..].contains("Older story"));
    assert!(
        r.body
            .contains(r#"<a href="/author/ana-reyes" rel="author">Ana Reyes</a>"#)
    );
    assert!(r.body.contains("Article Summary:</span> What happened."));
    assert!(
        r.body
            .contains(r#"<h2 id="block-sports"><a href="/section/sports">Sports</a></h2>"#),
        "section blocks"
    );
    assert!(
        r.body.contains("Tree lighting") && r.body.contains("Saturday, Nov. 28, 6 p.m."),
        "events widget"
    );
    assert!(
        r.body.contains(r#"<main id="main""#) && r.body.contains("<h1"),
        "landmarks and a heading"
    );
}

async fn article_page_shows_every_part_of_each_kind(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let image = insert_image(
        app.store(),
        "lead.jpg",
        "The village hall at dusk",
        (800, 450),
    )
    .await;
    let id = ArticleBuilder::new("Board votes on levy", desk.news)
        .author(desk.reporter)
        .author(desk.editor)
        .summary("The board voted.")
        .body("The board **met**.\n\n| Fund | Amount |\n|---|---|\n| Roads | $10 |")
        .image(image, "Trustees on Tuesday.")
        .tag("Village Board")
        .updated(t0() - Duration::minutes(30))
        .note(Note {
            kind: NoteKind::Correction,
            text: "The vote was 5-2, not 6-1.".into(),
            at: t0(),
        })
        .meeting(Meeting {
            body: "Test Town Village Board".into(),
            date: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
            decisions: vec![
                Decision {
                    motion: "Approve the levy".into(),
                    vote: "5-2".into(),
                    outcome: Outcome::Passed,
                },
                Decision {
                    motion: "Delay the plow".into(),
                    vote: "n/a".into(),
                    outcome: Outcome::Tabled,
                },
            ],
        })
        .insert(app.store())
        .await;
    app.store()
        .insert_comment(
            id,
            "Pat Q.",
            "pat@example.com",
            "Thanks!",
            CommentStatus::Approved,
            t0(),
        )
        .await
        .unwrap();
    app.store()
        .insert_comment(
            id,
            "Hidden",
            "h@example.com",
            "Pending one",
            CommentStatus::Pending,
            t0(),
        )
        .await
        .unwrap();
    ArticleBuilder::new("Op-Ed: Fix the sidewalks", desk.news)
        .kind(ArticleKind::Opinion)
        .author(desk.editor)
        .insert(app.store())
        .await;
    ArticleBuilder::new("WATCH: Parade highlights", desk.news)
        .video("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ")
        .insert(app.store())
        .await;
    ArticleBuilder::new("Quick hits", desk.news)
        .items(vec![RoundupItem {
            headline: "Leaf pickup starts".into(),
            body_html: String::new(),
            body_md: "On Monday.".into(),
        }])
        .insert(app.store())
        .await;
    app.refresh().await;

    let r = app.get("/stories/board-votes-on-levy").await;
    assert_eq!(r.status, StatusCode::OK);
    let b = &r.body;
    assert!(b.contains("<h1>Board votes on levy</h1>"));
    assert!(b.contains("<strong>Article Summary:</strong> The board voted."));
    assert!(b.contains(r#"By <a href="/author/ana-reyes" rel="author">Ana Reyes</a> and <a href="/author/bo-lindqvist" rel="author">Bo Lindqvist</a>"#));
    assert!(
        b.contains(r#"<time datetime="2026-11-27T17:00:00Z">Nov. 27, 2026, 11 a.m.</time>"#),
        "published time"
    );
    assert!(
        b.contains("updated <time datetime=\"2026-11-27T17:30:00Z\">"),
        "updated time"
    );
    assert!(
        b.contains(r#"alt="The village hall at dusk""#)
            && b.contains("Trustees on Tuesday.")
            && b.contains("Courier photo")
    );
    assert!(
        b.contains("<strong>met</strong>") && b.contains("<table>"),
        "body rendered"
    );
    assert!(
        b.contains("<td>Approve the levy</td><td>5-2</td>") && b.contains("Tabled"),
        "decisions table"
    );
    assert!(b.contains("Nov. 24, 2026"), "meeting date");
    assert!(b.contains("The vote was 5-2, not 6-1."), "correction note");
    assert!(b.contains(r#"<a href="/tag/village-board" rel="tag">Village Board</a>"#));
    assert!(b.contains("Thanks!") && !b.contains("Pending one") && !b.contains("pat@example.com"));
    assert!(b.contains("Leave a Comment") && b.contains("Write a comment"));
    assert!(
        b.contains("Events") && b.contains("No events"),
        "events widget empty state"
    );
    assert!(b.contains("latest-widget"), "latest stories list");
    assert!(b.contains(
        r#"<link rel="canonical" href="https://news.example.org/stories/board-votes-on-levy">"#
    ));

    let op = app.get("/stories/op-ed-fix-the-sidewalks").await;
    assert!(
        op.body
            .contains(r#"<span class="label label-opinion">Opinion</span>"#)
    );
    let video = app.get("/stories/watch-parade-highlights").await;
    assert!(video.body.contains(r#"<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" title="Video: WATCH: Parade highlights""#));
    let roundup = app.get("/stories/quick-hits").await;
    assert!(
        roundup.body.contains("<h2>Leaf pickup starts</h2>")
            && roundup.body.contains("<p>On Monday.</p>")
    );
}

async fn wire_copy_is_credited_and_canonical_to_the_original(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    ArticleBuilder::new("State budget passes", desk.news)
        .wire(
            "Jo Writer",
            "Prairie Wire",
            "https://wire.example.org/budget",
            true,
        )
        .insert(app.store())
        .await;
    ArticleBuilder::new("Storm coming", desk.news)
        .wire(
            "Al Roe",
            "Heartland Wire",
            "https://heartland.example.net/storm",
            false,
        )
        .insert(app.store())
        .await;
    app.refresh().await;
    let r = app.get("/stories/state-budget-passes").await;
    assert!(
        r.body
            .contains(r#"By Jo Writer | <span class="source">Prairie Wire</span>"#),
        "By Name | Wire"
    );
    assert!(
        r.body
            .contains(r#"<link rel="canonical" href="https://wire.example.org/budget">"#)
    );
    assert!(
        r.body
            .contains(r#"<a href="https://wire.example.org/budget">Read the original</a>"#)
    );
    let r = app.get("/stories/storm-coming").await;
    assert!(r.body.contains(
        r#"<link rel="canonical" href="https://news.example.org/stories/storm-coming">"#
    ));
    assert!(r.body.contains("first published by Heartland Wire"));
    let home = app.get("/").await;
    assert!(
        home.body
            .contains("By Al Roe | <span class=\"source\">Heartland Wire</span>")
    );
}

async fn scheduled_stories_appear_at_their_time_through_the_cache(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    ArticleBuilder::new("Already out", desk.news)
        .insert(app.store())
        .await;
    ArticleBuilder::new("Embargoed report", desk.news)
        .status(ArticleStatus::Scheduled)
        .published(t0() + Duration::minutes(10))
        .tag("budget")
        .insert(app.store())
        .await;
    app.refresh().await;
    for path in ["/", "/latest", "/section/news", "/tag/budget"] {
        let r = app.get(path).await;
        assert!(
            !r.body.contains("Embargoed report"),
            "{path} shows a story before its time"
        );
    }
    assert_eq!(
        app.get("/stories/embargoed-report").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/").await.header("x-cache"),
        "hit",
        "the front page is cached"
    );

    app.clock.advance(Duration::minutes(10));
    // No refresh: the due time alone must move the cache on.
    let home = app.get("/").await;
    assert_eq!(home.header("x-cache"), "miss");
    assert!(
        home.body.contains("Embargoed report"),
        "the front page shows it at its time"
    );
    assert_eq!(
        app.get("/stories/embargoed-report").await.status,
        StatusCode::OK
    );
    assert!(
        app.get("/tag/budget")
            .await
            .body
            .contains("Embargoed report")
    );
}

async fn edits_invalidate_cached_pages(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let id = ArticleBuilder::new("First headline", desk.news)
        .insert(app.store())
        .await;
    app.refresh().await;
    assert_eq!(
        app.get("/stories/first-headline").await.header("x-cache"),
        "miss"
    );
    let cached = app.get("/stories/first-headline").await;
    assert_eq!(cached.header("x-cache"), "hit");
    assert!(cached.header("content-length").parse::<usize>().unwrap() == cached.body.len());

    change_story(app.store(), id, Command::Save, t0(), |f| {
        f.title = "Fixed headline".into();
        f.body_md = "New body text.".into();
    })
    .await;
    app.refresh().await;
    let r = app.get("/stories/first-headline").await;
    assert_eq!(r.header("x-cache"), "miss");
    assert!(r.body.contains("Fixed headline") && r.body.contains("New body text."));
    assert!(app.get("/").await.body.contains("Fixed headline"));
}

async fn old_slugs_redirect_permanently(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let id = ArticleBuilder::new("Typo in hedline", desk.news)
        .insert(app.store())
        .await;
    change_story(app.store(), id, Command::Save, t0(), |f| {
        f.slug = Slug::parse("typo-in-headline").unwrap();
    })
    .await;
    app.refresh().await;
    for _ in 0..2 {
        let r = app.get("/stories/typo-in-hedline").await;
        assert_eq!(r.status, StatusCode::MOVED_PERMANENTLY);
        assert_eq!(r.header("location"), "/stories/typo-in-headline");
    }
    assert_eq!(
        app.get("/stories/typo-in-headline").await.status,
        StatusCode::OK
    );
}

async fn lists_paginate_with_links_and_404_past_the_end(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    for i in 0..23 {
        ArticleBuilder::new(&format!("Game {i:02}"), desk.sports)
            .author(desk.reporter)
            .tag("Hawks")
            .published(t0() - Duration::hours(50 - i))
            .insert(app.store())
            .await;
    }
    app.refresh().await;
    for base in [
        "/section/sports",
        "/author/ana-reyes",
        "/tag/hawks",
        "/latest",
    ] {
        let first = app.get(base).await;
        assert_eq!(first.status, StatusCode::OK, "{base}");
        assert!(
            first
                .body
                .contains(&format!(r#"<a href="{base}?page=2" rel="next">"#)),
            "{base} links to older"
        );
        assert!(!first.body.contains(r#"rel="prev""#));
        let second = app.get(&format!("{base}?page=2")).await;
        assert!(
            second
                .body
                .contains(&format!(r#"<a href="{base}" rel="prev">"#)),
            "{base} page 2 links to newer"
        );
        let third = app.get(&format!("{base}?page=3")).await;
        assert_eq!(third.status, StatusCode::OK);
        assert!(third.body.matches("class=\"teaser").count() >= 3, "{base}");
        assert!(!third.body.contains(r#"rel="next""#));
        let past = app.get(&format!("{base}?page=4")).await;
        assert_eq!(past.status, StatusCode::NOT_FOUND, "{base} past the end");
        assert!(past.body.contains("Page not found"));
    }
    let section = app.get("/section/sports").await;
    assert!(
        section.body.contains("<h1>Sports</h1>") && section.body.contains("Scores and stories.")
    );
    let author = app.get("/author/ana-reyes").await;
    assert!(
        author.body.contains("<h1>Ana Reyes</h1>")
            && author.body.contains("Covers village government.")
    );
    assert!(
        app.get("/tag/hawks")
            .await
            .body
            .contains("Stories tagged “Hawks”")
    );
    for missing in [
        "/section/nope",
        "/author/nobody",
        "/tag/none",
        "/stories/never-written",
    ] {
        assert_eq!(
            app.get(missing).await.status,
            StatusCode::NOT_FOUND,
            "{missing}"
        );
    }
}

async fn bad_input_gets_friendly_4xx_pages(app: TestApp) {
    Desk::create(app.store()).await;
    app.refresh().await;
    let cases = [
        ("/no/such/page", StatusCode::NOT_FOUND),
        ("/latest?page=abc", StatusCode::BAD_REQUEST),
        ("/latest?page=0", StatusCode::BAD_REQUEST),
        ("/latest?page=-3", StatusCode::BAD_REQUEST),
        ("/latest?page=99999999999999999999", StatusCode::BAD_REQUEST),
        ("/latest?page=%FF", StatusCode::BAD_REQUEST),
        ("/stories/%FF%FE", StatusCode::BAD_REQUEST),
        ("/section/%C3%28", StatusCode::BAD_REQUEST),
        ("/stories/UPPER-case", StatusCode::NOT_FOUND),
        ("/stories/..%2F..%2Fetc%2Fpasswd", StatusCode::NOT_FOUND),
        ("/media/..%2Fmasthead.db", StatusCode::NOT_FOUND),
        ("/events?page=1e3", StatusCode::BAD_REQUEST),
    ];
    for (uri, status) in cases {
        let r = app.get(uri).await;
        assert_eq!(r.status, status, "{uri}");
        assert!(
            r.header("content-type").starts_with("text/html"),
            "{uri} gets an HTML page"
        );
        assert!(
            r.body.contains("Go to the front page"),
            "{uri} gets the friendly page"
        );
        assert_eq!(r.header("cache-control"), "private, no-store", "{uri}");
    }
    let long = format!("/stories/{}", "a".repeat(3000));
    let r = app.get(&long).await;
    assert_eq!(r.status, StatusCode::URI_TOO_LONG);
    assert!(r.body.contains("too long"));
    let bad_page = app.get("/latest?page=abc").await;
    assert!(
        bad_page.body.contains("whole number"),
        "the message says what is allowed"
    );
}

async fn user_text_is_escaped_everywhere(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let evil = r#"<script>alert("x")</script> & <img src=x onerror=alert(1)>"#;
    let id = ArticleBuilder::new(evil, desk.news)
        .slug("evil")
        .summary(evil)
        .body("<script>alert(2)</script>\n\n[click](javascript:alert(3))")
        .tag("<b>tag</b>")
        .insert(app.store())
        .await;
    app.store()
        .insert_comment(
            id,
            evil,
            "e@example.com",
            evil,
            CommentStatus::Approved,
            t0(),
        )
        .await
        .unwrap();
    app.store()
        .insert_event(
            &NewEvent {
                title: evil.into(),
                ..event("x", 5)
            },
            t0(),
        )
        .await
        .unwrap();
    app.refresh().await;
    for path in ["/", "/stories/evil", "/events", "/section/news", "/latest"] {
        let r = app.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        // The article's own structured data is the one script element a page may carry.
        let lower = r
            .body
            .to_lowercase()
            .replacen(r#"<script type="application/ld+json">"#, "", 1);
        assert!(
            !lower.contains("<script")
                && !lower.contains("<img src=x")
                && !lower.contains("javascript:"),
            "{path}"
        );
        assert!(
            r.body.contains("&lt;script&gt;"),
            "{path} shows the text escaped"
        );
    }
}

async fn events_page_and_widget_have_real_empty_states(app: TestApp) {
    Desk::create(app.store()).await;
    app.refresh().await;
    let r = app.get("/events").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("No upcoming events") && r.body.contains("No events"));
    app.store()
        .insert_event(&event("Past", -48), t0())
        .await
        .unwrap();
    app.store()
        .insert_event(
            &NewEvent {
                status: EventStatus::Pending,
                ..event("Unmoderated", 5)
            },
            t0(),
        )
        .await
        .unwrap();
    app.store()
        .insert_event(
            &NewEvent {
                link: "https://example.org/fair".into(),
                ..event("County fair", 72)
            },
            t0(),
        )
        .await
        .unwrap();
    app.refresh().await;
    let r = app.get("/events").await;
    assert!(
        r.body
            .contains(r#"<a href="/events/county-fair">County fair</a>"#)
    );
    assert!(r.body.contains(
        "Monday, Nov. 30, noon</time> to <time datetime=\"2026-11-30T20:00:00Z\">2 p.m."
    ));
    assert!(!r.body.contains(">Past</a>") && !r.body.contains("Unmoderated"));
    assert_eq!(
        app.get("/events?page=2").await.status,
        StatusCode::NOT_FOUND
    );
}

async fn media_is_served_with_exact_type_and_names_are_checked(app: TestApp) {
    let png: &[u8] = b"\x89PNG\r\n\x1a\nnot really";
    std::fs::write(app.state.config().media_dir.join("a1b2.png"), png).unwrap();
    let media = NewMedia {
        storage_name: "a1b2.png".into(),
        original_name: "photo.png".into(),
        content_type: "image/png".into(),
        width: 1,
        height: 1,
        byte_size: png.len() as i64,
        alt: "x".into(),
        credit: String::new(),
        uploaded_by: None,
        variants: Vec::new(),
    };
    app.store().insert_media(&media, t0()).await.unwrap();
    let r = app.get("/media/a1b2.png").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), "image/png");
    assert_eq!(r.header("x-content-type-options"), "nosniff");
    std::fs::write(app.state.config().media_dir.join("unknown.png"), png).unwrap();
    assert_eq!(
        app.get("/media/unknown.png").await.status,
        StatusCode::NOT_FOUND,
        "files not in the library are not served"
    );
    assert_eq!(
        app.get("/media/.hidden").await.status,
        StatusCode::NOT_FOUND
    );
}

async fn health_and_headers(app: TestApp) {
    // HEAD answers like GET without a body, and must not leave an empty page in the cache.
    let head = app
        .request(
            axum::http::Request::head("/latest")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!((head.status, head.body.as_str()), (StatusCode::OK, ""));
    let get = app.get("/latest").await;
    assert_eq!(get.header("x-cache"), "hit");
    assert!(get.body.contains("Latest News Stories"));
    let r = app.get("/healthz").await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "ok\n"));
    let r = app.get("/").await;
    assert_eq!(r.header("x-content-type-options"), "nosniff");
    assert!(
        r.header("content-security-policy")
            .contains("script-src 'none'")
    );
    assert!(
        r.header("content-security-policy")
            .contains("frame-ancestors 'self'")
    );
    assert_eq!(
        r.header("referrer-policy"),
        "strict-origin-when-cross-origin"
    );
    // The test site's address is https, so browsers are told to keep to it.
    assert_eq!(r.header("strict-transport-security"), "max-age=31536000");
    assert_eq!(r.header("cache-control"), "public, max-age=60");
    let css_href = r
        .body
        .split("href=\"/static/site.css?v=")
        .nth(1)
        .expect("stylesheet link");
    assert!(css_href.len() > 16);
    let css = app.get("/static/site.css").await;
    assert_eq!(css.header("content-type"), "text/css; charset=utf-8");
    // The base URL comes from configuration, never from the request.
    let spoofed = app
        .request(
            axum::http::Request::get("/latest")
                .header("host", "evil.example.com")
                .header("x-forwarded-host", "evil.example.com")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert!(!spoofed.body.contains("evil.example.com"));
    assert!(spoofed.body.contains("https://news.example.org/latest"));
}

/// With the cache off, every request renders: the page must be the same as with it on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_are_identical_with_the_cache_off() {
    let on = TestApp::with_cache(masthead_testkit::TestDb::sqlite().await, true).await;
    let off = TestApp::with_cache(masthead_testkit::TestDb::sqlite().await, false).await;
    for app in [&on, &off] {
        let desk = Desk::create(app.store()).await;
        ArticleBuilder::new("Same story", desk.news)
            .author(desk.reporter)
            .insert(app.store())
            .await;
        app.refresh().await;
    }
    for path in ["/", "/stories/same-story", "/section/news"] {
        let (a, b) = (on.get(path).await, off.get(path).await);
        assert_eq!(a.body, b.body, "{path}");
        assert_eq!(
            b.header("x-cache"),
            "",
            "{path}: a disabled cache neither hits nor misses"
        );
    }
}

/// Two app servers on one PostgreSQL database: a write through one shows on the other within
/// a second, through the other's own background poller (no explicit refresh).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_servers_sharing_postgres_invalidate_each_other_within_a_second() {
    let first = TestApp::new(masthead_testkit::TestDb::postgres().await).await;
    let desk = Desk::create(first.store()).await;
    ArticleBuilder::new("Before", desk.news)
        .insert(first.store())
        .await;
    let url = first.db.url.clone();
    let second_store = masthead_store::Store::connect(&url).await.unwrap();
    let second = TestApp::new(masthead_testkit::TestDb {
        store: second_store.clone(),
        url,
        dir: tempfile::tempdir().unwrap(),
    })
    .await;
    let poller = tokio::spawn(second.state.clone().poll());
    assert!(second.get("/").await.body.contains("Before"));
    assert_eq!(second.get("/").await.header("x-cache"), "hit");

    ArticleBuilder::new("Written on the first server", desk.news)
        .insert(first.store())
        .await;
    let started = std::time::Instant::now();
    let mut ticks = tokio::time::interval(std::time::Duration::from_millis(50));
    loop {
        ticks.tick().await;
        if second
            .get("/")
            .await
            .body
            .contains("Written on the first server")
        {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(1),
            "the second server still shows the old front page"
        );
    }
    poller.abort();
}

async fn events_leave_the_widget_when_they_end(app: TestApp) {
    Desk::create(app.store()).await;
    app.store()
        .insert_event(
            &NewEvent {
                ends_at: Some(t0() + Duration::minutes(10)),
                ..event("Ending soon", -1)
            },
            t0(),
        )
        .await
        .unwrap();
    app.refresh().await;
    assert!(app.get("/").await.body.contains("Ending soon"));
    assert_eq!(app.get("/").await.header("x-cache"), "hit");
    app.clock
        .advance(Duration::minutes(10) + Duration::seconds(1));
    // No refresh: the event's end alone moves the cache on.
    let home = app.get("/").await;
    assert!(
        !home.body.contains("Ending soon"),
        "an event that has ended is not upcoming"
    );
    assert!(home.body.contains("No events"));
}

async fn a_closed_database_gives_a_friendly_503(app: TestApp) {
    app.store().close().await;
    for path in ["/stories/anything", "/healthz"] {
        let r = app.get(path).await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert_eq!(r.header("retry-after"), "30");
        assert!(
            r.body.contains("trouble reaching its database"),
            "{path}: {}",
            r.body
        );
        assert!(
            !r.body.contains("PoolClosed") && !r.body.contains("pool"),
            "no internals shown"
        );
    }
}

/// Rendered teasers are kept per content generation: with the page cache off, an edited
/// headline must still show on the next list page after the change is seen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kept_teasers_follow_edits_with_the_page_cache_off() {
    let app = TestApp::with_cache(masthead_testkit::TestDb::sqlite().await, false).await;
    let desk = Desk::create(app.store()).await;
    let id = ArticleBuilder::new("Old teaser headline", desk.news)
        .insert(app.store())
        .await;
    app.refresh().await;
    for path in ["/", "/latest", "/section/news"] {
        assert!(
            app.get(path).await.body.contains("Old teaser headline"),
            "{path}"
        );
    }
    change_story(app.store(), id, Command::Save, t0(), |f| {
        f.title = "New teaser headline".into();
        f.body_md = "Body.".into();
    })
    .await;
    app.refresh().await;
    for path in ["/", "/latest", "/section/news"] {
        let body = app.get(path).await.body;
        assert!(
            body.contains("New teaser headline") && !body.contains("Old teaser headline"),
            "{path}"
        );
    }
}
