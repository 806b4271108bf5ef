//! Readers' event submissions through the real router, on SQLite and PostgreSQL: held for
//! moderation without touching cached pages, the honeypot, the signed fill-time token
//! (too quick, altered, expired, replayed), the limit per address with a friendly 429, bad
//! input of every kind answered with the form as typed and nothing stored, and many
//! submitters at once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use chrono::Duration;
use masthead_core::{Clock, EventStatus};
use masthead_testkit::{TestApp, TestResponse, app_tests, form_body};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};

app_tests!(
    a_submission_is_held_and_changes_no_cached_page,
    the_honeypot_stores_nothing_and_says_thanks,
    tokens_too_quick_altered_expired_or_replayed_are_refused,
    bad_input_comes_back_as_typed_and_nothing_is_stored,
    script_in_every_field_is_kept_as_text,
    one_address_is_limited_with_a_friendly_429,
    many_submitters_at_once_are_all_held,
);

/// The token in a served form.
fn token_in(html: &str) -> String {
    let at =
        html.find(r#"name="token" value=""#).expect("a token") + r#"name="token" value=""#.len();
    html[at..].split('"').next().unwrap().to_owned()
}

fn good() -> Vec<(&'static str, String)> {
    vec![
        ("title", "Library book sale".into()),
        ("start_date", "2026-12-12".into()),
        ("start_time", "10:00".into()),
        ("end_time", "14:00".into()),
        ("timezone", "America/Chicago".into()),
        ("location", "Public library, 5 Elm St.".into()),
        ("description", "Hardcovers $1.".into()),
        ("link", "https://library.example.org/sale".into()),
        ("contact", "friends@library.example.org".into()),
    ]
}

async fn post_from(app: &TestApp, addr: &str, pairs: &[(&str, String)]) -> TestResponse {
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut request = Request::post("/events/submit")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(form_body(&refs)))
        .unwrap();
    let peer: SocketAddr = format!("{addr}:40000").parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(peer));
    app.request(request).await
}

/// Serves the form, lets a person's time pass, and posts `pairs` with its token.
async fn submit(app: &TestApp, pairs: Vec<(&'static str, String)>) -> TestResponse {
    let form = app.get("/events/submit").await;
    assert_eq!(form.status, 200);
    assert_eq!(form.header("cache-control"), "private, no-store");
    let mut pairs = pairs;
    pairs.push(("token", token_in(&form.body)));
    app.clock.advance(Duration::seconds(20));
    // A new address each time, so the limit per address stays out of the way.
    static NEXT: AtomicU32 = AtomicU32::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    post_from(app, &format!("10.9.{}.{}", n / 250, n % 250 + 1), &pairs).await
}

async fn pending(app: &TestApp) -> i64 {
    app.store().pending_event_count().await.unwrap()
}

async fn a_submission_is_held_and_changes_no_cached_page(app: TestApp) {
    app.get("/events").await;
    assert_eq!(app.get("/events").await.header("x-cache"), "hit");
    let r = submit(&app, good()).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.header("location"), "/events/submit/thanks");
    assert_eq!(pending(&app).await, 1);
    app.refresh().await;
    let list = app.get("/events").await;
    assert_eq!(
        list.header("x-cache"),
        "hit",
        "a held event changes no cached page"
    );
    assert!(!list.body.contains("Library book sale"));
    let held = app
        .store()
        .desk_events(EventStatus::Pending, 10)
        .await
        .unwrap();
    assert_eq!(held[0].contact, "friends@library.example.org");
    assert_eq!(app.get("/events/submit/thanks").await.status, 200);
}

async fn the_honeypot_stores_nothing_and_says_thanks(app: TestApp) {
    let mut pairs = good();
    pairs.push(("website", "http://spam.example".into()));
    let r = submit(&app, pairs).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(pending(&app).await, 0);
}

async fn tokens_too_quick_altered_expired_or_replayed_are_refused(app: TestApp) {
    // Too quick: posted the moment the form was served.
    let form = app.get("/events/submit").await;
    let mut pairs = good();
    pairs.push(("token", token_in(&form.body)));
    let r = post_from(&app, "192.0.2.1", &pairs).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("faster than anyone could type"));
    assert!(r.body.contains("Library book sale"), "the text is kept");
    // Altered, missing.
    let mut altered = good();
    altered.push(("token", "AAAA".into()));
    let r = post_from(&app, "192.0.2.1", &altered).await;
    assert!(r.body.contains("did not come from our page"));
    let r = post_from(&app, "192.0.2.1", &good()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Expired.
    app.clock.advance(Duration::hours(4));
    let r = post_from(&app, "192.0.2.1", &pairs).await;
    assert!(r.body.contains("open for more than three hours"));
    assert_eq!(pending(&app).await, 0);
    // Replayed: the same form posted twice.
    let form = app.get("/events/submit").await;
    let mut pairs = good();
    pairs.push(("token", token_in(&form.body)));
    app.clock.advance(Duration::seconds(30));
    assert_eq!(post_from(&app, "192.0.2.2", &pairs).await.status, 303);
    let again = post_from(&app, "192.0.2.2", &pairs).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("already sent once"));
    assert!(again.body.contains("Library book sale"));
    assert_eq!(pending(&app).await, 1);
}

async fn bad_input_comes_back_as_typed_and_nothing_is_stored(app: TestApp) {
    let with = |changes: &[(&'static str, &str)]| {
        let mut pairs = good();
        for (k, v) in changes {
            pairs.retain(|(name, _)| name != k);
            pairs.push((k, (*v).to_owned()));
        }
        pairs
    };
    let huge = "A long description. ".repeat(2_500);
    let cases: Vec<(Vec<(&'static str, String)>, &str)> = vec![
        (with(&[("start_date", "9999-06-01")]), "too far ahead"),
        (
            with(&[("end_time", "09:00")]),
            "the end is before the start",
        ),
        (
            with(&[
                ("start_date", "2027-03-14"),
                ("start_time", "02:30"),
                ("end_time", ""),
            ]),
            "does not exist in America/Chicago",
        ),
        (
            with(&[("title", ""), ("start_date", "")]),
            "required: fill it in",
        ),
        (with(&[("contact", "")]), "never published"),
        (with(&[("description", &huge)]), "at most 5000"),
        (with(&[("link", "javascript:alert(1)")]), "Link"),
        (with(&[("timezone", "Mars/Olympus")]), "is not a time zone"),
        (with(&[("start_date", "2026-02-30")]), "is not a date"),
        (
            with(&[("repeat", "weekly"), ("repeat_count", "500")]),
            "number of dates from 2 to 100",
        ),
    ];
    for (pairs, message) in cases {
        let typed_title = pairs
            .iter()
            .find(|(k, _)| *k == "title")
            .map(|(_, v)| v.clone())
            .unwrap();
        let r = submit(&app, pairs).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        assert!(r.body.contains(message), "{message}: {}", r.body);
        assert!(r.body.contains("your text is kept below"));
        assert!(
            r.body.contains(&format!("value=\"{typed_title}\"")),
            "title kept"
        );
    }
    assert_eq!(pending(&app).await, 0, "nothing stored");
    // A huge description comes back whole for its writer to trim.
    let r = submit(&app, with(&[("description", &huge)])).await;
    assert!(r.body.contains(huge.trim()));
    // Past the body limit: a plain refusal, not a 500.
    let r = submit(&app, with(&[("description", &"x".repeat(300 * 1024))])).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
}

async fn script_in_every_field_is_kept_as_text(app: TestApp) {
    let evil = r#"<script>alert(1)</script><img src=x onerror=alert(2)>"#;
    let pairs: Vec<(&'static str, String)> = good()
        .into_iter()
        .map(|(k, v)| match k {
            "title" | "location" | "description" | "contact" => (k, format!("{v} {evil}")),
            _ => (k, v),
        })
        .collect();
    let r = submit(&app, pairs).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let held = app
        .store()
        .desk_events(EventStatus::Pending, 1)
        .await
        .unwrap();
    assert!(held[0].event.title.ends_with(evil), "stored as typed");
    app.store()
        .set_event_status(
            held[0].event.id,
            EventStatus::Approved,
            &masthead_store::Actor::system("t"),
            app.clock.now(),
        )
        .await
        .unwrap();
    app.refresh().await;
    let page = app
        .get(&format!("/events/{}", held[0].event.slug))
        .await
        .body;
    assert!(!page.contains("<script>alert") && !page.contains("<img src=x"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(
        !page.contains("friends@library"),
        "the contact stays private"
    );
    // A form refused for another reason shows it escaped too.
    let mut bad = good();
    bad.retain(|(k, _)| *k != "title");
    bad.push(("title", evil.to_owned()));
    bad.retain(|(k, _)| *k != "start_date");
    let r = submit(&app, bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!r.body.contains("<script>alert") && r.body.contains("&lt;script&gt;"));
}

async fn one_address_is_limited_with_a_friendly_429(app: TestApp) {
    let mut last = None;
    for _ in 0..9 {
        last = Some(post_from(&app, "198.51.100.7", &good()).await);
    }
    let r = last.unwrap();
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.header("retry-after").parse::<u64>().unwrap() > 0);
    assert!(r.body.contains("Wait 10 minutes") && r.body.contains("Library book sale"));
    // Another address is not held back.
    let r = post_from(&app, "198.51.100.8", &good()).await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "only its token is missing"
    );
    app.clock.advance(Duration::minutes(11));
    let r = post_from(&app, "198.51.100.7", &good()).await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the window has passed"
    );
}

async fn many_submitters_at_once_are_all_held(app: TestApp) {
    let mut tokens = Vec::new();
    for _ in 0..24 {
        tokens.push(token_in(&app.get("/events/submit").await.body));
    }
    app.clock.advance(Duration::seconds(30));
    let app = std::sync::Arc::new(app);
    let mut tasks = Vec::new();
    for (n, token) in tokens.into_iter().enumerate() {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let mut pairs = good();
            pairs.push(("token", token));
            post_from(&app, &format!("203.0.113.{}", n + 1), &pairs)
                .await
                .status
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::SEE_OTHER);
    }
    assert_eq!(pending(&app).await, 24);
    let held = app
        .store()
        .desk_events(EventStatus::Pending, 100)
        .await
        .unwrap();
    let slugs: std::collections::HashSet<_> = held.iter().map(|e| e.event.slug.clone()).collect();
    assert_eq!(slugs.len(), 24, "each its own address");
}
