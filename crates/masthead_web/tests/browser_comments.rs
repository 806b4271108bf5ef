//! Comments in real headless Chromium over real HTTP, on both databases (issue 11, item 4):
//! a reader comments with script in every field, the comment is held, an editor approves
//! it in the queue, the reader sees it on the story; on the form page, in the queue and on
//! the story the script is text, no element it names exists and nothing it would do happens.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use chrono::Duration;
use masthead_core::{CommentStatus, Role};
use masthead_testkit::{ArticleBuilder, Browser, Desk, TestApp, TestServer, app_tests, t0};

app_tests!(a_reader_comments_an_editor_approves_and_no_script_runs);

/// What a comment's script would do if it ran: change the title.
const PAYLOAD: &str =
    "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\">";

/// Asserts the page ran none of the payload: no element from it, the title untouched.
async fn no_script_ran(browser: &Browser, scope: &str) {
    let found = browser
        .client()
        .execute(
            "const s = document.querySelectorAll(arguments[0] + ' script, ' + arguments[0] + ' img');\
             return [s.length, document.title];",
            vec![scope.into()],
        )
        .await
        .unwrap();
    assert_eq!(found[0], 0, "elements from a comment in {scope}");
    assert!(
        !found[1].as_str().unwrap().contains("pwned"),
        "a comment's script ran"
    );
}

async fn a_reader_comments_an_editor_approves_and_no_script_runs(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    ArticleBuilder::new("Pool reopens", desk.news)
        .published(t0() - Duration::hours(1))
        .insert(app.store())
        .await;
    app.create_staff("editor@example.org", Role::Editor).await;
    app.refresh().await;
    let server = TestServer::app(&app).await;
    let reader = Browser::start().await;

    // The reader opens the story and the form, and writes script into every field.
    reader.goto(&server.url("/stories/pool-reopens")).await;
    assert!(reader.text("#comments").await.contains("No comments yet."));
    reader
        .click("a[href='/stories/pool-reopens/comment#comment-form']")
        .await;
    reader.wait_for_path("/stories/pool-reopens/comment").await;
    reader
        .fill("#c-name", "<script>document.title='pwned'</script>Rae")
        .await;
    reader
        .fill("#c-email", "<script>x</script>@example.org")
        .await;
    reader
        .fill(
            "#c-website",
            "https://example.org/?q=<script>document.title='pwned'</script>",
        )
        .await;
    reader
        .fill("#c-body", &format!("{PAYLOAD} Glad it is open again."))
        .await;
    app.clock.advance(Duration::seconds(10));
    reader
        .client()
        .execute(
            "document.getElementById('comment-form').noValidate = true;",
            vec![],
        )
        .await
        .unwrap();
    reader.click("#comment-form button[type='submit']").await;
    reader
        .wait_for_text("[role='status']", "once a moderator has read it")
        .await;
    no_script_ran(&reader, "main").await;
    let held = app
        .store()
        .moderation_queue(CommentStatus::Pending, 10)
        .await
        .unwrap();
    assert_eq!(held.len(), 1, "held, as a first-time commenter");
    let id = held[0].id.0;

    // Not on the story yet.
    reader.goto(&server.url("/stories/pool-reopens")).await;
    assert!(!reader.text("#comments").await.contains("Glad it is open"));

    // The editor sees it in the queue, as text, and approves it.
    let editor = Browser::start().await;
    editor.log_in(&server, "editor@example.org").await;
    editor.goto(&server.url("/admin/comments")).await;
    let row = format!("#queue-{id}");
    let text = editor.text(&row).await;
    assert!(
        text.contains(&format!("{PAYLOAD} Glad it is open again.")),
        "{text}"
    );
    assert!(
        text.contains("<script>x</script>@example.org"),
        "moderators see the email"
    );
    no_script_ran(&editor, &row).await;
    editor
        .click(&format!("{row} button[value='approved:{id}']"))
        .await;
    editor.wait_for_text("[role='status']", "approved").await;
    assert!(editor.text("main").await.contains("No pending comments."));

    // The reader sees it, as text, with no script run. (The browser may keep the page it
    // saw for `cache_max_age`; a query the page ignores asks the server again.)
    reader
        .goto(&server.url("/stories/pool-reopens?again"))
        .await;
    let shown = reader.text(&format!("#comment-{id}")).await;
    assert!(
        shown.contains("<script>document.title='pwned'</script>Rae"),
        "{shown}"
    );
    assert!(
        shown.contains("<img src=x onerror=") && shown.contains("Glad it is open again."),
        "{shown}"
    );
    assert!(
        !shown.contains("example.org\n") && !reader.text("main").await.contains("@example.org")
    );
    no_script_ran(&reader, &format!("#comment-{id}")).await;
    no_script_ran(&reader, "main").await;
    assert!(
        reader
            .text("#comments-heading")
            .await
            .contains("Comments (1)")
    );
    reader.close().await;
    editor.close().await;
}
