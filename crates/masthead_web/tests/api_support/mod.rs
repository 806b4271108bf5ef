//! What the API tests share: tokens, requests with them, and reading the API's JSON errors.
#![allow(dead_code, reason = "each test binary uses part of it")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::Request;
use masthead_core::secret::{new_token, token_hash};
use masthead_core::{Role, UserId};
use masthead_store::Actor;
use masthead_testkit::{TestApp, TestResponse, t0};
use serde_json::{Value, json};

/// A token for `user`, acting with at most `scope`.
pub async fn token_for(app: &TestApp, user: UserId, scope: Role) -> String {
    let token = new_token("mh_");
    app.store()
        .create_token(
            user,
            "test",
            &token_hash(&token),
            scope,
            &Actor::system("test"),
            t0(),
        )
        .await
        .unwrap();
    token
}

/// An account with `role` and a token with the same scope.
pub async fn staff(app: &TestApp, email: &str, role: Role) -> (UserId, String) {
    let user = app.create_staff(email, role).await;
    (user, token_for(app, user, role).await)
}

/// The parsed JSON of a response (`Null` when it is not JSON).
pub struct Api {
    pub response: TestResponse,
    pub json: Value,
}

impl Api {
    pub fn status(&self) -> u16 {
        self.response.status.as_u16()
    }

    /// Asserts the API's error shape and returns the message.
    pub fn error(&self, status: u16, code: &str) -> String {
        assert_eq!(self.status(), status, "{}", self.response.body);
        assert!(
            self.response
                .header("content-type")
                .starts_with("application/json"),
            "errors are JSON: {:?}",
            self.response.headers
        );
        let e = &self.json["error"];
        assert_eq!(e["status"], status, "{}", self.response.body);
        assert_eq!(e["code"], code, "{}", self.response.body);
        let message = e["message"].as_str().unwrap().to_owned();
        assert!(!message.is_empty());
        message
    }
}

pub async fn send(app: &TestApp, request: Request<Body>) -> Api {
    let response = app.request(request).await;
    assert_eq!(
        response.header("cache-control"),
        "private, no-store",
        "every API response is no-store: {} {}",
        response.status,
        response.body
    );
    let json = serde_json::from_str(&response.body).unwrap_or(Value::Null);
    Api { response, json }
}

pub async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Api {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let body = match body {
        Some(v) => {
            request = request.header("content-type", "application/json");
            Body::from(v.to_string())
        }
        None => Body::empty(),
    };
    send(app, request.body(body).unwrap()).await
}

pub async fn raw(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    ctype: &str,
    body: &str,
) -> Api {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", ctype)
        .body(Body::from(body.to_owned()))
        .unwrap();
    send(app, request).await
}

/// Creates a draft through the API and returns its id.
pub async fn draft(app: &TestApp, token: &str, title: &str, section: i64) -> i64 {
    let r = call(
        app,
        "POST",
        "/api/v1/articles",
        Some(token),
        Some(json!({"title": title, "section": section, "body_md": "Some *words*."})),
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.response.body);
    r.json["id"].as_i64().unwrap()
}

/// A valid 2×2 red PNG.
pub const PNG: &[u8] = b"\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x02\x00\x00\x00\x02\x08\x02\x00\x00\x00\xfd\xd4\x9a\x73\x00\x00\x00\x10\x49\x44\x41\x54\x78\x9c\x63\xf8\xcf\xc0\x00\x44\x0c\x10\x0a\x00\x1f\xee\x03\xfd\x8b\x5f\x14\xd4\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82";

pub fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    masthead_testkit::multipart_body(parts)
}

pub async fn upload(app: &TestApp, token: &str, parts: &[(&str, Option<&str>, &[u8])]) -> Api {
    let (ctype, body) = multipart(parts);
    let request = Request::post("/api/v1/media")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", ctype)
        .body(Body::from(body))
        .unwrap();
    send(app, request).await
}
