//! `/healthz` for load balancers: 200 when the store can read the stories and take a write,
//! 503 when it cannot. When the store answers but cannot write (a full disk, a read-only
//! database) the page names the cause, so the operator knows what to fix.

use crate::error::ErrorInfo;
use crate::{AppState, WebError};
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use masthead_store::StoreError;

/// `GET /healthz`
pub async fn show(State(state): State<AppState>) -> Result<Response, WebError> {
    const FULL: &str = "The database cannot save anything: its disk is full. Free disk space; \
                        the site recovers by itself, no restart is needed.";
    let probe = state.health.check(&state.store).await;
    let (message, detail) = match (probe, state.store.full_for()) {
        (Ok(()), None) => {
            return Ok((
                [
                    (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
                    (header::CACHE_CONTROL, "no-store"),
                ],
                "ok\n",
            )
                .into_response());
        }
        // The probe passed, but a real save failed for lack of space and none has since.
        (Ok(()), Some(ago)) => (
            FULL,
            format!(
                "a commit failed for lack of disk space {} s ago and none has succeeded since",
                ago.as_secs()
            ),
        ),
        (Err(StoreError::Full(e)), _) => (FULL, e.to_string()),
        (Err(StoreError::Config(e)), _) => (
            "The database cannot save anything: it is read-only. Point the database URL at \
             the primary server.",
            e,
        ),
        (Err(e), _) => return Err(e.into()),
    };
    let mut response = (
        StatusCode::SERVICE_UNAVAILABLE,
        [
            (header::RETRY_AFTER, "30"),
            (header::CACHE_CONTROL, "no-store"),
        ],
    )
        .into_response();
    response.extensions_mut().insert(ErrorInfo {
        message: message.to_owned(),
        detail: Some(detail),
    });
    Ok(response)
}
