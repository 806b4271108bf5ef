//! Sending the newsletter, against a real SMTP server on loopback (aiosmtpd), on SQLite
//! and PostgreSQL: a temporary refusal retried later and sent once, a hard bounce marking
//! the reader (never mailed again), a server that is down or refuses the login pausing the
//! send with the reason shown and nothing lost; and the desk: importing an old list from a
//! CSV file and exporting it, a breaking alert from a published story, a send scheduled
//! in the site's time zone going at its time and not before, and only editors sending.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod newsletter_common;

use axum::body::Body;
use axum::http::Request;
use chrono::Duration;
use masthead_core::{Role, SendId};
use masthead_store::{SendState, SubscriberStatus};
use masthead_testkit::{SmtpSink, StaffSession, TestApp, TestResponse, app_tests, multipart_body};
use newsletter_common::{confirmed_readers, list, send_path, stories};
use std::time::Duration as Wait;

app_tests!(
    a_temporary_refusal_is_retried_and_a_hard_bounce_marked,
    a_server_that_is_down_or_refuses_the_login_pauses_the_send,
    the_desk_imports_an_old_list_and_exports_every_reader,
    a_breaking_alert_goes_out_from_a_published_story,
    a_scheduled_send_goes_at_its_time_in_the_sites_zone,
    only_editors_send_the_newsletter,
    the_desk_renames_and_adds_lists_and_readers_see_them,
    clicks_are_counted_per_story_when_the_operator_turns_it_on,
    the_per_minute_budget_holds_what_is_over_for_the_next_minute,
);

const WAIT: Wait = Wait::from_secs(10);

async fn editor(app: &TestApp) -> StaffSession {
    app.staff("editor@example.org", Role::Editor).await
}

/// A digest of `slug` made in the desk and acted on with `pairs` (`do` = now, schedule…).
async fn digest(app: &TestApp, who: &StaffSession, slug: &str, pairs: &[(&str, &str)]) -> SendId {
    let made = app
        .post_as(who, "/admin/newsletter/sends", &[("list", slug)])
        .await;
    let path = send_path(&made);
    let mut form = vec![("subject", "Morning news")];
    form.extend_from_slice(pairs);
    let done = app.post_as(who, &path, &form).await;
    assert_eq!(done.status.as_u16(), 303, "{}", done.body);
    SendId(path.rsplit('/').next().unwrap().parse().unwrap())
}

async fn a_temporary_refusal_is_retried_and_a_hard_bounce_marked(app: TestApp) {
    let sink = SmtpSink::start(&[
        "--fail-times",
        "slow@example.org=1",
        "--reject",
        "gone@example.org=550",
    ]);
    let app = app.with_mail(&sink.url());
    let desk = stories(&app).await;
    let daily = list(app.store(), "daily").await;
    let readers = ["ok@example.org", "slow@example.org", "gone@example.org"];
    confirmed_readers(app.store(), daily, &readers).await;
    let who = editor(&app).await;
    let send = digest(&app, &who, "daily", &[("do", "now")]).await;
    app.newsletter_round("w1").await;
    let c = app.store().send(send).await.unwrap().unwrap().counts;
    assert_eq!((c.sent, c.waiting, c.bounced), (1, 1, 1), "{c:?}");
    let gone = &app
        .store()
        .find_subscribers("gone@", None, None)
        .await
        .unwrap()[0];
    assert_eq!(gone.status, SubscriberStatus::Bounced);
    assert!(gone.bounce_reason.contains("550"), "{}", gone.bounce_reason);
    // Not retried before its time, then sent once.
    app.newsletter_round("w1").await;
    assert_eq!(
        app.store()
            .send(send)
            .await
            .unwrap()
            .unwrap()
            .counts
            .waiting,
        1
    );
    app.clock.advance(Duration::minutes(3));
    app.newsletter_round("w1").await;
    let done = app.store().send(send).await.unwrap().unwrap();
    assert_eq!((done.state, done.counts.sent), (SendState::Done, 2));
    let mails = sink.wait_for_messages(2, WAIT).await;
    let mut to: Vec<_> = mails.iter().map(|m| m.rcpt_tos[0].as_str()).collect();
    to.sort_unstable();
    assert_eq!(to, ["ok@example.org", "slow@example.org"]);
    // The bounced reader is left out of the next send.
    app.clock.advance(Duration::hours(1));
    masthead_testkit::ArticleBuilder::new("Leaf pickup starts Monday", desk.news)
        .published(masthead_testkit::t0() + Duration::minutes(30))
        .insert(app.store())
        .await;
    app.refresh().await;
    let next = digest(&app, &who, "daily", &[("do", "now")]).await;
    app.newsletter_round("w1").await;
    let c = app.store().send(next).await.unwrap().unwrap().counts;
    assert_eq!((c.total(), c.sent), (2, 2));
    assert_eq!(
        sink.rcpt_log()
            .iter()
            .filter(|r| r.contains("gone@"))
            .count(),
        1
    );
}

async fn a_server_that_is_down_or_refuses_the_login_pauses_the_send(app: TestApp) {
    // Nothing listens on port 9 of this machine's loopback.
    let app = app.with_mail("smtp://127.0.0.1:9?tls=none");
    stories(&app).await;
    let daily = list(app.store(), "daily").await;
    confirmed_readers(app.store(), daily, &["a@example.org", "b@example.org"]).await;
    let who = editor(&app).await;
    let send = digest(&app, &who, "daily", &[("do", "now")]).await;
    for _ in 0..masthead_web::newsletter::worker::PAUSE_AFTER {
        app.newsletter_round("w1").await;
        app.clock.advance(Duration::minutes(1));
    }
    let paused = app.store().send(send).await.unwrap().unwrap();
    assert_eq!(paused.state, SendState::Paused);
    assert_eq!(
        (paused.counts.waiting, paused.counts.sent),
        (2, 0),
        "nothing lost"
    );
    let page = app
        .get_as(&who, &format!("/admin/newsletter/sends/{send}"))
        .await;
    assert!(page.body.contains("last complaint"), "{}", page.body);
    assert!(page.body.contains("connect"), "{}", page.body);

    // The right server, the wrong password: paused again, saying so; then fixed, resumed.
    let sink = SmtpSink::start(&["--auth", "news:right"]);
    let url = format!("smtp://news:wrong@127.0.0.1:{}?tls=none", sink.port());
    let app = app.with_mail(&url);
    let resumed = app
        .post_as(
            &who,
            &format!("/admin/newsletter/sends/{send}"),
            &[("do", "resume")],
        )
        .await;
    assert_eq!(resumed.status.as_u16(), 303);
    for _ in 0..masthead_web::newsletter::worker::PAUSE_AFTER {
        app.newsletter_round("w1").await;
        app.clock.advance(Duration::minutes(1));
    }
    let paused = app.store().send(send).await.unwrap().unwrap();
    assert_eq!(paused.state, SendState::Paused);
    assert!(paused.last_error.contains("535"), "{}", paused.last_error);
    assert!(sink.messages().is_empty());
    let url = format!("smtp://news:right@127.0.0.1:{}?tls=none", sink.port());
    let app = app.with_mail(&url);
    app.post_as(
        &who,
        &format!("/admin/newsletter/sends/{send}"),
        &[("do", "resume")],
    )
    .await;
    app.newsletter_round("w1").await;
    let done = app.store().send(send).await.unwrap().unwrap();
    assert_eq!((done.state, done.counts.sent), (SendState::Done, 2));
    assert_eq!(sink.wait_for_messages(2, WAIT).await.len(), 2);
    assert!(sink.messages().iter().all(|m| m.authenticated));
}

async fn import(app: &TestApp, who: &StaffSession, csv: &str, confirmed: bool) -> TestResponse {
    let mut parts: Vec<(&str, Option<&str>, &[u8])> = vec![
        ("csrf", None, who.csrf.as_bytes()),
        ("file", Some("old-list.csv"), csv.as_bytes()),
        ("list", None, b"daily"),
        ("list", None, b"weekly"),
    ];
    if confirmed {
        parts.push(("confirmed", None, b"1"));
    }
    let (content_type, body) = multipart_body(&parts);
    app.request(
        Request::post("/admin/newsletter/readers/import")
            .header("cookie", &who.cookie)
            .header("content-type", content_type)
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

async fn the_desk_imports_an_old_list_and_exports_every_reader(app: TestApp) {
    let sink = SmtpSink::start(&[]);
    let app = app.with_mail(&sink.url());
    let who = editor(&app).await;
    let daily = list(app.store(), "daily").await;
    confirmed_readers(app.store(), daily, &["left@example.org"]).await;
    let left = &app
        .store()
        .find_subscribers("left@", None, None)
        .await
        .unwrap()[0];
    app.store()
        .unsubscribe(left.id, None, masthead_testkit::t0())
        .await
        .unwrap();

    let no_column = import(&app, &who, "who,when\nann@example.org,2020\n", true).await;
    assert_eq!(no_column.status.as_u16(), 422);
    assert!(no_column.body.contains("Nothing imported"));
    let csv = "Email,Name\nann@example.org,Ann Lee\nBO@example.org,\"=HYPERLINK(\"\"x\"\")\"\n\
               left@example.org,Left Already\nnot an address,Nobody\n";
    let done = import(&app, &who, csv, true).await;
    assert_eq!(done.status.as_u16(), 200, "{}", done.body);
    assert!(done.body.contains("Imported: 2 new"), "{}", done.body);
    assert!(done.body.contains("1 left out"));
    assert!(done.body.contains("line 5"), "the bad line is named");
    let ann = &app
        .store()
        .find_subscribers("ann@", None, None)
        .await
        .unwrap()[0];
    assert_eq!(ann.status, SubscriberStatus::Confirmed);
    let left = app.store().subscriber(left.id).await.unwrap().unwrap();
    assert_eq!(
        left.status,
        SubscriberStatus::Unsubscribed,
        "a file never overrides a no"
    );
    // Not confirmed before: each gets a confirmation, and nothing else.
    let later = import(&app, &who, "email\ncy@example.org\n", false).await;
    assert!(later.body.contains("Imported: 1 new"));
    app.newsletter_round("w1").await;
    let mails = sink.wait_for_messages(1, WAIT).await;
    assert_eq!(mails[0].rcpt_tos, ["cy@example.org"]);
    assert!(mails[0].headers["Subject"].starts_with("Confirm"));

    let export = app.get_as(&who, "/admin/newsletter/readers.csv").await;
    assert_eq!(export.status.as_u16(), 200);
    assert!(export.header("content-type").starts_with("text/csv"));
    let mut rows = csv::Reader::from_reader(export.body.as_bytes());
    let records: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 4);
    let bo = records.iter().find(|r| &r[0] == "bo@example.org").unwrap();
    assert!(
        bo[1].starts_with('\''),
        "no formula reaches a spreadsheet: {:?}",
        &bo[1]
    );
    assert_eq!(&bo[2], "confirmed");
    assert_eq!(&bo[3], "daily weekly");
    let page = app.get_as(&who, "/admin/newsletter/readers?q=ann").await;
    assert!(page.body.contains("ann@example.org") && !page.body.contains("cy@example.org"));
}

async fn a_breaking_alert_goes_out_from_a_published_story(app: TestApp) {
    let sink = SmtpSink::start(&[]);
    let app = app.with_mail(&sink.url());
    stories(&app).await;
    let breaking = list(app.store(), "breaking").await;
    let daily = list(app.store(), "daily").await;
    confirmed_readers(app.store(), breaking, &["alerts@example.org"]).await;
    confirmed_readers(app.store(), daily, &["digest-only@example.org"]).await;
    let who = editor(&app).await;
    let story = app
        .store()
        .list_articles(
            masthead_store::ArticleFilter::All,
            masthead_testkit::t0(),
            masthead_core::PageNumber::FIRST,
            10,
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|t| t.title.starts_with("Tigers"))
        .unwrap();
    let edit = app
        .get_as(&who, &format!("/admin/articles/{}", story.id))
        .await;
    assert!(edit.body.contains("Send as breaking alert"));
    let made = app
        .post_as(&who, &format!("/admin/stories/{}/alert", story.id), &[])
        .await;
    let path = send_path(&made);
    let page = app.get_as(&who, &path).await;
    assert!(
        page.body
            .contains("Breaking: Tigers win the regional final")
    );
    let sent = app
        .post_as(
            &who,
            &path,
            &[
                ("do", "now"),
                ("subject", "Breaking: Tigers win the regional final"),
            ],
        )
        .await;
    assert_eq!(sent.status.as_u16(), 303, "{}", sent.body);
    app.newsletter_round("w1").await;
    let mails = sink.wait_for_messages(1, WAIT).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].rcpt_tos, ["alerts@example.org"]);
    assert!(mails[0].text.as_deref().unwrap().contains("Breaking news"));
    assert!(mails[0].headers["List-Id"].contains("breaking."));
}

async fn a_scheduled_send_goes_at_its_time_in_the_sites_zone(app: TestApp) {
    let sink = SmtpSink::start(&[]);
    let app = app.with_mail(&sink.url());
    stories(&app).await;
    let daily = list(app.store(), "daily").await;
    confirmed_readers(app.store(), daily, &["early@example.org"]).await;
    let who = editor(&app).await;
    // t0 is noon in Chicago on 27 November; 7:00 the next morning there is 13:00 UTC.
    let send = digest(
        &app,
        &who,
        "daily",
        &[("do", "schedule"), ("at", "2026-11-28T07:00")],
    )
    .await;
    let scheduled = app.store().send(send).await.unwrap().unwrap();
    assert_eq!(scheduled.state, SendState::Scheduled);
    assert_eq!(
        scheduled.scheduled_at.unwrap().to_rfc3339(),
        "2026-11-28T13:00:00+00:00"
    );
    // A time in the past is refused, saying so.
    let made = app
        .post_as(&who, "/admin/newsletter/sends", &[("list", "daily")])
        .await;
    let past = app
        .post_as(
            &who,
            &send_path(&made),
            &[
                ("do", "schedule"),
                ("subject", "x"),
                ("at", "2026-01-01T07:00"),
            ],
        )
        .await;
    assert_eq!(past.status.as_u16(), 422);
    assert!(past.body.contains("in the past"));
    app.newsletter_round("w1").await;
    assert!(sink.messages().is_empty());
    app.clock.advance(Duration::hours(19));
    app.newsletter_round("w1").await;
    assert_eq!(sink.wait_for_messages(1, WAIT).await.len(), 1);
}

async fn only_editors_send_the_newsletter(app: TestApp) {
    let author = app.staff("author@example.org", Role::Author).await;
    for path in [
        "/admin/newsletter",
        "/admin/newsletter/readers",
        "/admin/newsletter/readers.csv",
    ] {
        assert_eq!(
            app.get_as(&author, path).await.status.as_u16(),
            403,
            "{path}"
        );
    }
    let made = app
        .post_as(&author, "/admin/newsletter/sends", &[("list", "daily")])
        .await;
    assert_eq!(made.status.as_u16(), 403);
    assert!(app.store().recent_sends(5).await.unwrap().is_empty());
    // Without a mail server the desk says how to set one up, and sending is refused.
    let who = editor(&app).await;
    let page = app.get_as(&who, "/admin/newsletter").await;
    assert!(page.body.contains("smtp_url"));
    assert_eq!(app.get("/newsletter").await.status.as_u16(), 404);
    let made = app
        .post_as(&who, "/admin/newsletter/sends", &[("list", "daily")])
        .await;
    let refused = app
        .post_as(&who, &send_path(&made), &[("do", "now"), ("subject", "x")])
        .await;
    assert_eq!(refused.status.as_u16(), 409, "{}", refused.body);
    assert!(refused.body.contains("No SMTP server is set up"));
}

async fn the_desk_renames_and_adds_lists_and_readers_see_them(app: TestApp) {
    let app = app.with_mail("smtp://127.0.0.1:9?tls=none");
    let who = editor(&app).await;
    let daily = list(app.store(), "daily").await;
    let id = daily.0.to_string();
    let renamed = app
        .post_as(
            &who,
            "/admin/newsletter/lists",
            &[
                ("id", &id),
                ("name", "The Morning Edition"),
                ("description", "At 6."),
            ],
        )
        .await;
    assert_eq!(renamed.status.as_u16(), 303, "{}", renamed.body);
    let added = app
        .post_as(
            &who,
            "/admin/newsletter/lists",
            &[
                ("slug", "sports"),
                ("name", "Friday Sports"),
                ("kind", "digest"),
            ],
        )
        .await;
    assert_eq!(added.status.as_u16(), 303, "{}", added.body);
    let again = app
        .post_as(
            &who,
            "/admin/newsletter/lists",
            &[("slug", "sports"), ("name", "Twice")],
        )
        .await;
    assert_eq!(again.status.as_u16(), 422);
    assert!(again.body.contains("already a list"));
    let bad = app
        .post_as(
            &who,
            "/admin/newsletter/lists",
            &[("slug", "Not A Slug!"), ("name", "X")],
        )
        .await;
    assert_eq!(bad.status.as_u16(), 422);
    app.refresh().await;
    let home = app.get("/").await;
    assert!(home.body.contains("The Morning Edition") && home.body.contains("Friday Sports"));
    let signup = app.get("/newsletter").await;
    assert!(signup.body.contains("value=\"sports\""));
}

async fn clicks_are_counted_per_story_when_the_operator_turns_it_on(app: TestApp) {
    let sink = SmtpSink::start(&[]);
    let app = app.with_counted_mail(&sink.url());
    stories(&app).await;
    let daily = list(app.store(), "daily").await;
    confirmed_readers(app.store(), daily, &["clicker@example.org"]).await;
    let who = editor(&app).await;
    let send = digest(&app, &who, "daily", &[("do", "now")]).await;
    app.newsletter_round("w1").await;
    let mail = &sink.wait_for_messages(1, WAIT).await[0];
    let text = mail.text.as_deref().unwrap();
    let counted = format!("https://news.example.org/newsletter/go/{send}/");
    assert!(text.contains(&counted), "{text}");
    assert!(
        !text.contains("https://news.example.org/stories/"),
        "every story link is counted"
    );
    let path = newsletter_common::link(mail, &format!("/newsletter/go/{send}/"));
    for _ in 0..2 {
        let r = app.get(&path).await;
        assert_eq!(r.status.as_u16(), 303);
        assert!(
            r.header("location").starts_with("/stories/"),
            "{}",
            r.header("location")
        );
        assert!(
            r.header("set-cookie").is_empty(),
            "no cookie, nothing about who"
        );
    }
    // Not a story of ours: home, never elsewhere.
    let nowhere = app.get(&format!("/newsletter/go/{send}/999999")).await;
    assert_eq!(nowhere.header("location"), "/");
    let page = app
        .get_as(&who, &format!("/admin/newsletter/sends/{send}"))
        .await;
    assert!(page.body.contains("<h2>Clicks</h2>"), "{}", page.body);
    assert!(page.body.contains(": 2</li>"), "{}", page.body);
}

async fn the_per_minute_budget_holds_what_is_over_for_the_next_minute(app: TestApp) {
    let sink = SmtpSink::start(&[]);
    let app = app.with_mail(&sink.url()).with_mail_budget(2);
    stories(&app).await;
    let daily = list(app.store(), "daily").await;
    let five = [
        "r1@example.org",
        "r2@example.org",
        "r3@example.org",
        "r4@example.org",
        "r5@example.org",
    ];
    confirmed_readers(app.store(), daily, &five).await;
    let who = editor(&app).await;
    let send = digest(&app, &who, "daily", &[("do", "now")]).await;
    // Two servers' workers, in one minute: two messages between them, no more.
    let (a, b) = tokio::join!(app.newsletter_round("w1"), app.newsletter_round("w2"));
    let ((), ()) = (a, b);
    app.newsletter_round("w1").await;
    let c = app.store().send(send).await.unwrap().unwrap().counts;
    assert_eq!((c.sent, c.waiting), (2, 3), "{c:?}");
    app.clock.advance(Duration::minutes(1));
    app.newsletter_round("w1").await;
    assert_eq!(
        app.store().send(send).await.unwrap().unwrap().counts.sent,
        4
    );
    app.clock.advance(Duration::minutes(1));
    app.newsletter_round("w2").await;
    let done = app.store().send(send).await.unwrap().unwrap();
    assert_eq!((done.state, done.counts.sent), (SendState::Done, 5));
    assert_eq!(sink.wait_for_messages(5, WAIT).await.len(), 5);
}
