//! The meeting desk in real headless Chromium over real HTTP, on both databases, as a
//! newsroom meets it: from the desk's nav, a body and its meeting added; a file that is not
//! a PDF refused with the fix, then the clerk's PDF uploaded; a brief drafted and checked
//! beside the record; one vote corrected in the draft; publishing refused until the facts
//! are signed off; signed off, published, and read on the site.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use masthead_core::{ArticleId, Role};
use masthead_testkit::pdf::pdf;
use masthead_testkit::{Browser, Desk, TestApp, TestServer, app_tests};
use std::time::{Duration, Instant};

app_tests!(an_editor_goes_from_the_clerks_minutes_to_a_published_brief);

/// Writes `bytes` to a file named `name` in `dir` and returns its path, for a file input.
fn file(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

async fn an_editor_goes_from_the_clerks_minutes_to_a_published_brief(app: TestApp) {
    Desk::create(app.store()).await;
    app.create_staff("editor@example.org", Role::Editor).await;
    let server = TestServer::app(&app).await;
    let browser = Browser::start().await;
    browser.log_in(&server, "editor@example.org").await;
    let dir = tempfile::tempdir().unwrap();

    // The body and its meeting, from the nav.
    browser.click("nav a[href='/admin/meetings']").await;
    browser.wait_for_path("/admin/meetings").await;
    browser
        .fill("#body-name", "Cedar Hollow Village Board")
        .await;
    browser
        .fill(
            "#body-members",
            "Dana Ortiz | President\nLuis Ruiz | Trustee",
        )
        .await;
    browser.submit("form[action='/admin/bodies']").await;
    browser.wait_for_text("[role=status]", "Body saved").await;
    browser.click("#meeting-body option:not([value=''])").await;
    browser
        .client()
        .execute(
            "document.getElementById('meeting-date').value = '2026-11-04'",
            vec![],
        )
        .await
        .unwrap();
    browser.click("#meeting-status option[value='held']").await;
    browser.submit("form[action='/admin/meetings']").await;
    browser
        .wait_for_text("[role=status]", "Meeting saved")
        .await;
    let meeting_path = browser.current_path().await;

    // A Word file renamed .pdf: refused, saying what to do.
    let fake = file(&dir, "minutes.pdf", b"PK\x03\x04 not a pdf at all");
    browser
        .wait_for("#document-file")
        .await
        .send_keys(&fake)
        .await
        .unwrap();
    browser.submit("form[action$='/documents']").await;
    let error = browser
        .wait_for_text("[role=alert]", "is named as a PDF but is not one")
        .await;
    assert!(error.contains("download the clerk's PDF again"), "{error}");

    // The clerk's PDF.
    let page = vec![
        (
            72,
            720,
            "CEDAR HOLLOW VILLAGE BOARD - Regular Meeting Minutes",
        ),
        (
            72,
            700,
            "Present: President Ortiz, Trustees Ruiz, Hale and Lee.",
        ),
        (
            72,
            680,
            "Motion by Trustee Ruiz, seconded by Trustee Hale, to approve a $48,000",
        ),
        (
            72,
            666,
            "contract with Acme Painting to repaint the water tower. Ayes: Ortiz,",
        ),
        (72, 652, "Ruiz, Hale. Nays: Lee. Motion carried 3-1."),
        (72, 632, "The meeting adjourned at 8:42 p.m."),
    ];
    let minutes = file(&dir, "minutes-nov-4.pdf", &pdf(&[page], "", ""));
    browser
        .wait_for("#document-file")
        .await
        .send_keys(&minutes)
        .await
        .unwrap();
    browser.submit("form[action$='/documents']").await;
    browser
        .wait_for_text("[role=status]", "Document kept")
        .await;
    assert!(
        browser
            .text("main table")
            .await
            .contains("minutes-nov-4.pdf")
    );

    // Drafted and checked beside the record.
    browser
        .click("form[action$='/brief'] select option:not([value=''])")
        .await;
    browser.submit("form[action$='/brief']").await;
    let review = browser
        .wait_for_text("main h1", "Check against the record")
        .await;
    assert!(review.contains("approves a $48,000 contract"), "{review}");
    let path = browser.current_path().await;
    let article: i64 = path.rsplit('/').next().unwrap().parse().unwrap();
    let facts = browser.text("#facts-heading + .fact-group").await;
    assert!(
        facts.contains("Moved by\nRuiz recorded") || facts.contains("Ruiz recorded"),
        "{facts}"
    );
    let marked = browser
        .client()
        .execute(
            "return [...document.querySelectorAll('.record mark')].map(m => m.textContent)",
            vec![],
        )
        .await
        .unwrap();
    let motion_marked = marked
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m.as_str().unwrap().starts_with("Motion by Trustee Ruiz"));
    assert!(motion_marked, "{marked}");

    // One vote corrected in the draft: the clerk's roll call left out a trustee.
    browser.click("main a[href^='/admin/articles/']").await;
    browser
        .wait_for_path(&format!("/admin/articles/{article}"))
        .await;
    let decisions = browser
        .wait_for("#decisions")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap();
    assert!(decisions.starts_with("passed | 3-1 |"), "{decisions}");
    browser
        .fill("#decisions", &decisions.replacen("3-1", "4-1", 1))
        .await;
    browser.click("button[value='save']").await;
    wait_until(|| async {
        let story = app.store().desk_article(ArticleId(article)).await.unwrap();
        story.fields.parts.meeting().unwrap().decisions[0].vote == "4-1"
    })
    .await;

    // Not before the facts are signed off.
    browser.click("button[value='publish']").await;
    browser
        .wait_for_text("[role=alert]", "no editor has signed off")
        .await;
    browser
        .goto(&server.url(&format!("/admin/briefs/{article}")))
        .await;
    let drafted = browser.text("tr.differs").await;
    assert!(drafted.contains("the record reads 3-1"), "{drafted}");
    browser.submit("form[action$='/sign-off']").await;
    browser
        .wait_for_text("[role=status]", "Facts signed off")
        .await;

    browser
        .goto(&server.url(&format!("/admin/articles/{article}")))
        .await;
    browser.click("button[value='publish']").await;
    wait_until(|| async {
        let story = app.store().desk_article(ArticleId(article)).await.unwrap();
        story.status == masthead_core::ArticleStatus::Published
    })
    .await;
    let story = app.store().desk_article(ArticleId(article)).await.unwrap();
    app.refresh().await;
    browser
        .goto(&server.url(&format!("/stories/{}", story.fields.slug)))
        .await;
    let text = browser.text("main").await;
    assert!(text.contains("4-1"), "{text}");
    assert!(text.contains("Moved by Ruiz, seconded by Hale"), "{text}");
    browser
        .click("main a[href$='/text#at-'], main a[href*='/text#at-']")
        .await;
    let mark = browser.text("mark:target").await;
    assert!(mark.starts_with("Motion by Trustee Ruiz"), "{mark}");
    assert!(!meeting_path.is_empty());
    browser.close().await;
}

/// Waits (at most 20 s) until `check` holds: a form posts as the browser goes.
async fn wait_until<F, Fut>(check: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while !check().await {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "it never happened"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
