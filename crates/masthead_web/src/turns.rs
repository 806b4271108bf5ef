//! Turns at work that holds a whole response in memory for a reader (a meeting document's
//! original, an image read from object storage): only a few at a time, so strangers asking
//! for many at once cannot make the server hold that many files. A turn is held until the
//! body has been sent (or the reader went away), not only while the handler runs: the bytes
//! stay in memory until then. A reader who finds every turn taken waits a short while, then
//! is answered 503 with `Retry-After` ([`WebError::AtCapacity`]) and a message to try again.

use crate::WebError;
use axum::body::{Body, HttpBody as _};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use futures_util::StreamExt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// A limited number of turns, shared by every request (cheap to clone).
#[derive(Clone)]
pub(crate) struct Turns {
    semaphore: Arc<Semaphore>,
    count: usize,
    /// How long a reader waits for a turn before the 503.
    wait: Duration,
    /// What a reader told to come back is told.
    busy: &'static str,
}

impl Turns {
    /// `count` turns; a reader waits up to `wait` for one, else is told `busy`.
    pub(crate) fn new(count: usize, wait: Duration, busy: &'static str) -> Self {
        Self {
            semaphore: Arc::new(Semaphore::new(count)),
            count,
            wait,
            busy,
        }
    }

    /// A turn, waiting for one up to the limit.
    ///
    /// # Errors
    ///
    /// [`WebError::AtCapacity`] when no turn came free in time.
    pub(crate) async fn take(&self) -> Result<OwnedSemaphorePermit, WebError> {
        match tokio::time::timeout(self.wait, self.semaphore.clone().acquire_owned()).await {
            Ok(Ok(turn)) => Ok(turn),
            // Timed out (or closed, which never happens): the reader comes back later.
            _ => Err(WebError::AtCapacity(self.busy.to_owned())),
        }
    }

    /// Every turn, waiting as long as it takes (for a test of what readers are told while
    /// all are in use); dropping the permit gives them back.
    pub(crate) async fn take_all(&self) -> OwnedSemaphorePermit {
        let count = u32::try_from(self.count).unwrap_or(u32::MAX);
        #[allow(clippy::expect_used, reason = "the semaphore is never closed")]
        self.semaphore
            .clone()
            .acquire_many_owned(count)
            .await
            .expect("the semaphore is never closed")
    }
}

/// `response` with `turn` given back when its body has been sent (or dropped unsent, when
/// the reader went away), not when the handler returns. The body's length, when it is
/// known, is kept as `Content-Length` (a stream would otherwise be sent chunked).
pub(crate) fn held_until_sent(response: Response, turn: OwnedSemaphorePermit) -> Response {
    let (mut parts, body) = response.into_parts();
    if let Some(length) = body.size_hint().exact() {
        parts
            .headers
            .entry(header::CONTENT_LENGTH)
            .or_insert_with(|| HeaderValue::from(length));
    }
    let body = Body::from_stream(body.into_data_stream().map(move |chunk| {
        let _held = &turn;
        chunk
    }));
    Response::from_parts(parts, body)
}
