//! With `allow_local` on (the operator's `--allow-local-fetch`), a real fetch from a
//! local axum server: body, validators, a conditional GET answered 304, and non-2xx
//! statuses returned as values.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use common::{local_policy, serve};
use masthead_fetch::{Conditional, Fetcher};

const ETAG: &str = "\"v1\"";
const LAST_MODIFIED: &str = "Tue, 03 Mar 2026 10:00:00 GMT";
const FEED: &str = "<rss version=\"2.0\"><channel><title>Wire</title></channel></rss>";

async fn feed(headers: HeaderMap) -> impl IntoResponse {
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(ETAG)
        || headers
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            == Some(LAST_MODIFIED)
    {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, ETAG)]).into_response();
    }
    (
        [
            (header::ETAG, ETAG),
            (header::LAST_MODIFIED, LAST_MODIFIED),
            (header::CONTENT_TYPE, "application/rss+xml"),
        ],
        FEED,
    )
        .into_response()
}

fn app() -> Router {
    Router::new()
        .route("/feed.xml", get(feed))
        .route(
            "/agent",
            get(|headers: HeaderMap| async move {
                headers
                    .get(header::USER_AGENT)
                    .map(|v| v.as_bytes().to_vec())
                    .unwrap_or_default()
            }),
        )
        .route("/missing", get(|| async { StatusCode::NOT_FOUND }))
        .route(
            "/gone",
            get(|| async { (StatusCode::GONE, "this feed is gone") }),
        )
        .route(
            "/broken",
            get(|| async { StatusCode::INTERNAL_SERVER_ERROR }),
        )
        .route("/busy", get(|| async { StatusCode::SERVICE_UNAVAILABLE }))
}

#[tokio::test]
async fn allow_local_fetch_returns_body_and_validators_then_304() {
    let addr = serve(app()).await;
    let fetcher = Fetcher::new(local_policy()).unwrap();
    let url = format!("http://{addr}/feed.xml");

    let first = fetcher.get(&url, &Conditional::default()).await.unwrap();
    assert_eq!(first.status, 200);
    assert_eq!(first.body, FEED.as_bytes());
    assert_eq!(first.etag.as_deref(), Some(ETAG));
    assert_eq!(first.last_modified.as_deref(), Some(LAST_MODIFIED));
    assert_eq!(first.content_type.as_deref(), Some("application/rss+xml"));
    assert_eq!(first.final_url.as_str(), url);
    assert_eq!(first.redirects, 0);

    // The next fetch sends the validators back and the server answers 304, no body.
    let again = fetcher.get(&url, &first.conditional()).await.unwrap();
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());

    let by_date = Conditional {
        if_none_match: None,
        if_modified_since: Some(LAST_MODIFIED.into()),
    };
    assert_eq!(fetcher.get(&url, &by_date).await.unwrap().status, 304);
}

#[tokio::test]
async fn the_user_agent_names_masthead_and_the_site() {
    let addr = serve(app()).await;
    let fetcher = Fetcher::new(local_policy()).unwrap();
    let got = fetcher
        .get(&format!("http://{addr}/agent"), &Conditional::default())
        .await
        .unwrap();
    let agent = format!(
        "masthead/{} (+https://news.example.org)",
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(got.body, agent.as_bytes());
    assert_eq!(fetcher.policy().user_agent, agent);
}

/// A name (not an IP literal) goes through the guarded resolver, which permits
/// loopback when the operator allowed it.
#[tokio::test]
async fn allow_local_fetch_resolves_localhost_through_the_guarded_resolver() {
    let addr = serve(app()).await;
    let fetcher = Fetcher::new(local_policy()).unwrap();
    let url = format!("http://localhost:{}/feed.xml", addr.port());
    let got = fetcher.get(&url, &Conditional::default()).await.unwrap();
    assert_eq!(got.status, 200);
    assert_eq!(got.body, FEED.as_bytes());
}

#[tokio::test]
async fn non_2xx_statuses_are_responses_not_errors() {
    let addr = serve(app()).await;
    let fetcher = Fetcher::new(local_policy()).unwrap();
    for (path, status) in [
        ("missing", 404),
        ("gone", 410),
        ("broken", 500),
        ("busy", 503),
    ] {
        let got = fetcher
            .get(&format!("http://{addr}/{path}"), &Conditional::default())
            .await
            .unwrap();
        assert_eq!(got.status, status, "{path}");
    }
    let gone = fetcher
        .get(&format!("http://{addr}/gone"), &Conditional::default())
        .await
        .unwrap();
    assert_eq!(gone.body, "this feed is gone".as_bytes());
}

#[tokio::test]
async fn a_closed_port_is_an_error_that_names_the_cause() {
    // Bind and drop, so the port is (almost certainly) closed.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let fetcher = Fetcher::new(local_policy()).unwrap();
    let err = fetcher
        .get(
            &format!("http://127.0.0.1:{port}/"),
            &Conditional::default(),
        )
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("fetching http://127.0.0.1:{port}/ failed")),
        "{text}"
    );
    assert!(text.to_lowercase().contains("refused"), "{text}");
}
