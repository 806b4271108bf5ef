//! The theme's stylesheet. Its URL carries a hash of its content, so it may be cached for a year.

use crate::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// `GET /static/site.css`
pub async fn stylesheet(State(state): State<AppState>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        state.theme().stylesheet().to_owned(),
    )
        .into_response()
}
