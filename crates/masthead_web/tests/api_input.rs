//! The JSON API's handling of input through the real router, on both backends: malformed
//! and refused requests in the one error shape, sections and bylines, and media uploads.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use masthead_core::Role;
use masthead_testkit::{Desk, TestApp, app_tests};
use serde_json::json;

mod api_support;
use api_support::*;

app_tests!(
    bad_requests_get_json_errors_that_say_what_to_fix,
    sections_and_authors_are_listed_and_added_by_admins,
    media_uploads_are_checked_and_stored,
    errors_outside_the_handlers_are_json_too,
    schedule_takes_the_issue_time_with_its_minus_six_hour_offset,
    page_is_refused_only_above_its_documented_maximum,
    empty_query_parameters_are_refused_like_any_value_outside_the_schema,
    whole_numbers_written_with_a_fraction_are_integers,
    text_with_the_nul_character_is_a_422_not_a_server_error,
    a_version_with_no_successor_is_a_conflict_not_a_panic,
    the_canonical_link_choice_survives_saves_that_leave_it_out,
);

/// Errors that no API handler produces (an address outside /api/v1, an over-long address)
/// come in the same JSON shape.
async fn errors_outside_the_handlers_are_json_too(app: TestApp) {
    let outside = call(&app, "GET", "/api/v2/articles", None, None).await;
    outside.error(404, "not_found");
    let long = format!("/api/v1/articles?status={}", "a".repeat(3000));
    let too_long = call(&app, "GET", &long, None, None).await;
    too_long.error(414, "uri_too_long");
}

async fn bad_requests_get_json_errors_that_say_what_to_fix(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let (_, token) = staff(&app, "ed@example.org", Role::Editor).await;
    let post = |body: &'static str, ctype: &'static str| {
        let (app, token) = (&app, token.clone());
        async move { raw(app, "POST", "/api/v1/articles", &token, ctype, body).await }
    };

    let m = post("{\"title\": \"x\",", "application/json")
        .await
        .error(400, "bad_request");
    assert!(m.contains("not valid JSON"), "{m}");
    let m = post("{\"title\": \"x\"}", "text/plain")
        .await
        .error(415, "unsupported_media_type");
    assert!(m.contains("Content-Type: application/json"), "{m}");
    let m = post(
        "{\"section\": 1, \"body_md\": \"no title\"}",
        "application/json",
    )
    .await
    .error(422, "unprocessable");
    assert_eq!(m, "Headline: write a headline before saving.");
    let m = post("{\"title\": \"No section\"}", "application/json")
        .await
        .error(422, "unprocessable");
    assert!(m.contains("section"), "{m}");
    let m = post(
        "{\"title\": \"x\", \"section\": 1, \"headline\": \"x\"}",
        "application/json",
    )
    .await
    .error(422, "unprocessable");
    assert!(m.contains("headline"), "unknown fields are named: {m}");
    let m = post(
        "{\"title\": \"x\", \"section\": 1, \"kind\": \"blog\"}",
        "application/json",
    )
    .await
    .error(422, "unprocessable");
    assert!(m.contains("news"), "the allowed kinds are listed: {m}");
    let m = post(
        "{\"title\": \"x\", \"section\": 1, \"slug\": \"Not A Slug\"}",
        "application/json",
    )
    .await
    .error(422, "unprocessable");
    assert!(m.starts_with("Slug:"), "{m}");
    let m = post("{\"title\": \"x\", \"section\": 9999}", "application/json")
        .await
        .error(422, "unprocessable");
    assert!(m.contains("/api/v1/sections"), "{m}");
    let m = post(
        "{\"title\": \"x\", \"section\": 1, \"authors\": [9999]}",
        "application/json",
    )
    .await
    .error(422, "unprocessable");
    assert!(m.contains("/api/v1/authors"), "{m}");
    let m = post(
        "{\"title\": \"x\", \"section\": 1, \"image\": 9999}",
        "application/json",
    )
    .await
    .error(422, "unprocessable");
    assert!(m.starts_with("Image:"), "{m}");
    let m = post(
        "{\"title\": \"x\", \"section\": 1, \"kind\": \"video\", \"video_url\": \"javascript:alert(1)\"}",
        "application/json",
    )
    .await
    .error(422, "unprocessable");
    assert!(m.contains("https://"), "{m}");
    // A player address on a piece that is not a video post is refused, not dropped.
    let m = post(
        "{\"title\": \"x\", \"section\": 1, \"video_url\": \"https://youtu.be/dQw4w9WgXcQ\"}",
        "application/json",
    )
    .await
    .error(422, "unprocessable");
    assert!(m.starts_with("Video address: only a video post"), "{m}");
    // Malformed UTF-8 is a 400, never a 500.
    let request = Request::post("/api/v1/articles")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Body::from(
            b"{\"title\": \"\xff\xfe\", \"section\": 1}".to_vec(),
        ))
        .unwrap();
    send(&app, request).await.error(400, "bad_request");

    // Deep nesting is refused without descending: no field takes free-form JSON, so the
    // first bracket where a value was expected ends the parse (serde_json's recursion limit
    // of 128 is the backstop).
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let r = raw(
        &app,
        "POST",
        "/api/v1/articles",
        &token,
        "application/json",
        &deep,
    )
    .await;
    r.error(422, "unprocessable");
    let deep = format!(
        "{{\"title\": {}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let r = raw(
        &app,
        "POST",
        "/api/v1/articles",
        &token,
        "application/json",
        &deep,
    )
    .await;
    r.error(422, "unprocessable");
    // Bodies over 1 MiB are refused before they are read.
    let big = format!(
        "{{\"title\": \"Big\", \"section\": {}, \"body_md\": \"{}\"}}",
        desk.news.0,
        "a".repeat(1024 * 1024 + 1)
    );
    let request = Request::post("/api/v1/articles")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .header("content-length", big.len())
        .body(Body::from(big))
        .unwrap();
    let m = send(&app, request).await.error(413, "payload_too_large");
    assert!(m.contains("1 MiB"), "{m}");
    // Between the site's 64 KiB default and the API's 1 MiB is fine.
    let medium =
        json!({"title": "Long read", "section": desk.news.0, "body_md": "word ".repeat(30_000)});
    let r = call(&app, "POST", "/api/v1/articles", Some(&token), Some(medium)).await;
    assert_eq!(r.status(), 201, "{}", r.response.body);

    let m = call(&app, "GET", "/api/v1/articles/abc", Some(&token), None)
        .await
        .error(400, "bad_request");
    assert!(m.contains("whole numbers"), "{m}");
    call(&app, "GET", "/api/v1/articles/999999", Some(&token), None)
        .await
        .error(404, "not_found");
    let m = call(
        &app,
        "GET",
        "/api/v1/articles?status=live",
        Some(&token),
        None,
    )
    .await
    .error(400, "bad_request");
    assert!(m.contains("published"), "{m}");
    call(&app, "GET", "/api/v1/articles?page=0", Some(&token), None)
        .await
        .error(400, "bad_request");
    let m = call(&app, "GET", "/api/v1/nothing-here", Some(&token), None)
        .await
        .error(404, "not_found");
    assert!(m.contains("openapi.json"), "{m}");
    let r = call(&app, "DELETE", "/api/v1/articles", Some(&token), None).await;
    r.error(405, "method_not_allowed");
    assert!(r.response.header("allow").contains("POST"));
}

async fn sections_and_authors_are_listed_and_added_by_admins(app: TestApp) {
    Desk::create(app.store()).await;
    let (_, editor) = staff(&app, "ed@example.org", Role::Editor).await;
    let (_, admin) = staff(&app, "root@example.org", Role::Admin).await;

    let r = call(&app, "GET", "/api/v1/sections", Some(&editor), None).await;
    assert_eq!(r.status(), 200);
    let slugs: Vec<&str> = r
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["news", "sports"]);

    let schools = json!({"name": "Schools", "description": "Boards and classrooms."});
    let m = call(
        &app,
        "POST",
        "/api/v1/sections",
        Some(&editor),
        Some(schools.clone()),
    )
    .await
    .error(403, "forbidden");
    assert!(m.contains("editor"), "{m}");
    let r = call(
        &app,
        "POST",
        "/api/v1/sections",
        Some(&admin),
        Some(schools.clone()),
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.response.body);
    assert_eq!(r.json["slug"], "schools");
    call(
        &app,
        "POST",
        "/api/v1/sections",
        Some(&admin),
        Some(schools),
    )
    .await
    .error(409, "conflict");
    call(
        &app,
        "POST",
        "/api/v1/sections",
        Some(&admin),
        Some(json!({"name": "  "})),
    )
    .await
    .error(422, "unprocessable");
    app.refresh().await;
    assert_eq!(app.get("/section/schools").await.status, StatusCode::OK);

    let r = call(&app, "GET", "/api/v1/authors", Some(&editor), None).await;
    assert_eq!(r.status(), 200);
    let names: Vec<&str> = r
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Ana Reyes", "Bo Lindqvist"]);
    let dee = json!({"name": "Dee Okafor", "bio": "Covers schools."});
    call(
        &app,
        "POST",
        "/api/v1/authors",
        Some(&editor),
        Some(dee.clone()),
    )
    .await
    .error(403, "forbidden");
    let r = call(
        &app,
        "POST",
        "/api/v1/authors",
        Some(&admin),
        Some(dee.clone()),
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.response.body);
    assert_eq!(r.json["slug"], "dee-okafor");
    call(&app, "POST", "/api/v1/authors", Some(&admin), Some(dee))
        .await
        .error(409, "conflict");
}

async fn media_uploads_are_checked_and_stored(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let (_, token) = staff(&app, "cora@example.org", Role::Contributor).await;

    let r = upload(
        &app,
        &token,
        &[
            ("file", Some("../../red.png"), PNG),
            ("alt", None, b"A red square"),
            ("credit", None, b"Cora"),
        ],
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.response.body);
    let content_type = r.json["content_type"].as_str().unwrap().to_owned();
    assert!(content_type.starts_with("image/"), "{content_type}");
    assert_eq!(r.json["width"], 2);
    assert_eq!(r.json["alt"], "A red square");
    let url = r.json["url"].as_str().unwrap().to_owned();
    assert!(!url.contains("red"), "storage names are generated: {url}");
    let image = app.get(&url).await;
    assert_eq!(image.status, StatusCode::OK);
    assert_eq!(image.header("content-type"), content_type);

    // The image can lead a story.
    let id = r.json["id"].as_i64().unwrap();
    let created = call(
        &app,
        "POST",
        "/api/v1/articles",
        Some(&token),
        Some(json!({"title": "Red square", "section": desk.news.0, "image": id})),
    )
    .await;
    assert_eq!(created.status(), 201, "{}", created.response.body);
    assert_eq!(created.json["image"], id);

    let m = upload(&app, &token, &[("file", Some("notes.txt"), b"just text")])
        .await
        .error(422, "unprocessable");
    assert!(m.starts_with("File:"), "{m}");
    let m = upload(&app, &token, &[("alt", None, b"no file")])
        .await
        .error(400, "bad_request");
    assert!(m.contains("`file`"), "{m}");
    let m = call(
        &app,
        "POST",
        "/api/v1/media",
        Some(&token),
        Some(json!({"file": "x"})),
    )
    .await
    .error(415, "unsupported_media_type");
    assert!(m.contains("multipart/form-data"), "{m}");
}

// Regression tests for what Schemathesis found (crates/masthead/tests/api_contract.rs), one
// per bug, named after it.

/// `POST /articles/{id}/schedule` with the time from the report, an RFC 3339 time with a
/// -06:00 offset, is taken (the test clock is before it) and answered in UTC; the same
/// offset on a time already past is the documented 422.
async fn schedule_takes_the_issue_time_with_its_minus_six_hour_offset(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let (_, editor) = staff(&app, "ed@example.org", Role::Editor).await;
    let id = draft(&app, &editor, "Budget hearing preview", desk.news.0).await;
    let path = format!("/api/v1/articles/{id}/schedule");
    let past = call(
        &app,
        "POST",
        &path,
        Some(&editor),
        Some(json!({"version": 1, "publish_at": "2026-11-27T11:59:00-06:00"})),
    )
    .await;
    assert!(past.error(422, "unprocessable").contains("future"));
    let r = call(
        &app,
        "POST",
        &path,
        Some(&editor),
        Some(json!({"version": 1, "publish_at": "2026-12-01T06:00:00-06:00"})),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.response.body);
    assert_eq!(r.json["status"], "scheduled");
    assert_eq!(r.json["published_at"], "2026-12-01T12:00:00Z");
}

/// `page` is documented with the maximum the handler enforces: the last documented page is
/// served, the next is a 400 pointing to `before`.
async fn page_is_refused_only_above_its_documented_maximum(app: TestApp) {
    let (_, editor) = staff(&app, "ed@example.org", Role::Editor).await;
    let doc = call(&app, "GET", "/api/v1/openapi.json", None, None)
        .await
        .json;
    let params = doc["paths"]["/api/v1/articles"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let page = params.iter().find(|p| p["name"] == "page").unwrap();
    let max = page["schema"]["maximum"]
        .as_u64()
        .expect("page documents a maximum");
    assert_eq!(page["schema"]["minimum"], 1);

    let last = call(
        &app,
        "GET",
        &format!("/api/v1/articles?page={max}"),
        Some(&editor),
        None,
    )
    .await;
    assert_eq!(last.status(), 200, "{}", last.response.body);
    let m = call(
        &app,
        "GET",
        &format!("/api/v1/articles?page={}", max + 1),
        Some(&editor),
        None,
    )
    .await
    .error(400, "bad_request");
    assert!(
        m.contains(&format!("1 to {max}")) && m.contains("`before`"),
        "{m}"
    );
}

/// `?status=` (empty) is not one of the documented statuses, so it is refused, as are an
/// empty `page` and `before`: a client that means "every status" or "the first page"
/// leaves the parameter out. `page` with `before` is refused as documented.
async fn empty_query_parameters_are_refused_like_any_value_outside_the_schema(app: TestApp) {
    let (_, editor) = staff(&app, "ed@example.org", Role::Editor).await;
    let list = |query: &'static str| {
        let (app, editor) = (&app, editor.clone());
        async move {
            call(
                app,
                "GET",
                &format!("/api/v1/articles?{query}"),
                Some(&editor),
                None,
            )
            .await
        }
    };
    let m = list("status=").await.error(400, "bad_request");
    assert!(
        m.contains("status") && m.contains("published") && m.contains("leave `status` out"),
        "{m}"
    );
    let m = list("page=").await.error(400, "bad_request");
    assert!(m.starts_with("Page:"), "{m}");
    let m = list("before=").await.error(400, "bad_request");
    assert!(m.contains("position"), "{m}");
    let m = list("page=1&before=1764511500000000.42")
        .await
        .error(400, "bad_request");
    assert!(m.contains("not both"), "{m}");
    for fine in ["", "status=draft", "page=1", "before=1764511500000000.42"] {
        let r = list(fine).await;
        assert_eq!(r.status(), 200, "{fine}: {}", r.response.body);
    }
}

/// The document's integers are JSON Schema integers, which include `1.0`: a version,
/// section or author id written with a zero fraction is taken as the integer; a real
/// fraction is still refused.
async fn whole_numbers_written_with_a_fraction_are_integers(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let (_, editor) = staff(&app, "ed@example.org", Role::Editor).await;
    let created = raw(
        &app,
        "POST",
        "/api/v1/articles",
        &editor,
        "application/json",
        &format!(
            "{{\"title\": \"Floats\", \"section\": {}.0, \"authors\": [{}.0]}}",
            desk.news.0, desk.reporter.0
        ),
    )
    .await;
    assert_eq!(created.status(), 201, "{}", created.response.body);
    assert_eq!(created.json["section"], desk.news.0);
    assert_eq!(created.json["authors"], json!([desk.reporter.0]));
    let id = created.json["id"].as_i64().unwrap();
    let submit = format!("/api/v1/articles/{id}/submit");
    let m = raw(
        &app,
        "POST",
        &submit,
        &editor,
        "application/json",
        "{\"version\": 1.5}",
    )
    .await
    .error(422, "unprocessable");
    assert!(m.contains("version"), "{m}");
    let r = raw(
        &app,
        "POST",
        &submit,
        &editor,
        "application/json",
        "{\"version\": 1.0}",
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.response.body);
    assert_eq!(r.json["status"], "review");
    assert_eq!(r.json["version"], 2);
}

/// PostgreSQL cannot store NUL in text: it was a 500 there (and stored on SQLite). Now it
/// is a 422 naming the field on both, for JSON bodies and for an upload's alt text, and
/// nothing is stored.
async fn text_with_the_nul_character_is_a_422_not_a_server_error(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let (_, admin) = staff(&app, "root@example.org", Role::Admin).await;
    let m = call(
        &app,
        "POST",
        "/api/v1/articles",
        Some(&admin),
        Some(json!({"title": "Null\u{0}byte", "section": desk.news.0})),
    )
    .await
    .error(422, "unprocessable");
    assert!(m.starts_with("title:") && m.contains("NUL"), "{m}");
    let m = call(
        &app,
        "POST",
        "/api/v1/articles",
        Some(&admin),
        Some(json!({"title": "Fine", "section": desk.news.0, "items": [{"headline": "a\u{0}"}]})),
    )
    .await
    .error(422, "unprocessable");
    assert!(m.starts_with("items[0].headline:"), "{m}");
    let m = call(
        &app,
        "POST",
        "/api/v1/sections",
        Some(&admin),
        Some(json!({"name": "Sch\u{0}ools"})),
    )
    .await
    .error(422, "unprocessable");
    assert!(m.starts_with("name:"), "{m}");
    let list = call(&app, "GET", "/api/v1/articles", Some(&admin), None).await;
    assert_eq!(list.json["items"], json!([]), "nothing was stored");
    let m = upload(
        &app,
        &admin,
        &[
            ("file", Some("red.png"), PNG),
            ("alt", None, b"red\0square"),
        ],
    )
    .await
    .error(422, "unprocessable");
    assert!(m.starts_with("Alt text:") && m.contains("NUL"), "{m}");
}

/// A save naming the largest version (`2^63-1`) has no next version: it was an overflow
/// that killed the request without an answer (debug builds) and is now a 409 holding the
/// stored article, like any other stale version.
async fn a_version_with_no_successor_is_a_conflict_not_a_panic(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let (_, editor) = staff(&app, "ed@example.org", Role::Editor).await;
    let id = draft(&app, &editor, "Overflow", desk.news.0).await;
    let put = call(
        &app,
        "PUT",
        &format!("/api/v1/articles/{id}"),
        Some(&editor),
        Some(json!({"version": i64::MAX, "title": "Overflow", "section": desk.news.0})),
    )
    .await;
    put.error(409, "conflict");
    assert_eq!(put.json["error"]["current"]["version"], 1);
    call(
        &app,
        "POST",
        &format!("/api/v1/articles/{id}/publish"),
        Some(&editor),
        Some(json!({"version": i64::MAX})),
    )
    .await
    .error(409, "conflict");
    let r = call(
        &app,
        "GET",
        &format!("/api/v1/articles/{id}"),
        Some(&editor),
        None,
    )
    .await;
    assert_eq!(
        (r.json["version"].as_i64(), r.json["status"].as_str()),
        (Some(1), Some("draft"))
    );
}

/// Wire copy whose terms ask for a canonical link to the original keeps it: a `PUT` that
/// leaves `source_canonical` out (an older client) keeps the stored choice, and one that
/// sends `false` clears it.
async fn the_canonical_link_choice_survives_saves_that_leave_it_out(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let (_, editor) = staff(&app, "ed@example.org", Role::Editor).await;
    let body = |version: &str, canonical: &str| {
        format!(
            "{{{version}\"title\": \"Wire story\", \"section\": {}, \"byline\": \"Jo Writer\", \
             \"source_name\": \"Prairie Wire\", \"source_url\": \"https://wire.example.org/a\"{canonical}}}",
            desk.news.0
        )
    };
    let created = raw(
        &app,
        "POST",
        "/api/v1/articles",
        &editor,
        "application/json",
        &body("", ", \"source_canonical\": true"),
    )
    .await;
    assert_eq!(created.status(), 201, "{}", created.response.body);
    assert_eq!(created.json["source_canonical"], true);
    let id = created.json["id"].as_i64().unwrap();
    let path = format!("/api/v1/articles/{id}");
    let kept = raw(
        &app,
        "PUT",
        &path,
        &editor,
        "application/json",
        &body("\"version\": 1, ", ""),
    )
    .await;
    assert_eq!(kept.status(), 200, "{}", kept.response.body);
    assert_eq!(kept.json["source_canonical"], true, "left out: kept");
    let cleared = raw(
        &app,
        "PUT",
        &path,
        &editor,
        "application/json",
        &body("\"version\": 2, ", ", \"source_canonical\": false"),
    )
    .await;
    assert_eq!(cleared.status(), 200, "{}", cleared.response.body);
    assert_eq!(
        cleared.json["source_canonical"], false,
        "sent false: cleared"
    );
}
