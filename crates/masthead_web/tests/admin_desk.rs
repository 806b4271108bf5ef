//! The desk's work through the real router, on both backends: the role × action × state
//! matrix, conflicts, drafts kept through failures and ended sessions, scheduling, settings,
//! sections and bylines, comment moderation, and valid HTML on every desk page. Logging in
//! is tested in `admin_login.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use axum::body::Body;
use axum::http::Request;
use chrono::Duration;
use masthead_core::secret::token_hash;
use masthead_core::{ArticleStatus, Clock, Role};
use masthead_testkit::{
    DESK_PAGES, Desk, DeskPageFixture, NOT_PAGES, PASSWORD, StaffSession, TestApp, Viewer,
    app_tests, assert_valid_html, csrf_in, form_body, get_routes,
};

/// The editor's fields for a simple story in `section`.
fn story(title: &str, section: &str, body: &str) -> Vec<(&'static str, String)> {
    vec![
        ("kind", "news".into()),
        ("title", title.into()),
        ("section", section.into()),
        ("body_md", body.into()),
        ("version", "0".into()),
    ]
}

fn pairs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, s)| (*k, s.as_str())).collect()
}

/// Creates a story through the editor and returns its id.
async fn create(app: &TestApp, who: &StaffSession, title: &str, section: &str) -> i64 {
    let fields = story(title, section, "Words.");
    let r = app
        .post_as(who, "/admin/articles/new", &pairs(&fields))
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    let location = r.header("location");
    location
        .trim_start_matches("/admin/articles/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// Posts the editor form of story `id` as stored, with `action` and the fields in `extra`.
async fn act(
    app: &TestApp,
    who: &StaffSession,
    id: i64,
    action: &str,
    extra: &[(&str, &str)],
) -> masthead_testkit::TestResponse {
    let a = app
        .store()
        .desk_article(masthead_core::ArticleId(id))
        .await
        .unwrap();
    let version = a.version.to_string();
    let section = a.fields.section.0.to_string();
    let mut form: Vec<(&str, &str)> = vec![
        ("version", &version),
        ("kind", a.fields.kind().as_str()),
        ("title", &a.fields.title),
        ("slug", a.fields.slug.as_str()),
        ("section", &section),
        ("body_md", &a.fields.body_md),
        ("action", action),
    ];
    // `extra` replaces the stored value of a field it names.
    form.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
    form.extend_from_slice(extra);
    app.post_as(who, &format!("/admin/articles/{id}"), &form)
        .await
}

/// What each role may do, written out by hand (not computed from `can`, so the rules have
/// an independent oracle): for a role, whether the story is its own, and the story's
/// status, the buttons that go through. S save, U submit, P publish now, C schedule,
/// X unpublish. Editors and admins may press every button on every story.
const EXPECTED: &[(Role, bool, ArticleStatus, &str)] = &[
    (Role::Contributor, true, ArticleStatus::Draft, "S U"),
    (Role::Contributor, true, ArticleStatus::Review, "S"),
    (Role::Contributor, true, ArticleStatus::Scheduled, ""),
    (Role::Contributor, true, ArticleStatus::Published, ""),
    (Role::Contributor, true, ArticleStatus::Unpublished, ""),
    (Role::Author, true, ArticleStatus::Draft, "S U P C"),
    (Role::Author, true, ArticleStatus::Review, "S P C"),
    (Role::Author, true, ArticleStatus::Scheduled, "S P C X"),
    (Role::Author, true, ArticleStatus::Published, "S P C X"),
    (Role::Author, true, ArticleStatus::Unpublished, "S P C"),
];

const BUTTONS: [(&str, &str); 5] = [
    ("S", "save"),
    ("U", "submit"),
    ("P", "publish"),
    ("C", "schedule"),
    ("X", "unpublish"),
];

/// The buttons `role` may press on a story (its own or not) in `status`, from [`EXPECTED`].
fn expected(role: Role, own: bool, status: ArticleStatus) -> &'static str {
    if role.at_least(Role::Editor) {
        return "S U P C X";
    }
    if !own {
        return "";
    }
    EXPECTED
        .iter()
        .find(|(r, o, s, _)| *r == role && *o == own && *s == status)
        .map(|(_, _, _, buttons)| *buttons)
        .unwrap_or_else(|| panic!("no expectation for {role} {status}"))
}

async fn roles_allow_exactly_what_the_rules_say(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let section = desk.news.0.to_string();
    let editor = app.staff("ed@example.org", Role::Editor).await;
    let people = [
        (
            Role::Contributor,
            app.staff("cy@example.org", Role::Contributor).await,
        ),
        (
            Role::Author,
            app.staff("au@example.org", Role::Author).await,
        ),
        (
            Role::Editor,
            app.staff("e2@example.org", Role::Editor).await,
        ),
        (Role::Admin, app.staff("ad@example.org", Role::Admin).await),
    ];
    // t0 is 12:00 in Chicago: a time the next day is in the future.
    let later = [("publish_at", "2026-11-28T09:00")];
    let mut checked = 0;
    for (role, who) in &people {
        for own in [true, false] {
            for &status in ArticleStatus::ALL {
                let allowed = expected(*role, own, status);
                for (letter, button) in BUTTONS {
                    let owner = if own { who } else { &editor };
                    let id = create(
                        &app,
                        owner,
                        &format!("{role} {own} {status} {button}"),
                        &section,
                    )
                    .await;
                    let setup: &[&str] = match status {
                        ArticleStatus::Draft => &[],
                        ArticleStatus::Review => &["submit"],
                        ArticleStatus::Scheduled => &["schedule"],
                        ArticleStatus::Published => &["publish"],
                        ArticleStatus::Unpublished => &["publish", "unpublish"],
                    };
                    for b in setup {
                        let r = act(&app, &editor, id, b, &later).await;
                        assert_eq!(r.status.as_u16(), 303, "setup {b}: {}", r.body);
                    }
                    let before = app
                        .store()
                        .desk_article(masthead_core::ArticleId(id))
                        .await
                        .unwrap();
                    assert_eq!(before.status, status, "setup");
                    let r = act(&app, who, id, button, &later).await;
                    let after = app
                        .store()
                        .desk_article(masthead_core::ArticleId(id))
                        .await
                        .unwrap();
                    let case = format!("{role} own={own} {status} {button}");
                    // Scheduling a story on the site would take it down until then: a
                    // role that may schedule is told so (422), and nothing changes.
                    let on_site_schedule =
                        status == ArticleStatus::Published && button == "schedule";
                    if allowed.split(' ').any(|b| b == letter) && on_site_schedule {
                        assert_eq!(r.status.as_u16(), 422, "{case}: {}", r.body);
                        assert_eq!(after.version, before.version, "{case}: nothing saved");
                        assert_eq!(after.status, before.status, "{case}");
                    } else if allowed.split(' ').any(|b| b == letter) {
                        assert_eq!(r.status.as_u16(), 303, "{case}: {}", r.body);
                        assert_eq!(after.version, before.version + 1, "{case}");
                    } else {
                        // Someone else's story is not even visible below editor: 404.
                        let refusal = if own || role.at_least(Role::Editor) {
                            403
                        } else {
                            404
                        };
                        assert_eq!(r.status.as_u16(), refusal, "{case}: {}", r.body);
                        assert_eq!(after.version, before.version, "{case}: nothing saved");
                        assert_eq!(after.status, before.status, "{case}");
                        assert_eq!(after.fields, before.fields, "{case}");
                    }
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 4 * 2 * 5 * 5);
    // Admin-only pages.
    let (_, contributor) = &people[0];
    for path in [
        "/admin/users",
        "/admin/settings",
        "/admin/audit",
        "/admin/sections",
    ] {
        assert_eq!(
            app.get_as(contributor, path).await.status.as_u16(),
            403,
            "{path}"
        );
    }
}

async fn a_second_save_from_the_same_version_is_a_conflict(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let ana = app.staff("ana@example.org", Role::Editor).await;
    let bo = app.staff("bo@example.org", Role::Editor).await;
    let id = create(&app, &ana, "Board meets", &desk.news.0.to_string()).await;
    let section = desk.news.0.to_string();
    let base = [
        ("version", "1"),
        ("kind", "news"),
        ("title", "Board meets"),
        ("section", section.as_str()),
        ("action", "save"),
    ];
    let mut mine = base.to_vec();
    mine.push(("body_md", "Ana's careful paragraph."));
    let mut theirs = base.to_vec();
    theirs.push(("body_md", "Bo's different paragraph."));
    assert_eq!(
        app.post_as(&ana, &format!("/admin/articles/{id}"), &mine)
            .await
            .status
            .as_u16(),
        303
    );
    let r = app
        .post_as(&bo, &format!("/admin/articles/{id}"), &theirs)
        .await;
    assert_eq!(r.status.as_u16(), 409);
    assert!(
        r.body.contains("Ana&#x27;s careful paragraph.")
            || r.body.contains("Ana's careful paragraph.")
    );
    assert!(
        r.body.contains("Bo&#x27;s different paragraph.")
            || r.body.contains("Bo's different paragraph.")
    );
    assert!(
        r.body.contains("name=\"version\" value=\"2\""),
        "the form moves to the stored version"
    );
    let stored = app
        .store()
        .desk_article(masthead_core::ArticleId(id))
        .await
        .unwrap();
    assert_eq!(stored.fields.body_md, "Ana's careful paragraph.");
}

async fn failed_saves_and_ended_sessions_keep_the_words(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let ana = app.staff("ana@example.org", Role::Author).await;
    let section = desk.news.0.to_string();
    let words = "A long paragraph nobody wants to type twice.";
    let r = app
        .post_as(
            &ana,
            "/admin/articles/new",
            &[
                ("kind", "news"),
                ("title", " "),
                ("section", &section),
                ("body_md", words),
            ],
        )
        .await;
    assert_eq!(r.status.as_u16(), 422);
    assert!(r.body.contains("write a headline"));
    assert!(r.body.contains(words), "the text stays in the form");
    assert_eq!(
        app.store().count_articles().await.unwrap(),
        0,
        "nothing half-saved"
    );

    // The session ends (here: revoked); the next save lands on the login page with the draft.
    let id = create(&app, &ana, "Budget", &section).await;
    app.store()
        .delete_session(&token_hash(ana.cookie.split('=').nth(1).unwrap()))
        .await
        .unwrap();
    let body = form_body(&[
        ("csrf", &ana.csrf),
        ("version", "1"),
        ("kind", "news"),
        ("title", "Budget"),
        ("section", &section),
        ("body_md", words),
        ("action", "save"),
    ]);
    let request = Request::post(format!("/admin/articles/{id}"))
        .header("cookie", &ana.cookie)
        .header(
            "referer",
            format!("https://news.example.org/admin/articles/{id}"),
        )
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let r = app.request(request).await;
    assert_eq!(r.status.as_u16(), 401);
    assert!(r.body.contains("name=\"draft\""), "{}", r.body);
    let draft = r
        .body
        .split("name=\"draft\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let draft = draft
        .replace("&amp;", "&")
        .replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"");
    let next = format!("/admin/articles/{id}");
    let login = form_body(&[
        ("email", "ana@example.org"),
        ("password", PASSWORD),
        ("next", &next),
        ("draft", &draft),
    ]);
    // The login page posts with its Origin, as browsers send it: a draft rides along only
    // from our own pages.
    let request = Request::post("/admin/login")
        .header("origin", "https://news.example.org")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(login))
        .unwrap();
    let r = app.request(request).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert!(r.body.contains(words), "the draft comes back after login");
    assert!(r.body.contains("Your unsaved work is below"));
    assert!(csrf_in(&r.body).is_some());
}

async fn scheduling_publishes_at_the_time(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let ana = app.staff("ana@example.org", Role::Author).await;
    let id = create(&app, &ana, "Parade route set", &desk.news.0.to_string()).await;
    // t0 is 12:00 in Chicago; schedule for 13:30 local.
    let r = act(
        &app,
        &ana,
        id,
        "schedule",
        &[("publish_at", "2026-11-27T13:30")],
    )
    .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    let past = act(
        &app,
        &ana,
        id,
        "schedule",
        &[("publish_at", "2026-11-27T09:00")],
    )
    .await;
    assert_eq!(past.status.as_u16(), 422, "a past time is refused");
    app.refresh().await;
    assert_eq!(
        app.get("/stories/parade-route-set").await.status.as_u16(),
        404
    );
    app.clock.advance(Duration::minutes(91));
    app.refresh().await;
    assert_eq!(
        app.get("/stories/parade-route-set").await.status.as_u16(),
        200
    );
    let promoted = app.store().promote_due(app.clock.now()).await.unwrap();
    assert_eq!(promoted.len(), 1);
}

/// Every page of the shared list (`masthead_testkit::DESK_PAGES`), as its viewer sees it,
/// passes the HTML checker.
async fn desk_pages_are_valid_html(app: TestApp) {
    let fixture = DeskPageFixture::create(&app).await;
    let mut pages = Vec::new();
    for (n, page) in DESK_PAGES.iter().enumerate() {
        let r = fixture.fetch(&app, page).await;
        let path = fixture.path(page);
        let expected = match (page.viewer, page.route) {
            (_, "/admin/{*rest}") => 404,
            (
                Viewer::Contributor,
                "/admin/users" | "/admin/wire" | "/admin/imports" | "/admin/pages"
                | "/admin/meetings" | "/admin/newsletter",
            ) => 403,
            // Someone else's story is not found, rather than shown to exist.
            (Viewer::Contributor, "/admin/articles/{id}")
                if path.ends_with(&fixture.live.to_string()) =>
            {
                404
            }
            _ => 200,
        };
        assert_eq!(
            r.status.as_u16(),
            expected,
            "{path} as {:?}: {}",
            page.viewer,
            r.body
        );
        assert!(
            r.body.contains("<main"),
            "{path} is not a desk page: {}",
            r.body
        );
        pages.push((
            format!("{n:02}{}", path.replace(['/', '?', '='], "_")),
            r.body,
        ));
    }
    let refs: Vec<(&str, String)> = pages.iter().map(|(p, b)| (p.as_str(), b.clone())).collect();
    assert_valid_html(&refs);
}

/// Every route of the desk answered with GET is in the shared page list, or named as not
/// a page: the list the HTML and accessibility checks walk cannot fall behind the router.
#[test]
fn every_desk_route_is_in_the_checked_pages() {
    let routes = get_routes(include_str!("../src/admin/mod.rs"));
    assert!(
        routes.len() > 10,
        "the router's routes were not found: {routes:?}"
    );
    for route in &routes {
        assert!(
            DESK_PAGES.iter().any(|p| p.route == route) || NOT_PAGES.contains(&route.as_str()),
            "the desk page {route} is in no check: add it to masthead_testkit's DESK_PAGES"
        );
    }
    for page in DESK_PAGES {
        assert!(
            routes.iter().any(|r| r == page.route),
            "DESK_PAGES names {}, which the router does not serve",
            page.route
        );
    }
}

/// Every desk script is served at the address desk pages print, kept for a year there and
/// not kept anywhere else; no other name under `/admin/assets/` is served.
async fn desk_scripts_are_served_where_pages_point(app: TestApp) {
    let root = app.staff("root@example.org", Role::Admin).await;
    let page = app.get_as(&root, "/admin").await.body;
    for asset in masthead_render::desk_assets::desk_assets() {
        let r = app.get(&asset.url).await;
        assert_eq!(r.status.as_u16(), 200, "{}", asset.url);
        assert_eq!(r.header("content-type"), asset.content_type);
        assert_eq!(
            r.header("cache-control"),
            "private, max-age=31536000, immutable"
        );
        assert_eq!(r.body, asset.body);
        let old = app.get(&format!("/admin/assets/{}?v=0", asset.name)).await;
        assert_eq!(old.status.as_u16(), 200);
        assert_eq!(old.header("cache-control"), "private, no-store");
    }
    let shared = masthead_render::desk_assets::desk_asset("desk.js").unwrap();
    assert!(
        page.contains(&format!("<script type=\"module\" src=\"{}\">", shared.url)),
        "{page}"
    );
    for missing in ["/admin/assets/nope.js", "/admin/assets/..%2Fadmin.css"] {
        assert_eq!(app.get(missing).await.status.as_u16(), 404, "{missing}");
    }
}

async fn settings_apply_without_a_restart(app: TestApp) {
    let root = app.staff("root@example.org", Role::Admin).await;
    let bad = [
        ("name", "The Hollow Herald"),
        ("tagline", ""),
        ("base_url", "https://herald.example.org/"),
        ("timezone", "Mars/Olympus"),
        ("page_size", "5"),
    ];
    let r = app.post_as(&root, "/admin/settings", &bad).await;
    assert_eq!(r.status.as_u16(), 422);
    assert!(r.body.contains("not a known zone"));
    let mut good = bad.to_vec();
    good[3] = ("timezone", "America/New_York");
    let r = app.post_as(&root, "/admin/settings", &good).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    app.refresh().await;
    let config = app.state.config();
    assert_eq!(
        (
            config.name.as_str(),
            config.base_url.as_str(),
            config.timezone.name(),
            config.page_size
        ),
        (
            "The Hollow Herald",
            "https://herald.example.org",
            "America/New_York",
            5
        )
    );
    let home = app.get("/").await;
    assert!(
        home.body.contains("The Hollow Herald"),
        "the public site uses the new name"
    );
    assert!(!home.body.contains("The Test Town Times"));
    let log = app.store().audit_log(1, 0).await.unwrap();
    assert_eq!(log[0].action, "settings.save");
}

async fn admins_rename_sections_and_bylines(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let root = app.staff("root@example.org", Role::Admin).await;
    let ed = app.staff("ed@example.org", Role::Editor).await;
    let path = format!("/admin/sections/{}", desk.news.0);
    let form = [
        ("name", "Town & County"),
        ("description", "Village and county news."),
    ];
    assert_eq!(app.post_as(&ed, &path, &form).await.status.as_u16(), 403);
    assert_eq!(
        app.post_as(&root, &path, &[("name", " ")])
            .await
            .status
            .as_u16(),
        422
    );
    assert_eq!(app.post_as(&root, &path, &form).await.status.as_u16(), 303);
    let author = format!("/admin/authors/{}", desk.reporter.0);
    let r = app
        .post_as(
            &root,
            &author,
            &[("name", "Ana Reyes-Ortiz"), ("bio", "Covers the county.")],
        )
        .await;
    assert_eq!(r.status.as_u16(), 303);
    app.refresh().await;
    let page = app.get("/section/news").await;
    assert_eq!(page.status.as_u16(), 200, "the address stays");
    assert!(page.body.contains("Town &amp; County"));
    let byline = app.get("/author/ana-reyes").await;
    assert!(byline.body.contains("Ana Reyes-Ortiz"));
    let actions: Vec<String> = app
        .store()
        .audit_log(2, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["author.update", "section.update"]);
}

async fn editors_moderate_comments(app: TestApp) {
    use masthead_core::CommentStatus;
    let desk = Desk::create(app.store()).await;
    let id = masthead_testkit::ArticleBuilder::new("Pool reopens", desk.news)
        .insert(app.store())
        .await;
    let comment = app
        .store()
        .insert_comment(
            id,
            "Reader Rae",
            "rae@example.net",
            "Finally! <b>Great</b> news.",
            CommentStatus::Pending,
            app.clock.now(),
        )
        .await
        .unwrap();
    let author = app.staff("au@example.org", Role::Author).await;
    let ed = app.staff("ed@example.org", Role::Editor).await;
    assert_eq!(
        app.get_as(&author, "/admin/comments").await.status.as_u16(),
        403
    );
    let path = format!("/admin/comments/{}", comment.0);
    assert_eq!(
        app.post_as(&author, &path, &[("status", "approved")])
            .await
            .status
            .as_u16(),
        403
    );
    let queue = app.get_as(&ed, "/admin/comments").await;
    assert_eq!(queue.status.as_u16(), 200);
    assert!(
        queue.body.contains("rae@example.net"),
        "moderators see the email"
    );
    assert!(
        queue.body.contains("&lt;b&gt;Great&lt;/b&gt;") && !queue.body.contains("<b>Great"),
        "the reader's text is escaped"
    );
    app.refresh().await;
    assert!(
        !app.get("/stories/pool-reopens")
            .await
            .body
            .contains("Reader Rae"),
        "pending is hidden"
    );
    let r = app
        .post_as(&ed, &path, &[("status", "approved"), ("from", "pending")])
        .await;
    assert_eq!(
        (r.status.as_u16(), r.header("location")),
        (303, "/admin/comments?status=pending")
    );
    app.refresh().await;
    let story = app.get("/stories/pool-reopens").await.body;
    assert!(story.contains("Reader Rae") && !story.contains("rae@example.net"));
    let bad = app.post_as(&ed, &path, &[("status", "deleted")]).await;
    assert_eq!(bad.status.as_u16(), 422);
    assert_eq!(
        app.store().audit_log(1, 0).await.unwrap()[0].action,
        "comment.moderate"
    );
}

async fn images_in_the_body_need_alt_text_to_publish(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let ed = app.staff("ed@example.org", Role::Editor).await;
    let id = create(&app, &ed, "Market day", &desk.news.0.to_string()).await;
    let r = act(
        &app,
        &ed,
        id,
        "publish",
        &[("body_md", "Stalls opened.\n\n![](/media/stalls.jpg)")],
    )
    .await;
    assert_eq!(r.status.as_u16(), 422);
    assert!(
        r.body.contains("/media/stalls.jpg has no alt text"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("Stalls opened."),
        "the text stays in the form"
    );
    let saved = act(
        &app,
        &ed,
        id,
        "save",
        &[("body_md", "Stalls opened.\n\n![](/media/stalls.jpg)")],
    )
    .await;
    assert_eq!(saved.status.as_u16(), 303, "a draft may still lack it");
    let r = act(
        &app,
        &ed,
        id,
        "publish",
        &[(
            "body_md",
            "Stalls opened.\n\n![Stalls under the depot roof](/media/stalls.jpg)",
        )],
    )
    .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
}

app_tests!(
    images_in_the_body_need_alt_text_to_publish,
    editors_moderate_comments,
    admins_rename_sections_and_bylines,
    settings_apply_without_a_restart,
    roles_allow_exactly_what_the_rules_say,
    a_second_save_from_the_same_version_is_a_conflict,
    failed_saves_and_ended_sessions_keep_the_words,
    scheduling_publishes_at_the_time,
    desk_pages_are_valid_html,
    desk_scripts_are_served_where_pages_point,
);
