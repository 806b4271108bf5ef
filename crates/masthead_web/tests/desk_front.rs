//! The front page under the editor's control (issue 10, item 4), on both databases: a pinned
//! story leads the home page and falls back to the newest when its time passes (with the
//! page cache on), featured stories keep their order, a story taken down leaves the front,
//! only stories on the site can lead, contributors and authors cannot arrange it, the
//! breaking-news banner shows on every public page until it expires, many editors changing
//! the front at once leave a consistent order, and an editor pins a story in Chromium.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use chrono::Duration;
use masthead_core::{ArticleId, Role};
use masthead_desk::Command;
use masthead_testkit::{
    ArticleBuilder, Browser, Desk, PASSWORD, StaffSession, TestApp, TestServer, app_tests,
    assert_valid_html, form_body, t0,
};

app_tests!(
    a_pinned_story_leads_the_home_page_until_its_time_passes,
    featured_stories_keep_their_order_and_leave_when_taken_down,
    only_a_story_on_the_site_can_lead,
    contributors_and_authors_cannot_arrange_the_front,
    the_banner_shows_on_every_public_page_until_it_expires,
    many_editors_changing_the_front_at_once_leave_a_consistent_order,
    an_editor_pins_a_story_in_the_browser_and_sees_it_lead,
);

/// Three published stories, oldest first: "Old levy vote", "Middle road work", "New park".
async fn three_stories(app: &TestApp) -> Vec<ArticleId> {
    let desk = Desk::create(app.store()).await;
    let mut ids = Vec::new();
    for (i, title) in ["Old levy vote", "Middle road work", "New park opens"]
        .iter()
        .enumerate()
    {
        let at = t0() - Duration::hours(3 - i as i64);
        ids.push(
            ArticleBuilder::new(title, desk.news)
                .published(at)
                .insert(app.store())
                .await,
        );
    }
    app.refresh().await;
    ids
}

/// The part of the home page between `<section class="NAME"` and its end.
fn section(html: &str, name: &str) -> String {
    let start = format!("<section class=\"{name}\"");
    html.find(&start)
        .map(|at| {
            let rest = &html[at..];
            rest[..rest.find("</section>").unwrap_or(rest.len())].to_owned()
        })
        .unwrap_or_default()
}

async fn front(app: &TestApp, who: &StaffSession, pairs: &[(&str, &str)]) -> u16 {
    let response = app.post_as(who, "/admin/front", pairs).await;
    app.refresh().await;
    response.status.as_u16()
}

async fn a_pinned_story_leads_the_home_page_until_its_time_passes(app: TestApp) {
    let ids = three_stories(&app).await;
    let editor = app.staff("editor@example.org", Role::Editor).await;
    let home = app.get("/").await;
    assert!(section(&home.body, "lead").contains("New park opens"));

    // Pinned until 13:00 in Chicago, an hour after t0.
    let old = ids[0].0.to_string();
    let status = front(
        &app,
        &editor,
        &[
            ("action", "pin"),
            ("article", &old),
            ("until", "2026-11-27T13:00"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let home = app.get("/").await;
    let lead = section(&home.body, "lead");
    assert!(lead.contains("Old levy vote"), "{lead}");
    let latest = section(&home.body, "latest");
    assert!(latest.contains("New park opens") && !latest.contains("Old levy vote"));
    assert_eq!(
        app.get("/").await.header("x-cache"),
        "hit",
        "served from the cache"
    );

    // Its time passes: the very next request (no poll in between) shows the newest again,
    // though the page was cached.
    app.clock.advance(Duration::minutes(61));
    let home = app.get("/").await;
    assert!(section(&home.body, "lead").contains("New park opens"));
    assert!(section(&home.body, "latest").contains("Old levy vote"));

    // The desk shows it as expired until the next change drops it.
    let page = app.get_as(&editor, "/admin/front").await;
    assert!(page.body.contains("expired"), "{}", page.body);
}

async fn featured_stories_keep_their_order_and_leave_when_taken_down(app: TestApp) {
    let ids = three_stories(&app).await;
    let editor = app.staff("editor@example.org", Role::Editor).await;
    for id in [ids[0], ids[1]] {
        let id = id.0.to_string();
        assert_eq!(
            front(&app, &editor, &[("action", "feature"), ("article", &id)]).await,
            303
        );
    }
    let featured = section(&app.get("/").await.body, "featured");
    let (a, b) = (
        featured.find("Old levy vote").unwrap(),
        featured.find("Middle road work").unwrap(),
    );
    assert!(a < b, "in the order featured");
    let middle = ids[1].0.to_string();
    front(&app, &editor, &[("action", "up"), ("article", &middle)]).await;
    let featured = section(&app.get("/").await.body, "featured");
    assert!(featured.find("Middle road work").unwrap() < featured.find("Old levy vote").unwrap());
    let desk = app.get_as(&editor, "/admin/front").await;
    assert_valid_html(&[("desk_front", desk.body)]);

    // Unpublishing a featured story takes it off the front for good.
    let edit = app
        .get_as(&editor, &format!("/admin/articles/{middle}"))
        .await;
    assert!(edit.body.contains("Feature on the front page"));
    masthead_testkit::change_story(app.store(), ids[1], Command::Unpublish, t0(), |_| {}).await;
    app.refresh().await;
    let slots = app.store().front_slots().await.unwrap();
    assert_eq!(slots.len(), 1);
    assert_eq!(slots[0].id, ids[0]);
    assert!(!app.get("/").await.body.contains("Middle road work"));
}

async fn only_a_story_on_the_site_can_lead(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let draft = ArticleBuilder::new("Draft budget", desk.news)
        .draft()
        .insert(app.store())
        .await;
    let later = ArticleBuilder::new("Later story", desk.news)
        .status(masthead_core::ArticleStatus::Scheduled)
        .published(t0() + Duration::hours(2))
        .insert(app.store())
        .await;
    let live = ArticleBuilder::new("Live story", desk.news)
        .insert(app.store())
        .await;
    let editor = app.staff("editor@example.org", Role::Editor).await;
    for id in [draft, later, ArticleId(9999)] {
        let response = app
            .post_as(
                &editor,
                "/admin/front",
                &[("action", "pin"), ("article", &id.0.to_string())],
            )
            .await;
        assert_eq!(response.status.as_u16(), 422);
        assert!(
            response.body.contains("only a published story"),
            "{}",
            response.body
        );
    }
    let live = live.0.to_string();
    for (until, message) in [
        ("2026-11-27T11:00", "choose a time in the future"),
        ("tomorrow", "give a date and time"),
    ] {
        let response = app
            .post_as(
                &editor,
                "/admin/front",
                &[("action", "feature"), ("article", &live), ("until", until)],
            )
            .await;
        assert_eq!(response.status.as_u16(), 422);
        assert!(response.body.contains(message), "{}", response.body);
    }
    let response = app
        .post_as(
            &editor,
            "/admin/front",
            &[("action", "pin"), ("article", "x")],
        )
        .await;
    assert_eq!(response.status.as_u16(), 422);
    assert!(app.store().front_slots().await.unwrap().is_empty());
}

async fn contributors_and_authors_cannot_arrange_the_front(app: TestApp) {
    let ids = three_stories(&app).await;
    let id = ids[0].0.to_string();
    for (email, role) in [
        ("contributor@example.org", Role::Contributor),
        ("author@example.org", Role::Author),
    ] {
        let who = app.staff(email, role).await;
        assert_eq!(app.get_as(&who, "/admin/front").await.status.as_u16(), 403);
        let response = app
            .post_as(&who, "/admin/front", &[("action", "pin"), ("article", &id)])
            .await;
        assert_eq!(response.status.as_u16(), 403);
        let response = app
            .post_as(&who, "/admin/front/banner", &[("text", "Hello")])
            .await;
        assert_eq!(response.status.as_u16(), 403);
        let dashboard = app.get_as(&who, "/admin").await;
        assert!(!dashboard.body.contains("/admin/front"));
    }
    assert!(app.store().front_slots().await.unwrap().is_empty());
    assert!(app.store().stored_banner().await.unwrap().is_none());
}

async fn the_banner_shows_on_every_public_page_until_it_expires(app: TestApp) {
    three_stories(&app).await;
    let editor = app.staff("editor@example.org", Role::Editor).await;
    let pages = ["/", "/latest", "/stories/new-park-opens", "/section/news"];
    for page in pages {
        assert!(!app.get(page).await.body.contains("Breaking"), "{page}");
    }
    let bad = app
        .post_as(
            &editor,
            "/admin/front/banner",
            &[("text", "Road closed"), ("link", "javascript:alert(1)")],
        )
        .await;
    assert_eq!(bad.status.as_u16(), 422);
    assert!(bad.body.contains("Banner link"));
    let response = app
        .post_as(
            &editor,
            "/admin/front/banner",
            &[
                ("action", "save"),
                ("text", "Main Street closed <after> the flood"),
                ("link", "/stories/new-park-opens"),
                ("until", "2026-11-27T12:30"),
            ],
        )
        .await;
    assert_eq!(response.status.as_u16(), 303, "{}", response.body);
    app.refresh().await;
    let mut checked = Vec::new();
    for page in pages {
        let body = app.get(page).await.body;
        assert!(
            body.contains("Main Street closed &lt;after&gt; the flood"),
            "{page}: {body}"
        );
        assert!(body.contains("href=\"/stories/new-park-opens\">Main Street"));
        checked.push((page, body));
    }
    let home = checked.remove(0).1;
    let desk = app.get_as(&editor, "/admin/front").await.body;
    assert_valid_html(&[("home_with_banner", home), ("desk_front_banner", desk)]);

    // Half an hour later it is gone from every page, though they were cached.
    app.clock.advance(Duration::minutes(31));
    for page in pages {
        assert!(
            !app.get(page).await.body.contains("Main Street closed"),
            "{page}"
        );
    }

    // Put up again and taken down.
    app.post_as(&editor, "/admin/front/banner", &[("text", "Storm warning")])
        .await;
    app.refresh().await;
    assert!(app.get("/").await.body.contains("Storm warning"));
    let response = app
        .post_as(&editor, "/admin/front/banner", &[("action", "remove")])
        .await;
    assert_eq!(response.status.as_u16(), 303);
    app.refresh().await;
    assert!(!app.get("/").await.body.contains("Storm warning"));
    let log = app.store().audit_log(50, 0).await.unwrap();
    assert!(log.iter().any(|e| e.action == "front.banner_remove"));
}

async fn many_editors_changing_the_front_at_once_leave_a_consistent_order(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let mut ids = Vec::new();
    for i in 0..8 {
        ids.push(
            ArticleBuilder::new(&format!("Story number {i}"), desk.news)
                .published(t0() - Duration::minutes(60 - i))
                .insert(app.store())
                .await,
        );
    }
    let a = app.staff("a@example.org", Role::Editor).await;
    let b = app.staff("b@example.org", Role::Admin).await;
    let sessions = std::sync::Arc::new([(a.cookie, a.csrf), (b.cookie, b.csrf)]);
    let app = std::sync::Arc::new(app);
    // Each change in a task of its own, so they run at once on both worker threads.
    let race = |changes: Vec<(&'static str, ArticleId)>| {
        let app = app.clone();
        let sessions = sessions.clone();
        async move {
            let mut tasks = tokio::task::JoinSet::new();
            for (i, (action, id)) in changes.into_iter().enumerate() {
                let app = app.clone();
                let sessions = sessions.clone();
                tasks.spawn(async move {
                    let (cookie, csrf) = &sessions[i % 2];
                    let id = id.0.to_string();
                    let body = form_body(&[("csrf", csrf), ("action", action), ("article", &id)]);
                    app.post_raw("/admin/front", cookie, &body)
                        .await
                        .status
                        .as_u16()
                });
            }
            tasks.join_all().await
        }
    };
    let consistent = |slots: &[masthead_store::DeskSlot]| {
        let mut seen: Vec<i64> = slots.iter().map(|s| s.id.0).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), slots.len(), "no story twice: {slots:?}");
        let featured: Vec<i64> = slots
            .iter()
            .filter(|s| s.position > 0)
            .map(|s| s.position)
            .collect();
        assert_eq!(
            featured,
            (1..=featured.len() as i64).collect::<Vec<_>>(),
            "{slots:?}"
        );
    };

    // Eight features at once: six fit, two are refused with the reason; none is lost.
    let statuses = race(ids.iter().map(|&id| ("feature", id)).collect()).await;
    assert_eq!(
        statuses.iter().filter(|&&s| s == 303).count(),
        6,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|&&s| s == 422).count(),
        2,
        "{statuses:?}"
    );
    let slots = app.store().front_slots().await.unwrap();
    assert_eq!(slots.len(), 6);
    consistent(&slots);

    // Moves at once: the same six stories, in some order, with no gaps.
    let featured: Vec<ArticleId> = slots.iter().map(|s| s.id).collect();
    let moves = (0..24)
        .map(|i| {
            let action = if i % 3 == 0 { "down" } else { "up" };
            (action, featured[i % featured.len()])
        })
        .collect();
    let statuses = race(moves).await;
    assert!(statuses.iter().all(|&s| s == 303), "{statuses:?}");
    let slots = app.store().front_slots().await.unwrap();
    consistent(&slots);
    let mut after: Vec<ArticleId> = slots.iter().map(|s| s.id).collect();
    let mut before = featured.clone();
    after.sort_by_key(|a| a.0);
    before.sort_by_key(|a| a.0);
    assert_eq!(after, before);

    // Eight pins at once: one top story; each pinned one left the featured list.
    let statuses = race(ids.iter().map(|&id| ("pin", id)).collect()).await;
    assert!(statuses.iter().all(|&s| s == 303), "{statuses:?}");
    let slots = app.store().front_slots().await.unwrap();
    assert_eq!(slots.len(), 1, "{slots:?}");
    assert_eq!(slots[0].position, 0);
    let log = app.store().audit_log(100, 0).await.unwrap();
    assert_eq!(
        log.iter()
            .filter(|e| e.action.starts_with("front."))
            .count(),
        6 + 24 + 8
    );
}

async fn an_editor_pins_a_story_in_the_browser_and_sees_it_lead(app: TestApp) {
    let ids = three_stories(&app).await;
    app.create_staff("editor@example.org", Role::Editor).await;
    let server = TestServer::app(&app).await;
    let browser = Browser::start().await;
    browser.goto(&server.url("/admin/login")).await;
    browser.fill("#email", "editor@example.org").await;
    browser.fill("#password", PASSWORD).await;
    browser.submit("form[action='/admin/login']").await;
    browser.wait_for_path("/admin").await;

    // From the story's editor page.
    browser
        .goto(&server.url(&format!("/admin/articles/{}", ids[0].0)))
        .await;
    browser.click("button[value='pin']").await;
    browser.wait_for_text(".notice", "Pinned").await;
    assert!(browser.text(".slot-title").await.contains("Old levy vote"));
    assert!(browser.accessibility_violations().await.is_empty());
    app.refresh().await;
    browser.goto(&server.url("/")).await;
    assert!(browser.text(".lead").await.contains("Old levy vote"));

    // From the front page desk: feature another, then take the pin off.
    browser.goto(&server.url("/admin/front")).await;
    let middle = ids[1].0.to_string();
    browser
        .client()
        .execute(
            "document.getElementById('add-article').value = arguments[0];",
            vec![middle.into()],
        )
        .await
        .unwrap();
    browser.click("button[value='feature']").await;
    browser.wait_for_text(".notice", "Featured").await;
    browser.click("button[value='remove']").await;
    browser.wait_for_text(".notice", "Taken off").await;
    app.refresh().await;
    // Another address than before: the browser may keep the first answer for a minute.
    browser.goto(&server.url("/?again")).await;
    assert!(browser.text(".lead").await.contains("New park opens"));
    assert!(browser.text(".featured").await.contains("Middle road work"));
    browser.close().await;
}
