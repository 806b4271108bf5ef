//! The JSON API at /api/v1 through the real router, on SQLite and on PostgreSQL: tokens,
//! the desk's rules (roles, ownership, versions), the one error shape, and the OpenAPI
//! document.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::Duration;
use masthead_core::Role;
use masthead_store::Actor;
use masthead_testkit::{Desk, TestApp, TestDb, app_tests, t0};
use serde_json::{Value, json};

mod api_support;
use api_support::*;

app_tests!(
    tokens_are_required_and_checked,
    a_contributor_drafts_but_cannot_publish,
    an_editor_publishes_and_the_story_goes_public,
    a_scheduled_story_appears_at_its_time,
    a_stale_version_conflicts_and_returns_the_current_article,
    a_token_is_never_wider_than_its_scope_or_its_owner,
    contributors_list_only_their_own_articles,
);

async fn tokens_are_required_and_checked(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let (user, token) = staff(&app, "ed@example.org", Role::Editor).await;
    let id = draft(&app, &token, "Secret draft", desk.news.0).await;

    let one = format!("/api/v1/articles/{id}");
    for path in ["/api/v1/articles", one.as_str(), "/api/v1/sections"] {
        let r = call(&app, "GET", path, None, None).await;
        let message = r.error(401, "unauthorized");
        assert!(message.contains("Authorization: Bearer"), "{message}");
        assert!(r.response.header("www-authenticate").starts_with("Bearer"));
        assert!(!r.response.body.contains("Secret draft"));
    }
    let r = call(
        &app,
        "GET",
        "/api/v1/articles",
        Some("mh_not-a-real-token"),
        None,
    )
    .await;
    r.error(401, "unauthorized");
    assert!(r.response.header("www-authenticate").starts_with("Bearer"));
    // The token must come as a bearer token, not another scheme.
    let request = Request::get("/api/v1/articles")
        .header("authorization", format!("Basic {token}"))
        .body(Body::empty())
        .unwrap();
    send(&app, request).await.error(401, "unauthorized");
    // A token in the query string or a cookie is not looked at.
    let request = Request::get(format!("/api/v1/articles?token={token}"))
        .header("cookie", format!("token={token}"))
        .body(Body::empty())
        .unwrap();
    send(&app, request).await.error(401, "unauthorized");

    assert_eq!(
        call(&app, "GET", "/api/v1/articles", Some(&token), None)
            .await
            .status(),
        200
    );

    // Disabling the owner stops the token at once.
    app.store()
        .set_user_disabled(user, true, &Actor::system("test"), t0())
        .await
        .unwrap();
    call(&app, "GET", "/api/v1/articles", Some(&token), None)
        .await
        .error(401, "unauthorized");

    // The document needs no token.
    let doc = call(&app, "GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(doc.status(), 200);
    assert_eq!(doc.json["openapi"], "3.1.0");
}

async fn a_contributor_drafts_but_cannot_publish(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let (_, token) = staff(&app, "cora@example.org", Role::Contributor).await;

    let created = call(
        &app,
        "POST",
        "/api/v1/articles",
        Some(&token),
        Some(json!({
            "title": "  Library extends hours  ",
            "section": desk.news.0,
            "summary": "Open till nine.",
            "body_md": "The library will stay open **later**.",
            "tags": ["library"],
        })),
    )
    .await;
    assert_eq!(created.status(), 201, "{}", created.response.body);
    let id = created.json["id"].as_i64().unwrap();
    assert_eq!(
        created.response.header("location"),
        format!("/api/v1/articles/{id}")
    );
    assert_eq!(created.json["status"], "draft");
    assert_eq!(created.json["version"], 1);
    assert_eq!(created.json["title"], "Library extends hours");
    assert_eq!(created.json["slug"], "library-extends-hours");
    assert_eq!(created.json["public_url"], Value::Null);

    let got = call(
        &app,
        "GET",
        &format!("/api/v1/articles/{id}"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(got.status(), 200);
    assert_eq!(got.json["version"], 1);
    assert_eq!(got.json["tags"], json!(["library"]));

    let updated = call(
        &app,
        "PUT",
        &format!("/api/v1/articles/{id}"),
        Some(&token),
        Some(json!({
            "version": 1,
            "title": "Library extends hours through winter",
            "section": desk.news.0,
            "body_md": "Open till nine, all winter.",
        })),
    )
    .await;
    assert_eq!(updated.status(), 200, "{}", updated.response.body);
    assert_eq!(updated.json["version"], 2);
    assert_eq!(
        updated.json["title"],
        "Library extends hours through winter"
    );
    assert_eq!(
        updated.json["slug"], "library-extends-hours",
        "a replace without a slug keeps the address"
    );

    let refused = call(
        &app,
        "POST",
        &format!("/api/v1/articles/{id}/publish"),
        Some(&token),
        Some(json!({"version": 2})),
    )
    .await;
    let message = refused.error(403, "forbidden");
    assert!(message.contains("Contributors cannot publish"), "{message}");
    let schedule = call(
        &app,
        "POST",
        &format!("/api/v1/articles/{id}/schedule"),
        Some(&token),
        Some(json!({"version": 2, "publish_at": (t0() + Duration::hours(1)).to_rfc3339()})),
    )
    .await;
    schedule.error(403, "forbidden");

    let after = call(
        &app,
        "GET",
        &format!("/api/v1/articles/{id}"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(after.json["status"], "draft", "nothing changed");
    assert_eq!(after.json["version"], 2, "nothing changed");
    app.refresh().await;
    assert_eq!(
        app.get("/stories/library-extends-hours").await.status,
        StatusCode::NOT_FOUND
    );

    // What a contributor can do instead: submit it for review.
    let submitted = call(
        &app,
        "POST",
        &format!("/api/v1/articles/{id}/submit"),
        Some(&token),
        Some(json!({"version": 2})),
    )
    .await;
    assert_eq!(submitted.status(), 200, "{}", submitted.response.body);
    assert_eq!(submitted.json["status"], "review");
    assert_eq!(submitted.json["version"], 3);
}

async fn an_editor_publishes_and_the_story_goes_public(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let (_, writer) = staff(&app, "cora@example.org", Role::Contributor).await;
    let (_, editor) = staff(&app, "ed@example.org", Role::Editor).await;
    let id = draft(&app, &writer, "Council fills vacancy", desk.news.0).await;

    let published = call(
        &app,
        "POST",
        &format!("/api/v1/articles/{id}/publish"),
        Some(&editor),
        Some(json!({"version": 1})),
    )
    .await;
    assert_eq!(published.status(), 200, "{}", published.response.body);
    assert_eq!(published.json["status"], "published");
    assert_eq!(published.json["version"], 2);
    assert_eq!(published.json["published_at"], json!(t0()));
    assert_eq!(
        published.json["public_url"],
        "https://news.example.org/stories/council-fills-vacancy"
    );

    app.refresh().await;
    let page = app.get("/stories/council-fills-vacancy").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Council fills vacancy"));
    assert!(page.body.contains("Some <em>words</em>."));

    // The writer can no longer change it; an editor can take it down.
    let put = call(
        &app,
        "PUT",
        &format!("/api/v1/articles/{id}"),
        Some(&writer),
        Some(json!({"version": 2, "title": "Changed", "section": desk.news.0})),
    )
    .await;
    put.error(403, "forbidden");
    let down = call(
        &app,
        "POST",
        &format!("/api/v1/articles/{id}/unpublish"),
        Some(&editor),
        Some(json!({"version": 2})),
    )
    .await;
    assert_eq!(down.status(), 200, "{}", down.response.body);
    assert_eq!(down.json["status"], "unpublished");
    app.refresh().await;
    assert_eq!(
        app.get("/stories/council-fills-vacancy").await.status,
        StatusCode::NOT_FOUND
    );
}

async fn a_scheduled_story_appears_at_its_time(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let (_, editor) = staff(&app, "ed@example.org", Role::Editor).await;
    let id = draft(&app, &editor, "Embargoed report", desk.news.0).await;
    let path = format!("/api/v1/articles/{id}/schedule");

    let past = call(
        &app,
        "POST",
        &path,
        Some(&editor),
        Some(json!({"version": 1, "publish_at": (t0() - Duration::minutes(1)).to_rfc3339()})),
    )
    .await;
    assert!(past.error(422, "unprocessable").contains("future"));

    // Any offset is accepted and stored in UTC.
    let scheduled = call(
        &app,
        "POST",
        &path,
        Some(&editor),
        Some(json!({"version": 1, "publish_at": "2026-11-27T12:10:00-06:00"})),
    )
    .await;
    assert_eq!(scheduled.status(), 200, "{}", scheduled.response.body);
    assert_eq!(scheduled.json["status"], "scheduled");
    assert_eq!(
        scheduled.json["published_at"],
        json!(t0() + Duration::minutes(10))
    );

    app.refresh().await;
    assert_eq!(
        app.get("/stories/embargoed-report").await.status,
        StatusCode::NOT_FOUND
    );
    assert!(!app.get("/").await.body.contains("Embargoed report"));

    app.clock.advance(Duration::minutes(10));
    assert_eq!(
        app.get("/stories/embargoed-report").await.status,
        StatusCode::OK
    );
    assert!(app.get("/").await.body.contains("Embargoed report"));
}

async fn a_stale_version_conflicts_and_returns_the_current_article(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let (_, editor) = staff(&app, "ed@example.org", Role::Editor).await;
    let (_, other) = staff(&app, "bo@example.org", Role::Editor).await;
    let id = draft(&app, &editor, "Water main breaks", desk.news.0).await;
    let path = format!("/api/v1/articles/{id}");

    let first = call(
        &app,
        "PUT",
        &path,
        Some(&other),
        Some(json!({"version": 1, "title": "Water main breaks on Elm", "section": desk.news.0})),
    )
    .await;
    assert_eq!(first.status(), 200, "{}", first.response.body);

    let stale = call(
        &app,
        "PUT",
        &path,
        Some(&editor),
        Some(json!({"version": 1, "title": "Water main breaks downtown", "section": desk.news.0})),
    )
    .await;
    let message = stale.error(409, "conflict");
    assert!(message.contains("version 1"), "{message}");
    let current = &stale.json["error"]["current"];
    assert_eq!(current["version"], 2);
    assert_eq!(current["title"], "Water main breaks on Elm");
    assert_eq!(current["id"], id);

    let publish = call(
        &app,
        "POST",
        &format!("{path}/publish"),
        Some(&editor),
        Some(json!({"version": 1})),
    )
    .await;
    publish.error(409, "conflict");
    assert_eq!(publish.json["error"]["current"]["status"], "draft");

    let kept = call(&app, "GET", &path, Some(&editor), None).await;
    assert_eq!(kept.json["title"], "Water main breaks on Elm");
    assert_eq!(kept.json["status"], "draft");

    // A replace must say which version it started from.
    let unversioned = call(
        &app,
        "PUT",
        &path,
        Some(&editor),
        Some(json!({"title": "No version", "section": desk.news.0})),
    )
    .await;
    assert!(unversioned.error(422, "unprocessable").contains("version"));
}

async fn a_token_is_never_wider_than_its_scope_or_its_owner(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    // An editor's token scoped to contributor acts as a contributor.
    let editor = app.create_staff("ed@example.org", Role::Editor).await;
    let narrow = token_for(&app, editor, Role::Contributor).await;
    let id = draft(&app, &narrow, "Scoped draft", desk.news.0).await;
    let r = call(
        &app,
        "POST",
        &format!("/api/v1/articles/{id}/publish"),
        Some(&narrow),
        Some(json!({"version": 1})),
    )
    .await;
    r.error(403, "forbidden");
    // The same editor's full token may.
    let full = token_for(&app, editor, Role::Editor).await;
    let r = call(
        &app,
        "POST",
        &format!("/api/v1/articles/{id}/publish"),
        Some(&full),
        Some(json!({"version": 1})),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.response.body);

    // A token scoped wider than its owner acts with the owner's role.
    let writer = app
        .create_staff("cora@example.org", Role::Contributor)
        .await;
    let wide = token_for(&app, writer, Role::Admin).await;
    let r = call(
        &app,
        "POST",
        "/api/v1/sections",
        Some(&wide),
        Some(json!({"name": "Schools"})),
    )
    .await;
    r.error(403, "forbidden");
    let own = draft(&app, &wide, "Wide draft", desk.news.0).await;
    call(
        &app,
        "POST",
        &format!("/api/v1/articles/{own}/publish"),
        Some(&wide),
        Some(json!({"version": 1})),
    )
    .await
    .error(403, "forbidden");
}

async fn contributors_list_only_their_own_articles(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let (_, ann) = staff(&app, "ann@example.org", Role::Contributor).await;
    let (_, ben) = staff(&app, "ben@example.org", Role::Author).await;
    let (_, editor) = staff(&app, "ed@example.org", Role::Editor).await;
    let anns = draft(&app, &ann, "Ann's story", desk.news.0).await;
    let bens = draft(&app, &ben, "Ben's story", desk.news.0).await;

    let titles = |r: &Api| -> Vec<String> {
        r.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["title"].as_str().unwrap().to_owned())
            .collect()
    };
    let r = call(&app, "GET", "/api/v1/articles", Some(&ann), None).await;
    assert_eq!(titles(&r), ["Ann's story"]);
    assert_eq!(r.json["page"], 1);
    assert_eq!(r.json["has_more"], false);
    let r = call(&app, "GET", "/api/v1/articles", Some(&ben), None).await;
    assert_eq!(titles(&r), ["Ben's story"]);
    let r = call(&app, "GET", "/api/v1/articles", Some(&editor), None).await;
    assert_eq!(titles(&r).len(), 2);

    // Someone else's article is not found, not forbidden: ids reveal nothing.
    call(
        &app,
        "GET",
        &format!("/api/v1/articles/{bens}"),
        Some(&ann),
        None,
    )
    .await
    .error(404, "not_found");
    call(
        &app,
        "PUT",
        &format!("/api/v1/articles/{anns}"),
        Some(&ben),
        Some(json!({"version": 1, "title": "Taken over", "section": desk.news.0})),
    )
    .await
    .error(404, "not_found");

    // The status filter, and pages past the end are empty.
    call(
        &app,
        "POST",
        &format!("/api/v1/articles/{bens}/publish"),
        Some(&ben),
        Some(json!({"version": 1})),
    )
    .await;
    let r = call(
        &app,
        "GET",
        "/api/v1/articles?status=published",
        Some(&editor),
        None,
    )
    .await;
    assert_eq!(titles(&r), ["Ben's story"]);
    let r = call(
        &app,
        "GET",
        "/api/v1/articles?status=draft",
        Some(&editor),
        None,
    )
    .await;
    assert_eq!(titles(&r), ["Ann's story"]);
    let r = call(&app, "GET", "/api/v1/articles?page=2", Some(&editor), None).await;
    assert!(titles(&r).is_empty());
}

/// The OpenAPI document, as served. It does not touch the database, so one backend is enough.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_document_snapshot() {
    let app = TestApp::new(TestDb::sqlite().await).await;
    let doc = call(&app, "GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(doc.status(), 200);
    assert_eq!(doc.response.header("content-type"), "application/json");
    insta::assert_snapshot!("openapi", doc.response.body);
}

/// Every documented operation is routed, and every method the router takes at a documented
/// path is documented. (The router is built from the documented handlers, so no route can
/// be missing from the document; this checks the two from the outside.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_is_in_the_openapi_document() {
    let app = TestApp::new(TestDb::sqlite().await).await;
    let doc = call(&app, "GET", "/api/v1/openapi.json", None, None)
        .await
        .json;
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 10, "{paths:?}");
    let mut operations = 0;
    for (path, item) in paths {
        assert!(path.starts_with("/api/v1/"), "{path}");
        let uri = path.replace("{id}", "1").replace("{slug}", "no-such-event");
        let mut documented: Vec<String> = item
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| ["get", "put", "post", "delete", "patch"].contains(&k.as_str()))
            .map(|k| k.to_uppercase())
            .collect();
        documented.sort();
        // A method no route takes: the 405 lists the methods the router has here.
        let r = call(&app, "PATCH", &uri, None, None).await;
        r.error(405, "method_not_allowed");
        let mut allowed: Vec<String> = r
            .response
            .header("allow")
            .split(',')
            .map(|m| m.trim().to_owned())
            .filter(|m| !m.is_empty() && m != "HEAD")
            .collect();
        allowed.sort();
        assert_eq!(allowed, documented, "{path}");
        for method in &documented {
            operations += 1;
            let op = &item[method.to_lowercase()];
            let secured = op["security"].is_array();
            let r = call(&app, method, &uri, None, None).await;
            let needs_query = op["parameters"].as_array().is_some_and(|params| {
                params
                    .iter()
                    .any(|p| p["in"] == "query" && p["required"] == true)
            });
            if secured {
                r.error(401, "unauthorized");
            } else if needs_query {
                // Open to all (search), but not without its required parameter.
                r.error(400, "bad_request");
            } else if path.contains("{slug}") {
                // Open to all (an event, a story's comments), and there is none by that slug.
                r.error(404, "not_found");
            } else {
                assert_eq!(r.status(), 200, "{method} {path}");
            }
        }
    }
    assert_eq!(operations, 38);
    let mut ids: Vec<&str> = paths
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .filter_map(|op| op["operationId"].as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), operations, "operation ids are unique: {ids:?}");
}

/// Every operation documents the errors its request's shape can get, whatever its handler
/// decides: 401 and 403 with a token, 400 with an id in the address or a query string, and
/// 400, 413, 415 and 422 with a JSON body (`api/responses.rs`). Schemathesis checks the
/// statuses it meets (crates/masthead/tests/api_contract.rs); this checks them all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_documents_the_errors_of_its_request_shape() {
    let app = TestApp::new(TestDb::sqlite().await).await;
    let doc = call(&app, "GET", "/api/v1/openapi.json", None, None)
        .await
        .json;
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            let mut expected: Vec<&str> = Vec::new();
            if op["security"].is_array() {
                expected.extend(["401", "403"]);
            }
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            if params
                .iter()
                .any(|p| p["in"] == "path" || p["in"] == "query")
            {
                expected.push("400");
            }
            let body = &op["requestBody"]["content"];
            if body["application/json"].is_object() {
                expected.extend(["400", "413", "415", "422"]);
            }
            if body["multipart/form-data"].is_object() {
                expected.extend(["400", "413", "415", "422"]);
            }
            for status in expected {
                let r = &responses[status];
                assert!(r.is_object(), "{method} {path} does not document {status}");
                assert_eq!(
                    r["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/ErrorResponse",
                    "{method} {path} {status}"
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 38);
}
