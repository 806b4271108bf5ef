//! Every desk page (the shared list `masthead_testkit::DESK_PAGES`, each as its viewer
//! sees it) and every kind of public page, opened in real headless Chromium over
//! real HTTP and checked by axe-core (WCAG 2.1 A and AA): no violation of impact "serious"
//! or "critical". The HTML checker's side of the same pages is in `admin_desk.rs` and
//! `site_pages.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use masthead_core::ArticleKind;
use masthead_testkit::{
    ArticleBuilder, Browser, DESK_PAGES, DeskPageFixture, PASSWORD, TestApp, TestServer, Viewer,
    app_tests, insert_image,
};

app_tests!(desk_and_public_pages_pass_the_accessibility_check);

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
    // A static page under another (breadcrumbs), made by the desk fixture.
    "/about-us/ethics",
    // The meeting desk's public pages, made by the desk fixture.
    "/bodies",
    "/bodies/cedar-hollow-village-board",
    "/bodies/cedar-hollow-village-board/documents/{document}/text",
    // The newsletter's signup page (and, on every page above, the footer's form).
    "/newsletter",
    "/no-such-page",
];

async fn desk_and_public_pages_pass_the_accessibility_check(app: TestApp) {
    // Mail settings show the newsletter's forms; nothing is sent here.
    let app = app.with_mail("smtp://127.0.0.1:9?tls=none");
    let fixture = DeskPageFixture::create(&app).await;
    let desk = &fixture.desk;
    let image = insert_image(
        app.store(),
        "levy.jpg",
        "Board members at the table",
        (1200, 800),
    )
    .await;
    ArticleBuilder::new("Board votes on levy", desk.news)
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
    let author = app.store().authors().await.unwrap().remove(0).slug;

    let server = TestServer::app(&app).await;
    let browser = Browser::start().await;
    let mut failures = Vec::new();
    let mut check = async |path: &str| {
        browser.goto(&server.url(path)).await;
        browser.wait_for("main").await;
        for violation in browser.accessibility_violations().await {
            failures.push(format!("{path}: {violation}"));
        }
    };
    // The desk's pages, each as its viewer sees it: the list is in signing-in order.
    let mut signed_in_as = Viewer::SignedOut;
    for page in DESK_PAGES {
        if page.viewer != signed_in_as {
            // A half-finished login has no desk to sign out from; the next login replaces it.
            if matches!(signed_in_as, Viewer::Contributor | Viewer::Admin) {
                browser.goto(&server.url("/admin/account")).await;
                browser.submit("form[action='/admin/logout']").await;
                browser.wait_for_path("/admin/login").await;
            }
            let email = match page.viewer {
                Viewer::SignedOut => "",
                Viewer::HalfSignedIn => fixture.two_factor_email.as_str(),
                Viewer::Contributor => fixture.contributor.email.as_str(),
                Viewer::Admin => fixture.admin.email.as_str(),
            };
            if !email.is_empty() {
                browser.goto(&server.url("/admin/login")).await;
                browser.fill("#email", email).await;
                browser.fill("#password", PASSWORD).await;
                browser.submit("form[action='/admin/login']").await;
                match page.viewer {
                    // The code is asked on the login page's own address.
                    Viewer::HalfSignedIn => {
                        browser.wait_for_text("h1", "Enter your code").await;
                    }
                    _ => browser.wait_for_path("/admin").await,
                }
            }
            signed_in_as = page.viewer;
        }
        check(&fixture.path(page)).await;
    }
    let document = fixture.meetings.document.to_string();
    let public_pages = PUBLIC_PAGES.iter().map(|p| {
        p.replace("{author}", &author)
            .replace("{document}", &document)
    });
    for path in public_pages {
        check(&path).await;
    }
    browser.close().await;
    assert!(
        failures.is_empty(),
        "accessibility violations:\n{}",
        failures.join("\n")
    );
}
