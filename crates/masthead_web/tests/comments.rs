//! Reader comments through the real router, on SQLite and PostgreSQL (issue 11): the form
//! and its errors, the layers of spam defence, moderation (policy, bulk, bans, counts,
//! open/closed), what the page cache does with held and shown comments, the comment feed
//! read by feedparser, emails on no public surface, many commenters at once, and the HTML
//! checker on the pages.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::Request;
use chrono::Duration;
use masthead_core::{CommentStatus, Role};
use masthead_store::Actor;
use masthead_testkit::{
    ArticleBuilder, Desk, TestApp, TestResponse, app_tests, assert_valid_html, form_body,
    read_feeds, t0,
};
use std::collections::BTreeMap;

app_tests!(
    a_held_comment_changes_no_cached_page_and_an_approved_one_only_its_own,
    form_errors_keep_the_text_and_name_the_fix,
    spam_layers_refuse_robots_replays_and_duplicates,
    floods_get_a_friendly_429_with_the_text_kept,
    script_in_every_field_is_text_and_replies_are_one_level,
    moderators_act_in_bulk_ban_and_see_counts,
    closed_and_auto_closed_stories_take_no_comments,
    emails_and_addresses_appear_on_no_public_surface,
    the_comment_feed_is_read_by_feedparser,
    many_commenters_at_once_get_no_error,
    comment_pages_pass_the_html_checker,
    the_api_reads_for_everyone_and_moderates_with_a_token,
);

mod api_support;
use api_support::{call, staff as api_staff};

/// A reader's form: name, email, website, body.
struct Reader<'a> {
    name: &'a str,
    email: &'a str,
    website: &'a str,
    body: &'a str,
}

fn reader<'a>(name: &'a str, email: &'a str, body: &'a str) -> Reader<'a> {
    Reader {
        name,
        email,
        website: "",
        body,
    }
}

fn token_in(html: &str) -> String {
    let at = html
        .find("name=\"token\" value=\"")
        .expect("a token in the form")
        + 20;
    html[at..].split('"').next().unwrap().to_owned()
}

async fn post_form(app: &TestApp, slug: &str, pairs: &[(&str, &str)], from: &str) -> TestResponse {
    let mut request = Request::post(format!("/stories/{slug}/comment"))
        .header("content-type", "application/x-www-form-urlencoded");
    if !from.is_empty() {
        request = request.header("x-forwarded-for", from);
    }
    app.request(request.body(Body::from(form_body(pairs))).unwrap())
        .await
}

/// Opens the form (replying to `reply` when not empty), waits as a person would, posts.
async fn comment(app: &TestApp, slug: &str, r: &Reader<'_>, reply: &str) -> TestResponse {
    let uri = if reply.is_empty() {
        format!("/stories/{slug}/comment")
    } else {
        format!("/stories/{slug}/comment?reply={reply}")
    };
    let form = app.get(&uri).await;
    assert_eq!(form.status.as_u16(), 200, "{}", form.body);
    let token = token_in(&form.body);
    app.clock.advance(Duration::seconds(5));
    let pairs = [
        ("token", token.as_str()),
        ("reply", reply),
        ("name", r.name),
        ("email", r.email),
        ("website", r.website),
        ("body", r.body),
        ("homepage", ""),
    ];
    post_form(app, slug, &pairs, "").await
}

async fn settings(app: &TestApp, values: &[(&str, &str)]) {
    let values: Vec<(&str, String)> = values.iter().map(|(k, v)| (*k, v.to_string())).collect();
    app.store()
        .save_settings(&values, &Actor::system("test"), t0())
        .await
        .unwrap();
    app.refresh().await;
}

async fn story(app: &TestApp, title: &str) -> masthead_core::ArticleId {
    let desk = Desk::create(app.store()).await;
    let id = ArticleBuilder::new(title, desk.news)
        .published(t0() - Duration::hours(1))
        .insert(app.store())
        .await;
    relaxed(app).await;
    id
}

/// Limits no test but the flood test reaches (every post in process comes from "local").
async fn relaxed(app: &TestApp) {
    settings(
        app,
        &[
            ("comments_per_address", "1000"),
            ("comments_per_email", "1000"),
            ("comments_site_per_minute", "100000"),
        ],
    )
    .await;
}

async fn stored(app: &TestApp, status: CommentStatus) -> usize {
    app.store()
        .moderation_queue(status, 1000)
        .await
        .unwrap()
        .len()
}

async fn a_held_comment_changes_no_cached_page_and_an_approved_one_only_its_own(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    ArticleBuilder::new("Pool reopens", desk.news)
        .published(t0() - Duration::hours(2))
        .insert(app.store())
        .await;
    ArticleBuilder::new("Budget passes", desk.news)
        .published(t0() - Duration::hours(1))
        .insert(app.store())
        .await;
    relaxed(&app).await;
    let pages = [
        "/stories/pool-reopens",
        "/stories/budget-passes",
        "/",
        "/latest",
        "/events",
    ];
    for p in pages {
        app.get(p).await;
        assert_eq!(app.get(p).await.header("x-cache"), "hit", "{p} cached");
    }
    let r = comment(
        &app,
        "pool-reopens",
        &reader("Rae", "rae@example.net", "Finally open!"),
        "",
    )
    .await;
    assert_eq!(
        (r.status.as_u16(), r.header("location")),
        (303, "/stories/pool-reopens/comment?sent=held"),
        "a first-time commenter is held: {}",
        r.body
    );
    let thanks = app.get(r.header("location")).await;
    assert!(thanks.body.contains("once a moderator has read it"));
    app.refresh().await;
    for p in pages {
        let page = app.get(p).await;
        assert_eq!(page.header("x-cache"), "hit", "a held comment changed {p}");
        assert!(!page.body.contains("Finally open!"));
    }
    // An editor approves it: the story's page, and the lists with its teaser (their count),
    // turn over; the other story's page and the calendar stay cached.
    let ed = app.staff("ed@example.org", Role::Editor).await;
    let queue = app
        .store()
        .moderation_queue(CommentStatus::Pending, 10)
        .await
        .unwrap();
    let id = queue[0].id.0.to_string();
    let r = app
        .post_as(
            &ed,
            "/admin/comments",
            &[("act", &format!("approved:{id}")), ("from", "pending")],
        )
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    app.refresh().await;
    let page = app.get("/stories/pool-reopens").await;
    assert_ne!(page.header("x-cache"), "hit");
    assert!(page.body.contains("Finally open!") && page.body.contains("Comments (1)"));
    let home = app.get("/").await;
    assert_ne!(home.header("x-cache"), "hit");
    assert!(home.body.contains("1 comment<"), "the teaser counts it");
    assert_ne!(app.get("/latest").await.header("x-cache"), "hit");
    assert_eq!(
        app.get("/stories/budget-passes").await.header("x-cache"),
        "hit"
    );
    assert_eq!(app.get("/events").await.header("x-cache"), "hit");
    // Her next comment needs no moderator (hold first-time commenters, the default), and
    // the redirect leads to a page that shows it.
    let r = comment(
        &app,
        "pool-reopens",
        &reader("Rae", "RAE@example.net", "And warm."),
        "",
    )
    .await;
    assert_eq!(r.status.as_u16(), 303);
    assert!(
        r.header("location")
            .starts_with("/stories/pool-reopens?comment="),
        "{}",
        r.header("location")
    );
    let page = app.get("/stories/pool-reopens").await;
    assert!(page.body.contains("And warm.") && page.body.contains("Comments (2)"));
    assert!(app.get("/").await.body.contains("2 comments<"));
}

async fn form_errors_keep_the_text_and_name_the_fix(app: TestApp) {
    story(&app, "Pool reopens").await;
    let r = comment(
        &app,
        "pool-reopens",
        &Reader {
            name: "",
            email: "not an email",
            website: "javascript:alert(1)",
            body: "My carefully written thoughts.",
        },
        "",
    )
    .await;
    assert_eq!(r.status.as_u16(), 422);
    for fix in [
        "write the name to show with your comment",
        "is not an email address like jane@example.org",
        "use a full web address starting with https://",
        "My carefully written thoughts.</textarea>",
    ] {
        assert!(r.body.contains(fix), "{fix}: {}", r.body);
    }
    let long = "x".repeat(5001);
    let r = comment(
        &app,
        "pool-reopens",
        &reader("Pat", "pat@example.org", &long),
        "",
    )
    .await;
    assert_eq!(r.status.as_u16(), 422);
    assert!(r.body.contains("shorten the comment to 5000 characters"));
    let r = comment(
        &app,
        "pool-reopens",
        &reader("Pat", "pat@example.org", " "),
        "",
    )
    .await;
    assert!(r.body.contains("write your comment"));
    // Fixing the form and posting the same page again works: the token was not spent.
    let token = token_in(&r.body);
    app.clock.advance(Duration::seconds(5));
    let ok = post_form(
        &app,
        "pool-reopens",
        &[
            ("token", &token),
            ("name", "Pat"),
            ("email", "pat@example.org"),
            ("body", "Fixed."),
        ],
        "",
    )
    .await;
    assert_eq!(ok.status.as_u16(), 303, "{}", ok.body);
    assert_eq!(stored(&app, CommentStatus::Pending).await, 1);
    // Missing story, bad UTF-8: 404 and 400, never a 500.
    assert_eq!(
        app.get("/stories/no-such/comment").await.status.as_u16(),
        404
    );
    let bad = app
        .request(
            Request::post("/stories/pool-reopens/comment")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(vec![b'n', b'a', b'm', b'e', b'=', 0xff, 0xfe]))
                .unwrap(),
        )
        .await;
    assert!(bad.status.is_client_error(), "{}", bad.status);
}

async fn spam_layers_refuse_robots_replays_and_duplicates(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    for title in ["Pool reopens", "Library hours"] {
        ArticleBuilder::new(title, desk.news)
            .published(t0() - Duration::hours(1))
            .insert(app.store())
            .await;
    }
    relaxed(&app).await;
    let form = app.get("/stories/pool-reopens/comment").await;
    let token = token_in(&form.body);
    let fields = |token: &'static str| -> Vec<(&'static str, &'static str)> {
        vec![
            ("token", token),
            ("name", "Bot"),
            ("email", "bot@example.org"),
            ("body", "Buy now"),
        ]
    };
    let token: &'static str = Box::leak(token.into_boxed_str());
    // Too fast: refused, the text kept, a fresh form.
    let r = post_form(&app, "pool-reopens", &fields(token), "").await;
    assert_eq!(r.status.as_u16(), 422);
    assert!(r.body.contains("faster than anyone types") && r.body.contains("Buy now</textarea>"));
    assert_ne!(token_in(&r.body), token);
    app.clock.advance(Duration::seconds(5));
    // The honeypot: answered as if held, nothing stored.
    let mut honey = fields(token);
    honey.push(("homepage", "http://spam.example"));
    let r = post_form(&app, "pool-reopens", &honey, "").await;
    assert_eq!(r.status.as_u16(), 303);
    // A forged token, and a token served for another story.
    let mut forged = token.as_bytes().to_vec();
    forged[4] = if forged[4] == b'A' { b'B' } else { b'A' };
    let forged: &'static str = Box::leak(String::from_utf8(forged).unwrap().into_boxed_str());
    let r = post_form(&app, "pool-reopens", &fields(forged), "").await;
    assert!(r.body.contains("did not come from this page"), "{}", r.body);
    let other = token_in(&app.get("/stories/library-hours/comment").await.body);
    let other: &'static str = Box::leak(other.into_boxed_str());
    app.clock.advance(Duration::seconds(5));
    let r = post_form(&app, "pool-reopens", &fields(other), "").await;
    assert!(r.body.contains("did not come from this page"), "{}", r.body);
    // Posted once, then replayed.
    assert_eq!(
        post_form(&app, "pool-reopens", &fields(token), "")
            .await
            .status
            .as_u16(),
        303
    );
    let r = post_form(&app, "pool-reopens", &fields(token), "").await;
    assert_eq!(r.status.as_u16(), 422);
    assert!(r.body.contains("posted already"), "{}", r.body);
    // The same text again on a fresh form: a duplicate.
    let r = comment(
        &app,
        "pool-reopens",
        &reader("Bot", "bot2@example.org", "BUY   now"),
        "",
    )
    .await;
    assert!(r.body.contains("posted this comment already"), "{}", r.body);
    // Too many links.
    let links = "http://a.example http://b.example http://c.example";
    let r = comment(
        &app,
        "pool-reopens",
        &reader("Bot", "bot3@example.org", links),
        "",
    )
    .await;
    assert!(r.body.contains("at most 2 links"));
    // A blocked word sends it to spam, never to the page.
    settings(
        &app,
        &[
            ("comments_blocklist", "casino"),
            ("comments_policy", "publish"),
        ],
    )
    .await;
    let r = comment(
        &app,
        "pool-reopens",
        &reader("Bot", "bot4@example.org", "Best CASINO"),
        "",
    )
    .await;
    assert_eq!(
        r.header("location"),
        "/stories/pool-reopens/comment?sent=held"
    );
    assert_eq!(stored(&app, CommentStatus::Spam).await, 1);
    assert_eq!(
        stored(&app, CommentStatus::Pending).await,
        1,
        "only the one real post"
    );
    app.clock.advance(Duration::days(2));
    let form = app.get("/stories/pool-reopens/comment").await;
    let old = token_in(&form.body);
    app.clock.advance(Duration::hours(4));
    let r = post_form(
        &app,
        "pool-reopens",
        &[
            ("token", &old),
            ("name", "Pat"),
            ("email", "p@example.org"),
            ("body", "Late"),
        ],
        "",
    )
    .await;
    assert!(
        r.body.contains("open for more than three hours") && r.body.contains("Late</textarea>")
    );
}

async fn floods_get_a_friendly_429_with_the_text_kept(app: TestApp) {
    story(&app, "Pool reopens").await;
    settings(
        &app,
        &[("comments_per_address", "2"), ("comments_per_email", "50")],
    )
    .await;
    for i in 0..2 {
        let body = format!("Comment {i}");
        let r = comment(
            &app,
            "pool-reopens",
            &reader("Pat", &format!("p{i}@example.org"), &body),
            "",
        )
        .await;
        assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    }
    let r = comment(
        &app,
        "pool-reopens",
        &reader("Pat", "p9@example.org", "My third"),
        "",
    )
    .await;
    assert_eq!(r.status.as_u16(), 429);
    assert!(r.header("retry-after").parse::<u64>().unwrap() > 0);
    assert!(
        r.body.contains("Wait 10 minutes") && r.body.contains("My third</textarea>"),
        "{}",
        r.body
    );
    // Per email, from many addresses; and site-wide.
    settings(
        &app,
        &[
            ("comments_per_address", "100"),
            ("comments_per_email", "1"),
            ("comments_site_per_minute", "1000"),
        ],
    )
    .await;
    let mut codes = Vec::new();
    for i in 0..3 {
        let form = app.get("/stories/pool-reopens/comment").await;
        app.clock.advance(Duration::seconds(5));
        let token = token_in(&form.body);
        let body = format!("From address {i}");
        let from = format!("203.0.113.{i}");
        let pairs = [
            ("token", token.as_str()),
            ("name", "Sam"),
            ("email", "sam@example.org"),
            ("body", body.as_str()),
        ];
        codes.push(
            post_form(&app, "pool-reopens", &pairs, &from)
                .await
                .status
                .as_u16(),
        );
    }
    assert_eq!(codes.iter().filter(|c| **c == 429).count(), 2, "{codes:?}");
}

async fn script_in_every_field_is_text_and_replies_are_one_level(app: TestApp) {
    story(&app, "Pool reopens").await;
    settings(&app, &[("comments_policy", "publish")]).await;
    let evil = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    let r = comment(
        &app,
        "pool-reopens",
        &Reader {
            name: evil,
            email: "evil@example.org",
            website: "https://example.org/\"><script>alert(3)</script>",
            body: &format!("{evil} see https://example.org/ok"),
        },
        "",
    )
    .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    let page = app.get("/stories/pool-reopens").await.body;
    assert!(!page.contains("<script>alert") && !page.contains("<img src=x"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.contains(r#"<a href="https://example.org/ok" rel="nofollow ugc">"#));
    assert!(
        page.contains(r#"rel="nofollow ugc">&lt;script&gt;"#),
        "the name links the website"
    );
    let top = app
        .store()
        .moderation_queue(CommentStatus::Approved, 10)
        .await
        .unwrap()[0]
        .id
        .0;
    let reply = comment(
        &app,
        "pool-reopens",
        &reader("Ann", "ann@example.org", "A reply"),
        &top.to_string(),
    )
    .await;
    assert_eq!(reply.status.as_u16(), 303, "{}", reply.body);
    let reply_id = app
        .store()
        .moderation_queue(CommentStatus::Approved, 10)
        .await
        .unwrap()[0]
        .id
        .0;
    // Answering the reply answers its top-level comment: one level.
    let deeper = comment(
        &app,
        "pool-reopens",
        &reader("Bo", "bo@example.org", "Deeper"),
        &reply_id.to_string(),
    )
    .await;
    assert_eq!(deeper.status.as_u16(), 303);
    let all = app
        .store()
        .moderation_queue(CommentStatus::Approved, 10)
        .await
        .unwrap();
    assert!(
        all.iter()
            .filter(|c| c.parent.is_some())
            .all(|c| c.parent.unwrap().0 == top)
    );
    let page = app.get("/stories/pool-reopens").await.body;
    assert_eq!(page.matches("class=\"comment reply\"").count(), 2);
    // A reply to a comment not shown is refused, the text kept.
    let r = comment(
        &app,
        "pool-reopens",
        &reader("Cy", "cy@example.org", "Lost reply"),
        "999999",
    )
    .await;
    assert_eq!(r.status.as_u16(), 422);
    assert!(r.body.contains("no longer shown") && r.body.contains("Lost reply</textarea>"));
    // The queue shows the same text as text.
    let ed = app.staff("ed@example.org", Role::Editor).await;
    let queue = app
        .get_as(&ed, "/admin/comments?status=approved")
        .await
        .body;
    assert!(!queue.contains("<script>alert") && queue.contains("&lt;script&gt;"));
}

async fn moderators_act_in_bulk_ban_and_see_counts(app: TestApp) {
    story(&app, "Pool reopens").await;
    for i in 0..3 {
        comment(
            &app,
            "pool-reopens",
            &reader("Pat", &format!("p{i}@example.org"), &format!("Note {i}")),
            "",
        )
        .await;
    }
    let ed = app.staff("ed@example.org", Role::Editor).await;
    let author = app.staff("au@example.org", Role::Author).await;
    let dash = app.get_as(&ed, "/admin").await.body;
    assert!(
        dash.contains("3 comments waiting for a moderator"),
        "{dash}"
    );
    assert!(
        !app.get_as(&author, "/admin")
            .await
            .body
            .contains("waiting for a moderator")
    );
    assert_eq!(
        app.post_as(&author, "/admin/comments", &[("act", "approved")])
            .await
            .status
            .as_u16(),
        403
    );
    let queue = app
        .store()
        .moderation_queue(CommentStatus::Pending, 10)
        .await
        .unwrap();
    let (a, b, c) = (
        queue[0].id.0.to_string(),
        queue[1].id.0.to_string(),
        queue[2].id.0.to_string(),
    );
    let r = app
        .post_as(
            &ed,
            "/admin/comments",
            &[
                ("act", "approved"),
                ("ids", &a),
                ("ids", &b),
                ("from", "pending"),
            ],
        )
        .await;
    assert_eq!(
        r.header("location"),
        "/admin/comments?status=pending&done=2-approved"
    );
    let none = app
        .post_as(&ed, "/admin/comments", &[("act", "approved")])
        .await;
    assert_eq!(none.status.as_u16(), 422);
    assert!(none.body.contains("Tick the comments"));
    let page = app.get_as(&ed, "/admin/comments").await.body;
    assert!(
        page.contains("Waiting: <strong>1</strong> · Shown: 2"),
        "{page}"
    );
    // Ban the third commenter's email: the comment goes to spam, and her next is dropped.
    let r = app
        .post_as(
            &ed,
            "/admin/comments",
            &[("act", &format!("ban-email:{c}"))],
        )
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    assert_eq!(stored(&app, CommentStatus::Spam).await, 1);
    let r = comment(
        &app,
        "pool-reopens",
        &reader("Pat", "p0@example.org", "Again"),
        "",
    )
    .await;
    assert_eq!(
        r.header("location"),
        "/stories/pool-reopens/comment?sent=held"
    );
    assert_eq!(
        stored(&app, CommentStatus::Pending).await,
        0,
        "nothing stored"
    );
    // Ban the address ("local" in process), then lift it.
    let r = app
        .post_as(
            &ed,
            "/admin/comments",
            &[("act", &format!("ban-address:{a}"))],
        )
        .await;
    assert_eq!(r.status.as_u16(), 303);
    let r = comment(
        &app,
        "pool-reopens",
        &reader("New", "new@example.org", "Hello"),
        "",
    )
    .await;
    assert_eq!(r.status.as_u16(), 303);
    assert_eq!(stored(&app, CommentStatus::Pending).await, 0);
    let page = app.get_as(&ed, "/admin/comments").await.body;
    assert!(page.contains("address: local"));
    app.post_as(
        &ed,
        "/admin/comments",
        &[("act", "unban"), ("kind", "address"), ("value", "local")],
    )
    .await;
    comment(
        &app,
        "pool-reopens",
        &reader("New", "new@example.org", "Hello again"),
        "",
    )
    .await;
    assert_eq!(stored(&app, CommentStatus::Pending).await, 1);
    let audit = app.store().audit_log(50, 0).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "comment.ban"));
}

async fn closed_and_auto_closed_stories_take_no_comments(app: TestApp) {
    let id = story(&app, "Pool reopens").await;
    let ed = app.staff("ed@example.org", Role::Editor).await;
    let form = app.get("/stories/pool-reopens/comment").await;
    let token = token_in(&form.body);
    let edit = app
        .get_as(&ed, &format!("/admin/articles/{}", id.0))
        .await
        .body;
    assert!(edit.contains("comments on this story are open"), "{edit}");
    let r = app
        .post_as(
            &ed,
            &format!("/admin/articles/{}/comments", id.0),
            &[("comments", "closed")],
        )
        .await;
    assert_eq!(r.status.as_u16(), 303);
    let page = app.get("/stories/pool-reopens").await.body;
    assert!(
        page.contains("Comments on this story are closed.") && !page.contains("Write a comment")
    );
    app.clock.advance(Duration::seconds(5));
    let r = post_form(
        &app,
        "pool-reopens",
        &[
            ("token", &token),
            ("name", "Pat"),
            ("email", "p@example.org"),
            ("body", "Late"),
        ],
        "",
    )
    .await;
    assert_eq!(r.status.as_u16(), 422);
    assert!(r.body.contains("closed") && r.body.contains("Late"));
    app.post_as(
        &ed,
        &format!("/admin/articles/{}/comments", id.0),
        &[("comments", "open")],
    )
    .await;
    assert!(
        app.get("/stories/pool-reopens")
            .await
            .body
            .contains("Write a comment")
    );
    // Auto-close: a story older than the setting takes none.
    let admin = app.staff("admin@example.org", Role::Admin).await;
    let bad = app
        .post_as(
            &admin,
            "/admin/comments/settings",
            &[
                ("policy", "hold_first"),
                ("close_days", "-1"),
                ("per_address", "5"),
                ("per_email", "5"),
                ("site_per_minute", "60"),
            ],
        )
        .await;
    assert_eq!(bad.status.as_u16(), 422, "{}", bad.body);
    assert!(bad.body.contains("write a whole number from 0 to 3650"));
    let ok = app
        .post_as(
            &admin,
            "/admin/comments/settings",
            &[
                ("policy", "hold_all"),
                ("close_days", "1"),
                ("per_address", "5"),
                ("per_email", "5"),
                ("site_per_minute", "60"),
                ("blocklist", "Casino\nPills"),
            ],
        )
        .await;
    assert_eq!(ok.status.as_u16(), 303, "{}", ok.body);
    assert_eq!(
        app.get_as(&ed, "/admin/comments/settings")
            .await
            .status
            .as_u16(),
        403
    );
    app.clock.advance(Duration::days(2));
    app.refresh().await;
    let form = app.get("/stories/pool-reopens/comment").await.body;
    assert!(
        form.contains("Comments on this story are closed.") && !form.contains("name=\"token\"")
    );
}

async fn emails_and_addresses_appear_on_no_public_surface(app: TestApp) {
    let id = story(&app, "Pool reopens").await;
    let secret = "secret-reader@private.example";
    app.store()
        .insert_comment(
            id,
            "Rae",
            secret,
            "Public words",
            CommentStatus::Approved,
            t0(),
        )
        .await
        .unwrap();
    app.refresh().await;
    let top = app
        .store()
        .moderation_queue(CommentStatus::Approved, 1)
        .await
        .unwrap()[0]
        .id
        .0;
    let surfaces = [
        "/".to_owned(),
        "/latest".into(),
        "/section/news".into(),
        "/stories/pool-reopens".into(),
        "/stories/pool-reopens/comments.xml".into(),
        format!("/stories/pool-reopens/comment?reply={top}"),
        "/feed.xml".into(),
        "/atom.xml".into(),
        "/feed.json".into(),
        "/search?q=public".into(),
        "/api/v1/stories/pool-reopens/comments".into(),
        "/api/v1/comments?status=approved".into(),
    ];
    for uri in surfaces {
        let r = app.get(&uri).await;
        assert!(
            !r.body.contains(secret) && !r.body.contains("private.example"),
            "{uri} shows the email"
        );
        assert!(!r.body.contains("\"local\""), "{uri} shows the address");
    }
    let page = app.get("/stories/pool-reopens").await.body;
    assert!(page.contains("Public words"));
    let (_, token) = api_staff(&app, "ed@example.org", Role::Editor).await;
    for uri in ["/api/v1/comments?status=approved", "/api/v1/comments"] {
        let r = call(&app, "GET", uri, Some(&token), None).await;
        assert_eq!(r.status(), 200);
        assert!(
            !r.response.body.contains("private.example"),
            "{uri} shows the email"
        );
    }
}

async fn the_api_reads_for_everyone_and_moderates_with_a_token(app: TestApp) {
    let id = story(&app, "Pool reopens").await;
    let held = app
        .store()
        .insert_comment(
            id,
            "Rae",
            "rae@private.example",
            "Held <b>text</b>",
            CommentStatus::Pending,
            t0(),
        )
        .await
        .unwrap();
    let open = call(
        &app,
        "GET",
        "/api/v1/stories/pool-reopens/comments",
        None,
        None,
    )
    .await;
    assert_eq!(
        (open.status(), open.json.as_array().unwrap().len()),
        (200, 0)
    );
    call(&app, "GET", "/api/v1/stories/no-such/comments", None, None)
        .await
        .error(404, "not_found");
    call(&app, "GET", "/api/v1/comments", None, None)
        .await
        .error(401, "unauthorized");
    let (_, author) = api_staff(&app, "au@example.org", Role::Author).await;
    let (_, editor) = api_staff(&app, "ed@example.org", Role::Editor).await;
    call(&app, "GET", "/api/v1/comments", Some(&author), None)
        .await
        .error(403, "forbidden");
    let queue = call(&app, "GET", "/api/v1/comments", Some(&editor), None).await;
    assert_eq!(queue.json[0]["body"], "Held <b>text</b>");
    assert_eq!(queue.json[0]["status"], "pending");
    assert!(queue.json[0].get("email").is_none());
    call(
        &app,
        "GET",
        "/api/v1/comments?status=gone",
        Some(&editor),
        None,
    )
    .await
    .error(400, "bad_request");
    let path = format!("/api/v1/comments/{}/moderate", held.0);
    let body = serde_json::json!({"status": "approved"});
    call(&app, "POST", &path, Some(&author), Some(body.clone()))
        .await
        .error(403, "forbidden");
    call(
        &app,
        "POST",
        &path,
        Some(&editor),
        Some(serde_json::json!({"status": "deleted"})),
    )
    .await
    .error(422, "unprocessable");
    call(
        &app,
        "POST",
        "/api/v1/comments/999999/moderate",
        Some(&editor),
        Some(body.clone()),
    )
    .await
    .error(404, "not_found");
    let done = call(&app, "POST", &path, Some(&editor), Some(body)).await;
    assert_eq!(
        (done.status(), &done.json["status"]),
        (200, &serde_json::json!("approved"))
    );
    let open = call(
        &app,
        "GET",
        "/api/v1/stories/pool-reopens/comments",
        None,
        None,
    )
    .await;
    assert_eq!(open.json[0]["name"], "Rae");
    assert!(!open.response.body.contains("private.example"));
    assert!(
        app.get("/stories/pool-reopens")
            .await
            .body
            .contains("Held &lt;b&gt;text")
    );
    let doc = call(&app, "GET", "/api/v1/openapi.json", None, None).await;
    for p in [
        "/api/v1/stories/{slug}/comments",
        "/api/v1/comments",
        "/api/v1/comments/{id}/moderate",
    ] {
        assert!(doc.json["paths"].get(p).is_some(), "{p} documented");
    }
}

async fn the_comment_feed_is_read_by_feedparser(app: TestApp) {
    let id = story(&app, "Pool reopens").await;
    for (name, body, at) in [
        ("Rae", "First & <b>best</b>", 1),
        ("Sam", "Second https://example.org/x", 2),
    ] {
        app.store()
            .insert_comment(
                id,
                name,
                "x@example.org",
                body,
                CommentStatus::Approved,
                t0() + Duration::minutes(at),
            )
            .await
            .unwrap();
    }
    app.store()
        .insert_comment(
            id,
            "Held",
            "h@example.org",
            "Held text",
            CommentStatus::Pending,
            t0(),
        )
        .await
        .unwrap();
    app.refresh().await;
    let feed = app.get("/stories/pool-reopens/comments.xml").await;
    assert_eq!(feed.status.as_u16(), 200);
    assert!(
        feed.header("content-type")
            .starts_with("application/rss+xml")
    );
    assert!(!feed.body.contains("Held text") && !feed.body.contains("x@example.org"));
    assert!(
        app.get("/stories/pool-reopens")
            .await
            .body
            .contains("/stories/pool-reopens/comments.xml")
    );
    let read = read_feeds(&BTreeMap::from([(
        "comments.xml".to_owned(),
        feed.body.clone(),
    )]));
    let f = &read["comments.xml"];
    assert_eq!(f["bozo"], 0, "{f}");
    let entries = f["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["title"], "Comment by Sam", "newest first");
    assert!(
        entries[1]["content"].to_string().contains("&lt;b&gt;best"),
        "{}",
        entries[1]
    );
    assert_eq!(
        app.get("/stories/no-such/comments.xml")
            .await
            .status
            .as_u16(),
        404
    );
    // Cached, and dropped when a comment is shown.
    assert_eq!(
        app.get("/stories/pool-reopens/comments.xml")
            .await
            .header("x-cache"),
        "hit"
    );
    app.store()
        .set_comments_status(
            &[app
                .store()
                .moderation_queue(CommentStatus::Pending, 1)
                .await
                .unwrap()[0]
                .id],
            CommentStatus::Approved,
            &Actor::system("test"),
            t0(),
        )
        .await
        .unwrap();
    app.refresh().await;
    assert!(
        app.get("/stories/pool-reopens/comments.xml")
            .await
            .body
            .contains("Held text")
    );
}

async fn many_commenters_at_once_get_no_error(app: TestApp) {
    story(&app, "Pool reopens").await;
    settings(
        &app,
        &[
            ("comments_policy", "publish"),
            ("comments_per_address", "1000"),
            ("comments_site_per_minute", "100000"),
        ],
    )
    .await;
    let mut forms = Vec::new();
    for _ in 0..40 {
        forms.push(token_in(
            &app.get("/stories/pool-reopens/comment").await.body,
        ));
    }
    app.clock.advance(Duration::seconds(5));
    let app = std::sync::Arc::new(app);
    let mut tasks = Vec::new();
    for (i, token) in forms.into_iter().enumerate() {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let email = format!("reader{i}@example.org");
            let body = format!("Comment number {i}");
            let from = format!("198.51.100.{i}");
            let pairs = [
                ("token", token.as_str()),
                ("name", "Reader"),
                ("email", email.as_str()),
                ("body", body.as_str()),
            ];
            let r = post_form(&app, "pool-reopens", &pairs, &from).await;
            (r.status.as_u16(), r.body)
        }));
    }
    for t in tasks {
        let (status, body) = t.await.unwrap();
        assert_eq!(status, 303, "{body}");
        assert!(!body.contains("database is locked"));
    }
    assert_eq!(stored(&app, CommentStatus::Approved).await, 40);
    app.refresh().await;
    assert!(
        app.get("/stories/pool-reopens")
            .await
            .body
            .contains("Comments (40)")
    );
}

async fn comment_pages_pass_the_html_checker(app: TestApp) {
    let id = story(&app, "Pool reopens").await;
    let c = app
        .store()
        .insert_comment(
            id,
            "Rae <b>",
            "r@example.org",
            "Hello\n\nhttps://example.org",
            CommentStatus::Approved,
            t0(),
        )
        .await
        .unwrap();
    app.store()
        .insert_comment(
            id,
            "Held",
            "h@example.org",
            "Waiting",
            CommentStatus::Pending,
            t0(),
        )
        .await
        .unwrap();
    app.refresh().await;
    let ed = app.staff("ed@example.org", Role::Editor).await;
    let admin = app.staff("admin@example.org", Role::Admin).await;
    let errors = comment(&app, "pool-reopens", &reader("", "bad", "Kept"), "")
        .await
        .body;
    let pages = vec![
        ("article", app.get("/stories/pool-reopens").await.body),
        ("home", app.get("/").await.body),
        ("form", app.get("/stories/pool-reopens/comment").await.body),
        (
            "reply",
            app.get(&format!("/stories/pool-reopens/comment?reply={}", c.0))
                .await
                .body,
        ),
        ("errors", errors),
        ("queue", app.get_as(&ed, "/admin/comments").await.body),
        ("dashboard", app.get_as(&ed, "/admin").await.body),
        (
            "settings",
            app.get_as(&admin, "/admin/comments/settings").await.body,
        ),
    ];
    assert_valid_html(&pages);
}
