//! The meeting desk in the JSON API through the real router, on SQLite and PostgreSQL: a
//! body and a meeting added, minutes uploaded and read back with their extraction, a brief
//! drafted, refused publication until an editor's token signs it off; contributors refused;
//! bad input a 4xx naming the fix.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::Request;
use masthead_core::Role;
use masthead_testkit::meetings::MINUTES;
use masthead_testkit::{Desk, TestApp, app_tests};
use serde_json::json;

mod api_support;
use api_support::*;

app_tests!(minutes_go_from_upload_to_a_signed_off_brief_through_the_api);

async fn upload_document(
    app: &TestApp,
    token: &str,
    meeting: i64,
    name: &str,
    bytes: &[u8],
) -> Api {
    let (ctype, body) = multipart(&[("file", Some(name), bytes), ("kind", None, b"minutes")]);
    let request = Request::post(format!("/api/v1/meetings/{meeting}/documents"))
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", ctype)
        .body(Body::from(body))
        .unwrap();
    send(app, request).await
}

async fn minutes_go_from_upload_to_a_signed_off_brief_through_the_api(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let (_, author) = staff(&app, "au@example.org", Role::Author).await;
    let (_, editor) = staff(&app, "ed@example.org", Role::Editor).await;
    let (_, contributor) = staff(&app, "co@example.org", Role::Contributor).await;

    let body = json!({
        "name": "Cedar Hollow Village Board",
        "kind": "village board",
        "place": "Village Hall",
        "members": [{"name": "Dana Ortiz", "title": "President", "term_end": "2029-04-30"}],
    });
    let r = call(
        &app,
        "POST",
        "/api/v1/bodies",
        Some(&contributor),
        Some(body.clone()),
    )
    .await;
    r.error(403, "forbidden");
    let r = call(&app, "POST", "/api/v1/bodies", Some(&author), Some(body)).await;
    assert_eq!(r.status(), 201, "{}", r.response.body);
    assert_eq!(r.json["slug"], "cedar-hollow-village-board");
    assert_eq!(r.json["members"][0]["term_end"], "2029-04-30");
    let body_id = r.json["id"].as_i64().unwrap();
    let blank = json!({"name": "   ", "kind": "school board"});
    let message = call(&app, "POST", "/api/v1/bodies", Some(&author), Some(blank))
        .await
        .error(422, "unprocessable");
    assert!(message.contains("Name"), "{message}");

    let meeting = json!({"body": body_id, "date": "2026-11-04", "status": "held"});
    let r = call(
        &app,
        "POST",
        "/api/v1/meetings",
        Some(&author),
        Some(meeting),
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.response.body);
    let meeting_id = r.json["id"].as_i64().unwrap();
    assert_eq!(r.json["place"], "Village Hall");
    let nobody = json!({"body": 999_999, "date": "2026-11-04", "status": "held"});
    let message = call(
        &app,
        "POST",
        "/api/v1/meetings",
        Some(&author),
        Some(nobody),
    )
    .await
    .error(422, "unprocessable");
    assert!(message.contains("not a public body"), "{message}");

    let r = upload_document(&app, &author, meeting_id, "minutes.txt", MINUTES.as_bytes()).await;
    assert_eq!(r.status(), 201, "{}", r.response.body);
    let doc = r.json["id"].as_i64().unwrap();
    assert_eq!(
        r.json["url"],
        format!("/bodies/cedar-hollow-village-board/documents/{doc}")
    );
    let message = upload_document(&app, &author, meeting_id, "scan.pdf", b"not a pdf")
        .await
        .error(422, "unprocessable");
    assert!(
        message.contains("is named as a PDF but is not one"),
        "{message}"
    );

    let r = call(
        &app,
        "GET",
        &format!("/api/v1/documents/{doc}"),
        Some(&contributor),
        None,
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.response.body);
    let motion = &r.json["extraction"]["motions"][0];
    assert_eq!(motion["tally"]["value"]["ayes"], 3);
    let span = &motion["span"];
    let text = r.json["text"].as_str().unwrap();
    let quoted =
        &text[span["start"].as_u64().unwrap() as usize..span["end"].as_u64().unwrap() as usize];
    assert!(quoted.starts_with("Motion by Trustee Ruiz"), "{quoted}");

    let brief = json!({"document": doc, "section": desk.news.0});
    let r = call(
        &app,
        "POST",
        &format!("/api/v1/meetings/{meeting_id}/briefs"),
        Some(&author),
        Some(brief),
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.response.body);
    let article = r.json["article"].as_i64().unwrap();
    assert!(r.json["signed_off_at"].is_null());

    let message = call(
        &app,
        "POST",
        &format!("/api/v1/articles/{article}/publish"),
        Some(&editor),
        Some(json!({"version": 1})),
    )
    .await
    .error(409, "conflict");
    assert!(message.contains("no editor has signed off"), "{message}");
    call(
        &app,
        "POST",
        &format!("/api/v1/articles/{article}/sign-off"),
        Some(&author),
        None,
    )
    .await
    .error(403, "forbidden");
    let r = call(
        &app,
        "POST",
        &format!("/api/v1/articles/{article}/sign-off"),
        Some(&editor),
        None,
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.response.body);
    assert!(r.json["signed_off_at"].is_string());
    let r = call(
        &app,
        "POST",
        &format!("/api/v1/articles/{article}/publish"),
        Some(&editor),
        Some(json!({"version": 1})),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.response.body);

    let r = call(
        &app,
        "GET",
        &format!("/api/v1/meetings/{meeting_id}"),
        Some(&contributor),
        None,
    )
    .await;
    assert_eq!(r.json["briefs"][0]["article"], article);
    assert_eq!(r.json["documents"][0]["kind"], "minutes");
    let r = call(
        &app,
        "GET",
        &format!("/api/v1/meetings?body={body_id}"),
        Some(&contributor),
        None,
    )
    .await;
    assert_eq!(r.json.as_array().unwrap().len(), 1);
}
