//! Sessions and accounts hardened (issue 7, items 1–4), through the real router on both
//! backends: drafts kept only from our own pages, enrolment before anything else when
//! two-factor login is required, API tokens ending with the credentials they were made under,
//! proof of presence for two-factor changes, short half-finished logins, one live reset link,
//! and logs without reset secrets.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use axum::body::Body;
use axum::http::Request;
use chrono::Duration;
use masthead_core::totp::TotpSecret;
use masthead_core::{Clock, Role};
use masthead_store::Actor;
use masthead_testkit::{
    PASSWORD, StaffSession, TestApp, app_tests, assert_valid_html, csrf_in, form_body,
};
use std::sync::{Arc, Mutex};

mod api_support;
use api_support::{call, token_for};

app_tests!(
    cross_site_post_without_session_keeps_no_draft,
    unenrolled_staff_can_only_enrol_when_two_factor_is_required,
    an_unenrolled_users_token_does_not_work_on_the_api,
    api_tokens_end_with_a_password_change_a_reset_and_a_two_factor_change,
    turning_two_factor_off_or_replacing_it_needs_a_code_or_the_password,
    a_half_finished_login_lasts_minutes,
    a_new_reset_link_cancels_older_ones,
    logs_never_hold_a_reset_token,
    a_stolen_session_cannot_guess_the_password_or_code_faster,
);

const HOME: &str = "https://news.example.org";

/// A form POST to `uri` without a session, with these extra headers.
async fn post_without_session(
    app: &TestApp,
    uri: &str,
    body: &str,
    headers: &[(&str, &str)],
) -> masthead_testkit::TestResponse {
    let mut request =
        Request::post(uri).header("content-type", "application/x-www-form-urlencoded");
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    app.request(request.body(Body::from(body.to_owned())).unwrap())
        .await
}

async fn cross_site_post_without_session_keeps_no_draft(app: TestApp) {
    app.create_staff("ana@example.org", Role::Author).await;
    let planted = "Planted words from another site";
    let body = form_body(&[("kind", "news"), ("title", "x"), ("body_md", planted)]);
    // Another site's form, as modern browsers label it: refused, nothing kept.
    for headers in [
        vec![("origin", "https://evil.example")],
        vec![("sec-fetch-site", "cross-site")],
        vec![
            ("sec-fetch-site", "same-site"),
            ("origin", "https://sub.example.org"),
        ],
    ] {
        let r = post_without_session(&app, "/admin/articles/new", &body, &headers).await;
        assert_eq!(r.status.as_u16(), 403, "{headers:?}: {}", r.body);
        assert!(!r.body.contains("Planted"), "{headers:?}");
        assert!(!r.body.contains("name=\"draft\""), "{headers:?}");
    }
    // No proof either way (no Origin, Referer or Sec-Fetch-Site): login, but nothing kept.
    let r = post_without_session(&app, "/admin/articles/new", &body, &[]).await;
    assert_eq!(r.status.as_u16(), 401);
    assert!(!r.body.contains("Planted"), "{}", r.body);
    // Our own page (Sec-Fetch-Site, or Origin): the draft is kept for after login.
    for headers in [
        vec![("sec-fetch-site", "same-origin"), ("origin", HOME)],
        vec![("origin", HOME)],
    ] {
        let r = post_without_session(&app, "/admin/articles/new", &body, &headers).await;
        assert_eq!(r.status.as_u16(), 401, "{headers:?}");
        assert!(r.body.contains("Planted"), "{headers:?}: {}", r.body);
    }
    // Straight to the login form with a draft: another site's is refused; one without
    // proof logs in without it (no editor pre-filled with planted text).
    let login = form_body(&[
        ("email", "ana@example.org"),
        ("password", PASSWORD),
        ("next", "/admin/articles/new"),
        ("draft", &body),
    ]);
    let r = post_without_session(
        &app,
        "/admin/login",
        &login,
        &[("sec-fetch-site", "cross-site")],
    )
    .await;
    assert_eq!(r.status.as_u16(), 403);
    let r = post_without_session(&app, "/admin/login", &login, &[]).await;
    assert_eq!(
        (r.status.as_u16(), r.header("location")),
        (303, "/admin/articles/new"),
        "{}",
        r.body
    );
    let r = post_without_session(&app, "/admin/login", &login, &[("origin", HOME)]).await;
    assert_eq!(r.status.as_u16(), 200, "our own page's draft comes back");
    assert!(r.body.contains(planted));
}

/// Makes two-factor login required for editors and admins.
async fn require_two_factor(app: &TestApp) {
    app.store()
        .save_settings(
            &[("require_2fa", "1".into())],
            &Actor::system("test"),
            app.clock.now(),
        )
        .await
        .unwrap();
    app.refresh().await;
}

/// Turns two-factor login on for `who` through the account page; returns the secret and a
/// fresh full session (turning it on ends every session).
async fn enrol(app: &TestApp, who: &StaffSession) -> (TotpSecret, StaffSession) {
    let secret = TotpSecret::generate();
    let code = secret.code_at(app.clock.now().timestamp()).unwrap();
    let r = app
        .post_as(
            who,
            "/admin/account/2fa",
            &[("secret", &secret.to_base32()), ("code", &code)],
        )
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    app.clock.advance(Duration::seconds(30));
    let session = login_with_code(app, who, &secret).await;
    (secret, session)
}

/// Logs in with the password and the current code.
async fn login_with_code(app: &TestApp, who: &StaffSession, secret: &TotpSecret) -> StaffSession {
    let r = app.login_form(&who.email, PASSWORD).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    let half = r.header("set-cookie").split(';').next().unwrap().to_owned();
    let code = secret.code_at(app.clock.now().timestamp()).unwrap();
    let r = app
        .post_raw("/admin/login/code", &half, &form_body(&[("code", &code)]))
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    let cookie = r.header("set-cookie").split(';').next().unwrap().to_owned();
    let mut session = StaffSession {
        user: who.user,
        email: who.email.clone(),
        cookie,
        csrf: String::new(),
    };
    let page = app.get_as(&session, "/admin/account").await;
    session.csrf = csrf_in(&page.body).unwrap();
    session
}

async fn unenrolled_staff_can_only_enrol_when_two_factor_is_required(app: TestApp) {
    require_two_factor(&app).await;
    let ed = app.staff("ed@example.org", Role::Editor).await;
    // Only the enrolment form is shown.
    let page = app.get_as(&ed, "/admin/account").await;
    assert_eq!(page.status.as_u16(), 200);
    assert!(page.body.contains("Turn on two-factor login"));
    assert!(!page.body.contains("Create token"), "{}", page.body);
    assert!(!page.body.contains("Change password"));
    assert_valid_html(&[("account_enrol_only", page.body)]);
    // Nothing else works: no token, no password change, no desk page.
    let r = app
        .post_as(&ed, "/admin/account/tokens", &[("name", "sneaky")])
        .await;
    assert_eq!(r.status.as_u16(), 403, "{}", r.body);
    assert!(app.store().list_tokens(ed.user).await.unwrap().is_empty());
    let r = app
        .post_as(
            &ed,
            "/admin/account/password",
            &[("current", PASSWORD), ("new", "violet lantern orbit 97")],
        )
        .await;
    assert_eq!(r.status.as_u16(), 403);
    let r = app.get_as(&ed, "/admin/articles").await;
    assert_eq!(r.header("location"), "/admin/account?setup=2fa");
    let r = app
        .post_as(&ed, "/admin/articles/new", &[("title", "x")])
        .await;
    assert_eq!(r.status.as_u16(), 403);
    // Enrolling works, and then everything does.
    let (_, ed) = enrol(&app, &ed).await;
    let r = app
        .post_as(&ed, "/admin/account/tokens", &[("name", "wire script")])
        .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert_eq!(app.store().list_tokens(ed.user).await.unwrap().len(), 1);
    // Roles the requirement does not cover are unaffected.
    let au = app.staff("au@example.org", Role::Author).await;
    let r = app
        .post_as(&au, "/admin/account/tokens", &[("name", "mine")])
        .await;
    assert_eq!(r.status.as_u16(), 200);
}

async fn an_unenrolled_users_token_does_not_work_on_the_api(app: TestApp) {
    let ed = app.create_staff("ed@example.org", Role::Editor).await;
    let au = app.create_staff("au@example.org", Role::Author).await;
    // Tokens made before the requirement (or by `masthead token create`).
    let ed_token = token_for(&app, ed, Role::Author).await;
    let au_token = token_for(&app, au, Role::Author).await;
    let ok = call(&app, "GET", "/api/v1/articles", Some(&ed_token), None).await;
    assert_eq!(ok.status(), 200);
    require_two_factor(&app).await;
    let r = call(&app, "GET", "/api/v1/articles", Some(&ed_token), None).await;
    let message = r.error(403, "forbidden");
    assert!(message.contains("two-factor"), "{message}");
    // One sentence, without the run of spaces a broken line continuation once left in it.
    assert!(
        message.contains("on your account page in the desk"),
        "{message}"
    );
    let ok = call(&app, "GET", "/api/v1/articles", Some(&au_token), None).await;
    assert_eq!(ok.status(), 200, "authors are not required to enrol");
}

/// A token made on the account page; returns it.
async fn account_token(app: &TestApp, who: &StaffSession) -> String {
    let r = app
        .post_as(who, "/admin/account/tokens", &[("name", "wire script")])
        .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    let token = r
        .body
        .split("id=\"new-token\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(
        call(app, "GET", "/api/v1/articles", Some(&token), None)
            .await
            .status(),
        200
    );
    token
}

async fn api_tokens_end_with_a_password_change_a_reset_and_a_two_factor_change(app: TestApp) {
    let ana = app.staff("ana@example.org", Role::Author).await;
    // The account page says what a change does to tokens.
    let token = account_token(&app, &ana).await;
    let page = app.get_as(&ana, "/admin/account").await;
    assert!(page.body.contains("revokes your API tokens (1)"));
    // 1. A password change.
    let r = app
        .post_as(
            &ana,
            "/admin/account/password",
            &[("current", PASSWORD), ("new", "violet lantern orbit 97")],
        )
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    call(&app, "GET", "/api/v1/articles", Some(&token), None)
        .await
        .error(401, "unauthorized");
    let log = app.store().audit_log(1, 0).await.unwrap();
    assert_eq!(log[0].detail, "API tokens revoked: 1");
    // Back to the test password for the rest (also a change: tokens end again).
    let hash = masthead_core::password::hash_password(
        &masthead_core::password::Password::parse(PASSWORD, &[]).unwrap(),
    )
    .unwrap();
    app.store()
        .set_user_password(ana.user, &hash, &Actor::system("test"), app.clock.now())
        .await
        .unwrap();

    // 2. A reset link, used.
    let ana = app.login(ana.user, "ana@example.org").await;
    let token = account_token(&app, &ana).await;
    let link = masthead_core::secret::new_token("");
    app.store()
        .create_reset(
            ana.user,
            &masthead_core::secret::token_hash(&link),
            app.clock.now() + Duration::hours(1),
            &Actor::system("test"),
            app.clock.now(),
        )
        .await
        .unwrap();
    let r = app
        .post_raw(
            &format!("/admin/reset/{link}"),
            "",
            &form_body(&[("password", PASSWORD)]),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    call(&app, "GET", "/api/v1/articles", Some(&token), None)
        .await
        .error(401, "unauthorized");

    // 3. Two-factor login turned on.
    let ana = app.login(ana.user, "ana@example.org").await;
    let token = account_token(&app, &ana).await;
    let (_, _ana) = enrol(&app, &ana).await;
    call(&app, "GET", "/api/v1/articles", Some(&token), None)
        .await
        .error(401, "unauthorized");
}

async fn turning_two_factor_off_or_replacing_it_needs_a_code_or_the_password(app: TestApp) {
    let ana = app.staff("ana@example.org", Role::Author).await;
    let (secret, ana) = enrol(&app, &ana).await;
    let page = app.get_as(&ana, "/admin/account").await;
    assert!(
        page.body
            .contains("Current code from your app, or your password")
    );
    assert_valid_html(&[("account_two_factor_on", page.body)]);
    let enabled = async || app.store().user(ana.user).await.unwrap().totp_enabled;
    // Off, with nothing, a wrong code or a wrong password: refused, still on.
    for proof in ["", "123456", "not my password at all"] {
        let r = app
            .post_as(
                &ana,
                "/admin/account/2fa",
                &[("disable", "1"), ("proof", proof)],
            )
            .await;
        assert_eq!(r.status.as_u16(), 422, "{proof:?}: {}", r.body);
        assert!(enabled().await, "{proof:?}");
    }
    // Replacing the secret with a stolen session alone: refused.
    app.clock.advance(Duration::seconds(61));
    let new = TotpSecret::generate();
    let new_code = new.code_at(app.clock.now().timestamp()).unwrap();
    let r = app
        .post_as(
            &ana,
            "/admin/account/2fa",
            &[("secret", &new.to_base32()), ("code", &new_code)],
        )
        .await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    let stored = app
        .store()
        .credentials("ana@example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.totp_secret.unwrap(), secret.to_base32(), "unchanged");
    // With the current code from the old app: replaced.
    let old_code = secret.code_at(app.clock.now().timestamp()).unwrap();
    let r = app
        .post_as(
            &ana,
            "/admin/account/2fa",
            &[
                ("secret", &new.to_base32()),
                ("code", &new_code),
                ("proof", &old_code),
            ],
        )
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    let stored = app
        .store()
        .credentials("ana@example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.totp_secret.unwrap(), new.to_base32());
    // Off with the password: done.
    app.clock.advance(Duration::seconds(30));
    let ana = login_with_code(&app, &ana, &new).await;
    let r = app
        .post_as(
            &ana,
            "/admin/account/2fa",
            &[("disable", "1"), ("proof", PASSWORD)],
        )
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    assert!(!enabled().await);
}

async fn a_half_finished_login_lasts_minutes(app: TestApp) {
    let ana = app.staff("ana@example.org", Role::Author).await;
    let (secret, _) = enrol(&app, &ana).await;
    let r = app.login_form("ana@example.org", PASSWORD).await;
    assert_eq!(r.status.as_u16(), 200);
    let set = r.header("set-cookie");
    assert!(set.contains("Max-Age=600"), "{set}");
    let half = set.split(';').next().unwrap().to_owned();
    app.clock.advance(Duration::minutes(11));
    let code = secret.code_at(app.clock.now().timestamp()).unwrap();
    let r = app
        .post_raw("/admin/login/code", &half, &form_body(&[("code", &code)]))
        .await;
    assert_eq!(
        (r.status.as_u16(), r.header("location")),
        (303, "/admin/login"),
        "the password step has expired: {}",
        r.body
    );
    // A full login still lasts the working day.
    let full = login_with_code(&app, &ana, &secret).await;
    app.clock.advance(Duration::hours(11));
    assert_eq!(app.get_as(&full, "/admin").await.status.as_u16(), 200);
}

async fn a_new_reset_link_cancels_older_ones(app: TestApp) {
    let root = app.staff("root@example.org", Role::Admin).await;
    let bo = app.create_staff("bo@example.org", Role::Author).await;
    let link = async || {
        let r = app
            .post_as(&root, &format!("/admin/users/{}/reset", bo.0), &[])
            .await;
        r.body
            .split("id=\"reset-link\">")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .replace("&#x2f;", "/")
            .trim_start_matches(HOME)
            .to_owned()
    };
    let first = link().await;
    assert_eq!(app.get(&first).await.status.as_u16(), 200);
    let second = link().await;
    assert_eq!(app.get(&first).await.status.as_u16(), 404, "cancelled");
    let r = app
        .post_raw(
            &first,
            "",
            &form_body(&[("password", "violet lantern orbit 97")]),
        )
        .await;
    assert_eq!(r.status.as_u16(), 404);
    assert_eq!(app.get(&second).await.status.as_u16(), 200);
}

/// Collects formatted log lines for the current thread.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn logs_never_hold_a_reset_token(app: TestApp) {
    let bo = app.create_staff("bo@example.org", Role::Author).await;
    let link = masthead_core::secret::new_token("");
    app.store()
        .create_reset(
            bo,
            &masthead_core::secret::token_hash(&link),
            app.clock.now() + Duration::hours(1),
            &Actor::system("test"),
            app.clock.now(),
        )
        .await
        .unwrap();
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    // A 5xx on the reset path (password work saturated) is logged with its path.
    let work = app.state.password_work().clone();
    let held = work.occupy_all().unwrap();
    let blockers: Vec<_> = (0..work.capacity())
        .map(|_| {
            let work = work.clone();
            tokio::spawn(async move { work.run(|_| ()).await })
        })
        .collect();
    while work.in_flight() < work.capacity() {
        tokio::task::yield_now().await;
    }
    let r = app
        .post_raw(
            &format!("/admin/reset/{link}"),
            "",
            &form_body(&[("password", "violet lantern orbit 97")]),
        )
        .await;
    assert_eq!(r.status.as_u16(), 503, "{}", r.body);
    drop(held);
    for b in blockers {
        b.await.unwrap().unwrap();
    }
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("request failed"),
        "the 5xx was logged: {logs}"
    );
    assert!(logs.contains("/admin/reset/[redacted]"), "{logs}");
    assert!(!logs.contains(&link), "a reset token in the logs: {logs}");
}

async fn a_stolen_session_cannot_guess_the_password_or_code_faster(app: TestApp) {
    let ana = app.staff("ana@example.org", Role::Author).await;
    let mut last = None;
    for n in 0..6 {
        let guess = format!("guessing password {n}");
        last = Some(
            app.post_as(
                &ana,
                "/admin/account/password",
                &[("current", &guess), ("new", "violet lantern orbit 97")],
            )
            .await,
        );
    }
    let last = last.unwrap();
    assert_eq!(last.status.as_u16(), 429, "{}", last.body);
    assert!(last.header("retry-after").parse::<u64>().unwrap() >= 1);
    // The proof asked for by two-factor changes is limited the same way.
    let (_, ana) = enrol(&app, &ana).await;
    let mut status = 0;
    for n in 0..6 {
        let guess = format!("{:06}", n);
        status = app
            .post_as(
                &ana,
                "/admin/account/2fa",
                &[("disable", "1"), ("proof", &guess)],
            )
            .await
            .status
            .as_u16();
    }
    assert_eq!(status, 429);
    assert!(app.store().user(ana.user).await.unwrap().totp_enabled);
}
