//! The newsletter as a reader meets it, against a real SMTP server on loopback (aiosmtpd,
//! `masthead_testkit::SmtpSink`), on SQLite and PostgreSQL: signing up from the footer,
//! the confirmation mail and its link (a GET changes nothing, a tampered link does
//! nothing), the digest with its headlines, summaries, links and wire credit, leaving in
//! one click as a mail provider does it (RFC 8058: a cookieless POST, 200, no redirect)
//! and no second mail after; nothing but the confirmation to an address that did not
//! confirm; malformed, internationalised and hostile input; floods from one address; the
//! preferences page, the data export and erasure; many readers signing up at once from one connection (exactly its share goes
//! through, each mailed once by two workers at once).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod newsletter_common;

use masthead_core::{Clock, Role};
use masthead_store::{SendState, SubscriberStatus};
use masthead_testkit::{SmtpSink, TestApp, app_tests};
use newsletter_common::{BASE, confirmed_readers, link, list, send_path, sign_up, stories};
use std::time::Duration;
use tower::ServiceExt;

app_tests!(
    a_reader_signs_up_confirms_gets_the_digest_and_leaves_in_one_click,
    nothing_but_the_confirmation_reaches_an_address_that_did_not_confirm,
    bad_addresses_hostile_names_and_floods_get_clear_answers,
    the_preferences_page_exports_and_erases_a_readers_data,
    many_readers_sign_up_at_once_and_each_gets_one_confirmation,
    a_flood_from_many_addresses_is_turned_away_with_a_time_to_come_back,
);

const WAIT: Duration = Duration::from_secs(10);

/// A send of `slug` written in the desk and sent now; returns its path.
async fn send_now(app: &TestApp, slug: &str) -> String {
    static EDITORS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = EDITORS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let editor = app
        .staff(&format!("editor{n}@example.org"), Role::Editor)
        .await;
    let made = app
        .post_as(&editor, "/admin/newsletter/sends", &[("list", slug)])
        .await;
    assert_eq!(made.status.as_u16(), 303, "{}", made.body);
    let path = send_path(&made);
    let page = app.get_as(&editor, &path).await;
    let subject = "Your Test Town Times";
    let sent = app
        .post_as(
            &editor,
            &path,
            &[
                ("do", "now"),
                ("subject", subject),
                ("intro", "Good morning."),
            ],
        )
        .await;
    assert_eq!(sent.status.as_u16(), 303, "{}\n{}", sent.body, page.body);
    path
}

async fn a_reader_signs_up_confirms_gets_the_digest_and_leaves_in_one_click(app: TestApp) {
    let sink = SmtpSink::start(&[]);
    let app = app.with_mail(&sink.url());
    let desk = stories(&app).await;
    let home = app.get("/").await;
    assert!(
        home.body.contains("footer-newsletter"),
        "the footer has the signup form"
    );
    // Every page a reader meets, and the mail itself, go to the HTML checker at the end.
    let mut pages = vec![("home".to_owned(), home.body.clone())];
    pages.push(("signup".into(), app.get("/newsletter").await.body));
    pages.push(("check".into(), app.get("/newsletter/check").await.body));

    let signed = sign_up(
        &app,
        "Reader@Example.org",
        &["daily", "breaking"],
        "Ann Reader",
    )
    .await;
    assert_eq!(signed.status.as_u16(), 303, "{}", signed.body);
    assert_eq!(signed.header("location"), "/newsletter/check");
    app.newsletter_round("w1").await;
    let mails = sink.wait_for_messages(1, WAIT).await;
    let confirmation = &mails[0];
    assert_eq!(confirmation.rcpt_tos, ["reader@example.org"]);
    assert!(!confirmation.headers.contains_key("List-Unsubscribe"));
    let confirm = link(confirmation, "/newsletter/confirm/");

    // Opening the link (or a mail scanner fetching it) changes nothing.
    let page = app.get(&confirm).await;
    assert_eq!(page.status.as_u16(), 200);
    assert!(page.body.contains("Yes, subscribe me"));
    pages.push(("confirm".into(), page.body.clone()));
    let reader = &app
        .store()
        .find_subscribers("reader@", None, None)
        .await
        .unwrap()[0];
    assert_eq!(reader.status, SubscriberStatus::Pending);
    // A tampered link does nothing.
    let mut tampered = confirm.clone().into_bytes();
    let last = tampered.len() - 3;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let refused = app.post_raw(&tampered, "", "").await;
    assert_eq!(refused.status.as_u16(), 404);
    pages.push(("invalid".into(), refused.body));
    let done = app.post_raw(&confirm, "", "").await;
    assert_eq!(done.status.as_u16(), 200, "{}", done.body);
    assert!(done.body.contains("You are subscribed"));
    pages.push(("confirmed".into(), done.body.clone()));
    // Replayed: still subscribed, nothing more.
    assert_eq!(app.post_raw(&confirm, "", "").await.status.as_u16(), 200);
    let reader = app.store().subscriber(reader.id).await.unwrap().unwrap();
    assert_eq!(reader.status, SubscriberStatus::Confirmed);

    let send = send_now(&app, "daily").await;
    app.newsletter_round("w1").await;
    let mails = sink.wait_for_messages(2, WAIT).await;
    let digest = &mails[1];
    assert_eq!(digest.headers["Subject"], "Your Test Town Times");
    assert_eq!(
        digest.headers["List-Unsubscribe-Post"],
        "List-Unsubscribe=One-Click"
    );
    let unsubscribe = digest.headers["List-Unsubscribe"]
        .trim_matches(['<', '>'])
        .to_owned();
    assert!(
        unsubscribe.starts_with(&format!("{BASE}/newsletter/unsubscribe/")),
        "{unsubscribe}"
    );
    assert!(digest.headers["List-Id"].contains("daily.news.example.org"));
    let text = digest.text.as_deref().unwrap();
    for expected in [
        "Good morning.",
        "Village board approves the new library roof",
        "The roof will be replaced this summer for $412,000.",
        "By Ana Reyes",
        "State budget adds money for rural roads",
        "By Sam Ortiz | Prairie State Wire",
        "https://news.example.org/stories/tigers-win-the-regional-final",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    let html = digest.html.as_deref().unwrap();
    pages.push(("digest-mail".into(), html.to_owned()));
    pages.push((
        "confirmation-mail".into(),
        confirmation.html.clone().unwrap(),
    ));
    assert!(html.contains("By Sam Ortiz | Prairie State Wire"));
    assert!(!html.contains("<img"), "no tracking pixel, no image at all");
    assert!(html.contains("style=\""), "the stylesheet is inlined");
    assert!(
        html.contains("prefers-color-scheme: dark"),
        "dark mode rules stay"
    );
    let done = app
        .store()
        .send(masthead_core::SendId(
            send.rsplit('/').next().unwrap().parse().unwrap(),
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((done.state, done.counts.sent), (SendState::Done, 1));

    // One click, as a mail provider makes it: no cookie, no origin, the RFC's body.
    let path = unsubscribe.trim_start_matches(BASE);
    let leave_page = app.get(path).await;
    assert!(
        leave_page
            .body
            .contains("Stop sending <strong>Daily digest</strong>")
    );
    pages.push(("leave".into(), leave_page.body));
    let left = app.post_raw(path, "", "List-Unsubscribe=One-Click").await;
    assert_eq!(left.status.as_u16(), 200, "{}", left.body);
    assert!(left.header("location").is_empty(), "never a redirect");
    assert!(left.body.contains("gets no more Daily digest"));
    pages.push(("left".into(), left.body.clone()));
    let refs: Vec<(&str, String)> = pages.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    masthead_testkit::assert_valid_html(&refs);
    let reader = app.store().subscriber(reader.id).await.unwrap().unwrap();
    assert_eq!(reader.lists, [list(app.store(), "breaking").await]);

    // The next daily digest, with the news since, does not reach them.
    app.clock.advance(chrono::Duration::hours(2));
    masthead_testkit::ArticleBuilder::new("Council sets the fall leaf pickup", desk.news)
        .published(masthead_testkit::t0() + chrono::Duration::hours(1))
        .insert(app.store())
        .await;
    app.refresh().await;
    send_now(&app, "daily").await;
    // The round returns once the SMTP server answered each message, and the sink stores a
    // message before it answers: no waiting needed to see what it got.
    app.newsletter_round("w1").await;
    assert_eq!(sink.messages().len(), 2);
    assert_eq!(sink.rcpt_log().len(), 2);
}

async fn nothing_but_the_confirmation_reaches_an_address_that_did_not_confirm(app: TestApp) {
    let sink = SmtpSink::start(&[]);
    let app = app.with_mail(&sink.url());
    stories(&app).await;
    let daily = list(app.store(), "daily").await;
    confirmed_readers(app.store(), daily, &["old@example.org"]).await;
    sign_up(&app, "new@example.org", &["daily"], "").await;
    send_now(&app, "daily").await;
    app.newsletter_round("w1").await;
    app.newsletter_round("w1").await;
    let mails = sink.wait_for_messages(2, WAIT).await;
    let to_new: Vec<_> = mails
        .iter()
        .filter(|m| m.rcpt_tos == ["new@example.org"])
        .collect();
    assert_eq!(to_new.len(), 1);
    assert!(to_new[0].headers["Subject"].starts_with("Confirm your subscription"));
    let to_old: Vec<_> = mails
        .iter()
        .filter(|m| m.rcpt_tos == ["old@example.org"])
        .collect();
    assert_eq!(to_old.len(), 1);
    assert_eq!(to_old[0].headers["Subject"], "Your Test Town Times");
    assert_eq!(sink.messages().len(), 2);
}

async fn bad_addresses_hostile_names_and_floods_get_clear_answers(app: TestApp) {
    let sink = SmtpSink::start(&[]);
    let app = app.with_mail(&sink.url());
    for bad in [
        "not an address",
        "a b@example.org",
        "x@[127.0.0.1]",
        "x@localhost",
        "@example.org",
    ] {
        let r = sign_up(&app, bad, &["daily"], "").await;
        assert_eq!(r.status.as_u16(), 422, "{bad}");
        assert!(
            r.body.contains("jane@example.org"),
            "the answer shows what an address looks like"
        );
    }
    let none = sign_up(&app, "nolist@example.org", &[], "").await;
    assert_eq!(none.status.as_u16(), 422);
    assert!(none.body.contains("Choose at least one newsletter"));
    // The honeypot: a robot is thanked and nothing is stored.
    let robot = app
        .post_raw(
            "/newsletter",
            "",
            "email=bot%40example.org&list=daily&website=spam",
        )
        .await;
    assert_eq!(robot.status.as_u16(), 303);
    assert!(
        app.store()
            .find_subscribers("bot@", None, None)
            .await
            .unwrap()
            .is_empty()
    );
    // An internationalised address goes through (SMTPUTF8); a hostile name adds no header.
    let idn = sign_up(
        &app,
        "jürgen@bücher.example",
        &["daily"],
        "Eve\r\nBcc: victim@evil.test",
    )
    .await;
    assert_eq!(idn.status.as_u16(), 303, "{}", idn.body);
    // The same address again and again: one confirmation mail in ten minutes.
    for _ in 0..4 {
        sign_up(&app, "again@example.org", &["daily"], "").await;
    }
    app.newsletter_round("w1").await;
    let mails = sink.wait_for_messages(2, WAIT).await;
    assert_eq!(mails.len(), 2, "one mail each, however many signups");
    let idn_mail = mails
        .iter()
        .find(|m| m.rcpt_tos == ["jürgen@bücher.example"])
        .unwrap();
    assert!(idn_mail.mail_options.iter().any(|o| o == "SMTPUTF8"));
    assert!(!idn_mail.headers.contains_key("Bcc"));
    assert!(
        idn_mail.headers["To"].contains("Eve Bcc: victim@evil.test")
            && !idn_mail.headers["To"].contains('\n'),
        "the name, on one line: {:?}",
        idn_mail.headers["To"]
    );
    assert!(!sink.rcpt_log().iter().any(|r| r.contains("evil")));
    // Many signups from one connection: refused with a time to wait, the form kept.
    let mut last = None;
    for i in 0..12 {
        last = Some(sign_up(&app, &format!("flood{i}@example.org"), &["daily"], "").await);
    }
    let last = last.unwrap();
    assert_eq!(last.status.as_u16(), 429);
    assert!(!last.header("retry-after").is_empty());
    assert!(
        last.body.contains("flood11@example.org"),
        "the address typed is kept"
    );
}

async fn the_preferences_page_exports_and_erases_a_readers_data(app: TestApp) {
    let sink = SmtpSink::start(&[]);
    let app = app.with_mail(&sink.url());
    let daily = list(app.store(), "daily").await;
    confirmed_readers(app.store(), daily, &["pat@example.org"]).await;
    // Signing up again with a confirmed address mails a link to the preferences instead.
    app.clock.advance(chrono::Duration::hours(1));
    sign_up(&app, "pat@example.org", &["weekly"], "").await;
    app.newsletter_round("w1").await;
    let mail = &sink.wait_for_messages(1, WAIT).await[0];
    let prefs = link(mail, "/newsletter/preferences/");
    let found = &app
        .store()
        .find_subscribers("pat@", None, None)
        .await
        .unwrap()[0];
    let reader = app.store().subscriber(found.id).await.unwrap().unwrap();
    assert_eq!(
        reader.lists,
        [daily],
        "a signup changes no confirmed reader's lists"
    );

    let page = app.get(&prefs).await;
    assert_eq!(page.status.as_u16(), 200);
    assert!(page.body.contains("value=\"daily\" checked"));
    let saved = app
        .post_raw(&prefs, "", "do=save&list=weekly&list=breaking")
        .await;
    assert_eq!(saved.status.as_u16(), 200);
    assert!(saved.body.contains("Your choices are saved."));
    let reader = app.store().subscriber(reader.id).await.unwrap().unwrap();
    assert_eq!(reader.lists.len(), 2);
    assert!(!reader.lists.contains(&daily));

    let data = app.get(&format!("{prefs}/data.json")).await;
    assert_eq!(data.status.as_u16(), 200);
    let json: serde_json::Value = serde_json::from_str(&data.body).unwrap();
    assert_eq!(json["email"], "pat@example.org");
    assert_eq!(
        json["newsletters"],
        serde_json::json!(["weekly", "breaking"])
    );

    // A preferences link from elsewhere (another site's page) is refused.
    let forged = app
        .request(
            axum::http::Request::post(&prefs)
                .header("content-type", "application/x-www-form-urlencoded")
                .header("origin", "https://evil.example.com")
                .body(axum::body::Body::from("do=erase"))
                .unwrap(),
        )
        .await;
    assert_eq!(forged.status.as_u16(), 403);
    let erased = app.post_raw(&prefs, "", "do=erase").await;
    assert_eq!(erased.status.as_u16(), 200);
    assert!(app.store().subscriber(reader.id).await.unwrap().is_none());
    assert_eq!(app.get(&prefs).await.status.as_u16(), 404);
}

async fn many_readers_sign_up_at_once_and_each_gets_one_confirmation(app: TestApp) {
    let sink = SmtpSink::start(&[]);
    let app = app.with_mail(&sink.url());
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let state = app.state.clone();
            tokio::spawn(async move {
                let body = format!("email=reader{i}%40example.org&list=daily");
                let request = axum::http::Request::post("/newsletter")
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("x-forwarded-for", format!("10.0.0.{i}"))
                    .body(axum::body::Body::from(body))
                    .unwrap();
                masthead_web::app(state)
                    .oneshot(request)
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let mut refused = 0;
    for t in tasks {
        // Every signup is answered; none fails under the others' writes.
        match t.await.unwrap() {
            303 => {}
            429 => refused += 1,
            other => panic!("a signup answered {other}"),
        }
    }
    // One connection (the proxy's header is not trusted here): its ten go through, exactly.
    assert_eq!(refused, 30);
    let pending = app
        .store()
        .find_subscribers("", Some(SubscriberStatus::Pending), None)
        .await
        .unwrap();
    let n = pending.len();
    assert_eq!(n, 10);
    // Two servers' workers mail the confirmations at once: each reader gets exactly one.
    let (a, b) = tokio::join!(app.newsletter_round("w1"), app.newsletter_round("w2"));
    let ((), ()) = (a, b);
    let mails = sink.wait_for_messages(n, WAIT).await;
    let mut to: Vec<String> = mails.iter().map(|m| m.rcpt_tos[0].clone()).collect();
    to.sort();
    to.dedup();
    assert_eq!(to.len(), n);
    assert_eq!(mails.len(), n);
}

async fn a_flood_from_many_addresses_is_turned_away_with_a_time_to_come_back(app: TestApp) {
    let sink = SmtpSink::start(&[]);
    let app = app.with_mail(&sink.url());
    // The hour's signups, as from many addresses (the counter every server shares).
    for _ in 0..600 {
        app.store()
            .count_attempt(
                "newsletter:all",
                chrono::Duration::hours(1),
                app.clock.now(),
            )
            .await
            .unwrap();
    }
    let refused = sign_up(&app, "one-more@example.org", &["daily"], "").await;
    assert_eq!(refused.status.as_u16(), 503, "{}", refused.body);
    assert!(!refused.header("retry-after").is_empty());
    assert!(refused.body.contains("Try again in a while"));
    assert!(
        app.store()
            .find_subscribers("one-more", None, None)
            .await
            .unwrap()
            .is_empty()
    );
    // An hour on, signups are taken again.
    app.clock.advance(chrono::Duration::minutes(61));
    let taken = sign_up(&app, "one-more@example.org", &["daily"], "").await;
    assert_eq!(taken.status.as_u16(), 303);
}
