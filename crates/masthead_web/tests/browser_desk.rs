//! The desk in real headless Chromium over real HTTP, on both databases: an editor logs in, uploads an image,
//! writes a story with it, schedules it, publishes it and sees it on the public site; a
//! contributor cannot publish; a session that ends mid-edit sends the writer to login and
//! brings the draft back.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use chrono::Duration;
use masthead_core::{ArticleStatus, Role};
use masthead_testkit::{Browser, Desk, PASSWORD, TestApp, TestServer, app_tests};

/// Sets a form field's value directly (date and time inputs take typed keys by locale).
async fn set_value(browser: &Browser, id: &str, value: &str) {
    browser
        .client()
        .execute(
            "document.getElementById(arguments[0]).value = arguments[1];",
            vec![id.into(), value.into()],
        )
        .await
        .unwrap();
}

async fn an_editor_writes_schedules_and_publishes_a_story_with_an_image(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    app.create_staff("editor@example.org", Role::Editor).await;
    let server = TestServer::app(&app).await;
    let browser = Browser::start().await;
    browser.log_in(&server, "editor@example.org").await;
    assert!(browser.text("h1").await.contains("Dashboard"));

    // Upload an image, without alt text first.
    browser.goto(&server.url("/admin/media")).await;
    let photo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../masthead/demo/images/farmers-market.jpg")
        .canonicalize()
        .unwrap();
    browser
        .wait_for("#upload-file")
        .await
        .send_keys(&photo.display().to_string())
        .await
        .unwrap();
    browser.fill("#upload-credit", "Staff photo").await;
    browser.submit("form[enctype='multipart/form-data']").await;
    browser.wait_for("figure[id^='media-']").await;
    let media = app.store().list_media(10, 0).await.unwrap();
    assert_eq!(media.len(), 1);

    // Write the story with that image.
    browser.goto(&server.url("/admin/articles/new")).await;
    browser.fill("#title", "Farmers market moves indoors").await;
    browser
        .fill(
            "#body_md",
            "The market opens **Saturday** in the old depot.",
        )
        .await;
    browser.fill("#tags", "Market, Downtown").await;
    let section = desk.news.0.to_string();
    set_value(&browser, "section", &section).await;
    // The lead image, from the thumbnail grid.
    browser.click(&format!("#image-{}", media[0].id.0)).await;
    browser.click("button[value='save']").await;
    browser.wait_for_path_change("/admin/articles/new").await;
    browser.wait_for_text(".notice", "Saved").await;
    let id: i64 = browser
        .current_path()
        .await
        .trim_start_matches("/admin/articles/")
        .parse()
        .unwrap();

    // Publishing is refused until the image has alt text; the words stay.
    browser.click("button[value='publish']").await;
    assert!(browser.text(".error").await.contains("alt text"));
    assert!(
        browser
            .wait_for("#body_md")
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap()
            .contains("old depot")
    );
    browser.goto(&server.url("/admin/media")).await;
    let alt_form = format!("#media-{} form", media[0].id.0);
    browser
        .fill(
            &format!("{alt_form} textarea[name='alt']"),
            "Shoppers at produce stands in the depot",
        )
        .await;
    browser.submit(&alt_form).await;
    browser
        .wait_for_text(".notice", "Alt text, credit and caption saved")
        .await;

    // Schedule it for 13:30 Chicago time (t0 is noon there).
    browser
        .goto(&server.url(&format!("/admin/articles/{id}")))
        .await;
    set_value(&browser, "publish_at", "2026-11-27T13:30").await;
    browser.click("button[value='schedule']").await;
    browser.wait_for_text(".notice", "Scheduled").await;
    app.refresh().await;
    browser
        .goto(&server.url("/stories/farmers-market-moves-indoors"))
        .await;
    assert!(browser.text("h1").await.contains("Page not found"));
    app.clock.advance(Duration::minutes(91));
    app.refresh().await;
    browser
        .goto(&server.url("/stories/farmers-market-moves-indoors"))
        .await;
    assert_eq!(
        browser.text("article h1").await,
        "Farmers market moves indoors"
    );
    let srcset = browser
        .wait_for("article img")
        .await
        .attr("srcset")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(srcset.contains("w,"), "responsive sizes: {srcset}");

    // Unpublish, then publish now.
    browser
        .goto(&server.url(&format!("/admin/articles/{id}")))
        .await;
    browser.click("button[value='unpublish']").await;
    browser.wait_for_text(".notice", "Taken down").await;
    browser.click("button[value='publish']").await;
    browser.wait_for_text(".notice", "Published").await;
    app.refresh().await;
    browser.goto(&server.url("/")).await;
    browser
        .click("a[href='/stories/farmers-market-moves-indoors']")
        .await;
    browser
        .wait_for_path("/stories/farmers-market-moves-indoors")
        .await;
    assert!(browser.text("article").await.contains("old depot"));
    browser.close().await;
}

async fn a_contributor_cannot_publish_and_keeps_a_draft_through_a_lost_session(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let user = app
        .create_staff("writer@example.org", Role::Contributor)
        .await;
    let server = TestServer::app(&app).await;
    let browser = Browser::start().await;
    browser.log_in(&server, "writer@example.org").await;
    browser.goto(&server.url("/admin/articles/new")).await;
    browser.fill("#title", "Library hours change").await;
    browser.fill("#body_md", "First draft.").await;
    set_value(&browser, "section", &desk.news.0.to_string()).await;
    browser.click("button[value='save']").await;
    let path = browser.wait_for_path_change("/admin/articles/new").await;
    assert!(
        browser
            .client()
            .find_all(masthead_testkit::fantoccini::Locator::Css(
                "button[value='publish']"
            ))
            .await
            .unwrap()
            .is_empty()
    );

    // The session ends while the writer types; saving lands on login with the words kept.
    let words = "The library will open at 9 a.m. on weekdays starting in December.";
    browser.fill("#body_md", words).await;
    app.store()
        .set_user_password(
            user,
            &app.store()
                .credentials("writer@example.org")
                .await
                .unwrap()
                .unwrap()
                .password_hash,
            &masthead_store::Actor::system("test"),
            masthead_core::Clock::now(&*app.clock),
        )
        .await
        .unwrap();
    browser.click("button[value='submit']").await;
    browser.wait_for("#password").await;
    assert!(browser.text("main").await.contains("session has ended"));
    browser.fill("#email", "writer@example.org").await;
    browser.fill("#password", PASSWORD).await;
    browser.submit("form[action='/admin/login']").await;
    browser.wait_for_text(".notice", "logged in again").await;
    assert_eq!(
        browser
            .wait_for("#body_md")
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap(),
        words
    );
    // Submit it for review this time; it is not published.
    browser.click("button[value='submit']").await;
    browser
        .wait_for_text(".notice", "Submitted for review")
        .await;
    let id: i64 = path.trim_start_matches("/admin/articles/").parse().unwrap();
    let stored = app
        .store()
        .desk_article(masthead_core::ArticleId(id))
        .await
        .unwrap();
    assert_eq!(
        (stored.status, stored.fields.body_md.as_str()),
        (ArticleStatus::Review, words)
    );
    browser.close().await;
}

// Each on SQLite and on PostgreSQL.
app_tests!(
    an_editor_writes_schedules_and_publishes_a_story_with_an_image,
    a_contributor_cannot_publish_and_keeps_a_draft_through_a_lost_session,
);
