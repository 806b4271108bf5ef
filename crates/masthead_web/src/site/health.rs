//! `/healthz` for load balancers: 200 when the database answers, 503 when it does not.

use crate::{AppState, WebError};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// `GET /healthz`
pub async fn show(State(state): State<AppState>) -> Result<Response, WebError> {
    state
        .store
        .ping()
        .await
        .map_err(|e| WebError::Unavailable(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        "ok\n",
    )
        .into_response())
}
