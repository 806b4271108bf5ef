//! Content rules from the hardening review, on both backends through the real router:
//! video players only from accepted hosts, sandboxed and allowed by the CSP; event and
//! source links that are web addresses only; image text editable by its uploader or an
//! editor; correction notes kept by the server, append-only; headings in a body that never
//! skip a level on the page, and a desk that says so before publishing.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod api_support;

use api_support::{call, staff as api_staff};
use masthead_core::{ArticleId, ArticleKind, Clock, EventStatus, MediaId, Role};
use masthead_store::{NewEvent, NewMedia, StoreError};
use masthead_testkit::{ArticleBuilder, Desk, StaffSession, TestApp, app_tests, t0};
use serde_json::json;

app_tests!(
    video_from_another_host_is_refused_on_the_desk_and_the_api,
    video_page_addresses_are_saved_as_privacy_enhanced_players,
    video_player_is_sandboxed_and_only_accepted_players_may_be_framed,
    stored_video_from_another_host_is_linked_not_framed,
    event_links_are_web_addresses_only,
    authors_cannot_rewrite_the_alt_text_of_others_images,
    correction_notes_cannot_be_forged_or_dropped_through_the_editor_form,
    correction_notes_are_append_only_through_the_api,
    headings_that_skip_a_level_hold_publishing_until_fixed_or_confirmed,
    stories_saved_under_an_older_rendering_are_rendered_again,
);

/// Posts a new video story through the editor form.
async fn new_video(app: &TestApp, who: &StaffSession, section: i64, url: &str) -> (u16, String) {
    let section = section.to_string();
    let r = app
        .post_as(
            who,
            "/admin/articles/new",
            &[
                ("kind", "video"),
                ("title", "Hawks win sectional"),
                ("section", &section),
                ("body_md", "Highlights."),
                ("video_url", url),
                ("version", "0"),
            ],
        )
        .await;
    (r.status.as_u16(), r.body)
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

async fn video_from_another_host_is_refused_on_the_desk_and_the_api(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let editor = app.staff("ed@example.org", Role::Editor).await;
    for url in [
        "https://evil.example/embed/x",
        "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
        "javascript:alert(1)",
    ] {
        let (status, body) = new_video(&app, &editor, desk.sports.0, url).await;
        assert_eq!(status, 422, "{url}: {body}");
        assert!(body.contains("YouTube") && body.contains("Vimeo"), "{body}");
    }
    let (_, token) = api_staff(&app, "api@example.org", Role::Editor).await;
    let r = call(
        &app,
        "POST",
        "/api/v1/articles",
        Some(&token),
        Some(
            json!({"kind": "video", "title": "Clip", "section": desk.sports.0,
                    "video_url": "https://evil.example/embed/x"}),
        ),
    )
    .await;
    let message = r.error(422, "unprocessable");
    assert!(message.contains("YouTube"), "{message}");
    let stored = app.store().desk_list(None, None, 10, 0).await.unwrap();
    assert!(stored.is_empty(), "nothing is saved: {stored:?}");
}

async fn video_page_addresses_are_saved_as_privacy_enhanced_players(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let editor = app.staff("ed@example.org", Role::Editor).await;
    let (status, body) = new_video(
        &app,
        &editor,
        desk.sports.0,
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42",
    )
    .await;
    assert_eq!(status, 303, "{body}");
    let id = app.store().desk_list(None, None, 1, 0).await.unwrap()[0].id;
    let stored = app.store().desk_article(id).await.unwrap();
    assert_eq!(
        stored.fields.parts.video_url(),
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=42"
    );

    let (_, token) = api_staff(&app, "api@example.org", Role::Editor).await;
    let r = call(
        &app,
        "POST",
        "/api/v1/articles",
        Some(&token),
        Some(
            json!({"kind": "video", "title": "Parade", "section": desk.news.0,
                    "video_url": "https://vimeo.com/76979871"}),
        ),
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.response.body);
    assert_eq!(
        r.json["video_url"],
        "https://player.vimeo.com/video/76979871?dnt=1"
    );
}

async fn video_player_is_sandboxed_and_only_accepted_players_may_be_framed(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    ArticleBuilder::new("Lights on Main Street", desk.news)
        .slug("lights")
        .kind(ArticleKind::Video)
        .video("https://player.vimeo.com/video/76979871?dnt=1")
        .insert(app.store())
        .await;
    let page = app.get("/stories/lights").await;
    assert_eq!(page.status.as_u16(), 200);
    let iframe = page
        .body
        .split("<iframe")
        .nth(1)
        .and_then(|s| s.split('>').next())
        .expect("the player is framed");
    assert!(
        iframe.contains("src=\"https://player.vimeo.com/video/76979871?dnt=1\""),
        "{iframe}"
    );
    assert!(
        iframe.contains(
            "sandbox=\"allow-scripts allow-same-origin allow-presentation allow-popups\""
        ),
        "{iframe}"
    );
    let csp = page.header("content-security-policy");
    let frame_src = csp
        .split(';')
        .map(str::trim)
        .find_map(|d| d.strip_prefix("frame-src "))
        .expect("frame-src is set");
    assert_eq!(
        frame_src,
        "https://www.youtube-nocookie.com https://player.vimeo.com"
    );
}

async fn stored_video_from_another_host_is_linked_not_framed(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    for (slug, url, link) in [
        ("old-clip", "https://videos.example.net/clip/9", true),
        ("bad-clip", "javascript:alert(1)", false),
    ] {
        // Saved with a player the desk accepts, then changed as a version of masthead from
        // before the rule might have left it.
        ArticleBuilder::new("An older video post", desk.news)
            .slug(slug)
            .video("https://youtu.be/dQw4w9WgXcQ")
            .insert(app.store())
            .await;
        app.db
            .execute_legacy_sql(&format!(
                "UPDATE articles SET video_url = '{url}' WHERE slug = '{slug}'"
            ))
            .await;
        let page = app.get(&format!("/stories/{slug}")).await;
        assert_eq!(page.status.as_u16(), 200);
        assert!(!page.body.contains("<iframe"), "{}", page.body);
        assert!(!page.body.contains("javascript:"), "{}", page.body);
        assert_eq!(
            page.body
                .contains(&format!("<a href=\"{url}\">Watch the video</a>")),
            link,
            "{slug}"
        );
    }
}

fn event(link: &str) -> NewEvent {
    NewEvent {
        title: "Tree lighting".into(),
        starts_at: t0() + chrono::Duration::days(2),
        ends_at: None,
        all_day: false,
        timezone: "America/Chicago".into(),
        location: "Village green".into(),
        description: "Cocoa and carols.".into(),
        link: link.into(),
        status: EventStatus::Approved,
    }
}

async fn event_links_are_web_addresses_only(app: TestApp) {
    for bad in [
        "javascript:alert(1)",
        "data:text/html,x",
        " java\tscript:alert(1)",
    ] {
        let err = app.store().insert_event(&event(bad), t0()).await;
        assert!(
            matches!(err, Err(StoreError::Invalid(ref e)) if e.message.contains("https://")),
            "{bad:?}: {err:?}"
        );
    }
    app.store()
        .insert_event(&event("https://cedarhollow.example/lights"), t0())
        .await
        .unwrap();
    let page = app.get("/events/tree-lighting").await;
    assert!(
        page.body.contains(
            "<a href=\"https://cedarhollow.example/lights\" rel=\"nofollow ugc\">https://cedarhollow.example/lights</a>"
        ),
        "{}",
        page.body
    );
    assert!(!page.body.contains("javascript"));
}

async fn image(app: &TestApp, name: &str, uploader: masthead_core::UserId) -> MediaId {
    app.store()
        .insert_media(
            &NewMedia {
                storage_name: format!("{name}.jpg"),
                original_name: "photo.jpg".into(),
                content_type: "image/jpeg".into(),
                width: 800,
                height: 600,
                byte_size: 10,
                alt: "Original words".into(),
                credit: "Staff".into(),
                uploaded_by: Some(uploader),
                variants: Vec::new(),
            },
            t0(),
        )
        .await
        .unwrap()
}

async fn authors_cannot_rewrite_the_alt_text_of_others_images(app: TestApp) {
    let owner_id = app.create_staff("owner@example.org", Role::Author).await;
    let owner = app.login(owner_id, "owner@example.org").await;
    let other = app.staff("other@example.org", Role::Author).await;
    let helper = app.staff("helper@example.org", Role::Contributor).await;
    let editor = app.staff("ed@example.org", Role::Editor).await;
    let id = image(&app, "aa11", owner_id).await;
    let path = format!("/admin/media/{}", id.0);

    for who in [&other, &helper] {
        let r = app
            .post_as(who, &path, &[("alt", "Vandalised"), ("credit", "Nobody")])
            .await;
        assert_eq!(r.status.as_u16(), 403, "{}", r.body);
        assert!(r.body.contains("editor"), "{}", r.body);
        let item = app.store().media_item(id).await.unwrap();
        assert_eq!(
            (item.alt.as_str(), item.credit.as_str()),
            ("Original words", "Staff")
        );
        let library = app.get_as(who, "/admin/media").await;
        assert!(
            !library.body.contains(&format!("action=\"{path}\"")),
            "no edit form for others' images"
        );
        assert!(library.body.contains("Original words"));
    }
    for (who, alt) in [(&owner, "Owner's words"), (&editor, "Editor's words")] {
        let r = app
            .post_as(who, &path, &[("alt", alt), ("credit", "Staff")])
            .await;
        assert_eq!(r.status.as_u16(), 303, "{}", r.body);
        assert_eq!(app.store().media_item(id).await.unwrap().alt, alt);
        let library = app.get_as(who, "/admin/media").await;
        assert!(library.body.contains(&format!("action=\"{path}\"")));
    }
}

async fn notes_of(app: &TestApp, id: i64) -> Vec<masthead_store::Note> {
    app.store()
        .desk_article(ArticleId(id))
        .await
        .unwrap()
        .fields
        .notes
}

async fn correction_notes_cannot_be_forged_or_dropped_through_the_editor_form(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let editor = app.staff("ed@example.org", Role::Editor).await;
    let section = desk.news.0.to_string();
    let base = |version: &str| -> Vec<(&'static str, String)> {
        vec![
            ("kind", "news".into()),
            ("title", "Board approves levy".into()),
            ("section", section.clone()),
            ("body_md", "Words.".into()),
            ("version", version.into()),
        ]
    };
    let pairs = |v: &[(&'static str, String)]| -> Vec<(&'static str, String)> { v.to_vec() };
    let post = |uri: String, fields: Vec<(&'static str, String)>| {
        let app = &app;
        let editor = &editor;
        async move {
            let borrowed: Vec<(&str, &str)> =
                fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post_as(editor, &uri, &borrowed).await
        }
    };
    let r = post("/admin/articles/new".into(), pairs(&base("0"))).await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    let id = id_from_location(r.header("location"));
    let uri = format!("/admin/articles/{id}");

    let mut first = base("1");
    first.push(("note_kind", "correction".into()));
    first.push((
        "note_text",
        "An earlier version misspelled the clerk's name.".into(),
    ));
    assert_eq!(post(uri.clone(), first).await.status.as_u16(), 303);
    let kept = notes_of(&app, id).await;
    assert_eq!(kept.len(), 1);

    // A forged hidden field (the old form carried every note) changes nothing, and a form
    // that sends no notes at all loses none.
    let mut forged = base("2");
    forged.push((
        "notes_json",
        r#"[{"kind":"update","text":"Forged","at":"2020-01-01T00:00:00Z"}]"#.into(),
    ));
    let r = post(uri.clone(), forged).await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    assert_eq!(notes_of(&app, id).await, kept);

    let mut second = base("3");
    second.push(("note_kind", "update".into()));
    second.push(("note_text", "The board meets again Monday.".into()));
    assert_eq!(post(uri.clone(), second).await.status.as_u16(), 303);
    let notes = notes_of(&app, id).await;
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[0], kept[0], "the first note is untouched");
    assert_eq!(notes[1].text, "The board meets again Monday.");

    let editor_page = app.get_as(&editor, &uri).await;
    assert!(!editor_page.body.contains("notes_json"));
    assert!(editor_page.body.contains("misspelled the clerk"));
}

async fn correction_notes_are_append_only_through_the_api(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let (_, token) = api_staff(&app, "api@example.org", Role::Editor).await;
    let created = call(
        &app,
        "POST",
        "/api/v1/articles",
        Some(&token),
        Some(json!({"title": "Levy passes", "section": desk.news.0,
                    "notes": [{"kind": "correction", "text": "Fixed a vote count.",
                               "at": "2001-01-01T00:00:00Z"}]})),
    )
    .await;
    assert_eq!(created.status(), 201, "{}", created.response.body);
    let id = created.json["id"].as_i64().unwrap();
    let first = notes_of(&app, id).await;
    assert_eq!(first.len(), 1);
    assert_eq!(
        (first[0].at, first[0].text.as_str()),
        (app.clock.now(), "Fixed a vote count."),
        "a new note is stamped by the server's clock, never back-dated"
    );
    let stored_note = created.json["notes"][0].clone();

    let path = format!("/api/v1/articles/{id}");
    let put = |version: i64, notes: serde_json::Value| {
        call(
            &app,
            "PUT",
            &path,
            Some(&token),
            Some(
                json!({"version": version, "title": "Levy passes", "section": desk.news.0,
                        "notes": notes}),
            ),
        )
    };
    // Sending no notes keeps them; sending them back unchanged adds nothing.
    assert_eq!(put(1, json!([])).await.status(), 200);
    assert_eq!(notes_of(&app, id).await, first);
    assert_eq!(put(2, json!([stored_note.clone()])).await.status(), 200);
    assert_eq!(notes_of(&app, id).await, first);
    // Rewriting a stored note adds the new text as a new note; the old one stays.
    let mut rewritten = stored_note;
    rewritten["text"] = json!("Nothing was wrong.");
    let r = put(3, json!([rewritten])).await;
    assert_eq!(r.status(), 200, "{}", r.response.body);
    let notes = notes_of(&app, id).await;
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[0], first[0]);
    assert_eq!(notes[1].text, "Nothing was wrong.");
    assert_eq!(r.json["notes"].as_array().unwrap().len(), 2);
}

/// The heading tags of a page's `<main>`, in order (`h1`, `h2`, …).
fn heading_tags(page: &str) -> Vec<String> {
    let main = &page[page.find("<main").unwrap()..page.find("</main>").unwrap()];
    main.match_indices("<h")
        .filter_map(|(i, _)| {
            let d = main.as_bytes()[i + 2];
            (b'1'..=b'6')
                .contains(&d)
                .then(|| format!("h{}", d as char))
        })
        .collect()
}

async fn headings_that_skip_a_level_hold_publishing_until_fixed_or_confirmed(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let editor = app.staff("ed@example.org", Role::Editor).await;
    let section = desk.news.0.to_string();
    let body = "Opening.\n\n### The vote\n\nFive to one.\n\n##### Who voted no\n\nOne member.";
    let fields = [
        ("kind", "news"),
        ("title", "Board approves levy"),
        ("section", section.as_str()),
        ("body_md", body),
        ("version", "0"),
        ("action", "publish"),
    ];
    // Publishing is held, nothing is saved, and the editor shows the outline and why.
    let r = app.post_as(&editor, "/admin/articles/new", &fields).await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    assert!(
        r.body
            .contains("### &quot;The vote&quot; will show as a level-2 heading")
            && r.body
                .contains("##### &quot;Who voted no&quot; will show as a level-3 heading")
            && r.body.contains("name=\"headings_ok\""),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("class=\"outline-2\">The vote"),
        "{}",
        r.body
    );
    assert!(
        app.store()
            .desk_list(None, None, 10, 0)
            .await
            .unwrap()
            .is_empty()
    );
    // Saving a draft is not held: only publishing asks.
    let mut draft = fields.to_vec();
    draft[5] = ("action", "save");
    assert_eq!(
        app.post_as(&editor, "/admin/articles/new", &draft)
            .await
            .status
            .as_u16(),
        303
    );
    // Confirmed, it publishes, and the page shows the headings one level apart under <h1>.
    let mut confirmed = fields.to_vec();
    confirmed.push(("headings_ok", "on"));
    confirmed[1] = ("title", "Board approves levy again");
    let r = app
        .post_as(&editor, "/admin/articles/new", &confirmed)
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    let page = app.get("/stories/board-approves-levy-again").await;
    assert_eq!(page.status.as_u16(), 200);
    let tags = heading_tags(&page.body);
    let first = tags.iter().position(|t| t == "h1").unwrap();
    assert_eq!(&tags[first..first + 3], ["h1", "h2", "h3"], "{}", page.body);
    // Headings written right need no confirmation.
    let mut fixed = fields.to_vec();
    fixed[1] = ("title", "Board approves levy, fixed");
    fixed[3] = ("body_md", "Opening.\n\n## The vote\n\n### Who voted no");
    let r = app.post_as(&editor, "/admin/articles/new", &fixed).await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
}

async fn stories_saved_under_an_older_rendering_are_rendered_again(app: TestApp) {
    use masthead_core::RoundupItem;
    let desk = Desk::create(app.store()).await;
    ArticleBuilder::new("Old board story", desk.news)
        .body("Opening.\n\n### The vote\n\nFive to one.")
        .insert(app.store())
        .await;
    ArticleBuilder::new("Old roundup", desk.news)
        .kind(ArticleKind::Roundup)
        .items(vec![RoundupItem {
            headline: "Paving".into(),
            body_md: "## Where\n\nMain Street.".into(),
            body_html: String::new(),
        }])
        .insert(app.store())
        .await;
    let fillers = (0..450)
        .map(|i| ArticleBuilder::new(&format!("Filler {i}"), desk.sports).build())
        .collect();
    masthead_testkit::insert_all(app.store(), fillers).await;
    // As a version of masthead from before the headings rule left them.
    app.db
        .execute_legacy_sql(
            "UPDATE articles SET body_html = '<p>Opening.</p><h3>The vote</h3><p>Five to one.</p>' \
             WHERE slug = 'old-board-story'",
        )
        .await;
    app.db
        .execute_legacy_sql(
            "UPDATE articles SET items_json = '[{\"headline\":\"Paving\",\"body_html\":\"<h2>Where</h2><p>Main Street.</p>\",\"body_md\":\"## Where\\n\\nMain Street.\"}]' \
             WHERE slug = 'old-roundup'",
        )
        .await;
    // A static page saved under the old rendering too.
    let page = masthead_desk::pages::import_pages(
        app.store(),
        &masthead_store::Actor::system("test"),
        &[masthead_desk::pages::PageImport {
            parent: masthead_desk::pages::ImportParent::Top,
            slug: "about".into(),
            title: "About".into(),
            body_md: "Since 1901.".into(),
            menu_order: 0,
            status: masthead_core::PageStatus::Published,
            created_at: t0(),
            updated_at: t0(),
        }],
        t0(),
    )
    .await
    .unwrap();
    assert_eq!(page.len(), 1);
    app.db
        .execute_legacy_sql("UPDATE pages SET body_html = '<p>Old rendering.</p>'")
        .await;
    app.db
        .execute_legacy_sql("UPDATE site_state SET render_version = 1, render_cursor = 0")
        .await;
    let old = app.get("/stories/old-board-story").await.body;
    assert!(old.contains("<h3>The vote</h3>"), "{old}");

    // A short budget leaves work for later rounds; progress is kept between them.
    let mut rounds = 0;
    while !masthead_web::housekeeping::rerender_stored(&app.state, std::time::Duration::ZERO).await
    {
        rounds += 1;
        assert!(
            rounds < 10,
            "452 stories in batches of 200 take three rounds"
        );
    }
    assert_eq!(rounds, 3);
    let state = app.store().render_state().await.unwrap();
    assert_eq!(state.version, masthead_render::RENDER_VERSION);
    app.refresh().await;
    let page = app.get("/stories/old-board-story").await.body;
    assert!(page.contains("<h2>The vote</h2>"), "{page}");
    let roundup = app.get("/stories/old-roundup").await.body;
    assert!(roundup.contains("<h3>Where</h3>"), "{roundup}");
    let about = app.get("/about").await.body;
    assert!(about.contains("<p>Since 1901.</p>"), "{about}");
    // Done is done: another round finds nothing to do.
    assert!(
        masthead_web::housekeeping::rerender_stored(&app.state, std::time::Duration::ZERO).await
    );
}
