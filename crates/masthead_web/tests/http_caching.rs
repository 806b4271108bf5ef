//! Issue 9, item 5: HTTP caching and compression of every public page and document, on
//! SQLite and PostgreSQL. Each is sent in brotli, gzip or as rendered by the request's
//! `Accept-Encoding`, with a tag per copy, `Vary`, the configured `Cache-Control`, and a
//! `304` for a current copy; everything personal is `private, no-store`; headers the cache
//! key does not read cannot change what later readers get.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use masthead_core::{ArticleId, Role};
use masthead_desk::Command;
use masthead_testkit::{
    ArticleBuilder, Desk, HttpClient, HttpResponse, TestApp, TestDb, TestResponse, TestServer,
    app_tests, change_story, insert_all, t0,
};
use masthead_web::HttpCaching;
use std::io::Read;

app_tests!(
    every_public_document_is_sent_compressed_tagged_and_revalidated,
    the_desk_the_api_and_errors_are_private_no_store,
    headers_outside_the_cache_key_cannot_poison_it,
    the_stylesheet_is_fingerprinted_and_immutable,
    a_cached_page_is_answered_alike_before_and_after_routing,
);

/// Every public page and document kept by the page cache.
const DOCUMENTS: [&str; 14] = [
    "/",
    "/latest",
    "/stories/council-story-1",
    "/section/news",
    "/author/ana-reyes",
    "/tag/council",
    "/events",
    "/feed.xml",
    "/atom.xml",
    "/feed.json",
    "/section/news/feed.xml",
    "/sitemap.xml",
    "/news-sitemap.xml",
    "/tag/council/feed.json",
];

/// Twelve stories, "Council story 1" the newest; their ids, newest first.
async fn stories(app: &TestApp) -> Vec<ArticleId> {
    let desk = Desk::create(app.store()).await;
    let batch = (1..=12)
        .map(|i| {
            ArticleBuilder::new(&format!("Council story {i}"), desk.news)
                .slug(&format!("council-story-{i}"))
                .author(desk.reporter)
                .tag("Council")
                .body(&"The village board met on Tuesday and voted on the budget. ".repeat(30))
                .published(t0() - chrono::Duration::hours(i))
                .build()
        })
        .collect();
    let ids = insert_all(app.store(), batch).await;
    app.refresh().await;
    ids
}

async fn get_with(app: &TestApp, uri: &str, headers: &[(&str, &str)]) -> TestResponse {
    let mut request = Request::get(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    app.request(request.body(Body::empty()).unwrap()).await
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(bytes, 4096)
        .read_to_end(&mut out)
        .expect("valid brotli");
    out
}

async fn every_public_document_is_sent_compressed_tagged_and_revalidated(app: TestApp) {
    let ids = stories(&app).await;
    for uri in DOCUMENTS {
        // As rendered: no coding asked for, none used.
        let plain = get_with(&app, uri, &[]).await;
        assert_eq!(plain.status, StatusCode::OK, "{uri}: {}", plain.body);
        assert_eq!(plain.header("content-encoding"), "", "{uri}");
        assert_eq!(plain.header("x-cache"), "miss", "{uri}");
        assert_eq!(plain.header("cache-control"), "public, max-age=60", "{uri}");
        assert_eq!(plain.header("vary"), "accept-encoding", "{uri}");
        assert!(!plain.header("last-modified").is_empty(), "{uri}");
        let tag = plain.header("etag").to_owned();
        assert!(tag.starts_with('"') && tag.len() > 20, "{uri}: {tag}");

        // Each coding from the same cache entry, decoding to the very bytes above.
        let mut tags = vec![tag.clone()];
        for (accept, coding) in [
            ("gzip, deflate, br, zstd", "br"),
            ("gzip", "gzip"),
            ("br;q=0, gzip;q=0.8", "gzip"),
            ("*;q=0", ""),
        ] {
            let r = get_with(&app, uri, &[("accept-encoding", accept)]).await;
            assert_eq!(r.status, StatusCode::OK, "{uri}");
            assert_eq!(
                r.header("x-cache"),
                "hit",
                "{uri} {accept}: compressed once"
            );
            assert_eq!(r.header("content-encoding"), coding, "{uri} {accept}");
            assert_eq!(r.header("vary"), "accept-encoding", "{uri}");
            let decoded = match coding {
                "br" => unbrotli(&r.bytes),
                "gzip" => gunzip(&r.bytes),
                _ => r.bytes.clone(),
            };
            assert_eq!(decoded, plain.bytes, "{uri} {accept}");
            if !coding.is_empty() {
                assert!(r.bytes.len() * 2 < plain.bytes.len(), "{uri} {coding}");
            }
            assert_eq!(r.header("last-modified"), plain.header("last-modified"));
            let etag = r.header("etag").to_owned();
            if !tags.contains(&etag) {
                tags.push(etag.clone());
            }
            // The copy's own tag answers 304, with the headers a cache needs to refresh it.
            let again = get_with(
                &app,
                uri,
                &[("accept-encoding", accept), ("if-none-match", &etag)],
            )
            .await;
            assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{uri} {accept}");
            assert!(again.bytes.is_empty());
            assert_eq!(again.header("etag"), etag);
            assert_eq!(again.header("vary"), "accept-encoding");
            assert_eq!(again.header("cache-control"), "public, max-age=60");
        }
        assert_eq!(tags.len(), 3, "{uri}: one tag per coding: {tags:?}");
        // Another coding's tag is another representation: the full page.
        let other = get_with(&app, uri, &[("if-none-match", &tags[1])]).await;
        assert_eq!(other.status, StatusCode::OK, "{uri}");
        // A date no older than the page's.
        let since = get_with(
            &app,
            uri,
            &[("if-modified-since", plain.header("last-modified"))],
        )
        .await;
        assert_eq!(since.status, StatusCode::NOT_MODIFIED, "{uri}");
    }

    // A document too small to gain from compression goes as it is, the same for everyone.
    let small = get_with(&app, "/robots.txt", &[("accept-encoding", "br, gzip")]).await;
    assert!(small.bytes.len() < 512, "{}", small.body);
    assert_eq!(small.header("content-encoding"), "");
    assert_eq!(small.header("vary"), "");
    assert!(!small.header("etag").is_empty());

    // A change to the content is a new page with a new tag: the old tag gets the page.
    let before = get_with(&app, "/feed.xml", &[("accept-encoding", "br")]).await;
    change_story(app.store(), ids[0], Command::Unpublish, t0(), |_| {}).await;
    app.refresh().await;
    let gone = get_with(
        &app,
        "/feed.xml",
        &[
            ("accept-encoding", "br"),
            ("if-none-match", before.header("etag")),
        ],
    )
    .await;
    assert_eq!(gone.status, StatusCode::OK);
    assert_ne!(gone.header("etag"), before.header("etag"));
    let text = String::from_utf8(unbrotli(&gone.bytes)).unwrap();
    assert!(
        !text.contains("Council story 1<"),
        "unpublished leaves the feed"
    );
    assert!(text.contains("Council story 2<"));
}

async fn the_desk_the_api_and_errors_are_private_no_store(app: TestApp) {
    let id = stories(&app).await[1];
    let admin = app.staff("chief@example.org", Role::Admin).await;
    let desk_pages = [
        "/admin".to_owned(),
        "/admin/articles".to_owned(),
        "/admin/articles/new".to_owned(),
        format!("/admin/articles/{}", id.0),
        format!("/admin/articles/{}/revisions", id.0),
        "/admin/media".to_owned(),
        "/admin/account".to_owned(),
        "/admin/comments".to_owned(),
        "/admin/front".to_owned(),
        "/admin/users".to_owned(),
        "/admin/sections".to_owned(),
        "/admin/settings".to_owned(),
        "/admin/audit".to_owned(),
    ];
    for uri in &desk_pages {
        let r = app
            .request(
                Request::get(uri.as_str())
                    .header("cookie", &admin.cookie)
                    .header("accept-encoding", "gzip, br")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{uri}");
        assert_eq!(r.header("cache-control"), "private, no-store", "{uri}");
        assert_eq!(
            r.header("content-encoding"),
            "",
            "{uri}: the desk's secrets"
        );
        assert_eq!(r.header("etag"), "", "{uri}");
    }
    // The preview of an edit, the login page, the API, errors and a redirect to login.
    let preview = app
        .post_as(
            &admin,
            &format!("/admin/articles/{}", id.0),
            &[("action", "preview"), ("title", "Draft title")],
        )
        .await;
    assert_eq!(preview.header("cache-control"), "private, no-store");
    for uri in [
        "/admin/login",
        "/admin/articles",
        "/api/v1/articles",
        "/api/v1/sections",
        "/no-such-page",
        "/stories/no-such-story",
        "/healthz",
    ] {
        let r = get_with(&app, uri, &[("accept-encoding", "gzip, br")]).await;
        let cc = r.header("cache-control");
        assert!(cc.contains("no-store"), "{uri}: {cc:?}");
        assert!(!cc.contains("public"), "{uri}: {cc:?}");
        assert_eq!(r.header("content-encoding"), "", "{uri}");
    }
}

async fn headers_outside_the_cache_key_cannot_poison_it(app: TestApp) {
    stories(&app).await;
    let poison: [(&str, &str); 10] = [
        ("host", "evil.example"),
        ("x-forwarded-host", "evil.example"),
        ("x-forwarded-proto", "http"),
        ("x-forwarded-prefix", "/evil"),
        ("forwarded", "host=evil.example;proto=http"),
        ("x-original-url", "/admin"),
        ("x-rewrite-url", "/admin"),
        ("x-host", "evil.example"),
        ("accept-language", "fr"),
        ("cookie", "masthead_session=forged"),
    ];
    for uri in DOCUMENTS {
        // The poisoned request is the first: it is the one the cache keeps.
        let first = get_with(&app, uri, &poison).await;
        assert_eq!(first.status, StatusCode::OK, "{uri}");
        assert_eq!(first.header("x-cache"), "miss", "{uri}");
        let later = get_with(&app, uri, &[]).await;
        assert_eq!(later.header("x-cache"), "hit", "{uri}");
        assert_eq!(later.bytes, first.bytes, "{uri}");
        assert!(!later.body.contains("evil"), "{uri}");
        assert!(later.body.contains("https://news.example.org"), "{uri}");
        // A client that takes only gzip first cannot leave gzip for one that takes nothing.
        let gz = get_with(&app, &format!("{uri}?gz=1"), &[("accept-encoding", "gzip")]).await;
        let none = get_with(&app, &format!("{uri}?gz=1"), &[]).await;
        assert_eq!(gz.header("content-encoding"), "gzip", "{uri}");
        assert_eq!(none.header("content-encoding"), "", "{uri}");
        assert_eq!(none.bytes, later.bytes, "{uri}");
    }
    // The same pages rendered afresh, with no cache in the way, are the bytes served.
    let fresh = TestApp::with_cache(TestDb::sqlite().await, false).await;
    stories(&fresh).await;
    for uri in ["/", "/stories/council-story-1", "/feed.json"] {
        let a = get_with(&app, uri, &[]).await;
        let b = get_with(&fresh, uri, &[]).await;
        assert_eq!(a.body, b.body, "{uri}");
    }
}

async fn the_stylesheet_is_fingerprinted_and_immutable(app: TestApp) {
    stories(&app).await;
    let home = app.get("/").await;
    let href = home
        .body
        .split("href=\"")
        .map(|s| s.split('"').next().unwrap_or(""))
        .find(|h| h.contains("/static/") && h.ends_with(".css") || h.contains(".css?"))
        .expect("a stylesheet link")
        .to_owned();
    let path = href.trim_start_matches("https://news.example.org");
    let css = app.get(path).await;
    assert_eq!(css.status, StatusCode::OK, "{path}");
    assert_eq!(
        css.header("cache-control"),
        "public, max-age=31536000, immutable"
    );
    // The address names the content: a hash of at least 8 hex digits.
    let digits = path
        .split(|c: char| !c.is_ascii_hexdigit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    assert!(digits >= 8, "{path} carries no content hash");
    // Compressed once like the pages.
    let br = get_with(&app, path, &[("accept-encoding", "br")]).await;
    assert_eq!(br.header("content-encoding"), "br");
    assert_eq!(unbrotli(&br.bytes), css.bytes);
    // Another hash (a page from before the theme changed) gets today's sheet, not for a year.
    for stale in ["/static/site.css?v=0123456789abcdef", "/static/site.css"] {
        let old = app.get(stale).await;
        assert_eq!(old.status, StatusCode::OK);
        assert_eq!(old.bytes, css.bytes);
        assert_eq!(old.header("cache-control"), "public, max-age=60", "{stale}");
    }
}

/// The configured `Cache-Control` reaches every public document, with the cache on and off.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_configured_cache_control_reaches_every_public_document() {
    for page_cache in [true, false] {
        let app = TestApp::configured(TestDb::sqlite().await, |c| {
            c.page_cache = page_cache;
            c.http_caching = HttpCaching {
                max_age: 120,
                s_maxage: Some(600),
                stale_while_revalidate: 30,
            };
        })
        .await;
        stories(&app).await;
        let expected = "public, max-age=120, s-maxage=600, stale-while-revalidate=30";
        for uri in DOCUMENTS.iter().copied().chain(["/sitemaps/stories-1.xml"]) {
            for _ in 0..2 {
                let r = app.get(uri).await;
                assert_eq!(r.status, StatusCode::OK, "{uri}");
                assert_eq!(r.header("cache-control"), expected, "{uri} ({page_cache})");
            }
        }
    }
}

/// A plain `GET` of a page in the page cache is answered before routing and every layer (the
/// fast path of issue 9's hit cost); the same page asked with a query string its route does
/// not read goes the long way, through the router, to the same cache entry. The two answers
/// must be the same, header for header (but `Date`) and byte for byte, in every coding, for
/// revalidations (`304`) and for a kept redirect: in-process, and over a real socket through
/// the server loop the binary runs.
async fn a_cached_page_is_answered_alike_before_and_after_routing(app: TestApp) {
    let ids = stories(&app).await;
    change_story(app.store(), ids[1], Command::Save, t0(), |f| {
        f.slug = masthead_core::Slug::parse("council-story-two").unwrap();
    })
    .await;
    app.refresh().await;
    let server = TestServer::app(&app).await;
    let mut client = HttpClient::connect(&server).await;
    let mut uris = DOCUMENTS.to_vec();
    uris.push("/stories/council-story-2"); // the old slug: a kept 301
    for uri in uris {
        let first = get_with(&app, uri, &[]).await;
        assert!(
            [StatusCode::OK, StatusCode::MOVED_PERMANENTLY].contains(&first.status),
            "{uri}: {}",
            first.status
        );
        let br = get_with(&app, uri, &[("accept-encoding", "br")]).await;
        let (tag, br_tag) = (first.header("etag"), br.header("etag"));
        let modified = first.header("last-modified");
        let cases: [&[(&str, &str)]; 6] = [
            &[],
            &[("accept-encoding", "gzip")],
            &[("accept-encoding", "gzip, deflate, br")],
            &[("if-none-match", tag)],
            &[("accept-encoding", "br"), ("if-none-match", br_tag)],
            &[("if-modified-since", modified)],
        ];
        let long_way = format!("{uri}?utm_source=newsletter");
        for headers in cases {
            let fast = get_with(&app, uri, headers).await;
            let slow = get_with(&app, &long_way, headers).await;
            assert_eq!(fast.status, slow.status, "{uri} {headers:?}");
            assert_eq!(fast.header("x-cache"), "hit", "{uri} {headers:?}");
            // In-process only, the router states the empty length of a `304`; the server on
            // the wire (below) sends none for either.
            // Each answer has its own request id, whichever way it came.
            let framing = |r: &TestResponse| {
                let mut h = r.headers.clone();
                assert_eq!(h.remove("x-request-id").map(|v| v.len()), Some(16));
                if r.status == StatusCode::NOT_MODIFIED {
                    h.remove("content-length");
                }
                h
            };
            assert_eq!(framing(&fast), framing(&slow), "{uri} {headers:?}");
            assert_eq!(fast.bytes, slow.bytes, "{uri} {headers:?}");
            if headers.iter().any(|(name, _)| name.starts_with("if-")) {
                let expected = if first.status == StatusCode::OK && !tag.is_empty() {
                    StatusCode::NOT_MODIFIED
                } else {
                    first.status
                };
                assert_eq!(fast.status, expected, "{uri} {headers:?}");
            }

            let fast = client.send("GET", uri, headers, "").await;
            let slow = client.send("GET", &long_way, headers, "").await;
            let without_date = |r: &HttpResponse| {
                let mut h = r.headers.clone();
                h.remove("date");
                assert_eq!(h.remove("x-request-id").map(|v| v.len()), Some(16));
                h
            };
            assert_eq!(fast.status, slow.status, "{uri} {headers:?}, served");
            assert_eq!(
                without_date(&fast),
                without_date(&slow),
                "{uri} {headers:?}"
            );
            assert_eq!(fast.body, slow.body, "{uri} {headers:?}, served");
        }
    }
}
