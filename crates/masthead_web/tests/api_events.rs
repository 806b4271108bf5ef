//! The events calendar in the JSON API through the real router, on SQLite and PostgreSQL:
//! readers list upcoming dates and read an event without a token, never seeing a held or
//! rejected event or any organiser's contact; editors and admins work the moderation queue
//! (approve, reject, cancel, restore), each change audited once, the desk's permission
//! refusing everyone else; bad input is a 4xx naming the fix; many moderators at once leave
//! one consistent state.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use masthead_core::{DateWindow, EventDraft, EventId, EventStatus, Role};
use masthead_store::Actor;
use masthead_testkit::{TestApp, app_tests, t0};
use serde_json::Value;
use std::sync::Arc;

mod api_support;
use api_support::*;

app_tests!(
    readers_see_the_calendar_without_a_token_and_never_a_contact,
    public_lists_are_paged_and_bad_input_names_the_fix,
    moderators_approve_reject_cancel_and_restore_each_audited_once,
    only_editors_and_admins_moderate,
    many_moderators_at_once_leave_one_consistent_state,
);

const CONTACT: &str = "private-organiser@example.org";

fn draft(title: &str, date: &str) -> EventDraft {
    EventDraft {
        title: title.into(),
        start_date: date.into(),
        start_time: "18:00".into(),
        end_time: "20:00".into(),
        timezone: "America/Chicago".into(),
        location: format!("{title} hall"),
        description: "Everyone welcome.".into(),
        contact: CONTACT.into(),
        ..Default::default()
    }
}

/// A reader's submission, held.
async fn held(app: &TestApp, title: &str) -> EventId {
    let fields = draft(title, "2026-12-19")
        .check(DateWindow::submission(t0()))
        .unwrap();
    app.store()
        .submit_event(&fields, &format!("nonce {title}"), t0())
        .await
        .unwrap()
        .unwrap()
}

/// An event added by staff in `status`, optionally repeating by `rrule`.
async fn added(app: &TestApp, title: &str, rrule: &str, status: EventStatus) -> EventId {
    let mut d = draft(title, "2026-12-12");
    d.rrule = rrule.into();
    let fields = d.check(DateWindow::staff(t0())).unwrap();
    app.store()
        .create_event(&fields, status, &Actor::system("test"), t0())
        .await
        .unwrap()
        .0
}

fn slugs(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["slug"].as_str().unwrap().to_owned())
        .collect()
}

async fn audit_count(app: &TestApp, action: &str, id: EventId) -> usize {
    let target = format!("event {}", id.0);
    app.store()
        .audit_log(10_000, 0)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == action && e.target == target)
        .count()
}

async fn readers_see_the_calendar_without_a_token_and_never_a_contact(app: TestApp) {
    let weekly = added(
        &app,
        "Folk dance",
        "FREQ=WEEKLY;COUNT=3",
        EventStatus::Approved,
    )
    .await;
    let called_off = added(&app, "Quiz night", "", EventStatus::Cancelled).await;
    held(&app, "Held jumble sale").await;
    let rejected = held(&app, "Cheap pills").await;
    app.store()
        .set_event_status(rejected, EventStatus::Rejected, &Actor::system("t"), t0())
        .await
        .unwrap();

    let list = call(&app, "GET", "/api/v1/events", None, None).await;
    assert_eq!(list.status(), 200, "{}", list.response.body);
    // A series once per date, the cancelled event marked, nothing held or rejected.
    assert_eq!(
        slugs(&list.json),
        ["folk-dance", "quiz-night", "folk-dance", "folk-dance"]
    );
    assert_eq!(list.json["items"][1]["status"], "cancelled");
    assert_eq!(list.json["items"][0]["status"], "approved");
    assert_eq!(list.json["items"][0]["repeats"], true);
    assert_eq!(list.json["page"], 1);
    assert_eq!(list.json["per_page"], 20);
    assert_eq!(list.json["has_more"], false);

    let one = call(&app, "GET", "/api/v1/events/folk-dance", None, None).await;
    assert_eq!(one.status(), 200, "{}", one.response.body);
    let e = &one.json;
    assert_eq!(e["id"], weekly.0);
    assert_eq!(e["status"], "approved");
    assert_eq!(e["rrule"], "FREQ=WEEKLY;COUNT=3");
    assert_eq!(e["repeats"], "Every week on Saturday, 3 dates");
    assert_eq!(e["dates"].as_array().unwrap().len(), 3);
    assert_eq!(e["dates"][1]["starts_at"], "2026-12-20T00:00:00Z");
    assert_eq!(e["dates"][1]["ends_at"], "2026-12-20T02:00:00Z");
    assert_eq!(e["timezone"], "America/Chicago");
    assert_eq!(e["link"], Value::Null);
    assert!(e["url"].as_str().unwrap().ends_with("/events/folk-dance"));
    assert!(
        e["ics_url"]
            .as_str()
            .unwrap()
            .ends_with("/events/folk-dance.ics")
    );
    let cancelled = call(&app, "GET", "/api/v1/events/quiz-night", None, None).await;
    assert_eq!(cancelled.json["status"], "cancelled");
    assert_eq!(cancelled.json["id"], called_off.0);

    // Held and rejected events do not exist for readers.
    for slug in ["held-jumble-sale", "cheap-pills", "no-such-event"] {
        let r = call(&app, "GET", &format!("/api/v1/events/{slug}"), None, None).await;
        let m = r.error(404, "not_found");
        assert!(m.contains("GET /api/v1/events"), "{m}");
        assert!(!r.response.body.contains("Held jumble"));
    }
    // No public answer carries a contact, or a field for one.
    for r in [&list, &one, &cancelled] {
        assert!(!r.response.body.contains(CONTACT), "{}", r.response.body);
        assert!(!r.response.body.contains("contact"), "{}", r.response.body);
    }
    // A token changes nothing: the public reads are the public's.
    let (_, token) = staff(&app, "ed@example.org", Role::Editor).await;
    let with = call(&app, "GET", "/api/v1/events", Some(&token), None).await;
    assert_eq!(with.json, list.json);
}

async fn public_lists_are_paged_and_bad_input_names_the_fix(app: TestApp) {
    added(
        &app,
        "Farmers market",
        "FREQ=WEEKLY;COUNT=5",
        EventStatus::Approved,
    )
    .await;
    let page = |q: &str| {
        let app = &app;
        let q = q.to_owned();
        async move { call(app, "GET", &format!("/api/v1/events{q}"), None, None).await }
    };
    let first = page("?per_page=2").await;
    assert_eq!(first.json["items"].as_array().unwrap().len(), 2);
    assert_eq!(first.json["has_more"], true);
    let third = page("?per_page=2&page=3").await;
    assert_eq!(third.json["items"].as_array().unwrap().len(), 1);
    assert_eq!(third.json["has_more"], false);
    assert_eq!(third.json["page"], 3);
    let past = page("?page=20").await;
    assert_eq!(past.status(), 200);
    assert!(past.json["items"].as_array().unwrap().is_empty());
    for (q, names) in [
        ("?per_page=0", "per_page"),
        ("?per_page=101", "per_page"),
        ("?per_page=", "per_page"),
        ("?page=21", "page"),
        ("?page=-1", "page"),
        ("?page=two", "page"),
        ("?page=99999999999999999999", "page"),
    ] {
        let r = page(q).await;
        let m = r.error(400, "bad_request");
        assert!(
            m.contains(&format!("`{names}`")) && m.contains("whole number"),
            "{q}: {m}"
        );
    }
    for slug in ["Bad_Slug", "-x", "a--b", "%00", &"a".repeat(200)] {
        let r = call(&app, "GET", &format!("/api/v1/events/{slug}"), None, None).await;
        let m = r.error(400, "bad_request");
        assert!(m.contains("lowercase letters"), "{slug}: {m}");
    }
    // Methods the calendar does not take.
    call(&app, "POST", "/api/v1/events", None, None)
        .await
        .error(405, "method_not_allowed");
}

async fn moderators_approve_reject_cancel_and_restore_each_audited_once(app: TestApp) {
    let (_, token) = staff(&app, "ed@example.org", Role::Editor).await;
    let t = Some(token.as_str());
    let choir = held(&app, "Choir concert").await;
    let spam = held(&app, "Cheap pills").await;

    // The queue: held submissions, with the organiser's contact, newest first.
    let queue = call(&app, "GET", "/api/v1/moderation/events", t, None).await;
    assert_eq!(queue.status(), 200, "{}", queue.response.body);
    assert_eq!(queue.json["status"], "pending");
    assert_eq!(queue.json["pending"], 2);
    assert_eq!(queue.json["has_more"], false);
    let items = queue.json["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["contact"], CONTACT);
    assert_eq!(items[0]["event"]["status"], "pending");
    assert_eq!(items[0]["event"]["dates"].as_array().unwrap().len(), 1);
    let one = call(
        &app,
        "GET",
        &format!("/api/v1/moderation/events/{}", choir.0),
        t,
        None,
    )
    .await;
    assert_eq!(one.json["event"]["slug"], "choir-concert");
    assert_eq!(one.json["contact"], CONTACT);

    let act = |id: EventId, action: &str| {
        let (app, token) = (&app, token.clone());
        let uri = format!("/api/v1/moderation/events/{}/{action}", id.0);
        async move { call(app, "POST", &uri, Some(&token), None).await }
    };
    // Approve: on the calendar, in the API and on the site.
    let r = act(choir, "approve").await;
    assert_eq!(r.status(), 200, "{}", r.response.body);
    assert_eq!(r.json["event"]["status"], "approved");
    app.refresh().await;
    assert_eq!(app.get("/events/choir-concert").await.status, 200);
    let public = call(&app, "GET", "/api/v1/events/choir-concert", None, None).await;
    assert_eq!(public.json["status"], "approved");
    // Again: answered as it is, nothing written twice.
    assert_eq!(
        act(choir, "approve").await.json["event"]["status"],
        "approved"
    );
    assert_eq!(audit_count(&app, "event.approved", choir).await, 1);

    // Reject the spam: gone for readers.
    assert_eq!(
        act(spam, "reject").await.json["event"]["status"],
        "rejected"
    );
    assert_eq!(
        call(&app, "GET", "/api/v1/events/cheap-pills", None, None)
            .await
            .status(),
        404
    );
    // Cancelling a rejected (or held) event would publish it: refused, saying what to do.
    let m = act(spam, "cancel").await.error(409, "conflict");
    assert!(
        m.contains("Only an approved event") && m.contains("/approve"),
        "{m}"
    );
    let m = act(spam, "restore").await.error(409, "conflict");
    assert!(
        m.contains("Only a cancelled event") && m.contains("/approve"),
        "{m}"
    );
    assert_eq!(
        app.store()
            .desk_event(spam)
            .await
            .unwrap()
            .unwrap()
            .event
            .status,
        EventStatus::Rejected
    );

    // Cancel and restore the approved one.
    assert_eq!(
        act(choir, "cancel").await.json["event"]["status"],
        "cancelled"
    );
    app.refresh().await;
    assert!(
        app.get("/events/choir-concert")
            .await
            .body
            .contains("Cancelled.")
    );
    let m = act(choir, "approve").await.error(409, "conflict");
    assert!(m.contains("/restore"), "{m}");
    assert_eq!(
        act(choir, "restore").await.json["event"]["status"],
        "approved"
    );
    assert_eq!(
        act(choir, "restore").await.json["event"]["status"],
        "approved"
    );
    for (action, n) in [
        ("event.approved", 2),
        ("event.cancelled", 1),
        ("event.rejected", 0),
    ] {
        assert_eq!(audit_count(&app, action, choir).await, n, "{action}");
    }
    assert_eq!(audit_count(&app, "event.rejected", spam).await, 1);

    // Lists by status; bad input is a 4xx naming the fix.
    let rejected = call(
        &app,
        "GET",
        "/api/v1/moderation/events?status=rejected",
        t,
        None,
    )
    .await;
    assert_eq!(rejected.json["items"][0]["event"]["slug"], "cheap-pills");
    assert_eq!(rejected.json["pending"], 0);
    for q in ["?status=published", "?status="] {
        let r = call(
            &app,
            "GET",
            &format!("/api/v1/moderation/events{q}"),
            t,
            None,
        )
        .await;
        let m = r.error(400, "bad_request");
        assert!(m.contains("`status`") && m.contains("pending"), "{q}: {m}");
    }
    let r = act(EventId(999_999), "approve").await;
    assert!(r.error(404, "not_found").contains("999999"));
    let r = call(&app, "GET", "/api/v1/moderation/events/999999", t, None).await;
    r.error(404, "not_found");
    for bad in ["abc", "1.5", "99999999999999999999"] {
        let r = call(
            &app,
            "POST",
            &format!("/api/v1/moderation/events/{bad}/approve"),
            t,
            None,
        )
        .await;
        r.error(400, "bad_request");
    }
    call(
        &app,
        "GET",
        &format!("/api/v1/moderation/events/{}/approve", choir.0),
        t,
        None,
    )
    .await
    .error(405, "method_not_allowed");
}

async fn only_editors_and_admins_moderate(app: TestApp) {
    let id = held(&app, "Held event").await;
    let paths = [
        ("GET", "/api/v1/moderation/events".to_owned()),
        ("GET", format!("/api/v1/moderation/events/{}", id.0)),
        (
            "POST",
            format!("/api/v1/moderation/events/{}/approve", id.0),
        ),
        ("POST", format!("/api/v1/moderation/events/{}/reject", id.0)),
        ("POST", format!("/api/v1/moderation/events/{}/cancel", id.0)),
        (
            "POST",
            format!("/api/v1/moderation/events/{}/restore", id.0),
        ),
    ];
    for role in [Role::Contributor, Role::Author] {
        let (_, token) = staff(&app, &format!("{}@example.org", role.as_str()), role).await;
        for (method, path) in &paths {
            let r = call(&app, method, path, Some(&token), None).await;
            let m = r.error(403, "forbidden");
            assert!(m.contains("does not allow"), "{role:?} {path}: {m}");
            assert!(!r.response.body.contains(CONTACT));
        }
    }
    // An editor's account with a token scoped to contributor is a contributor here.
    let (user, _) = staff(&app, "ed@example.org", Role::Editor).await;
    let narrow = token_for(&app, user, Role::Contributor).await;
    let r = call(&app, "POST", &paths[2].1, Some(&narrow), None).await;
    r.error(403, "forbidden");
    for (method, path) in &paths {
        call(&app, method, path, None, None)
            .await
            .error(401, "unauthorized");
    }
    assert_eq!(app.store().pending_event_count().await.unwrap(), 1);
    assert_eq!(audit_count(&app, "event.approved", id).await, 0);
    // An admin may.
    let (_, admin) = staff(&app, "admin@example.org", Role::Admin).await;
    let r = call(&app, "POST", &paths[2].1, Some(&admin), None).await;
    assert_eq!(r.status(), 200, "{}", r.response.body);
}

async fn many_moderators_at_once_leave_one_consistent_state(app: TestApp) {
    let mut tokens = Vec::new();
    for n in 0..8 {
        let role = if n % 2 == 0 {
            Role::Editor
        } else {
            Role::Admin
        };
        tokens.push(staff(&app, &format!("mod{n}@example.org"), role).await.1);
    }
    let same = held(&app, "Popular fair").await;
    let mut others = Vec::new();
    for n in 0..4 {
        others.push(held(&app, &format!("Fair {n}")).await);
    }
    let toggled = added(&app, "Toggled gala", "", EventStatus::Approved).await;
    let app = Arc::new(app);

    // 16 at once on one event, then 16 spread over four, then 16 cancelling and restoring.
    let rounds: [Vec<(EventId, &str)>; 3] = [
        (0..16).map(|_| (same, "approve")).collect(),
        (0..16).map(|i| (others[i % 4], "approve")).collect(),
        (0..16)
            .map(|i| (toggled, if i % 2 == 0 { "cancel" } else { "restore" }))
            .collect(),
    ];
    for round in rounds {
        let mut tasks = Vec::new();
        for (i, (id, action)) in round.into_iter().enumerate() {
            let (app, token) = (app.clone(), tokens[i % tokens.len()].clone());
            tasks.push(tokio::spawn(async move {
                let uri = format!("/api/v1/moderation/events/{}/{action}", id.0);
                let r = call(&app, "POST", &uri, Some(&token), None).await;
                (r.status(), r.response.body)
            }));
        }
        for t in tasks {
            let (status, body) = t.await.unwrap();
            assert_eq!(status, 200, "{body}");
            assert!(!body.contains("locked"), "{body}");
        }
    }
    for id in std::iter::once(same).chain(others.iter().copied()) {
        let e = app.store().desk_event(id).await.unwrap().unwrap();
        assert_eq!(e.event.status, EventStatus::Approved);
        assert_eq!(audit_count(&app, "event.approved", id).await, 1, "{id:?}");
    }
    // The toggled event's log tells its story: moves alternate from approved, and it ends
    // where the last one put it.
    let cancels = audit_count(&app, "event.cancelled", toggled).await;
    let restores = audit_count(&app, "event.approved", toggled).await;
    assert!(
        cancels >= 1 && cancels >= restores && cancels - restores <= 1,
        "{cancels} {restores}"
    );
    let last = app.store().desk_event(toggled).await.unwrap().unwrap();
    let expected = if cancels > restores {
        EventStatus::Cancelled
    } else {
        EventStatus::Approved
    };
    assert_eq!(last.event.status, expected);
    // Everyone sees the same thing.
    let public = call(&app, "GET", "/api/v1/events?per_page=100", None, None).await;
    assert_eq!(public.json["items"].as_array().unwrap().len(), 6);
    assert_eq!(app.store().pending_event_count().await.unwrap(), 0);
}
