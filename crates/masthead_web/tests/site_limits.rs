//! Issue 7's bounds on what a request can make masthead spend: list pages deep in the archive
//! (on the site and in the API), cache keys, and streamed media; each on SQLite and on
//! PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::Duration;
use masthead_core::Role;
use masthead_store::NewMedia;
use masthead_testkit::{ArticleBuilder, Desk, TestApp, app_tests, insert_all, insert_all_at, t0};

mod api_support;
use api_support::{call, staff};

app_tests!(
    deep_list_pages_are_reached_by_cursor_not_offset,
    unknown_query_parameters_share_one_cache_entry,
    media_is_streamed_with_ranges_and_validators,
    the_api_list_goes_deep_by_cursor_not_offset,
);

const LISTS: [&str; 4] = [
    "/latest",
    "/section/sports",
    "/author/ana-reyes",
    "/tag/hawks",
];

/// Publishes `n` stories "Game 000" (oldest) to "Game {n-1}", a minute apart, except that
/// games 60 and 61 share a minute (ids break the tie).
async fn games(app: &TestApp, n: i64) {
    let desk = Desk::create(app.store()).await;
    let batch: Vec<_> = (0..n)
        .map(|i| {
            let minutes_ago = if i == 61 { 1000 - 60 } else { 1000 - i };
            ArticleBuilder::new(&format!("Game {i:03}"), desk.sports)
                .author(desk.reporter)
                .tag("Hawks")
                .published(t0() - Duration::minutes(minutes_ago))
                .build()
        })
        .collect();
    insert_all(app.store(), batch).await;
    app.refresh().await;
}

/// The game numbers in a list page's list (not its latest-stories widget), in order.
fn games_on(body: &str) -> Vec<u32> {
    let start = body.find(r#"<div class="list">"#).expect("a list");
    let body = &body[start..];
    let body = &body[..body.find("</main>").unwrap_or(body.len())];
    let mut found = Vec::new();
    for (i, _) in body.match_indices("Game ") {
        if let Some(n) = body.get(i + 5..i + 8).and_then(|d| d.parse().ok())
            && found.last() != Some(&n)
        {
            found.push(n);
        }
    }
    found
}

/// The pager's link with `rel`, if any.
fn pager_link(body: &str, rel: &str) -> Option<String> {
    let end = body.find(&format!(r#"" rel="{rel}">"#))?;
    let start = body[..end].rfind(r#"<a href=""#)? + r#"<a href=""#.len();
    Some(body[start..end].to_owned())
}

/// Issue 7: `/latest?page=100000` walked the archive with `OFFSET`. Numbered pages now stop
/// at 10; past them, links carry the last story's place, every page is one index seek, and
/// following them reaches the oldest story (and back) without gaps or repeats.
async fn deep_list_pages_are_reached_by_cursor_not_offset(app: TestApp) {
    games(&app, 125).await;
    let newest_first: Vec<u32> = (0..125).rev().collect();
    for list in LISTS {
        let mut seen = Vec::new();
        let mut url = list.to_owned();
        let mut pages = Vec::new();
        loop {
            let page = app.get(&url).await;
            assert_eq!(page.status, StatusCode::OK, "{url}");
            seen.extend(games_on(&page.body));
            pages.push((url.clone(), page.body.clone()));
            match pager_link(&page.body, "next") {
                Some(next) => url = next,
                None => break,
            }
            assert!(pages.len() <= 13, "{list}: the walk does not end");
        }
        assert_eq!(seen, newest_first, "{list}: every story once, newest first");
        assert_eq!(pages.len(), 13, "{list}");
        assert_eq!(
            pages[1].0,
            format!("{list}?page=2"),
            "shallow pages keep numbers"
        );
        assert!(
            pages[10].0.starts_with(&format!("{list}?before=")),
            "{}",
            pages[10].0
        );
        assert!(pages[12].1.contains("Older stories"));
        assert!(
            pages[12].1.contains(&format!(
                r#"<link rel="canonical" href="https://news.example.org{}">"#,
                pages[12].0
            )),
            "a cursor page is its own canonical address"
        );

        // Back from the oldest page by "Newer" links, to the newest stories.
        let mut seen_back = Vec::new();
        let mut url = pages[12].0.clone();
        for _ in 0..14 {
            let page = app.get(&url).await;
            assert_eq!(page.status, StatusCode::OK, "{url}");
            let mut on_page = games_on(&page.body);
            on_page.extend(seen_back);
            seen_back = on_page;
            match pager_link(&page.body, "prev") {
                Some(prev) => url = prev,
                None => break,
            }
        }
        assert_eq!(seen_back, newest_first, "{list}: back to the top");
    }

    let deep = app.get("/latest?page=11").await;
    assert_eq!(deep.status, StatusCode::BAD_REQUEST);
    assert!(deep.body.contains("Older"), "{}", deep.body);
    assert_eq!(
        app.get("/latest?page=100000").await.status,
        StatusCode::BAD_REQUEST
    );
    // Past the end either way: one empty index seek, then 404.
    for past in ["/latest?before=0.0", "/tag/hawks?after=99999999999999999.0"] {
        assert_eq!(app.get(past).await.status, StatusCode::NOT_FOUND, "{past}");
    }
    for bad in [
        "/latest?before=yesterday",
        "/latest?after=1.x",
        "/latest?page=2&before=1.1",
    ] {
        assert_eq!(app.get(bad).await.status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

/// Issue 7: the page cache keyed on the raw query, so `/?x=1`, `/?x=2`, … each made an entry
/// and a crawler could fill it. Only the parameters a page reads count.
async fn unknown_query_parameters_share_one_cache_entry(app: TestApp) {
    games(&app, 15).await;
    assert_eq!(app.get("/?x=1").await.header("x-cache"), "miss");
    for url in ["/?x=2", "/", "/?page=7", "/?x=3&utm_source=feed"] {
        assert_eq!(app.get(url).await.header("x-cache"), "hit", "{url}");
    }
    assert_eq!(
        app.get("/latest?page=2&x=1").await.header("x-cache"),
        "miss"
    );
    let second = app.get("/latest?utm=a&page=2").await;
    assert_eq!(second.header("x-cache"), "hit");
    assert_eq!(games_on(&second.body), (0..5).rev().collect::<Vec<_>>());
    // The parameters a list reads still tell pages apart.
    let first = app.get("/latest?x=9").await;
    assert_eq!(first.header("x-cache"), "miss");
    assert_eq!(games_on(&first.body), (5..15).rev().collect::<Vec<_>>());
}

/// Issue 7: `/media/{name}` read the whole file into memory for every request, with no
/// validators or ranges. It is streamed now, and answers ranges, `If-None-Match` and
/// `If-Modified-Since`; only files the library knows are served, with their exact type.
async fn media_is_streamed_with_ranges_and_validators(app: TestApp) {
    let content: String = (0..100)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    std::fs::write(app.state.config().media_dir.join("c3d4.jpg"), &content).unwrap();
    let media = NewMedia {
        storage_name: "c3d4.jpg".into(),
        original_name: "photo.jpg".into(),
        content_type: "image/jpeg".into(),
        width: 1,
        height: 1,
        byte_size: 100,
        alt: "x".into(),
        credit: String::new(),
        uploaded_by: None,
        variants: Vec::new(),
    };
    app.store().insert_media(&media, t0()).await.unwrap();
    let get = |headers: &[(&str, &str)]| {
        let mut request = Request::get("/media/c3d4.jpg");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        app.request(request.body(Body::empty()).unwrap())
    };

    let whole = get(&[]).await;
    assert_eq!(whole.status, StatusCode::OK);
    assert_eq!(whole.body, content);
    assert_eq!(whole.header("content-type"), "image/jpeg");
    assert_eq!(whole.header("content-length"), "100");
    assert_eq!(whole.header("x-content-type-options"), "nosniff");
    assert_eq!(whole.header("accept-ranges"), "bytes");
    assert!(whole.header("cache-control").contains("immutable"));
    let etag = whole.header("etag").to_owned();
    let modified = whole.header("last-modified").to_owned();
    assert!(
        etag.starts_with('"') && !modified.is_empty(),
        "{:?}",
        whole.headers
    );

    let part = get(&[("range", "bytes=10-19")]).await;
    assert_eq!(part.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.body, content[10..20]);
    assert_eq!(part.header("content-range"), "bytes 10-19/100");
    assert_eq!(part.header("content-type"), "image/jpeg");
    assert_eq!(
        get(&[("range", "bytes=500-")]).await.status,
        StatusCode::RANGE_NOT_SATISFIABLE
    );

    let same = get(&[("if-none-match", &etag)]).await;
    assert_eq!(
        (same.status, same.body.as_str()),
        (StatusCode::NOT_MODIFIED, "")
    );
    assert_eq!(same.header("etag"), etag);
    let unchanged = get(&[("if-modified-since", &modified)]).await;
    assert_eq!(unchanged.status, StatusCode::NOT_MODIFIED);
    // If-None-Match decides when both are sent.
    let other = get(&[
        ("if-none-match", "\"other\""),
        ("if-modified-since", &modified),
    ])
    .await;
    assert_eq!(other.status, StatusCode::OK);
    assert_eq!(other.body, content);

    let head = app
        .request(
            Request::head("/media/c3d4.jpg")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!((head.status, head.body.as_str()), (StatusCode::OK, ""));
    assert_eq!(head.header("content-length"), "100");

    std::fs::write(app.state.config().media_dir.join("e5f6.jpg"), &content).unwrap();
    assert_eq!(
        app.get("/media/e5f6.jpg").await.status,
        StatusCode::NOT_FOUND,
        "files not in the library are not served"
    );
    std::fs::remove_file(app.state.config().media_dir.join("c3d4.jpg")).unwrap();
    let gone = app.get("/media/c3d4.jpg").await;
    assert_eq!(
        gone.status,
        StatusCode::NOT_FOUND,
        "a missing file is a 404"
    );
}

/// Issue 7: the API's article list paged with `OFFSET` to page 100,000 too. Pages now stop at
/// 20; each response names the next page's cursor, which costs one index seek at any depth.
async fn the_api_list_goes_deep_by_cursor_not_offset(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let (_, editor) = staff(&app, "ed@example.org", Role::Editor).await;
    // Two batches saved a day apart; within a batch every story has the same save time, so
    // the id breaks ties.
    for (batch, saved) in [(0, t0() - Duration::days(2)), (1, t0() - Duration::days(1))] {
        let stories: Vec<_> = (0..65)
            .map(|i| ArticleBuilder::new(&format!("Story {batch}-{i:02}"), desk.news).build())
            .collect();
        insert_all_at(app.store(), stories, saved).await;
    }
    let mut ids = Vec::new();
    let mut url = "/api/v1/articles".to_owned();
    for round in 0.. {
        assert!(round < 3, "the walk does not end");
        let r = call(&app, "GET", &url, Some(&editor), None).await;
        assert_eq!(r.status(), 200, "{url}: {}", r.response.body);
        ids.extend(
            r.json["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_i64().unwrap()),
        );
        match r.json["next"].as_str() {
            Some(next) => {
                assert_eq!(r.json["has_more"], true);
                url = format!("/api/v1/articles?before={next}");
            }
            None => {
                assert_eq!(r.json["has_more"], false);
                assert_eq!(r.json["page"], 0, "a page by cursor has no number");
                break;
            }
        }
    }
    let mut expected = ids.clone();
    expected.sort_unstable();
    expected.dedup();
    assert_eq!(expected.len(), 130, "every article once");
    // Newest batch first, and within a batch the higher id first.
    assert!(ids[..65].iter().all(|id| *id > 65) && ids[65..].iter().all(|id| *id <= 65));
    assert!(ids[..65].windows(2).all(|w| w[0] > w[1]), "{ids:?}");

    for (bad, says) in [
        ("/api/v1/articles?page=21", "before"),
        ("/api/v1/articles?page=2&before=1.1", "not both"),
        ("/api/v1/articles?before=soon", "position"),
    ] {
        let message = call(&app, "GET", bad, Some(&editor), None)
            .await
            .error(400, "bad_request");
        assert!(message.contains(says), "{bad}: {message}");
    }
}
