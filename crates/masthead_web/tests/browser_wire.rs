//! The wire desk in real headless Chromium over real HTTP, on both databases, as an editor
//! meets it: from the dashboard's nav to the sources page, a mistyped category rule shown
//! beside its field with everything typed kept, the source added, "Pull now" against a real
//! feed server on loopback, the inbox reached from the source's "waiting" link, a story
//! published from it and read on the public site with the wire's credit.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../../masthead_wire/tests/support/mod.rs"]
mod wire_support;

use masthead_core::Role;
use masthead_testkit::{Browser, Desk, TestApp, TestServer, app_tests};
use wire_support::{FeedServer, Served};

app_tests!(an_editor_adds_a_wire_pulls_it_and_publishes_from_the_inbox);

async fn an_editor_adds_a_wire_pulls_it_and_publishes_from_the_inbox(app: TestApp) {
    let app = app.allowing_local_fetch();
    Desk::create(app.store()).await;
    app.create_staff("editor@example.org", Role::Editor).await;
    let feeds = FeedServer::start().await;
    let path = format!(
        "{}/../masthead_wire/tests/fixtures/state_news_rss2.xml",
        env!("CARGO_MANIFEST_DIR")
    );
    feeds.set(Served {
        body: std::fs::read(&path).unwrap(),
        content_type: "application/rss+xml".into(),
        ..Served::default()
    });
    let server = TestServer::app(&app).await;
    let browser = Browser::start().await;
    browser.log_in(&server, "editor@example.org").await;

    // Nav → the inbox (empty) → its sources page.
    browser.click("nav a[href='/admin/wire/inbox']").await;
    browser.wait_for_path("/admin/wire/inbox").await;
    assert!(browser.text("main").await.contains("Nothing is waiting"));
    browser.click("main a[href='/admin/wire']").await;
    browser.wait_for_path("/admin/wire").await;
    assert!(browser.text("main").await.contains("No sources yet"));

    // A rule naming a section the site lacks: refused beside the field, the rest kept.
    browser.fill("#wire-url", &feeds.feed_url()).await;
    browser.fill("#wire-name", "Prairie State").await;
    browser.fill("#wire-rules", "Sports = sport").await;
    browser.fill("#wire-exclude", "stadium").await;
    browser.submit("form[action='/admin/wire']").await;
    let error = browser
        .wait_for_text("#wire-rules-error", "no section")
        .await;
    assert!(error.contains("news, sports"), "{error}");
    let kept = |css: &'static str| {
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
    assert_eq!(kept("#wire-url").await, feeds.feed_url());
    assert_eq!(kept("#wire-name").await, "Prairie State");
    assert_eq!(kept("#wire-exclude").await, "stadium");
    assert!(app.store().wire_sources().await.unwrap().is_empty());

    // Fixed and added: listed, not yet fetched.
    browser.fill("#wire-rules", "Sports = sports").await;
    browser.submit("form[action='/admin/wire']").await;
    let row = browser.wait_for_text("tr[id^='source-']", "Not yet").await;
    assert!(row.contains("Prairie State"), "{row}");
    let id = app.store().wire_sources().await.unwrap()[0].id.0;

    // Pull now: two stories queued (the stadium one is filtered out).
    browser
        .submit(&format!("form[action='/admin/wire/{id}/pull']"))
        .await;
    browser
        .wait_for_text(".notice", "Pulled Prairie State")
        .await;
    let row = browser.text(&format!("#source-{id}")).await;
    assert!(row.contains("HTTP 200"), "{row}");
    browser
        .click(&format!("#source-{id} a[href='/admin/wire/inbox']"))
        .await;
    browser.wait_for_path("/admin/wire/inbox").await;
    let inbox = app.store().wire_inbox(None).await.unwrap();
    assert_eq!(inbox.len(), 2, "{inbox:?}");
    let drought = inbox
        .iter()
        .find(|i| i.title.contains("Drought"))
        .expect("the drought story is queued");
    let item = format!("#item-{}", drought.id.0);
    assert!(browser.text(&item).await.contains("Prairie State"));

    // Publish it: out of the inbox, on the site with the wire's credit.
    browser
        .submit(&format!("{item} form[action$='/publish']"))
        .await;
    browser.wait_for_path("/admin/wire/inbox").await;
    browser.wait_for_text(".notice", "Published").await;
    assert_eq!(app.store().wire_inbox(None).await.unwrap().len(), 1);
    let story = app
        .store()
        .desk_article(drought.article_id.unwrap())
        .await
        .unwrap();
    app.refresh().await;
    browser
        .goto(&server.url(&format!("/stories/{}", story.fields.slug)))
        .await;
    assert_eq!(
        browser.text("article h1").await,
        "Drought emergency declared in 14 counties"
    );
    let article = browser.text("article").await;
    assert!(article.contains("Sam Okafor"), "{article}");
    assert!(article.contains("Prairie State"), "{article}");
    browser.close().await;
}
