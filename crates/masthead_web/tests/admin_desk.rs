//! The desk through the real router, on both backends: login, sessions and their
//! rotation and revocation, throttling, two-factor login, reset links, CSRF on every
//! state-changing route, the role × action × state matrix, conflicts, drafts kept through
//! failures, and scheduling.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use axum::body::Body;
use axum::http::Request;
use chrono::Duration;
use masthead_core::secret::token_hash;
use masthead_core::totp::TotpSecret;
use masthead_core::{ArticleAction, ArticleStatus, Clock, Role, can};
use masthead_testkit::{
    Desk, PASSWORD, StaffSession, TestApp, app_tests, assert_valid_html, csrf_in, form_body,
};
use masthead_web::admin::GUARDED_WRITES;

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

/// Posts the editor form of story `id` as stored, with `action`.
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
        ("kind", a.fields.kind.as_str()),
        ("title", &a.fields.title),
        ("slug", a.fields.slug.as_str()),
        ("section", &section),
        ("body_md", &a.fields.body_md),
        ("action", action),
    ];
    form.extend_from_slice(extra);
    app.post_as(who, &format!("/admin/articles/{id}"), &form)
        .await
}

async fn login_rotates_and_logout_revokes(app: TestApp) {
    let ana = app.staff("ana@example.org", Role::Author).await;
    assert_eq!(app.store().session_count(ana.user).await.unwrap(), 1);
    let cookie_name = ana.cookie.split('=').next().unwrap();
    assert_eq!(
        cookie_name, "__Host-masthead_session",
        "https site: prefixed cookie"
    );
    // Logging in again from the same browser replaces the session id.
    let body = form_body(&[("email", "ana@example.org"), ("password", PASSWORD)]);
    let again = app.post_raw("/admin/login", &ana.cookie, &body).await;
    assert_eq!(again.status.as_u16(), 303);
    assert!(
        again
            .header("set-cookie")
            .contains("HttpOnly; SameSite=Lax")
    );
    assert!(again.header("set-cookie").contains("Secure"));
    assert_eq!(
        app.store().session_count(ana.user).await.unwrap(),
        1,
        "old id gone"
    );
    assert_eq!(
        app.get_as(&ana, "/admin").await.status.as_u16(),
        303,
        "old cookie is dead"
    );
    let fresh = app.login(ana.user, "ana@example.org").await;
    let dashboard = app.get_as(&fresh, "/admin").await;
    assert_eq!(dashboard.status.as_u16(), 200);
    assert_eq!(dashboard.header("cache-control"), "no-store");
    assert!(
        dashboard
            .header("content-security-policy")
            .contains("script-src 'self'")
    );
    assert!(
        !dashboard
            .header("content-security-policy")
            .contains("unsafe-inline")
    );
    let out = app.post_as(&fresh, "/admin/logout", &[]).await;
    assert_eq!(out.status.as_u16(), 303);
    assert!(out.header("set-cookie").contains("Max-Age=0"));
    // Two sessions were live (the re-login above and `fresh`); logout ends this one.
    assert_eq!(app.store().session_count(ana.user).await.unwrap(), 1);
    let after = app.get_as(&fresh, "/admin/articles").await;
    assert_eq!(
        (after.status.as_u16(), after.header("location")),
        (303, "/admin/login?next=%2Fadmin%2Farticles")
    );
}

async fn failures_look_the_same_and_are_throttled(app: TestApp) {
    app.create_staff("bo@example.org", Role::Editor).await;
    let wrong = app
        .login_form("bo@example.org", "not the password at all")
        .await;
    let unknown = app
        .login_form("nobody@example.org", "not the password at all")
        .await;
    assert_eq!(wrong.status.as_u16(), 401);
    assert_eq!(unknown.status.as_u16(), 401);
    assert_eq!(
        wrong.body.replace("bo@example.org", "EMAIL"),
        unknown.body.replace("nobody@example.org", "EMAIL"),
        "no user enumeration"
    );
    let mut last = None;
    for _ in 0..6 {
        last = Some(
            app.login_form("bo@example.org", "still wrong, still wrong")
                .await,
        );
    }
    let last = last.unwrap();
    assert_eq!(last.status.as_u16(), 429, "{}", last.body);
    assert!(last.header("retry-after").parse::<u64>().unwrap() >= 1);
    assert!(last.body.contains("Too many attempts"));
    // Even the right password waits: the check happens before any password is read.
    assert_eq!(
        app.login_form("bo@example.org", PASSWORD)
            .await
            .status
            .as_u16(),
        429
    );
    // A minute later the account may try again: throttled, never locked.
    app.clock.advance(Duration::seconds(61));
    assert_eq!(
        app.login_form("bo@example.org", PASSWORD)
            .await
            .status
            .as_u16(),
        303
    );
}

/// Login from `address` as a proxy would report it.
async fn login_via(app: &TestApp, forwarded_for: &str, email: &str) -> u16 {
    let body = form_body(&[("email", email), ("password", "wrong wrong wrong")]);
    let request = Request::post("/admin/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-forwarded-for", forwarded_for)
        .body(Body::from(body))
        .unwrap();
    app.request(request).await.status.as_u16()
}

/// Behind a trusted proxy each client's address is its own (the proxy's last entry);
/// without one, a client cannot dodge the address limit by sending the header itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_address_limit_follows_the_configured_proxy() {
    let proxied = TestApp::configured(masthead_testkit::TestDb::sqlite().await, |c| {
        c.trust_forwarded_for = true
    })
    .await;
    for n in 0..10 {
        // Different accounts, so only the address limit applies.
        assert_eq!(
            login_via(&proxied, "198.51.100.7", &format!("u{n}@example.org")).await,
            401
        );
    }
    assert_eq!(
        login_via(&proxied, "198.51.100.7", "u10@example.org").await,
        429
    );
    assert_eq!(
        login_via(&proxied, "203.0.113.9, 198.51.100.8", "u11@example.org").await,
        401,
        "another client behind the proxy is not limited"
    );

    let direct = TestApp::new(masthead_testkit::TestDb::sqlite().await).await;
    for n in 0..10 {
        let spoofed = format!("192.0.2.{n}");
        assert_eq!(
            login_via(&direct, &spoofed, &format!("u{n}@example.org")).await,
            401
        );
    }
    assert_eq!(
        login_via(&direct, "192.0.2.99", "u10@example.org").await,
        429,
        "header ignored"
    );
}

/// Two app servers on one PostgreSQL database count attempts together: switching servers
/// behind a load balancer buys an attacker nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_servers_share_the_login_limits() {
    let first = TestApp::new(masthead_testkit::TestDb::postgres().await).await;
    let second = TestApp::new(masthead_testkit::TestDb {
        store: masthead_store::Store::connect(&first.db.url).await.unwrap(),
        url: first.db.url.clone(),
        dir: tempfile::tempdir().unwrap(),
    })
    .await;
    first.create_staff("bo@example.org", Role::Editor).await;
    for n in 0..5 {
        let app = if n % 2 == 0 { &first } else { &second };
        assert_eq!(
            app.login_form("bo@example.org", "wrong wrong wrong")
                .await
                .status
                .as_u16(),
            401
        );
    }
    assert_eq!(
        second
            .login_form("bo@example.org", PASSWORD)
            .await
            .status
            .as_u16(),
        429
    );
    assert_eq!(
        first
            .login_form("bo@example.org", PASSWORD)
            .await
            .status
            .as_u16(),
        429
    );
}

async fn every_state_change_needs_the_csrf_token(app: TestApp) {
    let admin = app.staff("root@example.org", Role::Admin).await;
    for (method, path) in GUARDED_WRITES {
        let request = Request::builder()
            .method(*method)
            .uri(*path)
            .header("cookie", &admin.cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from("title=x&name=y"))
            .unwrap();
        let r = app.request(request).await;
        assert_eq!(
            r.status.as_u16(),
            403,
            "{method} {path} without a token: {}",
            r.body
        );
        let forged = Request::builder()
            .method(*method)
            .uri(*path)
            .header("cookie", &admin.cookie)
            .header("origin", "https://evil.example")
            .header("x-csrf-token", &admin.csrf)
            .body(Body::empty())
            .unwrap();
        assert_eq!(
            app.request(forged).await.status.as_u16(),
            403,
            "{method} {path} from another site"
        );
    }
    // And GET never changes state: the logout route has no GET.
    assert_ne!(
        app.get_as(&admin, "/admin/logout").await.status.as_u16(),
        303
    );
    assert_eq!(app.store().session_count(admin.user).await.unwrap(), 1);
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
    let actions = [
        ("save", ArticleAction::Edit),
        ("submit", ArticleAction::Submit),
        ("publish", ArticleAction::Publish),
        ("unpublish", ArticleAction::Unpublish),
    ];
    let statuses = [
        ArticleStatus::Draft,
        ArticleStatus::Review,
        ArticleStatus::Published,
    ];
    for (role, who) in &people {
        for own in [true, false] {
            for status in statuses {
                for (button, action) in actions {
                    let owner = if own { who } else { &editor };
                    let id = create(
                        &app,
                        owner,
                        &format!("{role} {own} {status} {button}"),
                        &section,
                    )
                    .await;
                    let setup = match status {
                        ArticleStatus::Review => Some("submit"),
                        ArticleStatus::Published => Some("publish"),
                        _ => None,
                    };
                    if let Some(b) = setup {
                        let r = act(&app, &editor, id, b, &[]).await;
                        assert_eq!(r.status.as_u16(), 303, "setup {b}: {}", r.body);
                    }
                    let before = app
                        .store()
                        .desk_article(masthead_core::ArticleId(id))
                        .await
                        .unwrap();
                    let r = act(&app, who, id, button, &[]).await;
                    let allowed = can(*role, ArticleAction::Edit, own, status)
                        && can(*role, action, own, status);
                    let after = app
                        .store()
                        .desk_article(masthead_core::ArticleId(id))
                        .await
                        .unwrap();
                    if allowed {
                        assert_eq!(
                            r.status.as_u16(),
                            303,
                            "{role} own={own} {status} {button}: {}",
                            r.body
                        );
                        assert_eq!(after.version, before.version + 1);
                    } else {
                        assert!(
                            matches!(r.status.as_u16(), 403 | 404),
                            "{role} own={own} {status} {button} should be refused, got {}",
                            r.status
                        );
                        assert_eq!(after.version, before.version, "nothing saved");
                        assert_eq!(after.status, before.status);
                    }
                }
            }
        }
    }
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
    let r = app.post_raw("/admin/login", "", &login).await;
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

async fn redirects_after_login_stay_local(app: TestApp) {
    app.create_staff("ana@example.org", Role::Author).await;
    for next in [
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "/elsewhere",
    ] {
        let body = form_body(&[
            ("email", "ana@example.org"),
            ("password", PASSWORD),
            ("next", next),
        ]);
        let r = app.post_raw("/admin/login", "", &body).await;
        assert_eq!(
            (r.status.as_u16(), r.header("location")),
            (303, "/admin"),
            "{next}"
        );
    }
}

async fn two_factor_login_and_reset_links(app: TestApp) {
    let ana = app.staff("ana@example.org", Role::Editor).await;
    let secret = TotpSecret::generate();
    let now = app.clock.now().timestamp();
    let code = secret.code_at(now).unwrap();
    let r = app
        .post_as(
            &ana,
            "/admin/account/2fa",
            &[("secret", &secret.to_base32()), ("code", &code)],
        )
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    assert_eq!(
        app.store().session_count(ana.user).await.unwrap(),
        0,
        "turning on 2FA ends sessions"
    );
    let r = app.login_form("ana@example.org", PASSWORD).await;
    assert_eq!(r.status.as_u16(), 200);
    assert!(r.body.contains("Enter your code"));
    let half = r.header("set-cookie").split(';').next().unwrap().to_owned();
    assert_eq!(
        app.get_as(
            &StaffSession {
                user: ana.user,
                email: String::new(),
                cookie: half.clone(),
                csrf: String::new()
            },
            "/admin"
        )
        .await
        .header("location"),
        "/admin/login/code"
    );
    let wrong = app
        .post_raw(
            "/admin/login/code",
            &half,
            &form_body(&[("code", "000000")]),
        )
        .await;
    assert_eq!(wrong.status.as_u16(), 401);
    // The code used to turn 2FA on cannot be replayed; the next one works.
    let replay = app
        .post_raw("/admin/login/code", &half, &form_body(&[("code", &code)]))
        .await;
    assert_eq!(replay.status.as_u16(), 401);
    app.clock.advance(Duration::seconds(30));
    let next = secret.code_at(app.clock.now().timestamp()).unwrap();
    let ok = app
        .post_raw("/admin/login/code", &half, &form_body(&[("code", &next)]))
        .await;
    assert_eq!(ok.status.as_u16(), 303, "{}", ok.body);
    assert_ne!(
        ok.header("set-cookie").split(';').next().unwrap(),
        half,
        "rotated"
    );

    // An admin makes a reset link for Bo; Bo sets a new password through it, once.
    let root = app.staff("root@example.org", Role::Admin).await;
    let bo = app.staff("bo@example.org", Role::Author).await;
    let r = app
        .post_as(&root, &format!("/admin/users/{}/reset", bo.user.0), &[])
        .await;
    let link = r
        .body
        .split("id=\"reset-link\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .replace("&#x2f;", "/");
    let path = link.trim_start_matches("https://news.example.org");
    assert_eq!(app.get(path).await.status.as_u16(), 200);
    let weak = app
        .post_raw(path, "", &form_body(&[("password", "password1234")]))
        .await;
    assert_eq!(weak.status.as_u16(), 422);
    let r = app
        .post_raw(
            path,
            "",
            &form_body(&[("password", "violet lantern orbit 97")]),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert_eq!(
        app.store().session_count(bo.user).await.unwrap(),
        0,
        "old sessions end"
    );
    assert_eq!(
        app.login_form("bo@example.org", "violet lantern orbit 97")
            .await
            .status
            .as_u16(),
        303
    );
    assert_eq!(
        app.get(path).await.status.as_u16(),
        404,
        "the link works once"
    );
}

async fn desk_pages_are_valid_html(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let root = app.staff("root@example.org", Role::Admin).await;
    let id = create(&app, &root, "Valid page", &desk.news.0.to_string()).await;
    act(&app, &root, id, "save", &[("body_md", "Second version.")]).await;
    let mut pages = Vec::new();
    for path in [
        "/admin".to_owned(),
        "/admin/articles".into(),
        "/admin/articles/new".into(),
        format!("/admin/articles/{id}"),
        format!("/admin/articles/{id}/revisions"),
        format!("/admin/articles/{id}/revisions/2"),
        "/admin/account".into(),
        "/admin/users".into(),
        "/admin/sections".into(),
        "/admin/settings".into(),
        "/admin/audit".into(),
        "/admin/comments".into(),
    ] {
        let r = app.get_as(&root, &path).await;
        assert_eq!(r.status.as_u16(), 200, "{path}: {}", r.body);
        pages.push((path.replace('/', "_"), r.body));
    }
    pages.push(("_admin_login".into(), app.get("/admin/login").await.body));
    let refs: Vec<(&str, String)> = pages.iter().map(|(p, b)| (p.as_str(), b.clone())).collect();
    assert_valid_html(&refs);
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

app_tests!(
    editors_moderate_comments,
    admins_rename_sections_and_bylines,
    settings_apply_without_a_restart,
    login_rotates_and_logout_revokes,
    failures_look_the_same_and_are_throttled,
    every_state_change_needs_the_csrf_token,
    roles_allow_exactly_what_the_rules_say,
    a_second_save_from_the_same_version_is_a_conflict,
    failed_saves_and_ended_sessions_keep_the_words,
    scheduling_publishes_at_the_time,
    redirects_after_login_stay_local,
    two_factor_login_and_reset_links,
    desk_pages_are_valid_html,
);
