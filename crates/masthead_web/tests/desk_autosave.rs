//! The editor's autosave endpoint (issue 10), on both backends through the real router: a
//! new story's first autosave creates its draft and a save after it never conflicts with
//! it; an autosave never changes a published story or its public page (the text is kept
//! beside it, offered back, restored into the form, dropped by a save or a discard); it is
//! refused without the CSRF token; many autosaves at once from one editor end consistent;
//! the editor page with the offer passes the HTML checker and shows every kind's fields
//! without JavaScript; a run of autosaves is one revision for each ten minutes of typing.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use masthead_core::{ArticleId, ArticleStatus, Role};
use masthead_testkit::{Desk, StaffSession, TestApp, TestResponse, app_tests, assert_valid_html};
use serde_json::Value;
use std::sync::Arc;

app_tests!(
    a_new_storys_first_autosave_creates_its_draft_and_a_save_after_it_does_not_conflict,
    an_autosave_that_does_not_make_a_story_yet_saves_nothing_and_says_why,
    an_autosave_never_changes_a_published_story_or_its_page,
    an_autosave_is_refused_without_the_csrf_token,
    many_autosaves_at_once_from_one_editor_end_consistent,
    the_editor_page_offering_autosaved_text_is_valid_html_and_shows_every_kind_without_js,
    a_stretch_of_typing_is_one_revision_not_one_every_few_seconds,
);

fn json(r: &TestResponse) -> Value {
    serde_json::from_str(&r.body).unwrap_or_else(|_| panic!("JSON: {} {}", r.status, r.body))
}

/// The editor's form for a story with `body`, over `version`.
fn story_form<'a>(section: &'a str, version: &'a str, body: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("version", version),
        ("kind", "news"),
        ("title", "Levy vote tonight"),
        ("section", section),
        ("body_md", body),
    ]
}

/// The form with another headline (so another address).
fn titled<'a>(mut form: Vec<(&'a str, &'a str)>) -> Vec<(&'a str, &'a str)> {
    form.retain(|(k, _)| *k != "title");
    form.push(("title", "School board agenda"));
    form
}

async fn autosave(
    app: &TestApp,
    who: &StaffSession,
    id: Option<i64>,
    form: &[(&str, &str)],
) -> TestResponse {
    let path = match id {
        Some(id) => format!("/admin/articles/{id}/autosave"),
        None => "/admin/articles/new/autosave".to_owned(),
    };
    app.post_as(who, &path, form).await
}

async fn a_new_storys_first_autosave_creates_its_draft_and_a_save_after_it_does_not_conflict(
    app: TestApp,
) {
    let desk = Desk::create(app.store()).await;
    let section = desk.news.0.to_string();
    let editor = app.staff("ed@example.org", Role::Editor).await;
    let r = autosave(
        &app,
        &editor,
        None,
        &story_form(&section, "0", "The council meets at 7."),
    )
    .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    let answer = json(&r);
    assert_eq!(answer["status"], "draft");
    assert_eq!(answer["version"], 1);
    let id = answer["id"].as_i64().unwrap();
    assert_eq!(answer["url"], format!("/admin/articles/{id}"));
    assert_eq!(answer["action"], format!("/admin/articles/{id}"));
    let stored = app.store().desk_article(ArticleId(id)).await.unwrap();
    assert_eq!(stored.status, ArticleStatus::Draft);
    assert_eq!(stored.fields.body_md, "The council meets at 7.");

    // The page goes on from version 1: the next autosave, then a press of Save.
    let r = autosave(
        &app,
        &editor,
        Some(id),
        &story_form(&section, "1", "The council meets at 7 p.m."),
    )
    .await;
    assert_eq!(json(&r)["version"], 2, "{}", r.body);
    let mut form = story_form(&section, "2", "The council meets at 7 p.m. in the library.");
    form.push(("action", "save"));
    let r = app
        .post_as(&editor, &format!("/admin/articles/{id}"), &form)
        .await;
    assert_eq!(
        r.status.as_u16(),
        303,
        "no conflict with its own autosave: {}",
        r.body
    );
    let stored = app.store().desk_article(ArticleId(id)).await.unwrap();
    assert_eq!(stored.version, 3);
    assert_eq!(app.store().revisions(ArticleId(id)).await.unwrap().len(), 3);
    assert_eq!(app.store().count_articles().await.unwrap(), 1);
}

async fn an_autosave_that_does_not_make_a_story_yet_saves_nothing_and_says_why(app: TestApp) {
    Desk::create(app.store()).await;
    let editor = app.staff("ed@example.org", Role::Editor).await;
    let r = autosave(&app, &editor, None, &story_form("", "0", "Words.")).await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    assert!(
        json(&r)["error"].as_str().unwrap().contains("Section"),
        "{}",
        r.body
    );
    assert_eq!(app.store().count_articles().await.unwrap(), 0);
    // A story the staff member may not see: not found, in JSON.
    let r = autosave(&app, &editor, Some(999), &story_form("1", "1", "Words.")).await;
    assert_eq!(r.status.as_u16(), 404, "{}", r.body);
    assert!(json(&r)["error"].is_string());
}

/// A story published through the editor; its id.
async fn published(app: &TestApp, who: &StaffSession, section: &str) -> i64 {
    let mut form = story_form(section, "0", "The levy passed 5-2.");
    form.push(("action", "publish"));
    let r = app.post_as(who, "/admin/articles/new", &form).await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    r.header("location")
        .trim_start_matches("/admin/articles/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

async fn an_autosave_never_changes_a_published_story_or_its_page(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let section = desk.news.0.to_string();
    let editor = app.staff("ed@example.org", Role::Editor).await;
    let id = published(&app, &editor, &section).await;
    app.refresh().await;
    let page_before = app.get("/stories/levy-vote-tonight").await;
    assert_eq!(page_before.status.as_u16(), 200);
    let before = app.store().desk_article(ArticleId(id)).await.unwrap();

    let r = autosave(
        &app,
        &editor,
        Some(id),
        &story_form(
            &section,
            "1",
            "DRAFT: the levy passed 5-2 after a long night.",
        ),
    )
    .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert_eq!(json(&r)["status"], "kept");
    assert_eq!(json(&r)["version"], 1);
    let after = app.store().desk_article(ArticleId(id)).await.unwrap();
    assert_eq!(
        (after.version, &after.fields, after.status),
        (before.version, &before.fields, ArticleStatus::Published)
    );
    assert_eq!(app.store().revisions(ArticleId(id)).await.unwrap().len(), 1);
    app.refresh().await;
    let page_after = app.get("/stories/levy-vote-tonight").await;
    assert!(!page_after.body.contains("DRAFT"));
    assert!(page_after.body.contains("The levy passed 5-2."));

    // The editor offers it back; restoring fills the form only.
    let edit = app.get_as(&editor, &format!("/admin/articles/{id}")).await;
    assert!(
        edit.body.contains("Autosaved text, not on the site"),
        "{}",
        edit.body
    );
    assert!(!edit.body.contains("DRAFT: the levy"));
    let restored = app
        .get_as(&editor, &format!("/admin/articles/{id}?autosave=restore"))
        .await;
    assert!(
        restored
            .body
            .contains("DRAFT: the levy passed 5-2 after a long night.")
    );
    assert!(
        restored
            .body
            .contains("not on the site until you press Save")
    );
    assert_eq!(
        app.store()
            .desk_article(ArticleId(id))
            .await
            .unwrap()
            .fields,
        before.fields
    );
    // Another editor sees nothing of it.
    let other = app.staff("other@example.org", Role::Editor).await;
    let theirs = app.get_as(&other, &format!("/admin/articles/{id}")).await;
    assert!(!theirs.body.contains("Autosaved text"));

    // Saving puts it on the site and drops the kept text.
    let mut form = story_form(&section, "1", "The levy passed 5-2 after a long night.");
    form.push(("action", "save"));
    let r = app
        .post_as(&editor, &format!("/admin/articles/{id}"), &form)
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    let user = editor.user;
    assert_eq!(
        app.store().autosave(ArticleId(id), user).await.unwrap(),
        None
    );

    // Discarding drops it too, and changes nothing else.
    let r = autosave(
        &app,
        &editor,
        Some(id),
        &story_form(&section, "2", "Scratch."),
    )
    .await;
    assert_eq!(json(&r)["status"], "kept");
    assert!(
        app.store()
            .autosave(ArticleId(id), user)
            .await
            .unwrap()
            .is_some()
    );
    let r = app
        .post_as(
            &editor,
            &format!("/admin/articles/{id}/autosave/discard"),
            &[],
        )
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    assert_eq!(
        app.store().autosave(ArticleId(id), user).await.unwrap(),
        None
    );
    assert_eq!(
        app.store()
            .desk_article(ArticleId(id))
            .await
            .unwrap()
            .version,
        2
    );
}

async fn an_autosave_is_refused_without_the_csrf_token(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let section = desk.news.0.to_string();
    let editor = app.staff("ed@example.org", Role::Editor).await;
    let id = published(&app, &editor, &section).await;
    let body = format!("version=1&kind=news&title=Levy&section={section}&body_md=Changed");
    for path in [
        format!("/admin/articles/{id}/autosave"),
        "/admin/articles/new/autosave".to_owned(),
    ] {
        let r = app.post_raw(&path, &editor.cookie, &body).await;
        assert_eq!(r.status.as_u16(), 403, "{path}: {}", r.body);
    }
    assert_eq!(app.store().count_articles().await.unwrap(), 1);
    assert_eq!(
        app.store()
            .autosave(ArticleId(id), editor.user)
            .await
            .unwrap(),
        None
    );
}

async fn many_autosaves_at_once_from_one_editor_end_consistent(app: TestApp) {
    const AT_ONCE: usize = 12;
    let desk = Desk::create(app.store()).await;
    let section = desk.news.0.to_string();
    let editor = app.staff("ed@example.org", Role::Editor).await;
    let live = published(&app, &editor, &section).await;
    let r = autosave(
        &app,
        &editor,
        None,
        &titled(story_form(&section, "0", "Start.")),
    )
    .await;
    let draft = json(&r)["id"].as_i64().unwrap();
    let app = Arc::new(app);
    let editor = Arc::new(editor);

    // Twelve autosaves over the draft's version 1, and twelve beside the published story.
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..AT_ONCE {
        for id in [draft, live] {
            let (app, editor, section) = (app.clone(), editor.clone(), section.clone());
            tasks.spawn(async move {
                let body = format!("Take {n} of story {id}.");
                let mut form = story_form(&section, "1", &body);
                if id == draft {
                    form = titled(form);
                }
                let r = autosave(&app, &editor, Some(id), &form).await;
                (id, body, r.status.as_u16(), r.body)
            });
        }
    }
    let mut won = Vec::new();
    let mut kept = Vec::new();
    while let Some(done) = tasks.join_next().await {
        let (id, body, status, answer) = done.unwrap();
        let answer: Value = serde_json::from_str(&answer).unwrap();
        match (id == draft, status) {
            (true, 200) => {
                assert_eq!(answer["version"], 2);
                won.push(body);
            }
            (true, 409) => assert_eq!(answer["version"], 2, "{answer}"),
            (false, 200) => {
                assert_eq!(
                    (answer["status"].as_str(), answer["version"].as_i64()),
                    (Some("kept"), Some(1))
                );
                kept.push(body);
            }
            other => panic!("{other:?}: {answer}"),
        }
    }
    assert_eq!(won.len(), 1, "one autosave over version 1 wins");
    let stored = app.store().desk_article(ArticleId(draft)).await.unwrap();
    assert_eq!((stored.version, &stored.fields.body_md), (2, &won[0]));
    assert_eq!(
        app.store().revisions(ArticleId(draft)).await.unwrap().len(),
        2
    );
    assert_eq!(
        kept.len(),
        AT_ONCE,
        "text beside a live story is always kept"
    );
    let live_now = app.store().desk_article(ArticleId(live)).await.unwrap();
    assert_eq!(
        (live_now.version, live_now.fields.body_md.as_str()),
        (1, "The levy passed 5-2.")
    );
    let autosaved = app
        .store()
        .autosave(ArticleId(live), editor.user)
        .await
        .unwrap()
        .unwrap();
    assert!(
        kept.iter()
            .any(|b| autosaved.form.contains(&b.replace(' ', "+"))),
        "one whole autosave is kept: {}",
        autosaved.form
    );
    // The winner's page saves on from version 2 without a conflict.
    let mut form = titled(story_form(&section, "2", "Final."));
    form.push(("action", "save"));
    let r = app
        .post_as(&editor, &format!("/admin/articles/{draft}"), &form)
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
}

async fn the_editor_page_offering_autosaved_text_is_valid_html_and_shows_every_kind_without_js(
    app: TestApp,
) {
    let desk = Desk::create(app.store()).await;
    let section = desk.news.0.to_string();
    let editor = app.staff("ed@example.org", Role::Editor).await;
    let id = published(&app, &editor, &section).await;
    autosave(&app, &editor, Some(id), &story_form(&section, "1", "More.")).await;
    let edit = app.get_as(&editor, &format!("/admin/articles/{id}")).await;
    assert!(edit.body.contains("Autosaved text, not on the site"));
    let new = app.get_as(&editor, "/admin/articles/new").await;
    for page in [&edit.body, &new.body] {
        for kind in ["video", "meeting_brief", "roundup"] {
            assert!(
                page.contains(&format!("<fieldset data-kind=\"{kind}\">")),
                "{kind} shown"
            );
        }
        assert!(page.contains("editor.js?v="));
    }
    assert_valid_html(&[
        ("editor with autosaved text", edit.body),
        ("new story", new.body),
    ]);
}

/// Autosaves every few seconds leave one revision for each ten minutes of one person's
/// typing: a deliberate save, another person's autosave or the end of the ten minutes
/// starts a new one, and each revision is compared with the one listed before it.
async fn a_stretch_of_typing_is_one_revision_not_one_every_few_seconds(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let section = desk.news.0.to_string();
    let ana = app.staff("ana@example.org", Role::Editor).await;
    let bo = app.staff("bo@example.org", Role::Editor).await;
    let mut body = "The council met.".to_owned();
    let first = json(&autosave(&app, &ana, None, &story_form(&section, "0", &body)).await);
    let id = first["id"].as_i64().unwrap();
    let mut version = first["version"].as_i64().unwrap();
    let versions = async || -> Vec<(i64, bool)> {
        let list = app.store().revisions(ArticleId(id)).await.unwrap();
        list.iter().map(|r| (r.version, r.autosaved)).collect()
    };
    let mut type_more = async |who: &StaffSession, version: &mut i64| {
        app.clock.advance(chrono::Duration::seconds(5));
        body.push_str(" More words.");
        let v = version.to_string();
        let r = autosave(&app, who, Some(id), &story_form(&section, &v, &body)).await;
        assert_eq!(r.status.as_u16(), 200, "{}", r.body);
        *version = json(&r)["version"].as_i64().unwrap();
    };
    for _ in 0..20 {
        type_more(&ana, &mut version).await;
    }
    assert_eq!(
        version, 21,
        "each autosave is still a new version of the draft"
    );
    assert_eq!(
        versions().await,
        [(21, true), (1, false)],
        "twenty autosaves, one revision"
    );

    // Ten minutes after the run began, the next autosave starts a revision of its own.
    app.clock.advance(chrono::Duration::minutes(10));
    type_more(&ana, &mut version).await;
    assert_eq!(versions().await, [(22, true), (21, true), (1, false)]);

    // A deliberate save is a revision of its own, and the autosaves after it start anew.
    let v = version.to_string();
    let mut form = story_form(&section, &v, "The council met. Saved by hand.");
    form.push(("action", "save"));
    let saved = app
        .post_as(&ana, &format!("/admin/articles/{id}"), &form)
        .await;
    assert_eq!(saved.status.as_u16(), 303, "{}", saved.body);
    version += 1;
    type_more(&ana, &mut version).await;
    type_more(&ana, &mut version).await;
    assert_eq!(
        versions().await,
        [(25, true), (23, false), (22, true), (21, true), (1, false)]
    );

    // Someone else's autosave never folds into mine.
    type_more(&bo, &mut version).await;
    assert_eq!(versions().await[..2], [(26, true), (25, true)]);

    // Each revision is compared with the one listed before it, not with a folded one.
    let page = app
        .get_as(&ana, &format!("/admin/articles/{id}/revisions/25"))
        .await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.body);
    assert!(
        page.body.contains("Changes from version 23"),
        "{}",
        page.body
    );
    let list = app
        .get_as(&ana, &format!("/admin/articles/{id}/revisions"))
        .await;
    assert!(
        list.body.contains("Version 25</a> (autosaved)"),
        "{}",
        list.body
    );
    assert_valid_html(&[("revision", page.body), ("revisions", list.body)]);
}
