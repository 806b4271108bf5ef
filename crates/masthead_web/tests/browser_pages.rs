//! Static pages and redirects in real headless Chromium over real HTTP, on both databases,
//! as an editor meets them: from the desk's nav to the pages list, a page refused for taking
//! one of the site's own addresses (everything typed kept), fixed and published, found in
//! the public footer and opened; then a redirect added by hand from an old WordPress
//! address, which the browser follows to the page.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use masthead_core::Role;
use masthead_testkit::{Browser, Desk, TestApp, TestServer, app_tests};

app_tests!(an_editor_makes_a_page_and_a_redirect_that_answers);

async fn an_editor_makes_a_page_and_a_redirect_that_answers(app: TestApp) {
    Desk::create(app.store()).await;
    app.create_staff("editor@example.org", Role::Editor).await;
    let server = TestServer::app(&app).await;
    let browser = Browser::start().await;
    browser.log_in(&server, "editor@example.org").await;

    browser.click("nav a[href='/admin/pages']").await;
    browser.wait_for_path("/admin/pages").await;
    assert!(browser.text("main").await.contains("No pages yet"));
    browser.click("main a[href='/admin/pages/new']").await;
    browser.wait_for_path("/admin/pages/new").await;

    // A slug the site uses itself: refused, the typing kept.
    browser.fill("#page-title", "Contact the newsroom").await;
    browser.fill("#page-slug", "search").await;
    browser
        .fill("#page-body", "Call us at **555-0100** or stop by.")
        .await;
    browser
        .click("#page-status option[value='published']")
        .await;
    browser.submit("form[action='/admin/pages/new']").await;
    let error = browser.wait_for_text("[role=alert]", "site's own").await;
    assert!(error.contains("/search"), "{error}");
    let value = |css: &'static str| {
        let browser = &browser;
        async move {
            browser
                .wait_for(css)
                .await
                .prop("value")
                .await
                .unwrap()
                .unwrap_or_default()
        }
    };
    assert_eq!(value("#page-title").await, "Contact the newsroom");
    assert_eq!(
        value("#page-body").await,
        "Call us at **555-0100** or stop by."
    );
    assert_eq!(value("#page-status").await, "published");
    assert!(app.store().pages().await.unwrap().is_empty());

    // Fixed and saved: back to its editor, then in the footer and at its address.
    browser.fill("#page-slug", "contact").await;
    browser.submit("form[action='/admin/pages/new']").await;
    // The form posts as the browser goes; the page is there once the save is answered.
    let started = std::time::Instant::now();
    let id = loop {
        if let Some(page) = app.store().pages().await.unwrap().first() {
            break page.id.0;
        }
        assert!(started.elapsed().as_secs() < 20, "the page was never saved");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    browser.wait_for_path(&format!("/admin/pages/{id}")).await;
    browser.goto(&server.url("/")).await;
    browser
        .wait_for_text("footer", "Contact the newsroom")
        .await;
    browser.click("footer a[href='/contact']").await;
    browser.wait_for_path("/contact").await;
    assert_eq!(browser.text("main h1").await, "Contact the newsroom");
    assert_eq!(browser.text("main strong").await, "555-0100");

    // A redirect from the old site's address for it.
    browser.goto(&server.url("/admin")).await;
    browser.click("nav a[href='/admin/redirects']").await;
    browser.wait_for_path("/admin/redirects").await;
    browser
        .fill(
            "#redirect-old",
            "https://old.example.com/contact-us/?utm_source=x",
        )
        .await;
    browser.fill("#redirect-target", "/contact").await;
    browser.submit("form[action='/admin/redirects']").await;
    let row = browser.wait_for_text("main table", "/contact-us").await;
    assert!(row.contains("desk"), "{row}");

    browser.goto(&server.url("/contact-us/")).await;
    browser.wait_for_path("/contact").await;
    assert_eq!(browser.text("main h1").await, "Contact the newsroom");
    browser.close().await;
}
