//! Review between editors and writers (issue 10 item 6), on both databases: an editor sends
//! a story in review back to its writer with a note (in headless Chromium too), the writer
//! sees it on the dashboard and answers; refusals name the fix and change nothing; notes
//! never reach a public page, feed, search or the API; many notes posted at once are all
//! kept, in order; the pages pass the HTML checker.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod api_support;

use api_support::{call, token_for};
use chrono::Duration;
use masthead_core::{ArticleId, ArticleStatus, Role};
use masthead_testkit::{
    Browser, Desk, StaffSession, TestApp, TestServer, app_tests, assert_valid_html,
};

app_tests!(
    an_editor_sends_a_story_back_with_a_note_and_the_writer_sees_it,
    sending_back_is_refused_with_the_fix_and_changes_nothing,
    notes_never_reach_readers,
    many_notes_posted_at_once_are_all_kept_in_order,
    review_pages_pass_the_html_checker,
    send_back_in_the_browser_reaches_the_writers_dashboard,
);

/// A story `who` writes through the editor and presses `action` on; its id.
async fn write(app: &TestApp, desk: &Desk, who: &StaffSession, title: &str, action: &str) -> i64 {
    let section = desk.news.0.to_string();
    let response = app
        .post_as(
            who,
            "/admin/articles/new",
            &[
                ("version", "0"),
                ("kind", "news"),
                ("title", title),
                ("section", &section),
                ("body_md", "The board met on **Tuesday**."),
                ("action", action),
            ],
        )
        .await;
    assert_eq!(response.status.as_u16(), 303, "{}", response.body);
    response
        .header("location")
        .trim_start_matches("/admin/articles/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

async fn version(app: &TestApp, id: i64) -> String {
    let a = app.store().desk_article(ArticleId(id)).await.unwrap();
    a.version.to_string()
}

async fn status(app: &TestApp, id: i64) -> ArticleStatus {
    app.store()
        .desk_article(ArticleId(id))
        .await
        .unwrap()
        .status
}

async fn an_editor_sends_a_story_back_with_a_note_and_the_writer_sees_it(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let writer = app.staff("writer@example.org", Role::Contributor).await;
    let editor = app.staff("editor@example.org", Role::Editor).await;
    let id = write(&app, &desk, &writer, "Levy vote set", "submit").await;
    assert_eq!(status(&app, id).await, ArticleStatus::Review);

    // The writer is offered notes, not the send-back; the editor both.
    let page = app.get_as(&writer, &format!("/admin/articles/{id}")).await;
    assert!(page.body.contains("id=\"desk-notes\""), "{}", page.body);
    assert!(!page.body.contains("/send-back"));
    let page = app.get_as(&editor, &format!("/admin/articles/{id}")).await;
    assert!(
        page.body
            .contains(&format!("/admin/articles/{id}/send-back"))
    );

    let v = version(&app, id).await;
    let sent = app
        .post_as(
            &editor,
            &format!("/admin/articles/{id}/send-back"),
            &[
                ("version", &v),
                ("body", "  Get a quote from the treasurer.  "),
            ],
        )
        .await;
    assert_eq!(sent.status.as_u16(), 303, "{}", sent.body);
    assert_eq!(
        sent.header("location"),
        format!("/admin/articles/{id}?saved=sent_back")
    );
    assert_eq!(status(&app, id).await, ArticleStatus::Draft);
    let page = app.get_as(&editor, sent.header("location")).await;
    assert!(page.body.contains("Sent back to the writer"));
    assert!(page.body.contains("Get a quote from the treasurer."));

    // Recorded in the audit log, with who and the note.
    let audit = app.store().audit_log(50, 0).await.unwrap();
    let entry = audit
        .iter()
        .find(|e| e.action == "article.send_back")
        .expect("the send-back is audited");
    assert_eq!(entry.actor, "editor");
    assert_eq!(entry.target, format!("article {id}"));
    assert!(entry.detail.contains("Get a quote from the treasurer."));

    // The writer's dashboard says so; the editor's does not (the note is theirs).
    let dash = app.get_as(&writer, "/admin").await;
    assert!(dash.body.contains("Notes for you"), "{}", dash.body);
    assert!(dash.body.contains("Sent back to you"));
    assert!(dash.body.contains("Get a quote from the treasurer."));
    assert!(
        !app.get_as(&editor, "/admin")
            .await
            .body
            .contains("Notes for you")
    );

    // The writer answers: now it waits for the editor, not the writer.
    let noted = app
        .post_as(
            &writer,
            &format!("/admin/articles/{id}/notes"),
            &[("body", "Called her; quote added.")],
        )
        .await;
    assert_eq!(noted.status.as_u16(), 303, "{}", noted.body);
    assert_eq!(
        noted.header("location"),
        format!("/admin/articles/{id}#desk-notes")
    );
    assert!(
        !app.get_as(&writer, "/admin")
            .await
            .body
            .contains("Notes for you")
    );
    let dash = app.get_as(&editor, "/admin").await;
    assert!(
        dash.body.contains("Called her; quote added."),
        "{}",
        dash.body
    );
    assert!(!dash.body.contains("Sent back to you"));

    // Submitted again and sent back again: the thread keeps everything in order.
    let v = version(&app, id).await;
    let section = desk.news.0.to_string();
    let again = app
        .post_as(
            &writer,
            &format!("/admin/articles/{id}"),
            &[
                ("version", &v),
                ("kind", "news"),
                ("title", "Levy vote set"),
                ("section", &section),
                (
                    "body_md",
                    "The board met. \"We need it,\" the treasurer said.",
                ),
                ("action", "submit"),
            ],
        )
        .await;
    assert_eq!(again.status.as_u16(), 303, "{}", again.body);
    assert_eq!(status(&app, id).await, ArticleStatus::Review);
    let notes = app.store().desk_notes(ArticleId(id)).await.unwrap();
    let bodies: Vec<&str> = notes.iter().map(|n| n.body.as_str()).collect();
    assert_eq!(
        bodies,
        [
            "Get a quote from the treasurer.",
            "Called her; quote added."
        ]
    );
    assert!(notes[0].sent_back && !notes[1].sent_back);
    assert_eq!(notes[0].author, "editor");
}

async fn sending_back_is_refused_with_the_fix_and_changes_nothing(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let writer = app.staff("writer@example.org", Role::Contributor).await;
    let author = app.staff("author@example.org", Role::Author).await;
    let editor = app.staff("editor@example.org", Role::Editor).await;
    let id = write(&app, &desk, &writer, "Levy vote set", "submit").await;
    let path = format!("/admin/articles/{id}/send-back");
    let v = version(&app, id).await;
    let notes_before = || async { app.store().desk_notes(ArticleId(id)).await.unwrap().len() };

    // No note: the form again with the fix, the story still in review.
    let empty = app
        .post_as(&editor, &path, &[("version", &v), ("body", "   ")])
        .await;
    assert_eq!(empty.status.as_u16(), 422, "{}", empty.body);
    assert!(
        empty.body.contains("tell the writer what to change"),
        "{}",
        empty.body
    );
    assert_eq!(status(&app, id).await, ArticleStatus::Review);

    // Too long: the limit named, what was typed kept.
    let long = "x".repeat(2_001);
    let response = app
        .post_as(&editor, &path, &[("version", &v), ("body", &long)])
        .await;
    assert_eq!(response.status.as_u16(), 422);
    assert!(response.body.contains("2,000 characters"));
    assert!(response.body.contains(&long));

    // Someone saved since: nothing sent back.
    let stale = app
        .post_as(&editor, &path, &[("version", "0"), ("body", "Fix it.")])
        .await;
    assert_eq!(stale.status.as_u16(), 409, "{}", stale.body);
    assert!(stale.body.contains("Open the story again"));
    assert_eq!(status(&app, id).await, ArticleStatus::Review);

    // The writer cannot send their own story back.
    let own = app
        .post_as(&writer, &path, &[("version", &v), ("body", "Fix it.")])
        .await;
    assert_eq!(own.status.as_u16(), 403, "{}", own.body);
    // Nor can an author their own.
    let theirs = write(&app, &desk, &author, "Parade route", "submit").await;
    let tv = version(&app, theirs).await;
    let response = app
        .post_as(
            &author,
            &format!("/admin/articles/{theirs}/send-back"),
            &[("version", &tv), ("body", "Fix it.")],
        )
        .await;
    assert_eq!(response.status.as_u16(), 403, "{}", response.body);
    assert_eq!(status(&app, theirs).await, ArticleStatus::Review);
    // An author never sees another's story or its notes.
    let hidden = app
        .post_as(
            &author,
            &format!("/admin/articles/{id}/notes"),
            &[("body", "hi")],
        )
        .await;
    assert_eq!(hidden.status.as_u16(), 404);

    // Only a story in review goes back.
    let draft = write(&app, &desk, &writer, "Draft only", "save").await;
    let dv = version(&app, draft).await;
    let response = app
        .post_as(
            &editor,
            &format!("/admin/articles/{draft}/send-back"),
            &[("version", &dv), ("body", "Fix it.")],
        )
        .await;
    assert_eq!(response.status.as_u16(), 422, "{}", response.body);
    assert!(response.body.contains("only a story in review"));
    assert_eq!(status(&app, draft).await, ArticleStatus::Draft);

    // An empty note is refused too.
    let response = app
        .post_as(
            &writer,
            &format!("/admin/articles/{id}/notes"),
            &[("body", "")],
        )
        .await;
    assert_eq!(response.status.as_u16(), 422);
    assert!(response.body.contains("write the note before posting it"));
    assert_eq!(notes_before().await, 0);
    assert!(
        !app.store()
            .audit_log(100, 0)
            .await
            .unwrap()
            .iter()
            .any(|e| e.action == "article.send_back")
    );
}

async fn notes_never_reach_readers(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let writer = app.staff("writer@example.org", Role::Author).await;
    let editor = app.staff("editor@example.org", Role::Editor).await;
    let id = write(&app, &desk, &writer, "Levy vote set", "submit").await;
    let v = version(&app, id).await;
    let secret = "DESKONLY quote unverified";
    app.post_as(
        &editor,
        &format!("/admin/articles/{id}/send-back"),
        &[("version", &v), ("body", secret)],
    )
    .await;
    app.post_as(
        &writer,
        &format!("/admin/articles/{id}/notes"),
        &[("body", "DESKONLY reply")],
    )
    .await;
    let v = version(&app, id).await;
    let section = desk.news.0.to_string();
    let published = app
        .post_as(
            &writer,
            &format!("/admin/articles/{id}"),
            &[
                ("version", &v),
                ("kind", "news"),
                ("title", "Levy vote set"),
                ("slug", "levy-vote-set"),
                ("section", &section),
                ("body_md", "The board met on Tuesday."),
                ("action", "publish"),
            ],
        )
        .await;
    assert_eq!(published.status.as_u16(), 303, "{}", published.body);
    app.refresh().await;

    let mut surfaces = vec![];
    for path in [
        "/",
        "/stories/levy-vote-set",
        "/section/news",
        "/feed.xml",
        "/atom.xml",
        "/feed.json",
        "/section/news/feed.json",
        "/search?q=unverified",
        "/api/v1/search?q=unverified",
        "/sitemap.xml",
    ] {
        let response = app.get(path).await;
        surfaces.push((path.to_owned(), response.status.as_u16(), response.body));
    }
    let token = token_for(&app, editor.user, Role::Editor).await;
    for path in [format!("/api/v1/articles/{id}"), "/api/v1/articles".into()] {
        let api = call(&app, "GET", &path, Some(&token), None).await;
        surfaces.push((path, api.status(), api.response.body));
    }
    assert!(
        surfaces[1].2.contains("Levy vote set"),
        "the story is public"
    );
    assert!(surfaces[5].2.contains("Levy vote set"), "and in the feed");
    assert_eq!(surfaces[10].1, 200, "{}", surfaces[10].2);
    for (path, code, body) in &surfaces {
        assert!(*code < 500, "{path}: {code}");
        if path.contains("search") {
            // The page repeats the reader's words; no story matches them.
            assert!(
                body.contains("No stories match") || body.contains("\"total\":0"),
                "{path} finds a desk note: {body}"
            );
        } else {
            assert!(
                !body.contains("DESKONLY"),
                "{path} shows a desk note: {body}"
            );
        }
    }
}

async fn many_notes_posted_at_once_are_all_kept_in_order(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let writer = app.staff("writer@example.org", Role::Contributor).await;
    let editor = app.staff("editor@example.org", Role::Editor).await;
    let id = write(&app, &desk, &writer, "Levy vote set", "submit").await;
    let path = format!("/admin/articles/{id}/notes");

    // One after another, the clock moving: shown in the order written.
    for (n, text) in ["first", "second", "third"].iter().enumerate() {
        let who = if n % 2 == 0 { &editor } else { &writer };
        let r = app.post_as(who, &path, &[("body", text)]).await;
        assert_eq!(r.status.as_u16(), 303, "{}", r.body);
        app.clock.advance(Duration::seconds(30));
    }

    // Forty at once from both: every one kept, none twice.
    let app = std::sync::Arc::new(app);
    let sessions = std::sync::Arc::new([editor, writer]);
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..40 {
        let (app, sessions, path) = (app.clone(), sessions.clone(), path.clone());
        tasks.spawn(async move {
            let text = format!("note {n:02}");
            let r = app
                .post_as(&sessions[n % 2], &path, &[("body", &text)])
                .await;
            assert_eq!(r.status.as_u16(), 303, "{}", r.body);
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    let writer = &sessions[1];

    let notes = app.store().desk_notes(ArticleId(id)).await.unwrap();
    assert_eq!(notes.len(), 43);
    let bodies: Vec<&str> = notes.iter().map(|n| n.body.as_str()).collect();
    assert_eq!(bodies[..3], ["first", "second", "third"]);
    let mut rest: Vec<&str> = bodies[3..].to_vec();
    rest.sort_unstable();
    let expected: Vec<String> = (0..40).map(|n| format!("note {n:02}")).collect();
    assert_eq!(rest, expected);
    assert!(notes.windows(2).all(|w| w[0].id < w[1].id));
    assert!(notes.windows(2).all(|w| w[0].created_at <= w[1].created_at));
    // The page shows them in that same order.
    let page = app.get_as(writer, &format!("/admin/articles/{id}")).await;
    let at = |text: &str| page.body.find(&format!(">{text}<")).unwrap();
    assert!(at("first") < at("second") && at("second") < at("third"));
    assert!(at("third") < at(&notes[3].body) && at(&notes[3].body) < at(&notes[42].body));
}

async fn review_pages_pass_the_html_checker(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let writer = app.staff("writer@example.org", Role::Contributor).await;
    let editor = app.staff("editor@example.org", Role::Editor).await;
    let id = write(&app, &desk, &writer, "Levy vote set", "submit").await;
    app.post_as(
        &writer,
        &format!("/admin/articles/{id}/notes"),
        &[("body", "Ready when you are.\nTwo lines.")],
    )
    .await;
    let edit_review = app.get_as(&editor, &format!("/admin/articles/{id}")).await;
    let editor_dash = app.get_as(&editor, "/admin").await;
    let v = version(&app, id).await;
    let refused = app
        .post_as(
            &editor,
            &format!("/admin/articles/{id}/send-back"),
            &[("version", &v), ("body", "")],
        )
        .await;
    app.post_as(
        &editor,
        &format!("/admin/articles/{id}/send-back"),
        &[("version", &v), ("body", "Needs a second source.")],
    )
    .await;
    let writer_dash = app.get_as(&writer, "/admin").await;
    let edit_draft = app.get_as(&writer, &format!("/admin/articles/{id}")).await;
    let new = app.get_as(&writer, "/admin/articles/new").await;
    assert!(!new.body.contains("desk-notes"));
    assert!(editor_dash.body.contains("Ready when you are."));
    assert!(refused.body.contains("Send back with this note"));
    assert_valid_html(&[
        ("review_edit_in_review", edit_review.body),
        ("review_editor_dashboard", editor_dash.body),
        ("review_send_back_refused", refused.body),
        ("review_writer_dashboard", writer_dash.body),
        ("review_edit_sent_back", edit_draft.body),
    ]);
}

async fn send_back_in_the_browser_reaches_the_writers_dashboard(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let writer = app.staff("writer@example.org", Role::Contributor).await;
    app.create_staff("editor@example.org", Role::Editor).await;
    let id = write(&app, &desk, &writer, "Levy vote set", "submit").await;
    let server = TestServer::app(&app).await;

    let browser = Browser::start().await;
    browser.log_in(&server, "editor@example.org").await;
    browser
        .goto(&server.url(&format!("/admin/articles/{id}")))
        .await;
    browser
        .fill("#send-back-note", "The second paragraph needs a source.")
        .await;
    browser.click("form.send-back button").await;
    browser.wait_for_text(".notice", "Sent back").await;
    assert!(
        browser
            .text("#desk-notes")
            .await
            .contains("The second paragraph needs a source.")
    );
    assert!(browser.text("h1 .status").await.contains("draft"));
    browser.close().await;

    let browser = Browser::start().await;
    browser.log_in(&server, "writer@example.org").await;
    let waiting = browser.wait_for_text(".waiting", "Sent back to you").await;
    assert!(waiting.contains("The second paragraph needs a source."));
    assert!(waiting.contains("Levy vote set"));
    browser.click(".waiting a").await;
    browser
        .wait_for_path(&format!("/admin/articles/{id}"))
        .await;
    browser
        .fill("#desk-note", "Added the clerk as a source.")
        .await;
    browser.submit("#desk-notes form").await;
    browser
        .wait_for_text(".note-thread", "Added the clerk as a source.")
        .await;
    assert!(browser.accessibility_violations().await.is_empty());
    browser.close().await;
}
