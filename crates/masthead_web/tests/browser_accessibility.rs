//! Every desk page and every kind of public page, opened in real headless Chromium over
//! real HTTP and checked by axe-core (WCAG 2.1 A and AA): no violation of impact "serious"
//! or "critical". The HTML checker's side of the same pages is in `admin_desk.rs` and
//! `site_pages.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use masthead_core::{ArticleKind, ArticleStatus, Role};
use masthead_testkit::{
    ArticleBuilder, Browser, Desk, PASSWORD, TestApp, TestServer, app_tests, insert_image,
};

app_tests!(desk_and_public_pages_pass_the_accessibility_check);

/// The desk's pages, as an administrator sees them (every page and every button).
pub const DESK_PAGES: &[&str] = &[
    "/admin",
    "/admin/articles",
    "/admin/articles?status=draft",
    "/admin/articles/new",
    "/admin/articles/{draft}",
    "/admin/articles/{live}",
    "/admin/articles/{live}/revisions",
    "/admin/articles/{live}/revisions/1",
    "/admin/media",
    "/admin/comments",
    "/admin/front",
    "/admin/sections",
    "/admin/users",
    "/admin/settings",
    "/admin/audit",
    "/admin/account",
    "/admin/no-such-page",
];

/// The public pages: each template at least once.
const PUBLIC_PAGES: &[&str] = &[
    "/",
    "/latest",
    "/stories/board-votes-on-levy",
    "/stories/council-roundup",
    "/section/news",
    "/author/{author}",
    "/tag/levy",
    "/events",
    "/search?q=levy",
    "/no-such-page",
];

async fn desk_and_public_pages_pass_the_accessibility_check(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    app.create_staff("root@example.org", Role::Admin).await;
    let image = insert_image(
        app.store(),
        "levy.jpg",
        "Board members at the table",
        (1200, 800),
    )
    .await;
    let live = ArticleBuilder::new("Board votes on levy", desk.news)
        .author(desk.reporter)
        .tag("levy")
        .summary("The board approved it 5-1.")
        .image(image, "The board on Tuesday.")
        .body("The board met.\n\n## The vote\n\nFive to one.")
        .insert(app.store())
        .await;
    ArticleBuilder::new("Council roundup", desk.news)
        .kind(ArticleKind::Roundup)
        .items(vec![masthead_core::RoundupItem {
            headline: "Paving".into(),
            body_md: "Main Street is next.".into(),
            body_html: String::new(),
        }])
        .insert(app.store())
        .await;
    let draft = ArticleBuilder::new("Draft on the pool", desk.sports)
        .status(ArticleStatus::Draft)
        .draft()
        .insert(app.store())
        .await;
    let author = app.store().authors().await.unwrap().remove(0).slug;

    let server = TestServer::app(&app).await;
    let browser = Browser::start().await;
    browser.goto(&server.url("/admin/login")).await;
    browser.fill("#email", "root@example.org").await;
    browser.fill("#password", PASSWORD).await;
    browser.submit("form[action='/admin/login']").await;
    browser.wait_for_path("/admin").await;

    let mut failures = Vec::new();
    let desk_pages = DESK_PAGES.iter().map(|p| {
        p.replace("{draft}", &draft.0.to_string())
            .replace("{live}", &live.0.to_string())
    });
    let public_pages = PUBLIC_PAGES.iter().map(|p| p.replace("{author}", &author));
    for path in desk_pages.chain(public_pages) {
        browser.goto(&server.url(&path)).await;
        browser.wait_for("main").await;
        for violation in browser.accessibility_violations().await {
            failures.push(format!("{path}: {violation}"));
        }
    }
    browser.close().await;
    assert!(
        failures.is_empty(),
        "accessibility violations:\n{}",
        failures.join("\n")
    );
}
