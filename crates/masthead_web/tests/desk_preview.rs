//! The editor's preview (issue 10, item 3) on both backends through the real router: the
//! unsaved form shown as the public page (headline, byline, lead image, summary, body,
//! decisions, roundup items, notes) that saves nothing; the way back to the editor with the
//! text; shared preview links (logged out, expiring, revocable, ended with their maker's
//! account, a 404 for a wrong token, never cached or indexed, a live story's link sent to
//! its page), who may share, many links made at once; and the flow in headless Chromium.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use chrono::Duration;
use masthead_core::{ArticleId, Clock, Role};
use masthead_store::Actor;
use masthead_testkit::{
    Browser, Desk, StaffSession, TestApp, TestServer, app_tests, assert_valid_html, insert_image,
};
use std::collections::HashSet;
use std::sync::Arc;

app_tests!(
    preview_of_unsaved_text_is_the_public_page_and_saves_nothing,
    preview_of_a_new_meeting_brief_and_roundup_saves_nothing,
    a_shared_preview_link_works_logged_out_expires_and_can_be_revoked,
    a_contributor_may_share_only_their_own_story,
    many_preview_links_made_at_once_are_all_distinct_and_valid,
    the_editor_previews_in_a_new_tab_and_comes_back_to_the_text,
);

/// Undoes the template's HTML escaping of a `srcdoc` attribute.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
}

/// The pages framed in a desk preview page, unescaped.
fn frames(html: &str) -> Vec<String> {
    html.split("srcdoc=\"")
        .skip(1)
        .map(|rest| unescape(rest.split('"').next().unwrap()))
        .collect()
}

fn id_from_location(location: &str) -> i64 {
    location
        .trim_start_matches("/admin/articles/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// Creates a draft through the editor's form as `who`; returns its id.
async fn draft(app: &TestApp, who: &StaffSession, desk: &Desk, title: &str) -> i64 {
    let section = desk.news.0.to_string();
    let r = app
        .post_as(
            who,
            "/admin/articles/new",
            &[
                ("kind", "news"),
                ("title", title),
                ("section", &section),
                ("body_md", "The saved body."),
                ("version", "0"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    id_from_location(r.header("location"))
}

/// The preview link in a share page's answer, as a local path.
fn link_in(html: &str) -> String {
    let at = html
        .find("/preview/pv_")
        .expect("a preview link in the page");
    html[at..].split('"').next().unwrap().to_owned()
}

async fn share(app: &TestApp, who: &StaffSession, id: i64, hours: &str) -> String {
    let mut form = vec![];
    if !hours.is_empty() {
        form.push(("hours", hours));
    }
    let r = app
        .post_as(who, &format!("/admin/articles/{id}/share"), &form)
        .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    link_in(&r.body)
}

async fn preview_of_unsaved_text_is_the_public_page_and_saves_nothing(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let image = insert_image(
        app.store(),
        "depot.jpg",
        "Shoppers at the depot",
        (1200, 800),
    )
    .await;
    let editor = app.staff("ed@example.org", Role::Editor).await;
    let id = draft(&app, &editor, &desk, "Saved headline").await;
    let before = app.store().desk_article(ArticleId(id)).await.unwrap();
    let revisions = app.store().revisions(ArticleId(id)).await.unwrap().len();
    let audit = app.store().audit_log(100, 0).await.unwrap().len();

    let section = desk.news.0.to_string();
    let author = desk.reporter.0.to_string();
    let image_id = image.0.to_string();
    let version = before.version.to_string();
    let form = [
        ("version", version.as_str()),
        ("kind", "news"),
        ("title", "Unsaved headline & more"),
        ("summary", "The summary nobody saved. </script><b>bold</b>"),
        ("section", &section),
        ("authors", &author),
        ("image", &image_id),
        ("image_caption", "The old depot on Saturday."),
        (
            "body_md",
            "The market opens **Saturday**.\n\n## Where\n\nIn the depot.\n\n<script>alert(1)</script>",
        ),
        ("note_kind", "correction"),
        ("note_text", "An earlier version misspelled the depot."),
        ("tags", "Market, Downtown"),
        ("action", "preview"),
    ];
    let r = app
        .post_as(&editor, &format!("/admin/articles/{id}"), &form)
        .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert!(r.header("cache-control").contains("no-store"));
    let csp = r.header("content-security-policy");
    assert!(csp.contains("frame-src 'self'") && csp.contains("frame-ancestors 'none'"));
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(r.body.contains("Preview — not published"));
    assert!(r.body.contains("value=\"edit\">Back to the editor"));
    let pages = frames(&r.body);
    assert_eq!(pages.len(), 2, "a phone frame and a desktop frame");
    assert_eq!(pages[0], pages[1]);
    let page = &pages[0];
    // The public theme's article page, with everything the form holds.
    assert!(page.contains("<article class=\"story story-news\">"));
    assert!(
        page.contains("<h1>Unsaved headline &amp; more</h1>"),
        "{page}"
    );
    assert!(page.contains("href=\"/author/ana-reyes\""), "{page}");
    assert!(page.contains("The summary nobody saved."));
    assert!(page.contains("<strong>Saturday</strong>"));
    assert!(page.contains("<h2>Where</h2>"), "{page}");
    assert!(page.contains("class=\"lead-image\"") && page.contains("/media/depot.jpg"));
    assert!(page.contains("alt=\"Shoppers at the depot\""));
    assert!(page.contains("The old depot on Saturday."));
    assert!(page.contains("An earlier version misspelled the depot."));
    assert!(page.contains("href=\"/tag/downtown\""));
    assert!(page.contains("<a href=\"/section/news\">Local News</a>"));
    assert!(page.contains("class=\"preview-banner\""));
    assert!(page.contains("<meta name=\"robots\" content=\"noindex"));
    // The live page's escapes: the sanitizer drops the script, JSON-LD stays data.
    assert!(!page.contains("<script>alert"), "{page}");
    assert!(page.contains("<script type=\"application/ld+json\">"));
    assert!(
        !page.contains("</script><b>"),
        "JSON-LD cannot be closed from a field"
    );

    // Nothing was saved: the same version, revisions and audit log; the headline as saved.
    let after = app.store().desk_article(ArticleId(id)).await.unwrap();
    assert_eq!(after.version, before.version);
    assert_eq!(after.fields.title, "Saved headline");
    assert!(after.fields.notes.is_empty());
    assert_eq!(
        app.store().revisions(ArticleId(id)).await.unwrap().len(),
        revisions
    );
    assert_eq!(app.store().audit_log(100, 0).await.unwrap().len(), audit);

    // Back to the editor: the text as typed, still unsaved.
    let mut back: Vec<(&str, &str)> = form
        .iter()
        .copied()
        .filter(|(k, _)| *k != "action")
        .collect();
    back.push(("action", "edit"));
    let r = app
        .post_as(&editor, &format!("/admin/articles/{id}"), &back)
        .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert!(
        r.body.contains("value=\"Unsaved headline &amp; more\""),
        "{}",
        r.body
    );
    assert!(r.body.contains("Nothing has been saved yet"));
    assert_eq!(
        app.store()
            .desk_article(ArticleId(id))
            .await
            .unwrap()
            .version,
        before.version
    );

    // A story the save would refuse gets the save's message, not a page, and no 500.
    let mut bad: Vec<(&str, &str)> = form.to_vec();
    bad.retain(|(k, _)| *k != "kind");
    bad.push(("kind", "video"));
    bad.push(("video_url", "https://videos.example.com/watch/1"));
    let refused = app
        .post_as(&editor, &format!("/admin/articles/{id}"), &bad)
        .await;
    assert_eq!(refused.status.as_u16(), 422, "{}", refused.body);
    assert!(refused.body.contains("Video"), "{}", refused.body);
    assert!(frames(&refused.body).is_empty());

    assert_valid_html(&[
        ("desk-preview", r_body(&app, &editor, id, &form).await),
        ("framed-preview", page.clone()),
        ("refused-preview", refused.body),
    ]);
}

/// The desk preview page of `form` posted to story `id`.
async fn r_body(app: &TestApp, who: &StaffSession, id: i64, form: &[(&str, &str)]) -> String {
    app.post_as(who, &format!("/admin/articles/{id}"), form)
        .await
        .body
}

async fn preview_of_a_new_meeting_brief_and_roundup_saves_nothing(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let editor = app.staff("ed@example.org", Role::Editor).await;
    let section = desk.news.0.to_string();
    let r = app
        .post_as(
            &editor,
            "/admin/articles/new",
            &[
                ("version", "0"),
                ("kind", "meeting_brief"),
                ("title", "Board sets the levy"),
                ("section", &section),
                ("byline", "By Jane Doe"),
                ("meeting_body", "Cedar Hollow Village Board"),
                ("meeting_date", "2026-11-24"),
                (
                    "decisions",
                    "passed | 5-1 | Approve the levy\nfailed | 2-4 | Close the pool",
                ),
                ("body_md", "The board met."),
                ("action", "preview"),
            ],
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    let page = &frames(&r.body)[0];
    assert!(page.contains("<h1>Board sets the levy</h1>"));
    assert!(page.contains("Decisions") && page.contains("Approve the levy"));
    assert!(page.contains("Close the pool") && page.contains("outcome-failed"));
    // The save's rules apply: the byline hint's "By" is not printed twice.
    assert!(
        page.contains("Jane Doe") && !page.contains("By By"),
        "{page}"
    );

    let r = app
        .post_as(
            &editor,
            "/admin/articles/new",
            &[
                ("version", "0"),
                ("kind", "roundup"),
                ("title", "Week in review"),
                ("section", &section),
                (
                    "items",
                    "## Library hours\nOpen *late* on Thursdays.\n\n## Snow routes\nPark off the avenue.",
                ),
                ("action", "preview"),
            ],
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    let roundup = &frames(&r.body)[0];
    assert!(roundup.contains("<h2>Library hours</h2>") && roundup.contains("<em>late</em>"));
    assert!(roundup.contains("<h2>Snow routes</h2>"));
    assert!(
        app.store()
            .desk_list(None, None, 50, 0)
            .await
            .unwrap()
            .is_empty(),
        "a preview of a new story saves nothing"
    );
    assert_valid_html(&[("meeting", page.clone()), ("roundup", roundup.clone())]);
}

async fn a_shared_preview_link_works_logged_out_expires_and_can_be_revoked(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let editor = app.staff("ed@example.org", Role::Editor).await;
    let id = draft(&app, &editor, &desk, "Budget draft").await;
    let page = app
        .get_as(&editor, &format!("/admin/articles/{id}/share"))
        .await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.body);
    assert!(page.body.contains("<option value=\"48\" selected>"));

    let r = app
        .post_as(
            &editor,
            &format!("/admin/articles/{id}/share"),
            &[("hours", "1")],
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    let link = link_in(&r.body);
    let share_page = r.body.clone();
    // Logged out: the page, marked as a preview, kept by no one, out of search engines.
    let shown = app.get(&link).await;
    assert_eq!(shown.status.as_u16(), 200, "{}", shown.body);
    assert!(shown.body.contains("<h1>Budget draft</h1>"));
    assert!(shown.body.contains("Preview — not published"));
    assert!(shown.body.contains("This preview link works until"));
    assert!(
        shown
            .body
            .contains("<meta name=\"robots\" content=\"noindex")
    );
    assert_eq!(shown.header("cache-control"), "private, no-store");
    assert!(shown.header("x-robots-tag").contains("noindex"));
    assert!(shown.header("etag").is_empty());
    assert!(
        shown
            .header("content-security-policy")
            .contains("frame-ancestors 'self'")
    );
    // The latest saved version, at once (nothing cached it).
    let stored = app.store().desk_article(ArticleId(id)).await.unwrap();
    let version = stored.version.to_string();
    let section = desk.news.0.to_string();
    let r = app
        .post_as(
            &editor,
            &format!("/admin/articles/{id}"),
            &[
                ("version", &version),
                ("kind", "news"),
                ("title", "Budget draft, revised"),
                ("section", &section),
                ("body_md", "Now with numbers."),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    let again = app.get(&link).await;
    assert!(
        again.body.contains("<h1>Budget draft, revised</h1>"),
        "{}",
        again.body
    );
    // Not in any sitemap.
    for map in ["/sitemap.xml", "/news-sitemap.xml", "/sitemaps/pages.xml"] {
        let m = app.get(map).await;
        assert!(
            !m.body.contains("/preview/") && !m.body.contains("budget-draft"),
            "{map}"
        );
    }

    // A wrong, mangled or over-long token is the site's 404, never a 500.
    let wrong = format!("{}x", &link[..link.len() - 1]);
    let long = format!("/preview/{}", "a".repeat(300));
    for bad in [
        wrong.as_str(),
        "/preview/pv_",
        "/preview/%FF%FE",
        long.as_str(),
    ] {
        let r = app.get(bad).await;
        assert_eq!(r.status.as_u16(), 404, "{bad}: {}", r.body);
    }

    // It expires.
    app.clock.advance(Duration::minutes(61));
    assert_eq!(app.get(&link).await.status.as_u16(), 404);
    // And the upkeep clears it away (a new link of the story would too).
    let purged = app.store().purge_preview_links(app.clock.now()).await;
    assert_eq!(purged.unwrap(), 1, "the expired link is deleted");

    // Revoked: it stops at once; revoking again is a 404.
    let link2 = share(&app, &editor, id, "").await;
    assert_eq!(app.get(&link2).await.status.as_u16(), 200);
    let links = app
        .store()
        .preview_links(ArticleId(id), app.clock.now())
        .await
        .unwrap();
    assert_eq!(links.len(), 1, "the expired link is not listed");
    assert_eq!(
        links[0].expires_at,
        app.clock.now() + Duration::hours(48),
        "48 hours unless chosen"
    );
    let revoke = format!("/admin/articles/{id}/share/{}/revoke", links[0].id.0);
    let r = app.post_as(&editor, &revoke, &[]).await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    assert_eq!(app.get(&link2).await.status.as_u16(), 404);
    assert_eq!(
        app.post_as(&editor, &revoke, &[]).await.status.as_u16(),
        404
    );
    // Revoking needs the CSRF token.
    let r = app.post_raw(&revoke, &editor.cookie, "").await;
    assert_eq!(r.status.as_u16(), 403);

    // A time not offered is refused with what to do.
    let r = app
        .post_as(
            &editor,
            &format!("/admin/articles/{id}/share"),
            &[("hours", "5")],
        )
        .await;
    assert_eq!(r.status.as_u16(), 422);
    assert!(
        r.body
            .contains("Valid for: choose one of the times offered")
    );

    // Once the story is on the site, its link leads to the live page.
    let link3 = share(&app, &editor, id, "24").await;
    let stored = app.store().desk_article(ArticleId(id)).await.unwrap();
    let version = stored.version.to_string();
    let r = app
        .post_as(
            &editor,
            &format!("/admin/articles/{id}"),
            &[
                ("version", &version),
                ("kind", "news"),
                ("title", "Budget draft, revised"),
                ("section", &section),
                ("body_md", "Now with numbers."),
                ("action", "publish"),
            ],
        )
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    app.refresh().await;
    let live = app.get(&link3).await;
    assert_eq!(live.status.as_u16(), 303, "{}", live.body);
    assert_eq!(live.header("location"), "/stories/budget-draft-revised");
    assert_eq!(live.header("cache-control"), "private, no-store");
    let listed = app
        .get_as(&editor, &format!("/admin/articles/{id}/share"))
        .await;
    assert!(listed.body.contains("This story is on the site now"));

    assert_valid_html(&[
        ("shared-preview", again.body),
        ("share-page-new-link", share_page),
        ("share-page-list", listed.body),
    ]);
}

async fn a_contributor_may_share_only_their_own_story(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let cy = app.staff("cy@example.org", Role::Contributor).await;
    let di = app.staff("di@example.org", Role::Contributor).await;
    let au = app.staff("au@example.org", Role::Author).await;
    let editor = app.staff("ed@example.org", Role::Editor).await;
    let id = draft(&app, &cy, &desk, "Cy's story").await;

    let own = share(&app, &cy, id, "").await;
    assert_eq!(app.get(&own).await.status.as_u16(), 200);
    let links = app
        .store()
        .preview_links(ArticleId(id), app.clock.now())
        .await
        .unwrap();
    let revoke = format!("/admin/articles/{id}/share/{}/revoke", links[0].id.0);
    for other in [&di, &au] {
        let page = app
            .get_as(other, &format!("/admin/articles/{id}/share"))
            .await;
        assert_eq!(page.status.as_u16(), 404, "{}", other.email);
        let r = app
            .post_as(other, &format!("/admin/articles/{id}/share"), &[])
            .await;
        assert_eq!(r.status.as_u16(), 404, "{}", other.email);
        assert_eq!(app.post_as(other, &revoke, &[]).await.status.as_u16(), 404);
        // Nor preview it through the editor.
        let r = app
            .post_as(
                other,
                &format!("/admin/articles/{id}"),
                &[("title", "x"), ("action", "preview")],
            )
            .await;
        assert_eq!(r.status.as_u16(), 404, "{}", other.email);
    }
    assert_eq!(app.get(&own).await.status.as_u16(), 200, "still live");
    // An editor may share and revoke anyone's.
    let theirs = share(&app, &editor, id, "1").await;
    assert_eq!(app.get(&theirs).await.status.as_u16(), 200);
    assert_eq!(
        app.post_as(&editor, &revoke, &[]).await.status.as_u16(),
        303
    );
    assert_eq!(app.get(&own).await.status.as_u16(), 404);

    // A link ends with its maker's account.
    let again = share(&app, &cy, id, "").await;
    assert_eq!(app.get(&again).await.status.as_u16(), 200);
    app.store()
        .set_user_disabled(cy.user, true, &Actor::system("test"), app.clock.now())
        .await
        .unwrap();
    assert_eq!(app.get(&again).await.status.as_u16(), 404);
    assert_eq!(
        app.get(&theirs).await.status.as_u16(),
        200,
        "the editor's stays"
    );
}

async fn many_preview_links_made_at_once_are_all_distinct_and_valid(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let editor = app.staff("ed@example.org", Role::Editor).await;
    let id = draft(&app, &editor, &desk, "Raced story").await;
    let app = Arc::new(app);
    let editor = Arc::new(editor);
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..16 {
        let app = app.clone();
        let editor = editor.clone();
        tasks.spawn(async move {
            let hours = ["1", "24", "48", "168"][n % 4];
            share(&app, &editor, id, hours).await
        });
    }
    let mut links = HashSet::new();
    while let Some(link) = tasks.join_next().await {
        links.insert(link.unwrap());
    }
    assert_eq!(links.len(), 16, "every link distinct");
    for link in &links {
        let r = app.get(link).await;
        assert_eq!(r.status.as_u16(), 200, "{link}");
    }
    let listed = app
        .store()
        .preview_links(ArticleId(id), app.clock.now())
        .await
        .unwrap();
    assert_eq!(listed.len(), 16);
}

async fn the_editor_previews_in_a_new_tab_and_comes_back_to_the_text(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    app.create_staff("editor@example.org", Role::Editor).await;
    let server = TestServer::app(&app).await;
    let browser = Browser::start().await;
    browser.log_in(&server, "editor@example.org").await;
    browser.goto(&server.url("/admin/articles/new")).await;
    // The fields are set without input events: autosave (which starts on typing) would
    // otherwise create the story on a slow machine before this test checks that the preview
    // saved nothing. Typing and autosave have their own tests (desk_autosave.rs).
    let client = browser.client();
    client
        .execute(
            "const f = (id, v) => { document.getElementById(id).value = v; };\
             f('title', 'Ferry returns to the river');\
             f('summary', 'Service resumes Monday.');\
             f('body_md', 'The ferry **returns** on Monday.');\
             f('section', arguments[0]);",
            vec![desk.news.0.to_string().into()],
        )
        .await
        .unwrap();
    let editor_tab = client.window().await.unwrap();
    browser.click("button[value='preview']").await;
    // The preview opens in a tab of its own.
    let mut preview_tab = None;
    for _ in 0..100 {
        let windows = client.windows().await.unwrap();
        if let Some(w) = windows.into_iter().find(|w| *w != editor_tab) {
            preview_tab = Some(w);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    client
        .switch_to_window(preview_tab.expect("a new tab for the preview"))
        .await
        .unwrap();
    browser.wait_for("iframe[title='Preview on a phone']").await;
    assert!(browser.text("h1").await.contains("Preview"));
    // Inside the phone frame: the public page, 390 pixels wide.
    browser
        .wait_for("iframe[title='Preview on a phone']")
        .await
        .enter_frame()
        .await
        .unwrap();
    let headline = browser.wait_for_text("h1", "Ferry returns").await;
    assert!(headline.contains("Ferry returns to the river"));
    assert!(
        browser
            .text(".preview-banner")
            .await
            .contains("not published")
    );
    assert!(browser.text(".body").await.contains("returns on Monday"));
    let width = client
        .execute("return document.documentElement.clientWidth;", vec![])
        .await
        .unwrap();
    assert!(width.as_i64().unwrap() <= 390, "{width:?}");
    client.enter_parent_frame().await.unwrap();
    browser
        .wait_for("iframe[title='Preview on a desktop']")
        .await
        .enter_frame()
        .await
        .unwrap();
    browser.wait_for_text("h1", "Ferry returns").await;
    let width = client
        .execute("return document.documentElement.clientWidth;", vec![])
        .await
        .unwrap();
    assert!(width.as_i64().unwrap() > 1000, "{width:?}");
    client.enter_parent_frame().await.unwrap();
    assert!(
        browser.accessibility_violations().await.is_empty(),
        "the preview page passes the accessibility check"
    );

    // "Back to the editor" in the preview tab: the text as typed, nothing saved.
    browser.click("button[value='edit']").await;
    browser
        .wait_for_text(".notice", "Nothing has been saved")
        .await;
    let title = browser
        .wait_for("#title")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(title, "Ferry returns to the river");
    client.close_window().await.unwrap();

    // The editor's own tab never left the form.
    client.switch_to_window(editor_tab).await.unwrap();
    let body = browser
        .wait_for("#body_md")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(body, "The ferry **returns** on Monday.");
    assert_eq!(browser.current_path().await, "/admin/articles/new");
    assert!(
        app.store()
            .desk_list(None, None, 50, 0)
            .await
            .unwrap()
            .is_empty(),
        "nothing saved"
    );

    // Saved, then shared: the share page and the link, logged out, pass the same checks.
    browser.click("button[value='save']").await;
    browser.wait_for_path_change("/admin/articles/new").await;
    browser.wait_for_text(".notice", "Saved").await;
    browser.click("a[href$='/share']").await;
    browser.wait_for("#hours").await;
    assert!(browser.accessibility_violations().await.is_empty());
    browser.click("form[action$='/share'] button").await;
    let link = browser
        .wait_for("#new-link")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap();
    let path = link.trim_start_matches("https://news.example.org");
    assert!(path.starts_with("/preview/pv_"), "{link}");
    browser.click("form.logout button").await;
    browser.wait_for_path("/admin/login").await;
    browser.goto(&server.url(path)).await;
    browser.wait_for_text("h1", "Ferry returns").await;
    assert!(
        browser
            .text(".preview-banner")
            .await
            .contains("works until")
    );
    assert!(browser.accessibility_violations().await.is_empty());
    browser.close().await;
}
