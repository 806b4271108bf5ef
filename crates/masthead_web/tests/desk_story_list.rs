//! The desk's story list (issue 10, item 5), on both databases: search by headline and
//! text, filters by status, section, byline and kind, the sorts, bounded pages, "view on
//! site" for live stories; bulk publish, unpublish, move and tag through the one story rule
//! set (a story missing alt text is refused with its reason while the others are
//! published), a contributor's bulk publish refused; and a bulk publish in Chromium.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use masthead_core::{ArticleKind, ArticleStatus, Role};
use masthead_testkit::{
    ArticleBuilder, Browser, Desk, PASSWORD, TestApp, TestServer, app_tests, assert_valid_html,
    insert_image,
};

app_tests!(
    search_filters_and_sorts_find_the_right_stories,
    a_bulk_publish_refuses_the_story_missing_alt_text_and_publishes_the_others,
    bulk_moves_and_tags_go_through_the_story_rules,
    a_contributor_cannot_bulk_publish,
    an_editor_bulk_publishes_in_the_browser,
);

/// The headlines in the list's table, in order.
fn headlines(html: &str) -> Vec<String> {
    html.split("<td><a href=\"/admin/articles/")
        .skip(1)
        .filter_map(|part| {
            let start = part.find('>')? + 1;
            let end = part.find("</a>")?;
            Some(part[start..end].to_owned())
        })
        .collect()
}

async fn search_filters_and_sorts_find_the_right_stories(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let store = app.store();
    ArticleBuilder::new("Levy vote set", desk.news)
        .body("The school board set the levy vote for March.")
        .author(desk.reporter)
        .insert(store)
        .await;
    ArticleBuilder::new("Bears win opener", desk.sports)
        .body("A late field goal decided it.")
        .insert(store)
        .await;
    ArticleBuilder::new("Draft about 100% turnout", desk.news)
        .draft()
        .insert(store)
        .await;
    ArticleBuilder::new("A wire opinion", desk.news)
        .kind(ArticleKind::Opinion)
        .insert(store)
        .await;
    let editor = app.staff("editor@example.org", Role::Editor).await;
    let list = |query: String| {
        let editor = &editor;
        let app = &app;
        async move {
            let r = app
                .get_as(editor, &format!("/admin/articles?{query}"))
                .await;
            assert_eq!(r.status.as_u16(), 200, "{query}: {}", r.body);
            headlines(&r.body)
        }
    };
    assert_eq!(list("q=levy".into()).await, ["Levy vote set"]);
    assert_eq!(
        list("q=FIELD+GOAL".into()).await,
        ["Bears win opener"],
        "in the text"
    );
    assert_eq!(list("q=100%25".into()).await, ["Draft about 100% turnout"]);
    assert!(list("q=100%25%25".into()).await.is_empty(), "% is literal");
    assert_eq!(
        list("status=draft".into()).await,
        ["Draft about 100% turnout"]
    );
    assert_eq!(
        list(format!("section={}", desk.sports.0)).await,
        ["Bears win opener"]
    );
    assert_eq!(
        list(format!("author={}", desk.reporter.0)).await,
        ["Levy vote set"]
    );
    assert_eq!(list("kind=opinion".into()).await, ["A wire opinion"]);
    assert_eq!(
        list("sort=headline".into()).await,
        [
            "A wire opinion",
            "Bears win opener",
            "Draft about 100% turnout",
            "Levy vote set"
        ]
    );
    assert_eq!(list("sort=oldest".into()).await[0], "Levy vote set");
    assert_eq!(list("".into()).await[0], "A wire opinion", "newest first");
    assert_eq!(
        list(format!(
            "q=vote&status=published&section={}&sort=modified",
            desk.news.0
        ))
        .await,
        ["Levy vote set"]
    );
    for bad in ["status=gone", "sort=random", "section=x", "kind=poem"] {
        let r = app.get_as(&editor, &format!("/admin/articles?{bad}")).await;
        assert_eq!(r.status.as_u16(), 400, "{bad}");
    }
    // Pages past the cap are the last page.
    let deep = app.get_as(&editor, "/admin/articles?page=999").await;
    assert_eq!(deep.status.as_u16(), 200);

    let page = app.get_as(&editor, "/admin/articles?q=levy").await;
    assert!(
        page.body.contains("href=\"/stories/levy-vote-set\""),
        "view on site: {}",
        page.body
    );
    let drafts = app.get_as(&editor, "/admin/articles?status=draft").await;
    assert!(!drafts.body.contains("View on site"));
    assert_valid_html(&[("desk_story_list", page.body)]);
}

async fn a_bulk_publish_refuses_the_story_missing_alt_text_and_publishes_the_others(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let store = app.store();
    let bare = insert_image(
        store,
        "0123456789abcdef0123456789abcdef.jpg",
        "",
        (800, 600),
    )
    .await;
    let a = ArticleBuilder::new("First draft", desk.news)
        .draft()
        .insert(store)
        .await;
    let b = ArticleBuilder::new("Second draft", desk.news)
        .draft()
        .insert(store)
        .await;
    let c = ArticleBuilder::new("Photo draft", desk.news)
        .image(bare, "A caption")
        .draft()
        .insert(store)
        .await;
    let editor = app.staff("editor@example.org", Role::Editor).await;
    let (a_id, b_id, c_id) = (a.0.to_string(), b.0.to_string(), c.0.to_string());
    let r = app
        .post_as(
            &editor,
            "/admin/articles/bulk",
            &[
                ("id", &a_id),
                ("id", &c_id),
                ("id", &b_id),
                ("bulk", "publish"),
            ],
        )
        .await;
    assert_eq!(r.status.as_u16(), 422, "one was refused");
    assert!(
        r.body.contains("Published: First draft, Second draft."),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("<strong>Photo draft</strong>: "),
        "{}",
        r.body
    );
    assert!(r.body.contains("alt text"), "{}", r.body);
    let app = &app;
    let status = |id| async move { app.store().desk_article(id).await.unwrap().status };
    assert_eq!(status(a).await, ArticleStatus::Published);
    assert_eq!(status(b).await, ArticleStatus::Published);
    assert_eq!(status(c).await, ArticleStatus::Draft);
    let log = app.store().audit_log(50, 0).await.unwrap();
    assert_eq!(
        log.iter().filter(|e| e.action == "article.publish").count(),
        2
    );
    assert_valid_html(&[("desk_story_list_report", r.body)]);

    // Publishing again changes nothing; unpublishing takes both down.
    let r = app
        .post_as(
            &editor,
            "/admin/articles/bulk",
            &[("id", &a_id), ("bulk", "publish")],
        )
        .await;
    assert!(r.body.contains("Already so"), "{}", r.body);
    let r = app
        .post_as(
            &editor,
            "/admin/articles/bulk",
            &[("id", &a_id), ("id", &b_id), ("bulk", "unpublish")],
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert_eq!(status(a).await, ArticleStatus::Unpublished);
    assert_eq!(status(b).await, ArticleStatus::Unpublished);

    // Nothing ticked, or an unknown action: said so, nothing changed.
    let r = app
        .post_as(&editor, "/admin/articles/bulk", &[("bulk", "publish")])
        .await;
    assert_eq!(r.status.as_u16(), 422);
    assert!(r.body.contains("Tick at least one story"));
    let r = app
        .post_as(
            &editor,
            "/admin/articles/bulk",
            &[("id", &a_id), ("bulk", "burn")],
        )
        .await;
    assert_eq!(r.status.as_u16(), 422);
}

async fn bulk_moves_and_tags_go_through_the_story_rules(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let store = app.store();
    let a = ArticleBuilder::new("Game recap", desk.news)
        .insert(store)
        .await;
    let b = ArticleBuilder::new("Practice notes", desk.news)
        .draft()
        .insert(store)
        .await;
    let editor = app.staff("editor@example.org", Role::Editor).await;
    let (a_id, b_id) = (a.0.to_string(), b.0.to_string());
    let sports = desk.sports.0.to_string();
    let r = app
        .post_as(
            &editor,
            "/admin/articles/bulk",
            &[
                ("id", &a_id),
                ("id", &b_id),
                ("bulk", "section"),
                ("to_section", &sports),
            ],
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    let r = app
        .post_as(
            &editor,
            "/admin/articles/bulk",
            &[
                ("id", &a_id),
                ("id", &b_id),
                ("bulk", "tag"),
                ("tag", " Fall  sports "),
            ],
        )
        .await;
    assert!(
        r.body
            .contains("Tagged &quot;Fall sports&quot;: Game recap, Practice notes."),
        "{}",
        r.body
    );
    for id in [a, b] {
        let s = app.store().desk_article(id).await.unwrap();
        assert_eq!(s.fields.section, desk.sports);
        assert_eq!(s.fields.tags, ["Fall sports"]);
    }
    assert_eq!(
        app.store().desk_article(b).await.unwrap().status,
        ArticleStatus::Draft,
        "a move keeps the status"
    );
    let missing = app
        .post_as(
            &editor,
            "/admin/articles/bulk",
            &[("id", &a_id), ("bulk", "section"), ("to_section", "9999")],
        )
        .await;
    assert_eq!(missing.status.as_u16(), 422);
    assert!(
        missing.body.contains("<strong>Game recap</strong>"),
        "{}",
        missing.body
    );
    // Featured on the front page through its own rules: a draft cannot lead.
    let r = app
        .post_as(
            &editor,
            "/admin/articles/bulk",
            &[("id", &a_id), ("id", &b_id), ("bulk", "feature")],
        )
        .await;
    assert!(
        r.body.contains("Featured on the front page: Game recap."),
        "{}",
        r.body
    );
    assert!(
        r.body
            .contains("<strong>Practice notes</strong>: Story: only a published story"),
        "{}",
        r.body
    );
    let slots = app.store().front_slots().await.unwrap();
    assert_eq!(slots.len(), 1);
    assert_eq!(slots[0].id, a);
    let nobody = app
        .post_as(
            &editor,
            "/admin/articles/bulk",
            &[("id", "424242"), ("bulk", "publish")],
        )
        .await;
    assert!(nobody.body.contains("Story 424242"), "{}", nobody.body);
}

async fn a_contributor_cannot_bulk_publish(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let other = ArticleBuilder::new("Someone else's", desk.news)
        .draft()
        .insert(app.store())
        .await;
    let writer = app.staff("writer@example.org", Role::Contributor).await;
    let section = desk.news.0.to_string();
    let created = app
        .post_as(
            &writer,
            "/admin/articles/new",
            &[
                ("kind", "news"),
                ("title", "My first story"),
                ("section", &section),
                ("body_md", "Words."),
                ("version", "0"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(created.status.as_u16(), 303, "{}", created.body);
    let list = app.get_as(&writer, "/admin/articles").await;
    assert_eq!(headlines(&list.body), ["My first story"], "only their own");
    assert!(
        !list.body.contains("value=\"publish\""),
        "no Publish button"
    );
    let mine = app
        .store()
        .desk_list(None, Some(writer.user), 10, 0)
        .await
        .unwrap()[0]
        .id;
    let r = app
        .post_as(
            &writer,
            "/admin/articles/bulk",
            &[
                ("id", &mine.0.to_string()),
                ("id", &other.0.to_string()),
                ("bulk", "publish"),
            ],
        )
        .await;
    assert_eq!(r.status.as_u16(), 422);
    assert!(r.body.contains("Contributors cannot publish"), "{}", r.body);
    assert!(
        r.body.contains("not found"),
        "another's story is not theirs to see"
    );
    for id in [mine, other] {
        assert_eq!(
            app.store().desk_article(id).await.unwrap().status,
            ArticleStatus::Draft
        );
    }
    // Nor feature a story on the front page, which is for editors.
    assert!(!list.body.contains("value=\"feature\""));
    let r = app
        .post_as(
            &writer,
            "/admin/articles/bulk",
            &[("id", &mine.0.to_string()), ("bulk", "feature")],
        )
        .await;
    assert!(r.body.contains("does not allow this"), "{}", r.body);
    assert!(app.store().front_slots().await.unwrap().is_empty());
}

async fn an_editor_bulk_publishes_in_the_browser(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let mut ids = Vec::new();
    for title in ["Budget draft", "Zoning draft", "Left alone"] {
        ids.push(
            ArticleBuilder::new(title, desk.news)
                .draft()
                .insert(app.store())
                .await,
        );
    }
    app.create_staff("editor@example.org", Role::Editor).await;
    let server = TestServer::app(&app).await;
    let browser = Browser::start().await;
    browser.goto(&server.url("/admin/login")).await;
    browser.fill("#email", "editor@example.org").await;
    browser.fill("#password", PASSWORD).await;
    browser.submit("form[action='/admin/login']").await;
    browser.wait_for_path("/admin").await;
    browser
        .goto(&server.url("/admin/articles?status=draft&sort=headline"))
        .await;
    browser.click(&format!("#pick-{}", ids[0].0)).await;
    browser.click(&format!("#pick-{}", ids[1].0)).await;
    assert!(browser.accessibility_violations().await.is_empty());
    browser.click("button[value='publish']").await;
    browser
        .wait_for_text(".report", "Published: Budget draft, Zoning draft")
        .await;
    for (id, status) in [
        (ids[0], ArticleStatus::Published),
        (ids[1], ArticleStatus::Published),
        (ids[2], ArticleStatus::Draft),
    ] {
        assert_eq!(app.store().desk_article(id).await.unwrap().status, status);
    }
    // The live ones link to the site.
    browser.goto(&server.url("/admin/articles?q=budget")).await;
    browser.click("a.view").await;
    browser.wait_for_path("/stories/budget-draft").await;
    browser.close().await;
}
