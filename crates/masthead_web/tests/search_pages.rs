//! Search through the real router (issue 9, item 4), each story on SQLite and PostgreSQL:
//! the page and its header box, highlights that cannot carry markup, filters and pages,
//! visibility, hostile input, the JSON API, valid HTML, and writers saving while readers
//! search and the upkeep merges the index.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::StatusCode;
use chrono::Duration;
use masthead_core::{ArticleKind, ArticleStatus};
use masthead_desk::Command;
use masthead_testkit::{
    ArticleBuilder, Desk, TestApp, TestDb, app_tests, assert_valid_html, change_story, insert_all,
    t0,
};
use serde_json::Value;

app_tests!(
    results_are_ranked_marked_and_escaped,
    every_page_has_a_search_box_that_needs_no_script,
    no_results_page_helps,
    filters_and_pages_keep_the_search,
    readers_find_only_what_they_may_see_and_at_once,
    bad_input_is_a_search_or_a_clear_400,
    api_search_answers_json_without_a_token,
    writers_saving_while_readers_search,
);

/// Three stories about a levy, one with markup in its text.
async fn levy_stories(app: &TestApp) -> Desk {
    let desk = Desk::create(app.store()).await;
    let filler = "Residents filled the hall and the meeting ran late. ".repeat(12);
    insert_all(
        app.store(),
        vec![
            ArticleBuilder::new(
                "Board weighs the <em>levy</em> & <script>alert(1)</script>",
                desk.news,
            )
            .body(&format!(
                "{filler}Trustees said the levies <b>must</b> pass. {filler}"
            ))
            .published(t0() - Duration::days(3))
            .build(),
            ArticleBuilder::new("Spring fair plans", desk.news)
                .body("Vendors asked about the levy.")
                .published(t0() - Duration::days(1))
                .build(),
            ArticleBuilder::new("Levy vote set for March", desk.sports)
                .kind(ArticleKind::Opinion)
                .body("A vote on the levy comes in March.")
                .published(t0() - Duration::days(2))
                .build(),
        ],
    )
    .await;
    app.refresh().await;
    desk
}

async fn results_are_ranked_marked_and_escaped(app: TestApp) {
    levy_stories(&app).await;
    let r = app.get("/search?q=levies").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.header("cache-control"), "no-cache");
    assert!(
        r.body.contains("3 stories match <strong>levies</strong>"),
        "{}",
        r.body
    );
    let first = r.body.find("Board weighs").unwrap();
    let second = r
        .body
        .find("Vote set for March")
        .or(r.body.find("vote set for March"));
    let third = r.body.find("Spring fair plans").unwrap();
    assert!(
        first < third && second.unwrap() < third,
        "headline matches first"
    );
    // Stored text is text: escaped piece by piece, only our own <mark> is markup.
    assert!(
        r.body.contains(
            "Board weighs the &lt;em&gt;<mark>levy</mark>&lt;/em&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt;"
        ),
        "{}",
        r.body
    );
    assert!(!r.body.contains("<script>alert") && !r.body.contains("<b>must"));
    assert!(
        r.body.contains("<mark>levies</mark>"),
        "body snippet marked: {}",
        r.body
    );
    assert!(
        r.body.contains("<mark>Levy</mark> vote set for March"),
        "{}",
        r.body
    );
}

async fn every_page_has_a_search_box_that_needs_no_script(app: TestApp) {
    levy_stories(&app).await;
    for path in [
        "/",
        "/latest",
        "/section/news",
        "/stories/spring-fair-plans",
        "/no/such",
    ] {
        let r = app.get(path).await;
        assert!(
            r.body.contains(
                r#"<form class="site-search" action="/search" method="get" role="search""#
            ) && r
                .body
                .contains(r#"<input id="site-search-q" type="search" name="q""#)
                && r.body.contains(r#"<label for="site-search-q">"#),
            "{path}: {}",
            r.body
        );
    }
    let blank = app.get("/search").await;
    assert_eq!(blank.status, StatusCode::OK);
    assert!(blank.body.contains("<h1>Search</h1>") && !blank.body.contains("stories match"));
}

async fn no_results_page_helps(app: TestApp) {
    let desk = levy_stories(&app).await;
    let r = app.get("/search?q=zeppelin").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body
            .contains("No stories match <strong>zeppelin</strong>."),
        "{}",
        r.body
    );
    assert!(r.body.contains("check the spelling") && r.body.contains(r#"href="/latest""#));
    assert!(r.body.contains(r#"<a href="/section/news">Local News</a>"#));
    let _ = desk;
    let filtered = app.get("/search?q=zeppelin&section=sports").await;
    assert!(
        filtered.body.contains("with these filters")
            && filtered
                .body
                .contains(r#"href="/search?q=zeppelin">search all sections"#),
        "{}",
        filtered.body
    );
}

async fn filters_and_pages_keep_the_search(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let stories = (0..23)
        .map(|i| {
            ArticleBuilder::new(
                &format!("Harvest report {i:02}"),
                if i % 2 == 0 { desk.news } else { desk.sports },
            )
            .published(t0() - Duration::days(i + 1))
            .build()
        })
        .collect();
    insert_all(app.store(), stories).await;
    app.refresh().await;
    let one = app.get("/search?q=harvest").await;
    assert!(one.body.contains("23 stories match") && one.body.contains("Showing 1–10"));
    assert!(
        one.body
            .contains(r#"<a href="/search?q=harvest&amp;page=2" rel="next">"#),
        "{}",
        one.body
    );
    let three = app.get("/search?q=harvest&page=3").await;
    assert!(
        three.body.contains("Showing 21–23")
            && three
                .body
                .contains(r#"<ol class="search-results" start="21">"#)
    );
    assert!(
        three
            .body
            .contains(r#"href="/search?q=harvest&amp;page=2" rel="prev""#)
    );
    assert!(!three.body.contains(r#"rel="next""#));
    assert_eq!(
        app.get("/search?q=harvest&page=4").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/search?q=harvest&page=51").await.status,
        StatusCode::BAD_REQUEST
    );

    // The form comes back as sent, and links keep the filters.
    let sports = app
        .get("/search?q=harvest&section=sports&kind=&from=&to=")
        .await;
    assert!(sports.body.contains("11 stories match"), "{}", sports.body);
    assert!(
        sports
            .body
            .contains(r#"<option value="sports" selected>Sports</option>"#)
    );
    assert!(
        sports
            .body
            .contains(r#"href="/search?q=harvest&amp;section=sports&amp;page=2""#)
    );
    // Dates are days in the site's time zone, both ends included.
    let day = |d: i64| {
        (t0() - Duration::days(d))
            .with_timezone(&chrono_tz::America::Chicago)
            .date_naive()
    };
    let range = app
        .get(&format!("/search?q=harvest&from={}&to={}", day(5), day(3)))
        .await;
    assert!(range.body.contains("3 stories match"), "{}", range.body);
    assert!(
        range
            .body
            .contains(&format!(r#"name="from" value="{}""#, day(5)))
    );
    let opinion = app.get("/search?q=harvest&kind=opinion").await;
    assert!(
        opinion.body.contains("No stories match"),
        "{}",
        opinion.body
    );
    assert!(
        opinion
            .body
            .contains(r#"<option value="opinion" selected>Opinion</option>"#)
    );
}

async fn readers_find_only_what_they_may_see_and_at_once(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let story = |title: &str| ArticleBuilder::new(title, desk.news).body("About the gazebo.");
    let live = story("Gazebo repainted").insert(app.store()).await;
    story("Gazebo draft").draft().insert(app.store()).await;
    story("Gazebo in review")
        .status(ArticleStatus::Review)
        .insert(app.store())
        .await;
    story("Gazebo tomorrow")
        .status(ArticleStatus::Scheduled)
        .published(t0() + Duration::hours(20))
        .insert(app.store())
        .await;
    app.refresh().await;
    let found = |body: &str, title: &str| body.contains(title);
    let r = app.get("/search?q=gazebo").await;
    assert!(r.body.contains("1 story matches"), "{}", r.body);
    for hidden in ["Gazebo draft", "Gazebo in review", "Gazebo tomorrow"] {
        assert!(!found(&r.body, hidden), "{hidden}");
    }
    let api: Value = serde_json::from_str(&app.get("/api/v1/search?q=gazebo").await.body).unwrap();
    assert_eq!(api["total"], 1);

    // Taken down: gone from the very next search, with no cache or poll in between.
    change_story(app.store(), live, Command::Unpublish, t0(), |_| {}).await;
    let r = app.get("/search?q=gazebo").await;
    assert!(r.body.contains("No stories match"), "{}", r.body);
    let api: Value = serde_json::from_str(&app.get("/api/v1/search?q=gazebo").await.body).unwrap();
    assert_eq!(api["total"], 0);
    // The scheduled one appears when its time comes.
    app.clock.advance(Duration::hours(21));
    let r = app.get("/search?q=gazebo").await;
    assert!(
        r.body.contains("1 story matches") && r.body.contains("Gazebo tomorrow"),
        "{}",
        r.body
    );
}

/// Hostile and malformed searches: each is run as plain words or refused with a message
/// (400, or 414 past the site's 2 KiB address limit); never a 5xx.
async fn bad_input_is_a_search_or_a_clear_400(app: TestApp) {
    levy_stories(&app).await;
    let long = "levy%20".repeat(1500);
    let cases: Vec<(String, u16, &str)> = vec![
        ("q=%22".into(), 400, "Type one or more words"),
        ("q=".into(), 400, "Type one or more words"),
        ("q=%00%01".into(), 400, "Type one or more words"),
        ("q=%FF%FE".into(), 400, "UTF-8"),
        ("q=%E2%82".into(), 400, "UTF-8"),
        ("q=levy&section=%C0".into(), 400, "UTF-8"),
        (
            "q=%zz%20levy".into(),
            200,
            "No stories match <strong>zz levy</strong>",
        ),
        ("q=levy%22".into(), 200, "3 stories match"),
        ("q=%22levy".into(), 200, "3 stories match"),
        ("q=levy+AND+vote".into(), 200, "1 story matches"),
        ("q=levy+OR+zebra".into(), 200, "No stories match"),
        ("q=NOT+levy".into(), 200, "3 stories match"),
        (
            "q=NEAR(levy+vote)".into(),
            200,
            "No stories match <strong>near levy vote</strong>",
        ),
        ("q=-levy".into(), 200, "3 stories match"),
        ("q=levy*".into(), 200, "3 stories match"),
        ("q=%5Elevy".into(), 200, "3 stories match"),
        ("q=title:levy".into(), 200, "No stories match"),
        ("q=%7Btitle%7D:levy".into(), 200, "No stories match"),
        ("q=(((levy".into(), 200, "3 stories match"),
        ("q=levy)))".into(), 200, "3 stories match"),
        (
            "q=levy%27;+DROP+TABLE+articles;--".into(),
            200,
            "No stories match",
        ),
        (
            "q=%27+OR+%27x%27%3D%27x".into(),
            200,
            "No stories match <strong>x</strong>",
        ),
        ("q=levy+%26+vote+%7C+fair".into(), 200, "No stories match"),
        ("q=levy+%3C-%3E+vote".into(), 200, "1 story matches"),
        ("q=levy:*".into(), 200, "3 stories match"),
        (
            "q=%3Cb%3Elevy%3C/b%3E".into(),
            200,
            "No stories match <strong>b levy</strong>",
        ),
        ("q=the+of+and".into(), 400, "more specific word"),
        (format!("q={}", "a".repeat(201)), 400, "200 characters"),
        (format!("q={}", "levy+".repeat(13)), 400, "12 words"),
        (format!("q={long}"), 414, ""),
        ("q=levy&page=0".into(), 400, "from 1 to 50"),
        ("q=levy&page=abc".into(), 400, "from 1 to 50"),
        (
            "q=levy&page=99999999999999999999".into(),
            400,
            "from 1 to 50",
        ),
        ("q=levy&section=nope".into(), 400, "There is no section"),
        ("q=levy&kind=bogus".into(), 400, "news, opinion"),
        ("q=levy&from=2026-13-01".into(), 400, "YYYY-MM-DD"),
        ("q=levy&from=2026-03-02&to=2026-03-01".into(), 400, "swap"),
    ];
    for (query, status, text) in &cases {
        let r = app.get(&format!("/search?{query}")).await;
        assert_eq!(r.status.as_u16(), *status, "{query}: {}", r.body);
        assert!(
            r.body.contains(text),
            "{query} should say {text:?}: {}",
            r.body
        );
        if *status == 400 {
            assert!(
                r.body.contains(r#"role="alert""#) && r.body.contains(r#"name="q""#),
                "{query}: the form again"
            );
        }
        let api = app.get(&format!("/api/v1/search?{query}")).await;
        assert!(api.status.as_u16() < 500, "api {query}: {}", api.body);
        let expect = if *status == 200 { 200 } else { *status };
        assert_eq!(api.status.as_u16(), expect, "api {query}: {}", api.body);
        if expect != 200 {
            let error: Value = serde_json::from_str(&api.body).unwrap();
            assert_eq!(error["error"]["status"], expect, "{query}");
        }
    }
}

async fn api_search_answers_json_without_a_token(app: TestApp) {
    levy_stories(&app).await;
    let r = app.get("/api/v1/search?q=levy&kind=opinion").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.header("content-type"), "application/json");
    assert_eq!(r.header("cache-control"), "private, no-store");
    let body: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(body["query"], "levy");
    assert_eq!(
        (body["total"].as_u64(), body["capped"].as_bool()),
        (Some(1), Some(false))
    );
    assert_eq!(
        (body["page"].as_u64(), body["per_page"].as_u64()),
        (Some(1), Some(10))
    );
    assert_eq!(body["has_more"], false);
    let hit = &body["results"][0];
    assert_eq!(hit["title"], "Levy vote set for March");
    assert_eq!(
        hit["url"],
        "https://news.example.org/stories/levy-vote-set-for-march"
    );
    assert_eq!(hit["kind"], "opinion");
    assert_eq!(hit["section"]["slug"], "sports");
    assert_eq!(
        hit["title_highlighted"][0],
        serde_json::json!({"text": "Levy", "mark": true})
    );
    assert!(
        hit["snippet"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["mark"] == true)
    );
    // The API refuses an empty filter (leave it out), where the site's form sends them all.
    let empty = app.get("/api/v1/search?q=levy&section=").await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert!(empty.body.contains("leave it out"), "{}", empty.body);
    let missing = app.get("/api/v1/search").await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    let past = app.get("/api/v1/search?q=levy&page=2").await;
    let past: Value = serde_json::from_str(&past.body).unwrap();
    assert_eq!(
        (
            past["results"].as_array().unwrap().len(),
            past["has_more"].as_bool()
        ),
        (0, Some(false))
    );
}

/// Many writers save stories while readers search: no request fails, and afterwards the
/// index holds exactly each story's last saved text.
async fn writers_saving_while_readers_search(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let stories = (0..8)
        .map(|i| {
            ArticleBuilder::new(&format!("Ferry schedule {i}"), desk.news)
                .body(&format!("Version zero of story s{i}x."))
                .build()
        })
        .collect();
    let ids = insert_all(app.store(), stories).await;
    app.refresh().await;
    // The account the writers save as exists before they race.
    masthead_testkit::fixture_editor(app.store()).await;
    let app = std::sync::Arc::new(app);
    let mut tasks = tokio::task::JoinSet::new();
    for (n, id) in ids.iter().copied().enumerate() {
        let store = app.store().clone();
        tasks.spawn(async move {
            for round in 1..=6 {
                change_story(&store, id, Command::Save, t0(), |f| {
                    f.body_md = format!("Version r{round}v of story s{n}x.");
                })
                .await;
            }
        });
    }
    for _ in 0..4 {
        let app = app.clone();
        tasks.spawn(async move {
            for i in 0..25 {
                let path = if i % 2 == 0 {
                    "/search?q=ferry"
                } else {
                    "/api/v1/search?q=ferry+schedule"
                };
                let r = app.get(path).await;
                assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
                assert!(
                    r.body.contains("8 stories match") || r.body.contains("\"total\":8"),
                    "{path}: {}",
                    r.body
                );
            }
        });
    }
    // The upkeep merging the search index meanwhile, in short rounds.
    let merger = app.clone();
    tasks.spawn(async move {
        for _ in 0..20 {
            let round = std::time::Duration::from_millis(20);
            masthead_web::housekeeping::merge_search_index(&merger.state, round).await;
            tokio::task::yield_now().await;
        }
    });
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    let store = app.store();
    assert!(store.search_index_is_consistent().await.unwrap());
    let round = std::time::Duration::from_secs(60);
    assert!(masthead_web::housekeeping::merge_search_index(&app.state, round).await);
    let segments = store.search_index_segments().await.unwrap();
    match store.backend() {
        masthead_store::Backend::Sqlite => assert!((1..=3).contains(&segments), "{segments}"),
        masthead_store::Backend::Postgres => assert_eq!(segments, 0),
    }
    for n in 0..8 {
        let r: Value =
            serde_json::from_str(&app.get(&format!("/api/v1/search?q=s{n}x")).await.body).unwrap();
        assert_eq!(r["total"], 1, "story {n}");
        let snippet: String = r["results"][0]["snippet"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["text"].as_str().unwrap())
            .collect();
        assert!(
            snippet.contains("Version r6v"),
            "story {n} indexed at its last save: {snippet}"
        );
    }
    let old: Value = serde_json::from_str(&app.get("/api/v1/search?q=zero").await.body).unwrap();
    assert_eq!(old["total"], 0, "no story keeps an old text");
}

/// The search page in each of its states passes the Nu HTML Checker, on both backends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_pages_are_valid_html() {
    let mut pages = Vec::new();
    for app in [
        TestApp::new(TestDb::sqlite().await).await,
        TestApp::new(TestDb::postgres().await).await,
    ] {
        levy_stories(&app).await;
        for (name, path) in [
            ("blank", "/search"),
            ("results", "/search?q=levy&section=&kind=&from=&to="),
            (
                "filtered",
                "/search?q=levy&section=sports&kind=opinion&from=2026-01-01&to=2026-12-31",
            ),
            ("none", "/search?q=zeppelin&section=news"),
            ("refused", "/search?q=the"),
            ("bad_utf8", "/search?q=%FF"),
        ] {
            let r = app.get(path).await;
            pages.push((format!("{:?}_{name}", app.store().backend()), r.body));
        }
    }
    let refs: Vec<(&str, String)> = pages.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    assert_valid_html(&refs);
}
