//! What login costs an attacker and cannot cost the owner (issue 7, item 6), through the real
//! router on both backends: the cap on concurrent password hashing (503 with Retry-After when
//! full), IPv6 clients counted by /64, and the remembered device that keeps the owner able to
//! log in while someone floods their account.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use masthead_core::Role;
use masthead_store::Actor;
use masthead_testkit::{PASSWORD, TestApp, TestResponse, app_tests, form_body};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

app_tests!(
    password_hashing_is_capped_and_answers_503_when_saturated,
    ipv6_clients_are_counted_by_their_64,
    an_attacker_cannot_keep_the_owner_out_of_their_account,
);

/// Posts the login form from `ip` (as the connection's peer), with `cookie` (may be empty).
async fn login_from(
    app: &TestApp,
    ip: &str,
    email: &str,
    password: &str,
    cookie: &str,
) -> TestResponse {
    let peer = SocketAddr::new(ip.parse::<IpAddr>().unwrap(), 40000);
    let mut request = Request::post("/admin/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .extension(ConnectInfo(peer));
    if !cookie.is_empty() {
        request = request.header("cookie", cookie);
    }
    let body = form_body(&[("email", email), ("password", password), ("next", "/admin")]);
    app.request(request.body(Body::from(body)).unwrap()).await
}

/// The `name=value` of the response's cookie called `name`.
fn cookie(r: &TestResponse, name: &str) -> Option<String> {
    r.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap().to_owned())
        .find(|v| v.starts_with(&format!("{name}=")))
}

async fn password_hashing_is_capped_and_answers_503_when_saturated(app: TestApp) {
    let app = Arc::new(app);
    let work = app.state.password_work().clone();
    // A burst already holds every running slot.
    let held = work.occupy_all().unwrap();
    let n = work.capacity();
    let start = Arc::new(tokio::sync::Barrier::new(n + 1));
    let queued: Vec<_> = (0..n)
        .map(|i| {
            let (app, start) = (app.clone(), start.clone());
            tokio::spawn(async move {
                start.wait().await;
                // Each from its own address and account, so only the cap can refuse it.
                let ip = format!("198.51.100.{}", i + 1);
                login_from(&app, &ip, &format!("u{i}@example.org"), "wrong wrong", "").await
            })
        })
        .collect();
    start.wait().await;
    while work.in_flight() < n {
        tokio::task::yield_now().await;
    }
    // The queue is full: the next login is told to come back, at once, with its email kept.
    let r = login_from(&app, "203.0.113.9", "late@example.org", "wrong wrong", "").await;
    assert_eq!(r.status.as_u16(), 503, "{}", r.body);
    assert_eq!(r.header("retry-after"), "2");
    assert!(r.body.contains("busy checking other logins"), "{}", r.body);
    assert!(r.body.contains("late@example.org"));
    // The burst ends; every queued login gets its real answer, none an error.
    drop(held);
    for task in queued {
        assert_eq!(task.await.unwrap().status.as_u16(), 401);
    }
    assert_eq!(work.in_flight(), 0);
    // The burst's checks reused the running slots' Argon2 memory: no more than one per slot.
    assert!(
        (1..=work.parallel()).contains(&work.memories()),
        "{}",
        work.memories()
    );
    let r = login_from(&app, "203.0.113.9", "late@example.org", "wrong wrong", "").await;
    assert_eq!(r.status.as_u16(), 401, "capacity is back");
}

async fn ipv6_clients_are_counted_by_their_64(app: TestApp) {
    for n in 0..10 {
        let ip = format!("2001:db8:1:2::{:x}", n + 1);
        let r = login_from(&app, &ip, &format!("u{n}@example.org"), "wrong wrong", "").await;
        assert_eq!(r.status.as_u16(), 401, "{ip}");
    }
    // Another address in the same /64 is the same client.
    let r = login_from(&app, "2001:db8:1:2:ffff::9", "x@example.org", "wrong", "").await;
    assert_eq!(r.status.as_u16(), 429);
    // The next /64 is someone else; IPv4-mapped addresses count as IPv4.
    let r = login_from(&app, "2001:db8:1:3::1", "y@example.org", "wrong", "").await;
    assert_eq!(r.status.as_u16(), 401);
    let r = login_from(&app, "::ffff:192.0.2.1", "z@example.org", "wrong", "").await;
    assert_eq!(r.status.as_u16(), 401);
}

async fn an_attacker_cannot_keep_the_owner_out_of_their_account(app: TestApp) {
    let ana = app.create_staff("ana@example.org", Role::Editor).await;
    app.create_staff("bo@example.org", Role::Editor).await;
    let office = "192.0.2.10";
    // Ana logs in from her browser: it is remembered for her account.
    let r = login_from(&app, office, "ana@example.org", PASSWORD, "").await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    let device = cookie(&r, "__Host-masthead_device").expect("a device cookie");
    let set = r.headers.get_all("set-cookie").iter().count();
    assert_eq!(set, 2, "session and device");
    assert_eq!(app.store().device_count(ana).await.unwrap(), 1);

    // Someone floods her account from many addresses, and her office's address too.
    for n in 0..6 {
        let ip = format!("198.51.100.{n}");
        login_from(&app, &ip, "ana@example.org", "guess guess", "").await;
        login_from(&app, &ip, "bo@example.org", "guess guess", "").await;
    }
    for n in 0..10 {
        login_from(&app, office, &format!("u{n}@example.org"), "guess", "").await;
    }
    // A new browser (no device cookie) waits, even with the right password...
    let r = login_from(&app, "203.0.113.5", "ana@example.org", PASSWORD, "").await;
    assert_eq!(r.status.as_u16(), 429);
    // ...but Ana's own browser gets in, from the flooded office address, and is not given a
    // second device.
    let r = login_from(&app, office, "ana@example.org", PASSWORD, &device).await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    assert_eq!(cookie(&r, "__Host-masthead_device"), None);
    assert_eq!(app.store().device_count(ana).await.unwrap(), 1);

    // The cookie is Ana's alone: it does not help with Bo's flooded account.
    let r = login_from(&app, office, "bo@example.org", PASSWORD, &device).await;
    assert_eq!(r.status.as_u16(), 429);
    // It is no way around the limits for someone who stole it: it has its own bucket.
    let mut last = 0;
    for _ in 0..6 {
        last = login_from(&app, office, "ana@example.org", "guess guess", &device)
            .await
            .status
            .as_u16();
    }
    assert_eq!(last, 429);

    // A password change forgets every remembered device.
    let hash = masthead_core::password::hash_password(
        &masthead_core::password::Password::parse("violet lantern orbit 97", &[]).unwrap(),
    )
    .unwrap();
    app.store()
        .set_user_password(ana, &hash, &Actor::system("test"), masthead_testkit::t0())
        .await
        .unwrap();
    assert_eq!(app.store().device_count(ana).await.unwrap(), 0);
}
