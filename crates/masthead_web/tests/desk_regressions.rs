//! Regression tests for the desk bugs of issue 10's walk-through, each named after the bug,
//! on both backends through the real router: a refused publish of a new story, correction
//! notes dropped by a restore, an edit of a published story without an updated time (and a
//! JSON-LD `dateModified` that ignored a correction the feeds counted), a byline printed
//! "By By", scheduling that took a published story off the site, and buttons offered to a
//! role the rules refuse, and desk error pages in the public site's layout.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod api_support;

use api_support::{call, staff as api_staff};
use chrono::Duration;
use masthead_core::{ArticleId, ArticleStatus, Clock, Role};
use masthead_store::DeskArticle;
use masthead_testkit::{Desk, StaffSession, TestApp, TestResponse, app_tests, assert_valid_html};
use serde_json::json;

app_tests!(
    a_refused_publish_of_a_new_story_saved_a_draft_the_form_did_not_know,
    restoring_an_older_revision_dropped_published_correction_notes,
    an_edit_through_the_form_dropped_published_correction_notes,
    an_api_save_dropped_published_correction_notes,
    an_edit_to_a_published_story_never_recorded_an_updated_time,
    json_ld_date_modified_ignored_a_correction_the_feeds_counted,
    the_byline_hint_said_by_and_the_page_printed_by_by,
    scheduling_a_published_story_took_it_off_the_site,
    contributors_were_shown_publish_now_and_schedule_buttons_they_may_not_use,
    not_allowed_pages_in_the_desk_used_the_public_sites_layout,
);

fn id_from_location(location: &str) -> i64 {
    location
        .trim_start_matches("/admin/articles/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

async fn stored(app: &TestApp, id: i64) -> DeskArticle {
    app.store().desk_article(ArticleId(id)).await.unwrap()
}

/// The update time readers are shown for the visible story `slug`.
async fn updated_at(app: &TestApp, slug: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let page = app
        .store()
        .article_page(slug, app.clock.now())
        .await
        .unwrap();
    page.unwrap().teaser.updated_at
}

/// Posts the editor form of story `id` as stored, with `action`; `extra` replaces or adds
/// fields.
async fn act(
    app: &TestApp,
    who: &StaffSession,
    id: i64,
    action: &str,
    extra: &[(&str, &str)],
) -> TestResponse {
    let a = stored(app, id).await;
    let version = a.version.to_string();
    let section = a.fields.section.0.to_string();
    let mut form: Vec<(&str, &str)> = vec![
        ("version", &version),
        ("kind", a.fields.kind().as_str()),
        ("title", &a.fields.title),
        ("slug", a.fields.slug.as_str()),
        ("summary", &a.fields.summary),
        ("section", &section),
        ("body_md", &a.fields.body_md),
        ("byline", &a.fields.byline),
        ("action", action),
    ];
    form.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
    form.extend_from_slice(extra);
    app.post_as(who, &format!("/admin/articles/{id}"), &form)
        .await
}

/// A story published through the editor, with one correction note added after publication.
async fn published_with_a_correction(app: &TestApp, who: &StaffSession, section: i64) -> i64 {
    let section = section.to_string();
    let r = app
        .post_as(
            who,
            "/admin/articles/new",
            &[
                ("kind", "news"),
                ("title", "Levy passes"),
                ("section", &section),
                ("body_md", "The levy passed 4-3."),
                ("version", "0"),
                ("action", "publish"),
            ],
        )
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    let id = id_from_location(r.header("location"));
    let r = act(
        app,
        who,
        id,
        "save",
        &[
            ("body_md", "The levy passed 5-2."),
            ("note_kind", "correction"),
            ("note_text", "An earlier version gave the vote as 4-3."),
        ],
    )
    .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    let story = stored(app, id).await;
    assert_eq!(story.status, ArticleStatus::Published);
    assert_eq!(story.fields.notes.len(), 1);
    id
}

/// Bug: a refused publish of a new story (a contributor's, or one with an image lacking
/// alt text) quietly saved a draft the form did not know about, and the next save reported
/// "Someone else saved this story" about the same person. A refused action saves nothing:
/// the form comes back as typed, still a new story, and its next save creates the story once.
async fn a_refused_publish_of_a_new_story_saved_a_draft_the_form_did_not_know(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let section = desk.news.0.to_string();
    let contributor = app.staff("cy@example.org", Role::Contributor).await;
    let editor = app.staff("ed@example.org", Role::Editor).await;
    let no_alt = "Stalls opened under the depot roof.\n\n![](/media/stalls.jpg)";
    let cases = [
        (&contributor, "Words a contributor typed.", 403),
        (&editor, no_alt, 422),
    ];
    for (n, (who, body, refusal)) in cases.into_iter().enumerate() {
        let title = format!("Market day {n}");
        let mut form = vec![
            ("kind", "news"),
            ("title", title.as_str()),
            ("section", section.as_str()),
            ("body_md", body),
            ("version", "0"),
        ];
        let mut publish = form.clone();
        publish.push(("action", "publish"));
        let r = app.post_as(who, "/admin/articles/new", &publish).await;
        assert_eq!(r.status.as_u16(), refusal, "{}", r.body);
        assert_eq!(
            app.store().count_articles().await.unwrap(),
            n as i64,
            "a refused publish saves nothing"
        );
        let first_line = body.lines().next().unwrap();
        assert!(r.body.contains(first_line), "the typed text is kept");
        assert!(
            r.body.contains("action=\"/admin/articles/new\"")
                && r.body.contains("name=\"version\" value=\"0\""),
            "the form is still a new story's"
        );
        // The next save from that form creates the story, once, and the one after it
        // saves over it without a conflict.
        form.push(("action", "save"));
        let r = app.post_as(who, "/admin/articles/new", &form).await;
        assert_eq!(r.status.as_u16(), 303, "{}", r.body);
        assert_eq!(app.store().count_articles().await.unwrap(), n as i64 + 1);
        let id = id_from_location(r.header("location"));
        let r = act(&app, who, id, "save", &[("summary", "A summary.")]).await;
        assert_eq!(r.status.as_u16(), 303, "{}", r.body);
        assert_eq!(stored(&app, id).await.version, 2);
    }
}

/// Bug: restoring an older revision of a published story removed its correction notes.
async fn restoring_an_older_revision_dropped_published_correction_notes(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let editor = app.staff("ed@example.org", Role::Editor).await;
    let id = published_with_a_correction(&app, &editor, desk.news.0).await;
    let notes = stored(&app, id).await.fields.notes;
    // Version 1 is the story as first published, before the note.
    let r = app
        .post_as(
            &editor,
            &format!("/admin/articles/{id}/revisions/1/restore"),
            &[],
        )
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    let after = stored(&app, id).await;
    assert_eq!(after.fields.body_md, "The levy passed 4-3.", "restored");
    assert_eq!(after.fields.notes, notes, "the correction stays");
    app.refresh().await;
    let page = app.get("/stories/levy-passes").await;
    assert!(
        page.body
            .contains("An earlier version gave the vote as 4-3.")
    );
}

/// Bug (the same rule, through the editor's form): a save whose form carries no notes
/// keeps every published correction.
async fn an_edit_through_the_form_dropped_published_correction_notes(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let editor = app.staff("ed@example.org", Role::Editor).await;
    let id = published_with_a_correction(&app, &editor, desk.news.0).await;
    let notes = stored(&app, id).await.fields.notes;
    for action in ["save", "unpublish", "publish"] {
        let r = act(&app, &editor, id, action, &[("notes_json", "[]")]).await;
        assert_eq!(r.status.as_u16(), 303, "{action}: {}", r.body);
        assert_eq!(stored(&app, id).await.fields.notes, notes, "{action}");
    }
}

/// Bug (the same rule, through the JSON API): a `PUT` with no notes, or other notes, keeps
/// every published correction.
async fn an_api_save_dropped_published_correction_notes(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let editor = app.staff("ed@example.org", Role::Editor).await;
    let (_, token) = api_staff(&app, "api@example.org", Role::Editor).await;
    let id = published_with_a_correction(&app, &editor, desk.news.0).await;
    let notes = stored(&app, id).await.fields.notes;
    let path = format!("/api/v1/articles/{id}");
    for sent in [
        json!([]),
        json!([{"kind": "update", "text": "Only this.", "at": "2001-01-01T00:00:00Z"}]),
    ] {
        let version = stored(&app, id).await.version;
        let r = call(
            &app,
            "PUT",
            &path,
            Some(&token),
            Some(
                json!({"version": version, "title": "Levy passes", "section": desk.news.0,
                        "body_md": "The levy passed 5-2.", "notes": sent}),
            ),
        )
        .await;
        assert_eq!(r.status(), 200, "{}", r.response.body);
        let after = stored(&app, id).await.fields.notes;
        assert_eq!(after[0], notes[0], "the correction stays, untouched");
    }
}

/// The string value of the first `"key":` in `text` (compact or pretty JSON).
fn json_string<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let pattern = format!("\"{key}\":");
    let rest = &text[text.find(&pattern)? + pattern.len()..];
    rest.trim_start().strip_prefix('"')?.split('"').next()
}

/// Bug: an edit to a published story never recorded an updated time; the page showed only
/// "Published".
async fn an_edit_to_a_published_story_never_recorded_an_updated_time(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let editor = app.staff("ed@example.org", Role::Editor).await;
    let section = desk.news.0.to_string();
    let r = app
        .post_as(
            &editor,
            "/admin/articles/new",
            &[
                ("kind", "news"),
                ("title", "Bridge closes"),
                ("section", &section),
                ("body_md", "The bridge closes Monday."),
                ("version", "0"),
                ("action", "publish"),
            ],
        )
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    let id = id_from_location(r.header("location"));
    let published = stored(&app, id).await.published_at.unwrap();
    app.clock.advance(Duration::hours(2));
    // Tags, a section or a note are not an update of the story's text.
    let r = act(&app, &editor, id, "save", &[("tags", "roads")]).await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    assert_eq!(updated_at(&app, "bridge-closes").await, None);
    let r = act(
        &app,
        &editor,
        id,
        "save",
        &[("body_md", "The bridge closes Monday for two weeks.")],
    )
    .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    let updated = app.clock.now();
    assert_eq!(stored(&app, id).await.published_at, Some(published));
    assert_eq!(updated_at(&app, "bridge-closes").await, Some(updated));

    app.refresh().await;
    let page = app.get("/stories/bridge-closes").await;
    assert_eq!(page.status.as_u16(), 200);
    assert!(
        page.body.contains("updated <time datetime=\""),
        "the page shows the update: {}",
        page.body
    );
    let modified = json_string(&page.body, "dateModified").unwrap();
    let first = json_string(&page.body, "datePublished").unwrap();
    assert_ne!(modified, first, "JSON-LD dateModified is the update");
    assert!(modified.starts_with(&updated.format("%Y-%m-%d").to_string()));
    let feed = app.get("/feed.json").await;
    assert_eq!(
        json_string(&feed.body, "date_modified")
            .map(|d| d.parse::<chrono::DateTime<chrono::Utc>>().unwrap()),
        Some(updated),
        "the feed's date_modified is the update: {}",
        feed.body
    );

    // A draft's edits are not updates: nobody read it.
    let r = app
        .post_as(
            &editor,
            "/admin/articles/new",
            &[
                ("kind", "news"),
                ("title", "Draft only"),
                ("section", &section),
                ("body_md", "Words."),
                ("version", "0"),
            ],
        )
        .await;
    let draft = id_from_location(r.header("location"));
    act(&app, &editor, draft, "save", &[("body_md", "More words.")]).await;
    act(&app, &editor, draft, "publish", &[]).await;
    assert_eq!(updated_at(&app, "draft-only").await, None);
}

/// Bug: a correction note added to a published story moved every feed's `updated`, but the
/// page's JSON-LD `dateModified` stayed at publication. Both follow one rule now.
async fn json_ld_date_modified_ignored_a_correction_the_feeds_counted(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let editor = app.staff("ed@example.org", Role::Editor).await;
    let id = published_with_a_correction(&app, &editor, desk.news.0).await;
    let story = stored(&app, id).await;
    // A note alone (no change to the text): the note's time is the story's last change.
    app.clock.advance(Duration::hours(1));
    let r = act(
        &app,
        &editor,
        id,
        "save",
        &[
            ("note_kind", "update"),
            ("note_text", "The levy takes effect in January."),
        ],
    )
    .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    let noted = app.clock.now();
    assert!(noted > story.published_at.unwrap());
    app.refresh().await;
    let page = app.get("/stories/levy-passes").await;
    let modified = json_string(&page.body, "dateModified").unwrap();
    let modified: chrono::DateTime<chrono::Utc> = modified.parse().unwrap();
    let feed = app.get("/feed.json").await;
    let feed_modified: chrono::DateTime<chrono::Utc> = json_string(&feed.body, "date_modified")
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(modified, noted, "JSON-LD dateModified: {}", page.body);
    assert_eq!(feed_modified, noted, "the feed agrees");
}

/// Bug: the free-text byline's hint said `By Jane Doe | Wire`, and the page then printed
/// "By By Jane Doe". The hint asks for the name only, and a leading "By " is dropped on save.
async fn the_byline_hint_said_by_and_the_page_printed_by_by(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let editor = app.staff("ed@example.org", Role::Editor).await;
    let editor_page = app.get_as(&editor, "/admin/articles/new").await;
    assert!(!editor_page.body.contains("By Jane Doe"), "the hint");
    let section = desk.news.0.to_string();
    let r = app
        .post_as(
            &editor,
            "/admin/articles/new",
            &[
                ("kind", "news"),
                ("title", "Wire story"),
                ("section", &section),
                ("body_md", "Words."),
                ("byline", "by  Jane Doe"),
                ("source_name", "Prairie Wire"),
                ("version", "0"),
                ("action", "publish"),
            ],
        )
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    let id = id_from_location(r.header("location"));
    assert_eq!(stored(&app, id).await.fields.byline, "Jane Doe");
    app.refresh().await;
    let page = app.get("/stories/wire-story").await;
    assert!(page.body.contains("Jane Doe"), "{}", page.body);
    assert!(!page.body.contains("By By") && !page.body.contains("By by"));
    // The API goes through the same rule.
    let (_, token) = api_staff(&app, "api@example.org", Role::Editor).await;
    let version = stored(&app, id).await.version;
    let r = call(
        &app,
        "PUT",
        &format!("/api/v1/articles/{id}"),
        Some(&token),
        Some(
            json!({"version": version, "title": "Wire story", "section": desk.news.0,
                    "body_md": "Words.", "byline": "BY Jo Writer"}),
        ),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.response.body);
    assert_eq!(r.json["byline"], "Jo Writer");
}

/// Bug: scheduling an already published story took it off the site until that time,
/// without a warning. It is refused, naming what to do, on the desk and the API.
async fn scheduling_a_published_story_took_it_off_the_site(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let editor = app.staff("ed@example.org", Role::Editor).await;
    let id = published_with_a_correction(&app, &editor, desk.news.0).await;
    let before = stored(&app, id).await;
    // t0 is 12:00 in Chicago: the next morning is in the future.
    let r = act(
        &app,
        &editor,
        id,
        "schedule",
        &[
            ("publish_at", "2026-11-28T09:00"),
            ("body_md", "Typed words stay."),
        ],
    )
    .await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    assert!(r.body.contains("already on the site"), "{}", r.body);
    assert!(r.body.contains("Unpublish first"), "names what to do");
    assert!(
        r.body.contains("Typed words stay."),
        "the typed text is kept"
    );
    let after = stored(&app, id).await;
    assert_eq!(
        (after.status, after.version, after.published_at),
        (
            ArticleStatus::Published,
            before.version,
            before.published_at
        )
    );
    let (_, token) = api_staff(&app, "api@example.org", Role::Editor).await;
    let r = call(
        &app,
        "POST",
        &format!("/api/v1/articles/{id}/schedule"),
        Some(&token),
        Some(json!({"version": before.version, "publish_at": "2026-11-28T15:00:00Z"})),
    )
    .await;
    assert!(
        r.error(422, "unprocessable")
            .contains("already on the site")
    );
    app.refresh().await;
    assert_eq!(app.get("/stories/levy-passes").await.status.as_u16(), 200);
    // Taken down first, it may be scheduled.
    assert_eq!(
        act(&app, &editor, id, "unpublish", &[])
            .await
            .status
            .as_u16(),
        303
    );
    let r = act(
        &app,
        &editor,
        id,
        "schedule",
        &[("publish_at", "2026-11-28T09:00")],
    )
    .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    assert_eq!(stored(&app, id).await.status, ArticleStatus::Scheduled);
}

/// The editor's action buttons on `page`, by their `value`, in order.
/// The story's action buttons, in order. "Suggest a summary" changes nothing stored and is
/// offered to everyone who may open the story, so it is not one of them.
fn buttons(page: &str) -> Vec<&str> {
    page.split("<button type=\"submit\" name=\"action\" value=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|action| *action != "suggest_summary")
        .collect()
}

/// Bug: contributors were shown "Publish now" and "Schedule" buttons they may not use (the
/// press was refused). The editor, new or existing story, offers each role what the rules
/// allow it, from the same check the save makes; the forms are plain posts, no script.
async fn contributors_were_shown_publish_now_and_schedule_buttons_they_may_not_use(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let section = desk.news.0.to_string();
    let contributor = app.staff("cy@example.org", Role::Contributor).await;
    let editor = app.staff("ed@example.org", Role::Editor).await;

    let page = app.get_as(&contributor, "/admin/articles/new").await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.body);
    assert_eq!(buttons(&page.body), ["save", "preview", "submit"]);
    assert!(!page.body.contains("Publish now") && !page.body.contains(">Schedule<"));
    assert!(
        page.body
            .contains("<form method=\"post\" action=\"/admin/articles/new\"")
    );
    let page = app.get_as(&editor, "/admin/articles/new").await;
    assert_eq!(
        buttons(&page.body),
        ["save", "preview", "submit", "publish", "schedule"]
    );

    // Without JavaScript: the contributor's form posts create the story and submit it.
    let form = [
        ("kind", "news"),
        ("title", "Fair opens"),
        ("section", section.as_str()),
        ("body_md", "The county fair opened."),
        ("version", "0"),
        ("action", "save"),
    ];
    let r = app
        .post_as(&contributor, "/admin/articles/new", &form)
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    let id = id_from_location(r.header("location"));
    let path = format!("/admin/articles/{id}");
    let page = app.get_as(&contributor, &path).await;
    assert_eq!(buttons(&page.body), ["save", "preview", "submit"]);
    let page = app.get_as(&editor, &path).await;
    assert_eq!(
        buttons(&page.body),
        ["save", "preview", "submit", "publish", "schedule"]
    );
    let r = act(&app, &contributor, id, "submit", &[]).await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    let page = app.get_as(&contributor, &path).await;
    assert_eq!(buttons(&page.body), ["save", "preview"], "in review");
    // The rule still refuses what the form no longer offers.
    assert_eq!(
        act(&app, &contributor, id, "publish", &[])
            .await
            .status
            .as_u16(),
        403
    );
    assert_eq!(stored(&app, id).await.status, ArticleStatus::Review);

    // The editor's buttons publish; then the contributor may no longer change the story.
    let page = app.get_as(&editor, &path).await;
    assert_eq!(
        buttons(&page.body),
        ["save", "preview", "publish", "schedule"]
    );
    let r = act(&app, &editor, id, "publish", &[]).await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    assert_eq!(stored(&app, id).await.status, ArticleStatus::Published);
    // On the site, it is not offered Schedule, which the rule refuses there.
    let page = app.get_as(&editor, &path).await;
    assert_eq!(
        buttons(&page.body),
        ["save", "preview", "publish", "unpublish"]
    );
    let page = app.get_as(&contributor, &path).await;
    assert_eq!(buttons(&page.body), ["preview"]);
    assert!(page.body.contains("ask an editor to change it"));
}

/// Whether `page` is drawn in the desk's layout (and not the public theme's).
fn in_desk_layout(page: &TestResponse) -> bool {
    page.body.contains("href=\"/admin/admin.css\"")
        && !page.body.contains("/static/site.css")
        && page
            .header("content-security-policy")
            .contains("frame-ancestors 'none'")
}

/// Bug: "Not allowed" pages in the desk used the public site's layout: no way on from them
/// but the front page. Errors under `/admin` render in the desk's layout, with the staff
/// member's navigation where the guard knew them; the public site's error pages stay.
async fn not_allowed_pages_in_the_desk_used_the_public_sites_layout(app: TestApp) {
    Desk::create(app.store()).await;
    let contributor = app.staff("cy@example.org", Role::Contributor).await;

    let refused = app.get_as(&contributor, "/admin/settings").await;
    assert_eq!(refused.status.as_u16(), 403, "{}", refused.body);
    assert!(in_desk_layout(&refused), "{}", refused.body);
    assert!(refused.body.contains("<h1>Not allowed</h1>"));
    assert!(
        refused.body.contains("aria-label=\"Desk\""),
        "the desk's navigation"
    );
    assert!(refused.body.contains("href=\"/admin/articles/new\""));
    assert!(refused.body.contains("action=\"/admin/logout\""));
    assert!(
        !refused.body.contains("href=\"/admin/settings\""),
        "only what the role may"
    );

    let missing = app.get_as(&contributor, "/admin/articles/999999").await;
    assert_eq!(missing.status.as_u16(), 404, "{}", missing.body);
    assert!(in_desk_layout(&missing), "{}", missing.body);
    assert!(missing.body.contains("aria-label=\"Desk\""));

    // An address no desk route matches: the desk's layout still, with the navigation; a
    // stranger there is asked to log in.
    let nowhere = app.get_as(&contributor, "/admin/nowhere/at/all").await;
    assert_eq!(nowhere.status.as_u16(), 404);
    assert!(in_desk_layout(&nowhere), "{}", nowhere.body);
    assert!(
        nowhere.body.contains("aria-label=\"Desk\""),
        "{}",
        nowhere.body
    );
    let stranger = app.get("/admin/nowhere").await;
    assert_eq!(stranger.status.as_u16(), 303);
    assert!(stranger.header("location").starts_with("/admin/login"));

    // The public site's error pages are as they were.
    let public = app.get("/stories/no-such-story").await;
    assert_eq!(public.status.as_u16(), 404);
    assert!(public.body.contains("<h1>Page not found</h1>"));
    assert!(!public.body.contains("/admin/admin.css"), "{}", public.body);

    assert_valid_html(&[
        ("desk_not_allowed", refused.body),
        ("desk_not_found", missing.body),
        ("desk_no_route", nowhere.body),
    ]);
}
