//! Redirects are followed by hand and every hop is checked: at most five, relative
//! `Location` values resolved, other schemes refused, and a hop to a refused address
//! stopped before any connection to it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use common::{CountingListener, local_policy, policy, serve};
use masthead_fetch::{AddressClass, Conditional, FetchError, Fetcher};

fn redirect(to: String) -> impl IntoResponse {
    (StatusCode::FOUND, [(header::LOCATION, to)])
}

/// `/hops/N` redirects to `N-1` (relative to itself) until `/hops/0` answers.
fn chain() -> Router {
    Router::new()
        .route(
            "/hops/{n}",
            get(|Path(n): Path<u32>| async move {
                if n == 0 {
                    "arrived".into_response()
                } else {
                    redirect(format!("{}", n - 1)).into_response()
                }
            }),
        )
        .route(
            "/to-ftp",
            get(|| async { redirect("ftp://127.0.0.1/feed.xml".into()) }),
        )
        .route(
            "/up/and/over",
            get(|| async { redirect("../../hops/0".into()) }),
        )
        .route(
            "/moved",
            get(|| async {
                (
                    StatusCode::MOVED_PERMANENTLY,
                    [(header::LOCATION, "/hops/0")],
                )
            }),
        )
        .route(
            "/see-other",
            get(|| async { (StatusCode::SEE_OTHER, [(header::LOCATION, "/hops/0")]) }),
        )
        .route(
            "/temporary",
            get(|| async {
                (
                    StatusCode::TEMPORARY_REDIRECT,
                    [(header::LOCATION, "/hops/0")],
                )
            }),
        )
        .route(
            "/permanent",
            get(|| async {
                (
                    StatusCode::PERMANENT_REDIRECT,
                    [(header::LOCATION, "/hops/0")],
                )
            }),
        )
}

#[tokio::test]
async fn five_redirects_are_followed_and_the_sixth_is_refused() {
    let addr = serve(chain()).await;
    let fetcher = Fetcher::new(local_policy()).unwrap();

    let got = fetcher
        .get(&format!("http://{addr}/hops/5"), &Conditional::default())
        .await
        .unwrap();
    assert_eq!(got.status, 200);
    assert_eq!(got.body, "arrived".as_bytes());
    assert_eq!(got.redirects, 5);
    assert_eq!(got.final_url.as_str(), format!("http://{addr}/hops/0"));

    let err = fetcher
        .get(&format!("http://{addr}/hops/6"), &Conditional::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, FetchError::TooManyRedirects { limit: 5, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("redirects more than 5 times"),
        "{err}"
    );
}

#[tokio::test]
async fn relative_locations_and_every_redirect_status_are_followed() {
    let addr = serve(chain()).await;
    let fetcher = Fetcher::new(local_policy()).unwrap();
    for path in [
        "up/and/over",
        "moved",
        "see-other",
        "temporary",
        "permanent",
        "hops/1",
    ] {
        let got = fetcher
            .get(&format!("http://{addr}/{path}"), &Conditional::default())
            .await
            .unwrap();
        assert_eq!(got.final_url.path(), "/hops/0", "{path}");
        assert_eq!(got.redirects, 1, "{path}");
    }
}

#[tokio::test]
async fn a_redirect_to_ftp_is_refused() {
    let addr = serve(chain()).await;
    let fetcher = Fetcher::new(local_policy()).unwrap();
    let err = fetcher
        .get(&format!("http://{addr}/to-ftp"), &Conditional::default())
        .await
        .unwrap_err();
    match &err {
        FetchError::Redirect { to, cause, .. } => {
            assert_eq!(to, "ftp://127.0.0.1/feed.xml");
            assert!(matches!(**cause, FetchError::Scheme { .. }), "{cause:?}");
        }
        other => panic!("expected a refused redirect, got {other:?}"),
    }
    assert!(
        err.to_string().contains("which masthead did not follow"),
        "{err}"
    );
}

/// The first server is exempt (a test-only exemption for its exact socket address);
/// loopback is otherwise refused, so a redirect from it to another loopback listener,
/// by IP literal, by mapped IPv6 literal or by name, must stop before connecting.
#[tokio::test]
async fn a_redirect_to_loopback_is_refused_and_its_target_gets_no_connection() {
    let mut target = CountingListener::bind("127.0.0.1").await;
    let port = target.addr.port();
    let app = Router::new()
        .route("/ok", get(|| async { "exempt" }))
        .route(
            "/to-literal",
            get(move || async move { redirect(format!("http://127.0.0.1:{port}/feed.xml")) }),
        )
        .route(
            "/to-mapped",
            get(move || async move { redirect(format!("http://[::ffff:7f00:1]:{port}/")) }),
        )
        .route(
            "/to-decimal",
            get(move || async move { redirect(format!("http://2130706433:{port}/")) }),
        )
        .route(
            "/to-name",
            get(move || async move { redirect(format!("http://localhost:{port}/feed.xml")) }),
        );
    let first = serve(app).await;
    let fetcher = Fetcher::with_test_exemptions(policy(), &[first]).unwrap();

    // The exemption works for the first server, and only at its exact address.
    let ok = fetcher
        .get(&format!("http://{first}/ok"), &Conditional::default())
        .await
        .unwrap();
    assert_eq!(ok.body, "exempt".as_bytes());
    let by_name = format!("http://localhost:{}/ok", first.port());
    assert!(matches!(
        fetcher.get(&by_name, &Conditional::default()).await,
        Err(FetchError::Refused(_))
    ));

    for (path, literal) in [
        ("to-literal", true),
        ("to-mapped", true),
        ("to-decimal", true),
        ("to-name", false),
    ] {
        let err = fetcher
            .get(&format!("http://{first}/{path}"), &Conditional::default())
            .await
            .unwrap_err();
        assert!(
            matches!(err, FetchError::Redirect { .. }),
            "{path}: {err:?}"
        );
        let refusal = err.refusal().expect("a refusal behind the redirect");
        assert_eq!(refusal.class, AddressClass::Loopback, "{path}");
        assert_eq!(refusal.literal, literal, "{path}");
        let text = err.to_string();
        assert!(
            text.contains(&format!("http://{first}/{path} redirects to ")),
            "{text}"
        );
        assert!(
            text.contains("masthead does not fetch from this machine"),
            "{text}"
        );
    }

    assert_eq!(target.connections_before_now().await, 0);
}
