//! Snapshots of representative API responses (an article, a list page, a 409 with the
//! stored article, a 422, sections, authors, an upload; an event, the calendar's list and
//! the moderation queue), taken through the real router on
//! SQLite and on PostgreSQL against the same snapshot files, so the two backends answer
//! alike. Ids, times, versions and generated file names are redacted (each checked to be
//! of its kind first), so a fixture change does not churn the files; a change in what the
//! API answers shows up as a reviewed diff (`cargo insta review`), and a stale snapshot
//! fails CI.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use insta::internals::Content;
use insta::{Settings, dynamic_redaction};
use masthead_core::{DateWindow, EventDraft, EventStatus, Role};
use masthead_store::Actor;
use masthead_testkit::{Desk, TestApp, app_tests, t0};
use serde_json::{Value, json};

mod api_support;
use api_support::*;

app_tests!(
    api_responses_match_their_snapshots,
    event_responses_match_their_snapshots,
);

/// Replaces a whole number with `[id]`, failing on anything else.
fn id() -> insta::internals::Redaction {
    dynamic_redaction(|value: Content, path| {
        assert!(value.as_i64().is_some(), "{path} is an id: {value:?}");
        "[id]"
    })
}

/// Replaces each id of a list with `[id]`, keeping their number.
fn ids() -> insta::internals::Redaction {
    dynamic_redaction(|value: Content, path| -> Content {
        let Content::Seq(items) = value.resolve_inner() else {
            panic!("{path} is a list of ids: {value:?}");
        };
        for item in items {
            assert!(item.as_i64().is_some(), "{path} holds ids: {value:?}");
        }
        Content::Seq(vec!["[id]".into(); items.len()])
    })
}

/// An article's owner is a user id (redacted); a list row's is a name (kept).
fn owner() -> insta::internals::Redaction {
    dynamic_redaction(|value: Content, path| -> Content {
        if value.as_i64().is_some() {
            return "[id]".into();
        }
        assert!(
            value.as_str().is_some(),
            "{path} is an id or a name: {value:?}"
        );
        value
    })
}

/// Replaces an RFC 3339 time with `[time]`; `null` stays, so a snapshot still shows
/// whether a time is set.
fn time() -> insta::internals::Redaction {
    dynamic_redaction(|value: Content, path| -> Content {
        if value.is_nil() {
            return value;
        }
        let text = value.as_str().unwrap_or_default();
        assert!(
            chrono::DateTime::parse_from_rfc3339(text).is_ok(),
            "{path} is an RFC 3339 time: {value:?}"
        );
        "[time]".into()
    })
}

/// Replaces a positive version with `[version]`.
fn version() -> insta::internals::Redaction {
    dynamic_redaction(|value: Content, path| {
        assert!(
            value.as_i64().is_some_and(|v| v > 0),
            "{path} is a version: {value:?}"
        );
        "[version]"
    })
}

/// Snapshots `value` under `name`, redacted.
fn snapshot(name: &str, value: &Value) {
    let mut settings = Settings::clone_current();
    // One file per response for both backends (not one per test module).
    settings.set_prepend_module_to_snapshot(false);
    // Versions also appear in the words of a 409.
    settings.add_filter(r"version \d+", "version [version]");
    // Event ids also appear in the addresses a 409 points to.
    settings.add_filter(r"events/\d+/", "events/[id]/");
    // `.**.key` matches the key at any depth (a list row, `error.current`).
    for selector in [".**.id", ".**.section", ".**.image"] {
        settings.add_redaction(selector, id());
    }
    settings.add_redaction(".**.authors", ids());
    settings.add_redaction(".**.owner", owner());
    for selector in [".**.published_at", ".**.modified_at", ".**.at"] {
        settings.add_redaction(selector, time());
    }
    settings.add_redaction(".**.version", version());
    // When an event was sent and last changed (its dates are the fixture's, kept).
    for selector in [".**.created_at", ".**.updated_at"] {
        settings.add_redaction(selector, time());
    }
    // Uploads are stored under a generated name (other `url`s are fixed addresses).
    if name != "media_upload" {
        let name = format!("api_snapshots__{name}");
        settings.bind(|| insta::assert_json_snapshot!(name, value));
        return;
    }
    settings.add_redaction(
        ".url",
        dynamic_redaction(|value: Content, _| {
            let url = value.as_str().unwrap_or_default();
            let (name, extension) = url
                .strip_prefix("/media/")
                .and_then(|file| file.split_once('.'))
                .unwrap_or_default();
            assert!(
                name.len() == 32 && name.bytes().all(|b| b.is_ascii_hexdigit()),
                "a generated name: {url}"
            );
            format!("/media/[generated].{extension}")
        }),
    );
    let name = format!("api_snapshots__{name}");
    settings.bind(|| insta::assert_json_snapshot!(name, value));
}

async fn api_responses_match_their_snapshots(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let (_, editor) = staff(&app, "ed@example.org", Role::Editor).await;

    let upload = upload(
        &app,
        &editor,
        &[
            ("file", Some("hall.png"), PNG),
            ("alt", None, b"The village hall at dusk"),
            ("credit", None, b"Times photo"),
        ],
    )
    .await;
    assert_eq!(upload.status(), 201, "{}", upload.response.body);
    snapshot("media_upload", &upload.json);
    let image = upload.json["id"].clone();

    let created = call(
        &app,
        "POST",
        "/api/v1/articles",
        Some(&editor),
        Some(json!({
            "kind": "meeting_brief",
            "title": "Village board approves budget",
            "summary": "Trustees approved a 2% levy increase after a long hearing.",
            "body_md": "Trustees voted **5-2** on Tuesday.",
            "authors": [desk.reporter.0],
            "section": desk.news.0,
            "tags": ["Village Board", "taxes"],
            "image": image,
            "image_caption": "Trustees at Tuesday's meeting.",
            "meeting": {
                "body": "Test Town Village Board",
                "date": "2026-11-24",
                "decisions": [{"motion": "Adopt the 2027 budget", "vote": "5-2", "outcome": "passed"}]
            }
        })),
    )
    .await;
    assert_eq!(created.status(), 201, "{}", created.response.body);
    let id = created.json["id"].as_i64().unwrap();
    let path = format!("/api/v1/articles/{id}");
    let published = call(
        &app,
        "POST",
        &format!("{path}/publish"),
        Some(&editor),
        Some(json!({"version": 1})),
    )
    .await;
    assert_eq!(published.status(), 200, "{}", published.response.body);
    // What GET answers, less the fields only the server sets, is what PUT takes.
    let mut fields = published.json.clone();
    let stored = fields.as_object_mut().unwrap();
    for read_only in [
        "id",
        "status",
        "owner",
        "published_at",
        "modified_at",
        "public_url",
    ] {
        stored.remove(read_only).unwrap();
    }
    fields["notes"] =
        json!([{"kind": "correction", "text": "An earlier version misstated the vote."}]);
    let saved = call(&app, "PUT", &path, Some(&editor), Some(fields.clone())).await;
    assert_eq!(saved.status(), 200, "{}", saved.response.body);

    let article = call(&app, "GET", &path, Some(&editor), None).await;
    assert_eq!(article.status(), 200);
    snapshot("article", &article.json);

    // The same change from the version before the note: a conflict holding the stored one.
    let conflict = call(&app, "PUT", &path, Some(&editor), Some(fields)).await;
    conflict.error(409, "conflict");
    snapshot("conflict", &conflict.json);

    let unprocessable = call(
        &app,
        "POST",
        "/api/v1/articles",
        Some(&editor),
        Some(json!({"section": desk.news.0, "body_md": "No headline."})),
    )
    .await;
    unprocessable.error(422, "unprocessable");
    snapshot("unprocessable", &unprocessable.json);

    draft(
        &app,
        &editor,
        "Fire department seeks volunteers",
        desk.sports.0,
    )
    .await;
    let list = call(&app, "GET", "/api/v1/articles", Some(&editor), None).await;
    assert_eq!(list.status(), 200);
    assert_eq!(list.json["items"].as_array().unwrap().len(), 2);
    snapshot("article_list", &list.json);

    let sections = call(&app, "GET", "/api/v1/sections", Some(&editor), None).await;
    assert_eq!(sections.status(), 200);
    snapshot("sections", &sections.json);
    let authors = call(&app, "GET", "/api/v1/authors", Some(&editor), None).await;
    assert_eq!(authors.status(), 200);
    snapshot("authors", &authors.json);
}

async fn event_responses_match_their_snapshots(app: TestApp) {
    let (_, editor) = staff(&app, "ed@example.org", Role::Editor).await;
    let draft = |title: &str, rrule: &str| EventDraft {
        title: title.into(),
        start_date: "2026-12-12".into(),
        start_time: "19:00".into(),
        end_time: "21:30".into(),
        timezone: "America/Chicago".into(),
        location: "Grange Hall, 12 Mill Rd.".into(),
        description: "Live fiddle music.\n\nBeginners welcome.".into(),
        link: "https://grange.example.org/dance".into(),
        contact: "caller@example.org".into(),
        rrule: rrule.into(),
        ..Default::default()
    };
    let series = draft("Contra dance", "FREQ=WEEKLY;COUNT=3")
        .check(DateWindow::staff(t0()))
        .unwrap();
    app.store()
        .create_event(&series, EventStatus::Approved, &Actor::system("test"), t0())
        .await
        .unwrap();
    let held = draft("Cider pressing", "")
        .check(DateWindow::submission(t0()))
        .unwrap();
    app.store()
        .submit_event(&held, "snapshot nonce", t0())
        .await
        .unwrap()
        .unwrap();

    let event = call(&app, "GET", "/api/v1/events/contra-dance", None, None).await;
    assert_eq!(event.status(), 200, "{}", event.response.body);
    snapshot("event", &event.json);
    let list = call(&app, "GET", "/api/v1/events?per_page=2", None, None).await;
    assert_eq!(list.status(), 200);
    snapshot("event_list", &list.json);
    let queue = call(
        &app,
        "GET",
        "/api/v1/moderation/events",
        Some(&editor),
        None,
    )
    .await;
    assert_eq!(queue.status(), 200);
    snapshot("event_queue", &queue.json);
    let refused = call(
        &app,
        "POST",
        &format!(
            "/api/v1/moderation/events/{}/cancel",
            queue.json["items"][0]["event"]["id"]
        ),
        Some(&editor),
        None,
    )
    .await;
    refused.error(409, "conflict");
    snapshot("event_cancel_refused", &refused.json);
}
