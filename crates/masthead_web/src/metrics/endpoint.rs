//! Who may read `/metrics`, and where: on the site's own listener with the operator's
//! `metrics_token` as a bearer token (compared in constant time), and without one on the
//! separate `metrics_addr` listener ([`serve`]), which answers nothing else. Without a
//! token the site's router has no `/metrics` route, so the address is a 404 like any other.

use crate::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use prometheus_client::encoding::prometheus_text::CONTENT_TYPE;
use tokio::net::TcpListener;

/// The shortest `metrics_token` accepted.
pub const MIN_TOKEN_LEN: usize = 16;

/// `/metrics` on the site's listener, when a token is configured: a route of its own,
/// outside the site's error pages, so a refusal stays the plain text a scraper can log.
pub(crate) fn site_route(state: &AppState) -> Option<Router<AppState>> {
    state.metrics_token.as_ref()?;
    Some(Router::new().route("/metrics", get(with_token)))
}

/// The metrics, for a request bearing the configured token; 401 saying what to send else.
async fn with_token(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(expected) = state.metrics_token.as_deref() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .map(|v| v.as_bytes())
        .and_then(|v| {
            // The scheme's name is case-insensitive (RFC 9110).
            let (scheme, token) = v.split_at_checked(7)?;
            scheme.eq_ignore_ascii_case(b"bearer ").then_some(token)
        })
        .unwrap_or_default();
    if !masthead_core::secret::constant_time_eq(given, expected.as_bytes()) {
        let mut refused = (
            StatusCode::UNAUTHORIZED,
            "/metrics needs the metrics token: send the header \
             `Authorization: Bearer <token>`, the token being the server's metrics_token \
             setting (MASTHEAD_METRICS_TOKEN).\n",
        )
            .into_response();
        plain(&mut refused, "text/plain; charset=utf-8");
        refused.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"metrics\""),
        );
        return refused;
    }
    metrics(&state).await
}

/// The metrics as text, never cached by anyone.
async fn metrics(state: &AppState) -> Response {
    match super::scrape::render(state).await {
        Ok(text) => {
            let mut response = text.into_response();
            plain(&mut response, CONTENT_TYPE);
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "metrics: could not encode the metrics");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the metrics could not be encoded; see the server's log\n",
            )
                .into_response()
        }
    }
}

/// Sets `content_type`, `Cache-Control: no-store` and `nosniff` (the route is outside the
/// layers that set those on the site's pages).
fn plain(response: &mut Response, content_type: &'static str) {
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
}

/// Serves `/metrics` without a token, and nothing else (404), on `listener` (the operator's
/// `metrics_addr`, meant to be reachable only by the monitoring system), until `shutdown`.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = Router::new()
        .route(
            "/metrics",
            get(|State(state): State<AppState>| async move { metrics(&state).await }),
        )
        .with_state(state);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
