//! The theme's stylesheet. Its address carries a hash of its content (`?v=…`), so at that
//! address it may be kept for a year; it goes through the page cache, which keeps its gzip and
//! brotli copies.

use crate::AppState;
use crate::site::cached::document;
use axum::extract::State;
use axum::http::{HeaderValue, Uri, header};
use axum::response::Response;

/// `GET /static/site.css?v=HASH`: immutable under the current hash; under any other (a page
/// cached before the theme changed) the current sheet with the public pages' lifetime.
pub async fn stylesheet(State(state): State<AppState>, uri: Uri) -> Response {
    let theme = state.theme();
    let current = theme.stylesheet_url().split_once('?').map(|(_, q)| q) == uri.query();
    let mut response = document("text/css; charset=utf-8", theme.stylesheet().to_owned());
    if current {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
    }
    response
}
