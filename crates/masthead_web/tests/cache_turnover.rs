//! What a story write does to the page cache, on SQLite and PostgreSQL (issue 17): a publish
//! or an edit turns over the story's own page and the pages that list stories, and keeps
//! every other story's page; when the latest-stories widget every page shows moved on, those
//! pages are served stale once and rendered again behind the reader's back. Any other write
//! still turns everything over. Readers during many publishes at once see no error.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Duration;
use masthead_core::Role;
use masthead_testkit::{ArticleBuilder, Desk, TestApp, app_tests, t0};
use serde_json::json;
use std::time::Duration as StdDuration;

mod api_support;
use api_support::{call, draft, staff};

app_tests!(
    a_publish_keeps_other_stories_pages_and_renders_them_again_behind_the_reader,
    an_edit_of_an_older_story_turns_over_only_its_page_and_the_lists,
    any_other_write_turns_every_page_over,
    readers_during_many_publishes_at_once_get_no_error_and_no_old_list,
);

/// Seven stories an hour apart ("Story 1" the oldest), so the widget's five leave two out.
async fn seven_stories(app: &TestApp, desk: &Desk) {
    for i in 1..=7 {
        ArticleBuilder::new(&format!("Story {i}"), desk.news)
            .published(t0() - Duration::hours(10 - i))
            .insert(app.store())
            .await;
    }
    app.refresh().await;
}

/// Asks for each of `pages` twice, so each is kept.
async fn warm(app: &TestApp, pages: &[&str]) {
    for p in pages {
        app.get(p).await;
        assert_eq!(app.get(p).await.header("x-cache"), "hit", "{p} kept");
    }
}

async fn publish(app: &TestApp, editor: &str, title: &str, section: i64) -> i64 {
    let id = draft(app, editor, title, section).await;
    let r = call(
        app,
        "POST",
        &format!("/api/v1/articles/{id}/publish"),
        Some(editor),
        Some(json!({"version": 1})),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.response.body);
    id
}

async fn a_publish_keeps_other_stories_pages_and_renders_them_again_behind_the_reader(
    app: TestApp,
) {
    let desk = Desk::create(app.store()).await;
    seven_stories(&app, &desk).await;
    let old = ["/stories/story-1", "/stories/story-6"];
    let lists = ["/", "/latest", "/section/news", "/feed.xml"];
    warm(&app, &old).await;
    warm(&app, &lists).await;
    warm(&app, &["/events"]).await;
    let (_, editor) = staff(&app, "ed@example.org", Role::Editor).await;
    publish(&app, &editor, "Bridge reopens", desk.news.0).await;
    app.refresh().await;

    for p in lists {
        let page = app.get(p).await;
        assert_eq!(page.header("x-cache"), "miss", "{p} lists the new story");
        assert!(page.body.contains("Bridge reopens"), "{p}");
    }
    assert_eq!(
        app.get("/events").await.header("x-cache"),
        "miss",
        "every page that is not a story's own turns over"
    );
    assert!(
        app.get("/stories/bridge-reopens")
            .await
            .body
            .contains("Bridge reopens")
    );
    for p in old {
        // Kept, with the widget as it was: served at once, and rendered again meanwhile.
        let page = app.get(p).await;
        assert_eq!(page.header("x-cache"), "stale", "{p}");
        assert!(!page.body.contains("Bridge reopens"), "{p} as kept");
        let mut fresh = None;
        for _ in 0..200 {
            let page = app.get(p).await;
            if page.header("x-cache") == "hit" {
                fresh = Some(page);
                break;
            }
            tokio::time::sleep(StdDuration::from_millis(20)).await;
        }
        let fresh = fresh.unwrap_or_else(|| panic!("{p} was not rendered again"));
        assert!(
            fresh.body.contains("Bridge reopens"),
            "{p}'s widget lists the new story"
        );
    }
}

async fn an_edit_of_an_older_story_turns_over_only_its_page_and_the_lists(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    seven_stories(&app, &desk).await;
    let (_, editor) = staff(&app, "ed@example.org", Role::Editor).await;
    let id = publish(&app, &editor, "Levy vote set", desk.news.0).await;
    app.refresh().await;
    let others = [
        "/stories/story-2",
        "/stories/story-7",
        "/stories/levy-vote-set",
    ];
    warm(&app, &others).await;
    warm(&app, &["/", "/latest", "/stories/story-1"]).await;

    // Story 1 is not in the widget: correcting it changes no shared part.
    let one = app
        .store()
        .article_page("story-1", t0())
        .await
        .unwrap()
        .unwrap()
        .teaser
        .id;
    let got = call(
        &app,
        "GET",
        &format!("/api/v1/articles/{}", one.0),
        Some(&editor),
        None,
    )
    .await;
    let version = got.json["version"].as_i64().unwrap();
    let r = call(
        &app,
        "PUT",
        &format!("/api/v1/articles/{}", one.0),
        Some(&editor),
        Some(json!({
            "version": version,
            "title": "Story 1, corrected",
            "section": desk.news.0,
            "body_md": "Fixed.",
        })),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.response.body);
    app.refresh().await;
    for p in others {
        assert_eq!(
            app.get(p).await.header("x-cache"),
            "hit",
            "{p} stays as kept"
        );
    }
    let own = app.get("/stories/story-1").await;
    assert_eq!(own.header("x-cache"), "miss");
    assert!(own.body.contains("Story 1, corrected"));
    let latest = app.get("/latest?page=2").await;
    assert!(
        latest.body.contains("Story 1, corrected")
            || app.get("/latest").await.body.contains("Story 1, corrected")
    );
    assert_eq!(
        app.get("/").await.header("x-cache"),
        "miss",
        "lists turn over"
    );
    let _ = id;
}

async fn any_other_write_turns_every_page_over(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    seven_stories(&app, &desk).await;
    warm(&app, &["/stories/story-2", "/events"]).await;
    // A section renamed: its name is in every page's navigation.
    app.store()
        .update_section(
            desk.news,
            "Local news",
            "",
            &masthead_store::Actor::system("test"),
            t0(),
        )
        .await
        .unwrap();
    app.refresh().await;
    for p in ["/stories/story-2", "/events"] {
        let page = app.get(p).await;
        assert_eq!(page.header("x-cache"), "miss", "{p}");
        assert!(page.body.contains("Local news"), "{p}");
    }
}

async fn readers_during_many_publishes_at_once_get_no_error_and_no_old_list(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    seven_stories(&app, &desk).await;
    let (_, editor) = staff(&app, "ed@example.org", Role::Editor).await;
    let pages = [
        "/",
        "/stories/story-3",
        "/stories/story-5",
        "/latest",
        "/section/news",
    ];
    warm(&app, &pages).await;
    let before = app.store().content_state(t0()).await.unwrap().version;
    let writers = (0..6).map(|i| {
        let app = &app;
        let editor = editor.clone();
        async move { publish(app, &editor, &format!("Flash {i}"), desk.news.0).await }
    });
    let readers = (0..4).map(|r| {
        let app = &app;
        async move {
            for n in 0..30 {
                let p = pages[(r + n) % pages.len()];
                let page = app.get(p).await;
                assert_eq!(page.status.as_u16(), 200, "{p}: {}", page.body);
                if n % 10 == 0 {
                    app.refresh().await;
                }
            }
        }
    });
    let (ids, ()) = tokio::join!(futures_util::future::join_all(writers), async {
        futures_util::future::join_all(readers).await;
    });
    let after = app.store().content_state(t0()).await.unwrap().version;
    let mut logged = app
        .store()
        .story_changes_between(before, after)
        .await
        .unwrap()
        .expect("every step was a story write");
    logged.sort();
    let mut ids: Vec<_> = ids.into_iter().map(masthead_core::ArticleId).collect();
    ids.sort();
    for id in &ids {
        assert!(logged.contains(id), "publish of {id:?} logged");
    }
    app.refresh().await;
    let home = app.get("/").await;
    for i in 0..6 {
        assert!(
            app.get("/latest")
                .await
                .body
                .contains(&format!("Flash {i}")),
            "every publish is listed"
        );
    }
    assert!(home.body.contains("Flash"));
}
