//! Old addresses answer 301: a request the site has no answer for (a 404), or any request
//! whose query names WordPress content (`/?p=123`, `/?cat=4`: the front page would answer
//! those, wrongly), is reduced to its key (`masthead_core::redirect_key`) and looked up among
//! the redirects, one read of a unique index. Found, the answer is `301` to the target;
//! otherwise the site's own answer goes out unchanged.
//!
//! This layer sits outside the page cache, and the cache keeps no 404, so a redirect added
//! after a reader met a 404 at that address takes effect at once; the redirect answers are
//! not kept either (a stranger's addresses cannot fill the cache, and a deleted redirect
//! stops at once). Redirects counted here are written to the database at most once a minute
//! ([`RedirectHits`]).

use crate::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use masthead_core::RedirectId;
use masthead_core::old_address::{names_content, redirect_key};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use std::collections::HashMap;
use std::sync::Mutex;

/// What a `Location` escapes besides what is not ASCII: controls and spaces.
const LOCATION_ESCAPES: &AsciiSet = &CONTROLS.add(b' ');

/// The layer: see the module's documentation.
pub(crate) async fn old_addresses(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if !matches!(*request.method(), Method::GET | Method::HEAD)
        || request.uri().path().starts_with("/api/")
    {
        return next.run(request).await;
    }
    let path = request.uri().path().to_owned();
    let query = request.uri().query().map(str::to_owned);
    if query.as_deref().is_some_and(names_content) {
        if let Some(found) = lookup(&state, &path, query.as_deref()).await {
            return found;
        }
        return next.run(request).await;
    }
    let response = next.run(request).await;
    if response.status() != StatusCode::NOT_FOUND {
        return response;
    }
    lookup(&state, &path, query.as_deref())
        .await
        .unwrap_or(response)
}

/// The 301 for the redirect at `path` and `query`'s key, if there is one. A database error
/// is logged and leaves the site's own answer.
async fn lookup(state: &AppState, path: &str, query: Option<&str>) -> Option<Response> {
    let key = redirect_key(path, query)?;
    let found = match state.store.redirect_for(&key).await {
        Ok(found) => found?,
        Err(e) => {
            tracing::warn!(error = %e, "could not look up a redirect");
            return None;
        }
    };
    state.redirect_hits.count(found.id);
    let location = utf8_percent_encode(&found.target, LOCATION_ESCAPES).to_string();
    let mut response = StatusCode::MOVED_PERMANENTLY.into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Some(response)
}

/// Hits on redirects counted in memory, written by the housekeeping task at most once a
/// minute ([`RedirectHits::take`]): a request never writes. Bounded by the number of
/// redirects, since only found ones are counted.
#[derive(Debug, Default)]
pub struct RedirectHits {
    counts: Mutex<HashMap<RedirectId, u64>>,
}

impl RedirectHits {
    fn count(&self, id: RedirectId) {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        *counts.entry(id).or_default() += 1;
    }

    /// The hits counted since the last call, emptied.
    pub fn take(&self) -> Vec<(RedirectId, u64)> {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        counts.drain().collect()
    }
}
