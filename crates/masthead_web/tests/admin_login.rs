//! Logging in to the desk through the real router, on both backends: sessions and their
//! rotation and revocation, throttling (per address and account, shared by app servers,
//! behind a proxy), two-factor login, reset links, local redirects, and CSRF on every
//! state-changing route.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use axum::body::Body;
use axum::http::Request;
use chrono::Duration;
use masthead_core::totp::TotpSecret;
use masthead_core::{Clock, Role};
use masthead_testkit::{PASSWORD, StaffSession, TestApp, app_tests, form_body};
use masthead_web::admin::GUARDED_WRITES;

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
    assert_eq!(dashboard.header("cache-control"), "private, no-store");
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
    let audit_before = app.store().audit_log(1000, 0).await.unwrap().len();
    let state_before = app.store().content_state(app.clock.now()).await.unwrap();
    assert!(!GUARDED_WRITES.is_empty());
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
    // Refused means refused: nothing was written by any of them.
    assert_eq!(
        app.store().audit_log(1000, 0).await.unwrap().len(),
        audit_before
    );
    assert_eq!(
        app.store().content_state(app.clock.now()).await.unwrap(),
        state_before
    );
    // Login, the code step and reset links take no posts from another site either, and
    // start no session.
    let sessions = app.store().session_count(admin.user).await.unwrap();
    for path in [
        "/admin/login",
        "/admin/login/code",
        "/admin/reset/not-a-real-link",
    ] {
        let request = Request::post(path)
            .header("origin", "https://evil.example")
            .header("sec-fetch-site", "cross-site")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(form_body(&[
                ("email", "root@example.org"),
                ("password", PASSWORD),
                ("code", "123456"),
                ("password2", PASSWORD),
            ])))
            .unwrap();
        let r = app.request(request).await;
        assert_eq!(r.status.as_u16(), 403, "POST {path} from another site");
        assert!(r.header("set-cookie").is_empty(), "POST {path}");
    }
    assert_eq!(
        app.store().session_count(admin.user).await.unwrap(),
        sessions
    );
    // And GET never changes state: the logout route has no GET (exactly 405, so a 500
    // cannot pass for it).
    assert_eq!(
        app.get_as(&admin, "/admin/logout").await.status.as_u16(),
        405
    );
    assert_eq!(app.store().session_count(admin.user).await.unwrap(), 1);
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
    let full = ok
        .header("set-cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert!(
        full.contains("masthead_session=") && full != half,
        "a new session cookie, rotated from {half:?}: {full:?}"
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

app_tests!(
    login_rotates_and_logout_revokes,
    failures_look_the_same_and_are_throttled,
    every_state_change_needs_the_csrf_token,
    redirects_after_login_stay_local,
    two_factor_login_and_reset_links,
);
