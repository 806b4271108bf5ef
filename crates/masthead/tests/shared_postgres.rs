//! Two real `masthead serve` processes on one PostgreSQL database, as behind a load balancer
//! (README, "several app servers can share one database"): a story published through one
//! server's API and the settings changed through its desk show on the other server's public
//! pages within one second of the response, in both directions, although the other server
//! had those pages in its page cache. Both servers send a page as the same compressed bytes
//! under the same `ETag`, so a browser or CDN revalidates against either (issue 9, item 5).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use masthead_core::Role;
use masthead_testkit::{ArticleBuilder, Desk, PASSWORD, RunningBinary, TestDb, form_body};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_masthead");
/// The documented bound: a change made on one server shows on all within a second.
const WITHIN: Duration = Duration::from_secs(1);
const EMAIL: &str = "root@example.org";
/// Stories in the news section before the test publishes any: more than the smaller page
/// sizes the test sets, fewer than the default 20.
const NEWS_STORIES: usize = 7;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_servers_sharing_postgres_see_each_others_writes_and_settings_within_a_second() {
    let db = TestDb::postgres().await;
    let desk = Desk::create(&db.store).await;
    for n in 0..NEWS_STORIES {
        let mut story = ArticleBuilder::new(&format!("Earlier story {n}"), desk.news);
        if n == 0 {
            // The story whose time the zone check reads: 17:00 UTC, 11 a.m. in Chicago.
            story = story.slug("dated-story").published(dated());
        }
        story.insert(&db.store).await;
    }
    let (_, token) = db.staff_with_token(EMAIL, Role::Admin).await;
    let url = db.url.clone();
    let dir = db.dir.path().to_owned();
    let section = desk.news.0;
    tokio::task::spawn_blocking(move || {
        let start = |name: &str| {
            let data = dir.join(name);
            RunningBinary::start(
                BIN,
                &[
                    "--data-dir",
                    data.to_str().unwrap(),
                    "--database-url",
                    &url,
                    // One public address, as behind a load balancer (the default is each
                    // server's own listen address, which would differ in every link).
                    "--base-url",
                    "https://shared.example.org",
                ],
                &[],
            )
        };
        let (a, b) = (start("a"), start("b"));
        let site = Site { token, section };
        site.round(
            &a,
            &b,
            &Change {
                title: "Written on the first server",
                name: "The Shared Gazette",
                tagline: "One database, two servers",
                base_url: "https://gazette.example.org",
                timezone: "Asia/Tokyo",
                dated: "Nov. 28, 2026, 2 a.m.",
                page_size: 5,
            },
        );
        site.round(
            &b,
            &a,
            &Change {
                title: "Written on the second server",
                name: "The Second Gazette",
                tagline: "And back again",
                base_url: "https://second.example.org",
                timezone: "Europe/London",
                dated: "Nov. 27, 2026, 5 p.m.",
                page_size: 6,
            },
        );
        a.stop();
        b.stop();
    })
    .await
    .unwrap();
}

/// 2026-11-27 17:00 UTC.
fn dated() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 17, 0, 0).unwrap()
}

/// What one round publishes and sets.
struct Change {
    title: &'static str,
    name: &'static str,
    tagline: &'static str,
    base_url: &'static str,
    timezone: &'static str,
    /// How the dated story's time reads in `timezone`.
    dated: &'static str,
    page_size: usize,
}

struct Site {
    token: String,
    section: i64,
}

impl Site {
    /// Publishes a story through `writer`'s API and changes every desk setting through its
    /// desk; `reader`, whose pages were cached, shows each within [`WITHIN`].
    fn round(&self, writer: &RunningBinary, reader: &RunningBinary, change: &Change) {
        let slug = change.title.to_lowercase().replace(' ', "-");
        let story = format!("/stories/{slug}");
        // The reader has the pages in its cache, without the story.
        for path in ["/", "/section/news", "/stories/dated-story"] {
            let first = get(reader, path);
            assert!(!first.body.contains(change.title), "{path}");
            let again = get(reader, path);
            assert!(
                again.head.to_lowercase().contains("x-cache: hit"),
                "{path} is cached on the reader, so the test shows the cache turning over: {}",
                again.head
            );
        }
        assert_eq!(reader.get(&story).0, 404);
        // Both servers send the same compressed bytes under the same tag, so a client or CDN
        // revalidates against either; the tags are kept to show they change with the content.
        let tags: Vec<String> = SHARED_DOCUMENTS
            .iter()
            .map(|path| same_on_both(writer, reader, path))
            .collect();

        let written = self.publish(writer, change.title);
        observe(
            reader,
            written,
            &[
                ("/", &|p: &str| p.contains(change.title)),
                ("/section/news", &|p: &str| p.contains(change.title)),
                (&story, &|p: &str| p.contains(change.title)),
                ("/stories/dated-story", &|p: &str| p.contains(change.title)),
            ],
        );

        // Within the same second, the old tags fetch the new pages from both servers (the
        // writer, too, learns of its own write by polling).
        for (path, old) in SHARED_DOCUMENTS.iter().zip(&tags) {
            for server in [reader, writer] {
                let fresh = || {
                    let headers = [("Accept-Encoding", "br"), ("If-None-Match", old.as_str())];
                    server.request("GET", path, &headers, b"").unwrap().status != 304
                };
                within_a_second(written, fresh, || {
                    format!("{path}: the old tag is still current")
                });
            }
            // The publish is two writes (create, then publish), and a page rendered between
            // a server's polls may show the second in its own list and not yet in the shared
            // parts made when the first was seen; the next poll (every 250 ms) renders it
            // again. So both servers agree once both have seen the last write: wait for it.
            until_the_same(writer, reader, path, written);
            assert_ne!(&same_on_both(writer, reader, path), old, "{path}");
        }

        let cookie = login(writer);
        let page = writer_get(writer, "/admin/settings", &cookie);
        let csrf = masthead_testkit::csrf_in(&page).expect("the settings form's CSRF token");
        let size = change.page_size.to_string();
        let form = form_body(&[
            ("csrf", &csrf),
            ("name", change.name),
            ("tagline", change.tagline),
            ("base_url", change.base_url),
            ("timezone", change.timezone),
            ("page_size", &size),
        ]);
        let saved = writer
            .request(
                "POST",
                "/admin/settings",
                &[
                    ("Cookie", &cookie),
                    ("Content-Type", "application/x-www-form-urlencoded"),
                ],
                form.as_bytes(),
            )
            .unwrap();
        let saved_at = Instant::now();
        assert_eq!(saved.status, 200, "{}", saved.body);
        assert!(saved.body.contains("Saved."), "{}", saved.body);

        let canonical = format!(
            "<link rel=\"canonical\" href=\"{}{story}\">",
            change.base_url
        );
        let dated = format!(">{}</time>", change.dated);
        let name = format!(
            "<p class=\"site-name\"><a href=\"/\">{}</a></p>",
            change.name
        );
        let tagline = format!("<p class=\"tagline\">{}</p>", change.tagline);
        // The writer, too, learns of its own settings by polling: both servers show them
        // within the second, so the next round starts from the same pages on both.
        for server in [reader, writer] {
            observe(
                server,
                saved_at,
                &[
                    ("/", &|p: &str| p.contains(&name) && p.contains(&tagline)),
                    ("/section/news", &|p: &str| {
                        p.contains(&name) && teasers(p) == change.page_size
                    }),
                    (&story, &|p: &str| {
                        p.contains(&name) && p.contains(&canonical)
                    }),
                    ("/stories/dated-story", &|p: &str| p.contains(&dated)),
                ],
            );
        }
    }

    /// Creates a story through `server`'s API and publishes it; returns when the publish
    /// was answered.
    fn publish(&self, server: &RunningBinary, title: &str) -> Instant {
        let (published, at) = server.publish_story(&self.token, self.section, title);
        assert_eq!(published["status"], "published", "{published}");
        at
    }
}

/// The documents whose caching the servers must agree on.
const SHARED_DOCUMENTS: [&str; 4] = ["/", "/section/news", "/stories/dated-story", "/feed.xml"];

/// The value of header `name` in a response head, or "".
fn header<'a>(head: &'a str, name: &str) -> &'a str {
    head.lines()
        .find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then_some(v.trim())
        })
        .unwrap_or("")
}

/// Fetches `path` in brotli from both servers: the same bytes under the same `ETag`, and
/// each server answers `304` to the tag the other gave. Returns the tag.
fn same_on_both(a: &RunningBinary, b: &RunningBinary, path: &str) -> String {
    let fetch = |server: &RunningBinary, extra: &[(&str, &str)]| {
        let mut headers = vec![("Accept-Encoding", "gzip, br")];
        headers.extend_from_slice(extra);
        server.request("GET", path, &headers, b"").unwrap()
    };
    let (from_a, from_b) = (fetch(a, &[]), fetch(b, &[]));
    assert_eq!((from_a.status, from_b.status), (200, 200), "{path}");
    for r in [&from_a, &from_b] {
        assert_eq!(
            header(&r.head, "content-encoding"),
            "br",
            "{path}: {}",
            r.head
        );
        assert_eq!(header(&r.head, "vary"), "accept-encoding", "{path}");
    }
    assert!(
        from_a.bytes == from_b.bytes,
        "{path}: the servers differ ({})",
        where_they_differ(a, b, path)
    );
    let tag = header(&from_a.head, "etag").to_owned();
    assert_eq!(header(&from_b.head, "etag"), tag, "{path}");
    for server in [a, b] {
        let r = fetch(server, &[("If-None-Match", &tag)]);
        assert_eq!(r.status, 304, "{path}: {}", r.head);
    }
    tag
}

/// Waits until `a` and `b` send the same brotli bytes for `path`, up to [`WITHIN`] after
/// `since`; past it, fails with where they differ.
fn until_the_same(a: &RunningBinary, b: &RunningBinary, path: &str, since: Instant) {
    let brotli = |server: &RunningBinary| {
        let headers = [("Accept-Encoding", "br")];
        server.request("GET", path, &headers, b"").unwrap().bytes
    };
    within_a_second(
        since,
        || brotli(a) == brotli(b),
        || {
            format!(
                "{path}: the servers still differ a second after the write ({})",
                where_they_differ(a, b, path)
            )
        },
    );
}

/// Asks `done` every 10 ms until it holds; fails with `why()` once [`WITHIN`] has passed
/// since `since`.
fn within_a_second(since: Instant, mut done: impl FnMut() -> bool, why: impl Fn() -> String) {
    while !done() {
        assert!(since.elapsed() < WITHIN, "{}", why());
        #[allow(clippy::disallowed_methods)] // a plain test thread polling other processes
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// For a failure message: where `path`'s uncompressed pages from `a` and `b` differ now, with
/// the text around it and each page's `ETag` and `X-Cache`.
fn where_they_differ(a: &RunningBinary, b: &RunningBinary, path: &str) -> String {
    let (x, y) = (get(a, path), get(b, path));
    let at = x
        .body
        .bytes()
        .zip(y.body.bytes())
        .position(|(p, q)| p != q)
        .unwrap_or(x.body.len().min(y.body.len()));
    let around = |body: &str| {
        let from = body.floor_char_boundary(at.saturating_sub(300));
        let to = body.ceil_char_boundary((at + 300).min(body.len()));
        body[from..to].to_owned()
    };
    format!(
        "uncompressed, at byte {at}:\n--- first ({} {}):\n{}\n--- second ({} {}):\n{}",
        header(&x.head, "etag"),
        header(&x.head, "x-cache"),
        around(&x.body),
        header(&y.head, "etag"),
        header(&y.head, "x-cache"),
        around(&y.body),
    )
}

/// A GET that must answer 200.
fn get(server: &RunningBinary, path: &str) -> masthead_testkit::RawResponse {
    let r = server.request("GET", path, &[], b"").unwrap();
    assert_eq!(r.status, 200, "GET {path}: {}", r.body);
    r
}

/// Logs the admin in through `server`'s login form; the session cookie.
fn login(server: &RunningBinary) -> String {
    let origin = format!("http://{}", server.addr);
    let form = form_body(&[("email", EMAIL), ("password", PASSWORD), ("next", "/admin")]);
    let r = server
        .request(
            "POST",
            "/admin/login",
            &[
                ("Origin", &origin),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            form.as_bytes(),
        )
        .unwrap();
    assert_eq!(r.status, 303, "{}", r.body);
    r.head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            let value = value.trim();
            (name.eq_ignore_ascii_case("set-cookie") && value.contains("masthead_session="))
                .then(|| value.split(';').next().unwrap_or(value).to_owned())
        })
        .unwrap_or_else(|| panic!("no session cookie in {}", r.head))
}

/// A desk page, with the session cookie.
fn writer_get(server: &RunningBinary, path: &str, cookie: &str) -> String {
    let r = server
        .request("GET", path, &[("Cookie", cookie)], b"")
        .unwrap();
    assert_eq!(r.status, 200, "GET {path}: {}", r.body);
    r.body
}

/// The teasers in a list page's main column (not the sidebar's latest-stories widget).
fn teasers(page: &str) -> usize {
    let main = page
        .split_once("<main")
        .and_then(|(_, rest)| rest.split_once("</main>"))
        .map_or("", |(main, _)| main);
    main.matches("<article class=\"teaser").count()
}

type Check<'a> = (&'a str, &'a dyn Fn(&str) -> bool);

/// Polls `server` until every page answers 200 and passes its check, failing once
/// [`WITHIN`] has passed since `since` (the write's response).
fn observe(server: &RunningBinary, since: Instant, checks: &[Check<'_>]) {
    assert!(!checks.is_empty());
    let mut pending: Vec<&Check<'_>> = checks.iter().collect();
    let mut last = Vec::new();
    loop {
        last.clear();
        pending.retain(|(path, check)| {
            let (status, body) = server.get(path);
            let seen = status == 200 && check(&body);
            if !seen {
                last.push(format!("{path} ({status}):\n{body}"));
            }
            !seen
        });
        if pending.is_empty() {
            eprintln!("seen {:?} after the write", since.elapsed());
            return;
        }
        assert!(
            since.elapsed() < WITHIN,
            "after {:?} the other server still shows the old state on {}",
            since.elapsed(),
            last.join("\n\n")
        );
        #[allow(clippy::disallowed_methods)] // a plain test thread polling another process
        std::thread::sleep(Duration::from_millis(10));
    }
}
