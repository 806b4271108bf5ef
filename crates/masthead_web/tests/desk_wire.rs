//! The wire desk's pages (issue 12 items 1, 2, 6 and the editor's side of 7), on both
//! databases: sources added, changed and removed through the form (a private address is
//! refused with the fetcher's reason, bad fields keep what was typed), "Pull now" against a
//! real feed server on loopback, the inbox's publish and discard through the desk's rules,
//! an item updated at the source, licence locks refused by the save, category rules and
//! keyword filters set in the form and obeyed by the pull, editors only, CSRF.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../../masthead_wire/tests/support/mod.rs"]
mod wire_support;

use masthead_core::{ArticleId, ArticleStatus, Role, WireItemId, WireSourceId};
use masthead_store::WireItemState;
use masthead_testkit::{Desk, StaffSession, TestApp, app_tests, csrf_in};
use wire_support::{FeedServer, Item, Served, rss};

/// A feed of `masthead_wire`'s fixtures.
fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../masthead_wire/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

app_tests!(
    sources_are_added_changed_and_removed_and_bad_input_is_kept,
    only_editors_and_admins_reach_the_wire_desk,
    pull_now_fills_the_inbox_and_publish_and_discard_act,
    an_item_updated_at_the_source_takes_or_keeps,
    licence_locks_are_refused_by_the_save,
    wire_forms_need_the_csrf_token,
    category_rules_and_keyword_filters_are_set_in_the_desk,
    a_pull_goes_on_when_the_editor_leaves_half_way,
);

fn source_form<'a>(url: &'a str, name: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("url", url),
        ("name", name),
        ("section", "news"),
        ("mode", "review"),
        ("interval", "15"),
        ("byline_template", "By {author} | {wire}"),
        ("headline_editable", "on"),
        ("attribution", "First published by {wire}."),
        ("expire_days", ""),
    ]
}

async fn sources_are_added_changed_and_removed_and_bad_input_is_kept(app: TestApp) {
    Desk::create(app.store()).await;
    let editor = app.staff("ed@example.org", Role::Editor).await;
    let page = app.get_as(&editor, "/admin/wire").await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.body);
    assert!(page.body.contains("Add a source"));

    // A loopback address: refused with the fetcher's reason, what was typed kept.
    let form = source_form("http://127.0.0.1:9/feed.xml", "Loopback Wire");
    let r = app.post_as(&editor, "/admin/wire", &form).await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    assert!(r.body.contains("This address is refused"), "{}", r.body);
    assert!(r.body.contains("loopback"), "{}", r.body);
    assert!(r.body.contains("value=\"Loopback Wire\""), "{}", r.body);
    // A private one too.
    let form = source_form("http://10.1.2.3/feed.xml", "Private Wire");
    let r = app.post_as(&editor, "/admin/wire", &form).await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    assert!(r.body.contains("This address is refused"), "{}", r.body);

    // A bad section and interval: each named beside its field, the rest kept.
    let mut form = source_form("https://93.184.215.14/feed.xml", "Prairie State");
    form.retain(|(k, _)| *k != "section" && *k != "interval");
    form.push(("section", "no-such-section"));
    form.push(("interval", "0"));
    let r = app.post_as(&editor, "/admin/wire", &form).await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    assert!(r.body.contains("id=\"wire-section-error\""), "{}", r.body);
    assert!(r.body.contains("There is no section"), "{}", r.body);
    assert!(r.body.contains("id=\"wire-interval-error\""), "{}", r.body);
    assert!(r.body.contains("between 1 and 360"), "{}", r.body);
    assert!(r.body.contains("value=\"Prairie State\""), "{}", r.body);
    assert!(
        r.body.contains("value=\"https://93.184.215.14/feed.xml\""),
        "{}",
        r.body
    );
    assert!(app.store().wire_sources().await.unwrap().is_empty());

    // A good one: added, listed with its settings.
    let form = source_form("https://93.184.215.14/feed.xml", "Prairie State");
    let r = app.post_as(&editor, "/admin/wire", &form).await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    let sources = app.store().wire_sources().await.unwrap();
    assert_eq!(sources.len(), 1);
    let id = sources[0].id.0;
    let rules: masthead_wire::SourceRules = serde_json::from_str(&sources[0].rules_json).unwrap();
    assert_eq!(rules.default_section.unwrap().as_str(), "news");
    assert_eq!(rules.wire_name, "Prairie State");
    assert!(rules.licence.headline_editable);
    assert!(!rules.licence.no_derivatives);
    let page = app.get_as(&editor, "/admin/wire").await;
    assert!(page.body.contains("Prairie State"), "{}", page.body);
    assert!(page.body.contains("Not yet"), "{}", page.body);
    assert!(page.body.contains(&format!("/admin/wire/{id}/pull")));

    // The same address again: refused, kept.
    let r = app.post_as(&editor, "/admin/wire", &form).await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    assert!(r.body.contains("already exists"), "{}", r.body);

    // Changed: every 30 minutes, auto, no derivatives; a bad interval keeps the page.
    let page = app.get_as(&editor, &format!("/admin/wire/{id}")).await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.body);
    let mut change = source_form("https://93.184.215.14/feed.xml", "Prairie State News");
    change.retain(|(k, _)| *k != "interval" && *k != "mode");
    change.push(("interval", "soon"));
    change.push(("mode", "auto"));
    change.push(("no_derivatives", "on"));
    change.push(("enabled", "on"));
    let r = app
        .post_as(&editor, &format!("/admin/wire/{id}"), &change)
        .await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    assert!(
        r.body.contains("soon") && r.body.contains("is not a number of minutes"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("value=\"Prairie State News\""),
        "{}",
        r.body
    );
    change.retain(|(k, _)| *k != "interval");
    change.push(("interval", "30"));
    let r = app
        .post_as(&editor, &format!("/admin/wire/{id}"), &change)
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    let source = app.store().wire_source(WireSourceId(id)).await.unwrap();
    assert_eq!(source.interval_secs, 1800);
    assert_eq!(source.name, "Prairie State News");
    assert_eq!(source.mode.as_str(), "auto");
    assert!(source.enabled);
    assert!(source.rules_json.contains("\"no_derivatives\":true"));

    // Removed after the confirmation page.
    let page = app
        .get_as(&editor, &format!("/admin/wire/{id}/remove"))
        .await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.body);
    assert!(page.body.contains("stay in the desk"), "{}", page.body);
    let r = app
        .post_as(&editor, &format!("/admin/wire/{id}/remove"), &[])
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    assert!(app.store().wire_sources().await.unwrap().is_empty());
}

async fn only_editors_and_admins_reach_the_wire_desk(app: TestApp) {
    Desk::create(app.store()).await;
    for role in [Role::Contributor, Role::Author] {
        let who = app
            .staff(&format!("{}@example.org", role.as_str()), role)
            .await;
        for path in ["/admin/wire", "/admin/wire/inbox"] {
            let r = app.get_as(&who, path).await;
            assert_eq!(r.status.as_u16(), 403, "{path} as {role:?}: {}", r.body);
            assert!(r.body.contains("does not allow"), "{}", r.body);
        }
        let form = source_form("https://93.184.215.14/feed.xml", "Prairie State");
        let r = app.post_as(&who, "/admin/wire", &form).await;
        assert_eq!(r.status.as_u16(), 403, "{}", r.body);
        let dashboard = app.get_as(&who, "/admin").await;
        assert!(!dashboard.body.contains("href=\"/admin/wire"));
    }
    assert!(app.store().wire_sources().await.unwrap().is_empty());
    let admin = app.staff("root@example.org", Role::Admin).await;
    assert_eq!(app.get_as(&admin, "/admin/wire").await.status.as_u16(), 200);
    let dashboard = app.get_as(&admin, "/admin").await;
    assert!(dashboard.body.contains("href=\"/admin/wire/inbox\""));
}

/// Adds the feed server's source through the form and pulls it with "Pull now"; its id.
async fn add_and_pull(
    app: &TestApp,
    editor: &StaffSession,
    server: &FeedServer,
    extra: &[(&str, &str)],
) -> i64 {
    let url = server.feed_url();
    let mut form = source_form(&url, "Prairie State");
    form.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
    form.extend_from_slice(extra);
    let r = app.post_as(editor, "/admin/wire", &form).await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    let id = app.store().wire_sources().await.unwrap()[0].id.0;
    let r = app
        .post_as(editor, &format!("/admin/wire/{id}/pull"), &[])
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    id
}

fn serve_fixture(server: &FeedServer) {
    server.set(Served {
        body: fixture("state_news_rss2.xml"),
        content_type: "application/rss+xml".into(),
        etag: Some("\"a\"".into()),
        ..Served::default()
    });
}

async fn pull_now_fills_the_inbox_and_publish_and_discard_act(app: TestApp) {
    let app = app.allowing_local_fetch();
    Desk::create(app.store()).await;
    let editor = app.staff("ed@example.org", Role::Editor).await;
    let server = FeedServer::start().await;
    serve_fixture(&server);
    let id = add_and_pull(&app, &editor, &server, &[]).await;

    // The source's fetch record and counts on the page.
    let page = app
        .get_as(&editor, &format!("/admin/wire?pulled={id}"))
        .await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.body);
    assert!(page.body.contains("Pulled Prairie State"), "{}", page.body);
    assert!(page.body.contains("HTTP 200"), "{}", page.body);
    assert!(page.body.contains("3 / 3 / 0"), "{}", page.body);
    let dashboard = app.get_as(&editor, "/admin").await;
    assert!(
        dashboard.body.contains("3 wire stories waiting"),
        "{}",
        dashboard.body
    );

    // The inbox: three queued drafts, newest first, with source and credit.
    let inbox = app.store().wire_inbox(None).await.unwrap();
    assert_eq!(inbox.len(), 3);
    let page = app.get_as(&editor, "/admin/wire/inbox").await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.body);
    for item in &inbox {
        assert!(
            page.body.contains(&format!("item-{}", item.id.0)),
            "{}",
            page.body
        );
        let story = app
            .store()
            .desk_article(item.article_id.unwrap())
            .await
            .unwrap();
        assert_eq!(story.status, ArticleStatus::Draft);
    }
    assert!(page.body.contains("Prairie State"), "{}", page.body);

    // Preview: the story page as readers will see it.
    let first = &inbox[0];
    let r = app
        .get_as(
            &editor,
            &format!("/admin/wire/inbox/{}/preview", first.id.0),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert!(r.body.contains("srcdoc"), "{}", r.body);

    // Publish: through the desk, the story goes on the site, the item leaves the inbox.
    inbox_action(&app, &editor, first.id, "publish").await;
    let story = app
        .store()
        .desk_article(first.article_id.unwrap())
        .await
        .unwrap();
    assert_eq!(story.status, ArticleStatus::Published);
    let item = app.store().wire_item(first.id).await.unwrap();
    assert_eq!(item.state, WireItemState::Published);
    assert_eq!(item.ingested_version, story.version);

    // Discard: out of the inbox; the draft stays a draft.
    let second = &inbox[1];
    inbox_action(&app, &editor, second.id, "discard").await;
    let item = app.store().wire_item(second.id).await.unwrap();
    assert_eq!(item.state, WireItemState::Discarded);
    let story = app
        .store()
        .desk_article(second.article_id.unwrap())
        .await
        .unwrap();
    assert_eq!(story.status, ArticleStatus::Draft);
    assert_eq!(app.store().wire_inbox(None).await.unwrap().len(), 1);
    let page = app.get_as(&editor, "/admin/wire/inbox").await;
    assert!(!page.body.contains(&format!("item-{}\"", first.id.0)));
    assert!(!page.body.contains(&format!("item-{}\"", second.id.0)));

    // A second pull of the same feed: a conditional request, no new items.
    let r = app
        .post_as(&editor, &format!("/admin/wire/{id}/pull"), &[])
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    assert_eq!(app.store().wire_inbox(None).await.unwrap().len(), 1);
}

async fn an_item_updated_at_the_source_takes_or_keeps(app: TestApp) {
    let app = app.allowing_local_fetch();
    Desk::create(app.store()).await;
    let editor = app.staff("ed@example.org", Role::Editor).await;
    let server = FeedServer::start().await;
    serve_fixture(&server);
    let id = add_and_pull(&app, &editor, &server, &[]).await;
    let inbox = app.store().wire_inbox(None).await.unwrap();
    let item = &inbox[0];
    let article = item.article_id.unwrap();

    // An editor changes the headline here, then the source changes the item.
    let story = app.store().desk_article(article).await.unwrap();
    let mut form = editor_form(&story);
    set(&mut form, "title", "Our own headline");
    let r = app
        .post_as(
            &editor,
            &format!("/admin/articles/{}", article.0),
            &pairs(&form),
        )
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    let body = String::from_utf8(fixture("state_news_rss2.xml")).unwrap();
    let changed = body.replacen(&item.title, "Headline changed at the source", 1);
    assert_ne!(
        body, changed,
        "the fixture holds the title {:?}",
        item.title
    );
    server.set(Served {
        body: changed.into_bytes(),
        content_type: "application/rss+xml".into(),
        etag: Some("\"b\"".into()),
        ..Served::default()
    });
    let r = app
        .post_as(&editor, &format!("/admin/wire/{id}/pull"), &[])
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    let flagged = app.store().wire_item(item.id).await.unwrap();
    assert_eq!(flagged.state, WireItemState::UpdatedAtSource);
    let page = app.get_as(&editor, "/admin/wire/inbox").await;
    assert!(page.body.contains("Updated at source"), "{}", page.body);
    assert!(
        page.body.contains("Headline changed at the source"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Our own headline"), "{}", page.body);

    // Take the source's version: the story reads it now.
    inbox_action(&app, &editor, item.id, "take").await;
    let story = app.store().desk_article(article).await.unwrap();
    assert_eq!(story.fields.title, "Headline changed at the source");
    let taken = app.store().wire_item(item.id).await.unwrap();
    assert_eq!(taken.state, WireItemState::Queued);
    assert_eq!(taken.ingested_version, story.version);

    // Keep ours: on a second round the editor's headline stays.
    let mut form = editor_form(&story);
    set(&mut form, "title", "Ours again");
    let r = app
        .post_as(
            &editor,
            &format!("/admin/articles/{}", article.0),
            &pairs(&form),
        )
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    let again = body.replacen(&item.title, "A third headline at the source", 1);
    server.set(Served {
        body: again.into_bytes(),
        content_type: "application/rss+xml".into(),
        etag: Some("\"c\"".into()),
        ..Served::default()
    });
    app.post_as(&editor, &format!("/admin/wire/{id}/pull"), &[])
        .await;
    assert_eq!(
        app.store().wire_item(item.id).await.unwrap().state,
        WireItemState::UpdatedAtSource
    );
    inbox_action(&app, &editor, item.id, "keep").await;
    let story = app.store().desk_article(article).await.unwrap();
    assert_eq!(story.fields.title, "Ours again");
    assert_eq!(
        app.store().wire_item(item.id).await.unwrap().state,
        WireItemState::Queued
    );
}

/// The editor's form for a stored story, as the page would post it.
fn editor_form(story: &masthead_store::DeskArticle) -> Vec<(String, String)> {
    vec![
        ("version".into(), story.version.to_string()),
        ("kind".into(), story.fields.kind().as_str().into()),
        ("title".into(), story.fields.title.clone()),
        ("slug".into(), story.fields.slug.as_str().into()),
        ("section".into(), story.fields.section.0.to_string()),
        ("summary".into(), story.fields.summary.clone()),
        ("body_md".into(), story.fields.body_md.clone()),
        ("byline".into(), story.fields.byline.clone()),
        ("source_name".into(), story.fields.source_name.clone()),
        ("source_url".into(), story.fields.source_url.clone()),
        ("image_caption".into(), story.fields.image_caption.clone()),
        (
            "image".into(),
            story
                .fields
                .image
                .map(|m| m.0.to_string())
                .unwrap_or_default(),
        ),
        ("action".into(), "save".into()),
    ]
}

fn set(form: &mut [(String, String)], key: &str, value: &str) {
    for (k, v) in form.iter_mut() {
        if k == key {
            *v = value.to_owned();
        }
    }
}

fn pairs(form: &[(String, String)]) -> Vec<(&str, &str)> {
    form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

async fn licence_locks_are_refused_by_the_save(app: TestApp) {
    let app = app.allowing_local_fetch();
    Desk::create(app.store()).await;
    let editor = app.staff("ed@example.org", Role::Editor).await;
    let server = FeedServer::start().await;
    serve_fixture(&server);
    // Headline may not be changed (the box unticked), no derivatives.
    let url = server.feed_url();
    let mut form = source_form(&url, "Prairie State");
    form.retain(|(k, _)| *k != "headline_editable");
    form.push(("no_derivatives", "on"));
    let r = app.post_as(&editor, "/admin/wire", &form).await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    let id = app.store().wire_sources().await.unwrap()[0].id.0;
    let r = app
        .post_as(&editor, &format!("/admin/wire/{id}/pull"), &[])
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    let item = &app.store().wire_inbox(None).await.unwrap()[0];
    let article: ArticleId = item.article_id.unwrap();
    let story = app.store().desk_article(article).await.unwrap();

    // The editor shows both read-only, with the reason.
    let page = app
        .get_as(&editor, &format!("/admin/articles/{}", article.0))
        .await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.body);
    assert!(
        page.body.contains("does not allow changing the headline"),
        "{}",
        page.body
    );
    assert!(page.body.contains("No derivatives"), "{}", page.body);
    assert!(
        page.body
            .contains("readonly aria-describedby=\"title-locked\"")
    );
    assert!(
        page.body
            .contains("readonly aria-describedby=\"body-locked\"")
    );

    // A changed headline: refused by the save, nothing written.
    let mut form = editor_form(&story);
    set(&mut form, "title", "A sharper headline");
    let r = app
        .post_as(
            &editor,
            &format!("/admin/articles/{}", article.0),
            &pairs(&form),
        )
        .await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    assert!(
        r.body.contains("does not allow changing the headline"),
        "{}",
        r.body
    );
    // A changed body: refused the same way.
    let mut form = editor_form(&story);
    set(&mut form, "body_md", "Rewritten by us.");
    let r = app
        .post_as(
            &editor,
            &format!("/admin/articles/{}", article.0),
            &pairs(&form),
        )
        .await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    assert!(r.body.contains("forbids derivatives"), "{}", r.body);
    let after = app.store().desk_article(article).await.unwrap();
    assert_eq!(after.version, story.version);
    assert_eq!(after.fields.title, story.fields.title);

    // Other fields save; and publishing from the inbox is not an edit.
    let mut form = editor_form(&story);
    set(&mut form, "summary", "A summary of our own.");
    let r = app
        .post_as(
            &editor,
            &format!("/admin/articles/{}", article.0),
            &pairs(&form),
        )
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    inbox_action(&app, &editor, item.id, "publish").await;
    let story = app.store().desk_article(article).await.unwrap();
    assert_eq!(story.status, ArticleStatus::Published);
}

async fn wire_forms_need_the_csrf_token(app: TestApp) {
    Desk::create(app.store()).await;
    let editor = app.staff("ed@example.org", Role::Editor).await;
    let page = app.get_as(&editor, "/admin/wire").await;
    assert!(csrf_in(&page.body).is_some(), "the forms carry the token");
    let body = "url=https%3A%2F%2F93.184.215.14%2Ffeed.xml&name=Prairie&mode=review&interval=15";
    let r = app.post_raw("/admin/wire", &editor.cookie, body).await;
    assert_eq!(r.status.as_u16(), 403, "{}", r.body);
    assert!(app.store().wire_sources().await.unwrap().is_empty());
}

async fn category_rules_and_keyword_filters_are_set_in_the_desk(app: TestApp) {
    let app = app.allowing_local_fetch();
    let desk = Desk::create(app.store()).await;
    let editor = app.staff("ed@example.org", Role::Editor).await;
    let server = FeedServer::start().await;
    serve_fixture(&server);
    let url = server.feed_url();

    // A rule naming no section, and a keyword of no letters: each named with its line,
    // everything typed kept, nothing stored.
    let mut form = source_form(&url, "Prairie State");
    form.push(("section_rules", "Sports = sports\nWeather = weather"));
    form.push(("exclude_keywords", "drought\n--"));
    let r = app.post_as(&editor, "/admin/wire", &form).await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    assert!(r.body.contains("id=\"wire-rules-error\""), "{}", r.body);
    assert!(
        r.body
            .contains("Line 2: there is no section &quot;weather&quot;"),
        "{}",
        r.body
    );
    assert!(r.body.contains("id=\"wire-exclude-error\""), "{}", r.body);
    assert!(
        r.body
            .contains("Sports = sports\nWeather = weather</textarea>")
    );
    assert!(app.store().wire_sources().await.unwrap().is_empty());

    // Fixed: Sports items go to the sports section, drought stories are skipped, and the
    // feed's categories are not made tags.
    let mut form = source_form(&url, "Prairie State");
    form.push(("section_rules", "sports = sports"));
    form.push(("exclude_keywords", "Drought"));
    let r = app.post_as(&editor, "/admin/wire", &form).await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    let id = app.store().wire_sources().await.unwrap()[0].id.0;
    let page = app.get_as(&editor, &format!("/admin/wire/{id}")).await;
    assert!(
        page.body.contains(">sports = sports</textarea>"),
        "{}",
        page.body
    );
    assert!(page.body.contains(">Drought</textarea>"), "{}", page.body);
    assert!(
        !page.body.contains("name=\"categories_as_tags\" checked"),
        "{}",
        page.body
    );
    let r = app
        .post_as(&editor, &format!("/admin/wire/{id}/pull"), &[])
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    let inbox = app.store().wire_inbox(None).await.unwrap();
    assert_eq!(inbox.len(), 2, "the drought story is skipped");
    for item in &inbox {
        let story = app
            .store()
            .desk_article(item.article_id.unwrap())
            .await
            .unwrap();
        assert!(!story.fields.title.contains("Drought"));
        assert!(story.fields.tags.is_empty(), "{:?}", story.fields.tags);
        let want = if story.fields.title.contains("Stadium") {
            desk.sports
        } else {
            desk.news
        };
        assert_eq!(story.fields.section, want, "{}", story.fields.title);
    }

    // Changed to keep only stories that mention the stadium: the form shows it back.
    let mut change = source_form(&url, "Prairie State");
    change.push(("include_keywords", "stadium bond"));
    change.push(("categories_as_tags", "on"));
    change.push(("enabled", "on"));
    let r = app
        .post_as(&editor, &format!("/admin/wire/{id}"), &change)
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    let source = app.store().wire_source(WireSourceId(id)).await.unwrap();
    let rules: masthead_wire::SourceRules = serde_json::from_str(&source.rules_json).unwrap();
    assert_eq!(rules.include_keywords, vec!["stadium bond".to_owned()]);
    assert!(rules.exclude_keywords.is_empty() && rules.sections.is_empty());
    assert!(rules.categories_as_tags);
}

/// "Pull now" on a big feed, and the editor closes the tab a moment later (the request's
/// future is dropped): the pull goes on to the end, every story arrives, and the source is
/// left with its fetch recorded and no claim held.
async fn a_pull_goes_on_when_the_editor_leaves_half_way(app: TestApp) {
    let app = app.allowing_local_fetch();
    Desk::create(app.store()).await;
    let editor = app.staff("ed@example.org", Role::Editor).await;
    let server = FeedServer::start().await;
    let items: Vec<Item> = (0..1500).map(Item::new).collect();
    server.serve_rss(&rss(&items), 1);
    let url = server.feed_url();
    let form = source_form(&url, "Big Wire");
    let r = app.post_as(&editor, "/admin/wire", &form).await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    let id = app.store().wire_sources().await.unwrap()[0].id;

    let path = format!("/admin/wire/{}/pull", id.0);
    let left = tokio::time::timeout(
        std::time::Duration::from_millis(100),
        app.post_as(&editor, &path, &[]),
    )
    .await;
    assert!(
        left.is_err(),
        "the pull should take longer than the editor waited"
    );
    assert_eq!(
        app.store().wire_source(id).await.unwrap().last_fetch_at,
        None,
        "not finished when the editor left"
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let source = app.store().wire_source(id).await.unwrap();
        if source.last_fetch_at.is_some() {
            assert_eq!(source.last_status, Some(200));
            assert_eq!(source.items_created, 1500);
            assert_eq!(source.lease_until, None, "the claim ended with the pull");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the pull never finished"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(
        app.store().wire_inbox(None).await.unwrap().len(),
        50,
        "a page"
    );
    assert_eq!(app.store().count_articles().await.unwrap(), 1500);
}

/// Posts an inbox button (`publish`, `discard`, `take`, `keep`) for `item`, expecting the
/// redirect back to the inbox.
async fn inbox_action(app: &TestApp, editor: &StaffSession, item: WireItemId, action: &str) {
    let path = format!("/admin/wire/inbox/{}/{action}", item.0);
    let r = app.post_as(editor, &path, &[]).await;
    assert_eq!(r.status.as_u16(), 303, "{action}: {}", r.body);
}
