//! The public site in a real headless Chromium over real HTTP: proves the browser harness
//! that admin end-to-end tests build on. Needs Debian's chromium and chromium-driver
//! (`scripts/test.sh` installs them); without them this fails, it never skips.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use masthead_testkit::{ArticleBuilder, Browser, Desk, TestApp, TestDb, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_clicks_from_the_home_page_to_a_story() {
    let app = TestApp::new(TestDb::sqlite().await).await;
    let desk = Desk::create(app.store()).await;
    ArticleBuilder::new("Board approves budget", desk.news)
        .author(desk.reporter)
        .insert(app.store())
        .await;
    app.refresh().await;
    let server = TestServer::app(&app).await;
    let browser = Browser::start().await;

    browser.goto(&server.url("/")).await;
    assert_eq!(browser.current_path().await, "/");
    browser
        .click(r#".teaser-title a[href="/stories/board-approves-budget"]"#)
        .await;
    browser
        .wait_for_path("/stories/board-approves-budget")
        .await;
    assert_eq!(
        browser.text("article.story h1").await,
        "Board approves budget"
    );
    assert!(
        browser
            .client()
            .title()
            .await
            .unwrap()
            .starts_with("Board approves budget | "),
        "page title"
    );

    browser.close().await;
}

/// The form helpers against a bare form until the admin has real ones: `fill` replaces the
/// old value, `submit` clicks the (type-less) button, and the POST arrives whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn form_helpers_fill_and_submit() {
    use axum::routing::{get, post};
    use axum::{Form, response::Html};

    const PAGE: &str = r#"<!doctype html><html lang="en"><title>Edit</title>
<form method="post" action="/echo"><input id="headline" name="headline" value="Old headline">
<button>Save</button></form>"#;
    let app = axum::Router::new()
        .route("/form", get(|| async { Html(PAGE) }))
        .route(
            "/echo",
            post(|Form(fields): Form<Vec<(String, String)>>| async move {
                // Plain text: the browser shows it in a <pre>, no escaping to get wrong.
                let lines: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
                lines.join("\n")
            }),
        );
    let server = TestServer::start(app).await;
    let browser = Browser::start().await;

    browser.goto(&server.url("/form")).await;
    browser.fill("#headline", "Board approves budget").await;
    browser.submit("form").await;
    browser.wait_for_path("/echo").await;
    assert_eq!(browser.text("pre").await, "headline=Board approves budget");

    // No close(): dropping the browser must clean up just as well (checked with pgrep).
}
