//! The calendar in the desk through the real router, on SQLite and PostgreSQL: editors add,
//! edit, approve, reject, cancel and restore events; a held submission waits in the queue
//! with its organiser's contact; roles below editor are refused; a form with mistakes comes
//! back as typed with nothing saved; script in every field is text; many editors at once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::StatusCode;
use masthead_core::{DateWindow, EventDraft, EventId, EventStatus, Role};
use masthead_testkit::{StaffSession, TestApp, app_tests, assert_valid_html, t0};

app_tests!(
    an_editor_adds_edits_cancels_and_restores_an_event,
    the_queue_holds_submissions_until_approved_or_rejected,
    only_editors_and_admins_moderate_events,
    a_desk_form_with_mistakes_comes_back_as_typed,
    script_in_every_field_is_text_in_the_desk,
    many_editors_at_once_each_save,
);

fn fields(title: &str) -> Vec<(&'static str, String)> {
    vec![
        ("title", title.to_owned()),
        ("start_date", "2026-12-12".into()),
        ("start_time", "10:00".into()),
        ("end_time", "12:00".into()),
        ("timezone", "America/Chicago".into()),
        ("location", "Grange Hall".into()),
        ("description", "Bring a dish.".into()),
        ("link", "".into()),
        ("contact", "organiser@example.org".into()),
        ("repeat", "".into()),
        ("repeat_count", "".into()),
    ]
}

async fn post(
    app: &TestApp,
    s: &StaffSession,
    uri: &str,
    pairs: &[(&str, String)],
) -> masthead_testkit::TestResponse {
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.post_as(s, uri, &refs).await
}

fn id_in(location: &str) -> i64 {
    location
        .trim_start_matches("/admin/events/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

async fn an_editor_adds_edits_cancels_and_restores_an_event(app: TestApp) {
    let ed = app.staff("ed@example.org", Role::Editor).await;
    let form = app.get_as(&ed, "/admin/events/new").await;
    assert_eq!(form.status, 200);
    let r = post(&app, &ed, "/admin/events/new", &fields("Potluck supper")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id = id_in(r.header("location"));
    app.refresh().await;
    let page = app.get("/events/potluck-supper").await;
    assert_eq!(page.status, 200, "added approved");
    assert!(!page.body.contains("organiser@example.org"));
    let edit = app
        .get_as(&ed, &format!("/admin/events/{id}?saved=1"))
        .await;
    assert!(edit.body.contains("Saved.") && edit.body.contains("organiser@example.org"));
    assert!(edit.body.contains(r#"value="10:00""#));
    // Edit: a weekly series now.
    let mut changed = fields("Potluck supper");
    changed.retain(|(k, _)| !k.starts_with("repeat") && *k != "location");
    changed.push(("location", "Town hall".into()));
    changed.push(("repeat", "weekly".into()));
    changed.push(("repeat_count", "4".into()));
    let r = post(&app, &ed, &format!("/admin/events/{id}"), &changed).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    app.refresh().await;
    let page = app.get("/events/potluck-supper").await.body;
    assert!(page.contains("Town hall") && page.contains("Every week on Saturday, 4 dates"));
    assert_eq!(app.store().event_dates(EventId(id)).await.unwrap().len(), 4);
    // The edit page offers the stored rule; saving it unchanged keeps it.
    let edit = app.get_as(&ed, &format!("/admin/events/{id}")).await.body;
    assert!(edit.contains("As stored: FREQ=WEEKLY;COUNT=4"));
    let mut same = changed.clone();
    same.retain(|(k, _)| *k != "repeat");
    same.push(("repeat", "rule".into()));
    same.push(("rrule", "FREQ=WEEKLY;COUNT=4".into()));
    assert_eq!(
        post(&app, &ed, &format!("/admin/events/{id}"), &same)
            .await
            .status,
        303
    );
    assert_eq!(app.store().event_dates(EventId(id)).await.unwrap().len(), 4);
    // Cancel, then restore.
    let status = |s: &str| vec![("status", s.to_owned())];
    let r = post(
        &app,
        &ed,
        &format!("/admin/events/{id}/status"),
        &status("cancelled"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    app.refresh().await;
    assert!(
        app.get("/events/potluck-supper")
            .await
            .body
            .contains("<strong>Cancelled.</strong>")
    );
    let edit = app.get_as(&ed, &format!("/admin/events/{id}")).await.body;
    assert!(edit.contains(">Restore</button>"));
    post(
        &app,
        &ed,
        &format!("/admin/events/{id}/status"),
        &status("approved"),
    )
    .await;
    app.refresh().await;
    assert!(
        !app.get("/events/potluck-supper")
            .await
            .body
            .contains("Cancelled.")
    );
    // Each step is in the audit log.
    let audit = app
        .get_as(
            &app.staff("admin@example.org", Role::Admin).await,
            "/admin/audit",
        )
        .await
        .body;
    for action in [
        "event.create",
        "event.edit",
        "event.cancelled",
        "event.approved",
    ] {
        assert!(audit.contains(action), "{action} logged");
    }
}

async fn submit(app: &TestApp, title: &str, contact: &str) -> EventId {
    let mut d = EventDraft {
        title: title.into(),
        start_date: "2026-12-19".into(),
        start_time: "18:00".into(),
        timezone: "America/Chicago".into(),
        contact: contact.into(),
        ..Default::default()
    };
    d.location = format!("{title} place");
    let fields = d.check(DateWindow::submission(t0())).unwrap();
    app.store()
        .submit_event(&fields, &format!("nonce {title}"), t0())
        .await
        .unwrap()
        .unwrap()
}

async fn the_queue_holds_submissions_until_approved_or_rejected(app: TestApp) {
    let ed = app.staff("ed@example.org", Role::Editor).await;
    let good = submit(&app, "Choir concert", "choir@example.org").await;
    let spam = submit(&app, "Cheap pills", "spam@example.org").await;
    let queue = app.get_as(&ed, "/admin/events").await;
    assert_eq!(queue.status, 200);
    assert!(queue.body.contains("2 waiting for review"));
    assert!(queue.body.contains("Choir concert") && queue.body.contains("choir@example.org"));
    let status = |s: &str| vec![("status", s.to_owned()), ("from", "pending".to_owned())];
    let r = post(
        &app,
        &ed,
        &format!("/admin/events/{}/status", good.0),
        &status("approved"),
    )
    .await;
    assert_eq!(r.header("location"), "/admin/events?status=pending");
    post(
        &app,
        &ed,
        &format!("/admin/events/{}/status", spam.0),
        &status("rejected"),
    )
    .await;
    app.refresh().await;
    assert_eq!(app.get("/events/choir-concert").await.status, 200);
    assert_eq!(app.get("/events/cheap-pills").await.status, 404);
    let queue = app.get_as(&ed, "/admin/events").await.body;
    assert!(queue.contains("No pending events."));
    let rejected = app.get_as(&ed, "/admin/events?status=rejected").await.body;
    assert!(rejected.contains("Cheap pills"));
    // Unknown status or event: refused, nothing changed.
    let r = post(
        &app,
        &ed,
        &format!("/admin/events/{}/status", good.0),
        &status("published"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = post(
        &app,
        &ed,
        "/admin/events/999999/status",
        &status("approved"),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get_as(&ed, "/admin/events/999999").await.status, 404);
    assert_eq!(
        app.get_as(&ed, "/admin/events?status=nonsense")
            .await
            .status,
        400
    );
}

async fn only_editors_and_admins_moderate_events(app: TestApp) {
    let id = submit(&app, "Held event", "x@example.org").await;
    for role in [Role::Contributor, Role::Author] {
        let s = app
            .staff(&format!("{}@example.org", role.as_str()), role)
            .await;
        assert_eq!(
            app.get_as(&s, "/admin/events").await.status,
            403,
            "{role:?}"
        );
        assert_eq!(app.get_as(&s, "/admin/events/new").await.status, 403);
        let r = post(
            &app,
            &s,
            &format!("/admin/events/{}/status", id.0),
            &[("status", "approved".into())],
        )
        .await;
        assert_eq!(r.status, 403, "{role:?}");
        assert!(
            !app.get_as(&s, "/admin")
                .await
                .body
                .contains("/admin/events")
        );
    }
    assert_eq!(app.store().pending_event_count().await.unwrap(), 1);
    let admin = app.staff("admin@example.org", Role::Admin).await;
    assert!(
        app.get_as(&admin, "/admin")
            .await
            .body
            .contains(r#"<a href="/admin/events">Events</a>"#)
    );
    // Without a session: to the login page, nothing changed.
    let r = app
        .post_raw(
            &format!("/admin/events/{}/status", id.0),
            "",
            "status=approved",
        )
        .await;
    assert_ne!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.store().pending_event_count().await.unwrap(), 1);
}

async fn a_desk_form_with_mistakes_comes_back_as_typed(app: TestApp) {
    let ed = app.staff("ed@example.org", Role::Editor).await;
    let mut bad = fields("Spring concert");
    bad.retain(|(k, _)| !k.starts_with("start") && *k != "end_time");
    bad.push(("start_date", "2027-03-14".into()));
    bad.push(("start_time", "02:30".into()));
    bad.push(("end_time", "01:00".into()));
    let r = post(&app, &ed, "/admin/events/new", &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Nothing was saved"));
    assert!(r.body.contains("does not exist in America/Chicago"));
    assert!(
        r.body.contains(r#"value="Spring concert""#) && r.body.contains(r#"value="2027-03-14""#)
    );
    let mut far = fields("Far away");
    far.retain(|(k, _)| *k != "start_date");
    far.push(("start_date", "9999-01-01".into()));
    let r = post(&app, &ed, "/admin/events/new", &far).await;
    assert!(r.body.contains("too far ahead"));
    assert!(
        app.store()
            .desk_events(EventStatus::Approved, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // An edit with a mistake leaves the stored event as it was.
    let id = id_in(
        post(&app, &ed, "/admin/events/new", &fields("Bake sale"))
            .await
            .header("location"),
    );
    let mut blank = fields("");
    blank.retain(|(k, _)| *k != "timezone");
    let r = post(&app, &ed, &format!("/admin/events/{id}"), &blank).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("required: fill it in"));
    let stored = app.store().desk_event(EventId(id)).await.unwrap().unwrap();
    assert_eq!(stored.event.title, "Bake sale");
}

async fn script_in_every_field_is_text_in_the_desk(app: TestApp) {
    let evil = "<script>alert(1)</script>";
    let d = EventDraft {
        title: format!("Title {evil}"),
        start_date: "2026-12-19".into(),
        start_time: "18:00".into(),
        timezone: "America/Chicago".into(),
        location: format!("Place {evil}"),
        description: format!("About {evil}"),
        contact: format!("Contact {evil}"),
        ..Default::default()
    };
    let id = app
        .store()
        .submit_event(&d.check(DateWindow::submission(t0())).unwrap(), "n", t0())
        .await
        .unwrap()
        .unwrap();
    let ed = app.staff("ed@example.org", Role::Editor).await;
    let queue = app.get_as(&ed, "/admin/events").await.body;
    let edit = app
        .get_as(&ed, &format!("/admin/events/{}", id.0))
        .await
        .body;
    for page in [&queue, &edit] {
        assert!(!page.contains(evil));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }
    let new = app.get_as(&ed, "/admin/events/new").await.body;
    assert_valid_html(&[
        ("desk-queue", queue),
        ("desk-edit", edit),
        ("desk-new", new),
    ]);
}

async fn many_editors_at_once_each_save(app: TestApp) {
    let mut editors = Vec::new();
    for n in 0..6 {
        editors.push(app.staff(&format!("ed{n}@example.org"), Role::Editor).await);
    }
    let app = std::sync::Arc::new(app);
    let mut tasks = Vec::new();
    for (n, ed) in editors.into_iter().enumerate() {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let mut results = Vec::new();
            for i in 0..3 {
                let r = post(
                    &app,
                    &ed,
                    "/admin/events/new",
                    &fields(&format!("Fair {}", n * 3 + i)),
                )
                .await;
                results.push(r.status);
                let r = post(&app, &ed, "/admin/events/new", &fields("Same title")).await;
                results.push(r.status);
            }
            results
        }));
    }
    for t in tasks {
        assert!(t.await.unwrap().iter().all(|s| *s == StatusCode::SEE_OTHER));
    }
    let all = app
        .store()
        .desk_events(EventStatus::Approved, 100)
        .await
        .unwrap();
    assert_eq!(all.len(), 36);
    let slugs: std::collections::HashSet<_> = all.iter().map(|e| e.event.slug.clone()).collect();
    assert_eq!(slugs.len(), 36);
}
