//! The meeting desk through the real router, on both databases.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::StatusCode;
use masthead_core::Role;
use masthead_testkit::{Desk, TestApp, app_tests, t0};

async fn the_desk_pages_render(app: TestApp) {
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    let desk = Desk::create(app.store()).await;
    let made = masthead_testkit::meetings::meeting_desk(app.store(), desk.news, t0()).await;
    let ed = app.staff("ed@example.org", Role::Editor).await;
    for path in [
        "/admin/meetings".to_owned(),
        format!("/admin/meetings/{}", made.meeting),
        format!("/admin/bodies/{}", made.body),
        format!("/admin/briefs/{}", made.brief),
    ] {
        let r = app.get_as(&ed, &path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
    }
}

app_tests!(the_desk_pages_render);
