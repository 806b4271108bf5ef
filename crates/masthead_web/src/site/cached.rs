//! The page-cache middleware and the responses it may keep (200 pages and 301 redirects):
//! HTML pages, and any other public document (feeds, sitemaps) with its own type.
//!
//! A kept response gets, once, what every later hit reuses: an `ETag` (a hash of the body,
//! or the document's own), a `Last-Modified` (when the page was rendered, unless the
//! document says), and its gzip and brotli copies ([`crate::compress`]). Each request is
//! answered with the copy its `Accept-Encoding` takes, `Vary: Accept-Encoding`, and the
//! configured `Cache-Control`. With the page cache off, pages go out as rendered.

use crate::AppState;
use crate::cache::CachedPage;
use crate::compress::{self, Accepted};
use crate::params::LIST_PARAMS;
use crate::site::conditional::http_date;
use axum::body::{Body, to_bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The largest page the cache will buffer.
const MAX_PAGE_BYTES: usize = 4 * 1024 * 1024;

/// The headers of a kept response that are stored with it and sent again on every hit (its
/// `ETag` is kept apart, per compressed copy).
const KEPT_HEADERS: [HeaderName; 4] = [
    header::CONTENT_TYPE,
    header::LOCATION,
    header::LAST_MODIFIED,
    // Only a document that sets its own (the fingerprinted stylesheet); the others get the
    // configured one.
    header::CACHE_CONTROL,
];

/// Marks a response as the same for every reader, so the page cache may keep it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cacheable;

/// A public HTML page.
pub(crate) fn page(html: String) -> Response {
    document("text/html; charset=utf-8", html)
}

/// A public document of any type, the same for every reader (the page cache keeps it with
/// its type; the middleware gives it the configured `Cache-Control`).
pub(crate) fn document(content_type: &'static str, body: impl Into<Body>) -> Response {
    let mut response = Response::new(body.into());
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response.extensions_mut().insert(Cacheable);
    response
}

/// A permanent redirect to a local path (old slugs).
pub(crate) fn moved(location: &str) -> Response {
    let mut response = StatusCode::MOVED_PERMANENTLY.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response.extensions_mut().insert(Cacheable);
    response
}

/// The answer to one request from a kept page: the copy `accepted` takes, with its tag.
fn answer(
    page: &CachedPage,
    accepted: Accepted,
    cache_control: &HeaderValue,
    x_cache: &'static str,
) -> Response {
    let copy = page.pick(accepted);
    let mut response = Response::new(Body::from(copy.body.clone()));
    *response.status_mut() = StatusCode::from_u16(page.status).unwrap_or(StatusCode::OK);
    let h = response.headers_mut();
    for (name, value) in &page.headers {
        h.insert(name, value.clone());
    }
    if let Some(etag) = &copy.etag {
        h.insert(header::ETAG, etag.clone());
    }
    if let Some(coding) = copy.coding.token() {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
    }
    if page.varies() {
        h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, cache_control.clone());
    }
    h.insert("x-cache", HeaderValue::from_static(x_cache));
    response
}

/// The query parameters each cached route reads; any others cannot change the page, so they
/// do not make a new cache entry (`/?x=1`, `/?x=2`, … are all `/`).
fn params_read_by(route: &str) -> &'static [&'static str] {
    match route {
        "/latest" | "/section/{slug}" | "/author/{slug}" | "/tag/{slug}" => LIST_PARAMS,
        "/events" => &["page"],
        "/static/site.css" => &["v"],
        _ => &[],
    }
}

/// The cache key of a request: its path, then the first value of each parameter its route
/// reads, in a fixed order (the extractors also read the first).
fn cache_key(request: &Request) -> String {
    let uri = request.uri();
    let mut key = uri.path().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("", MatchedPath::as_str);
    let query = uri.query().unwrap_or("");
    let mut sep = '?';
    for name in params_read_by(route) {
        let value = query.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (k == *name).then_some(v)
        });
        if let Some(value) = value {
            key.push(sep);
            key.push_str(name);
            key.push('=');
            key.push_str(value);
            sep = '&';
        }
    }
    key
}

/// Serves GET and HEAD from the cache when the content generation still matches, and keeps
/// cacheable responses. The generation is read *before* rendering, so a page rendered while
/// content changed is stored under the old generation and never served.
pub(crate) async fn page_cache(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let cache_control = state.cache.cache_control();
    if !state.cache.enabled() || !matches!(*request.method(), Method::GET | Method::HEAD) {
        let mut response = next.run(request).await;
        if response.extensions().get::<Cacheable>().is_some() {
            let h = response.headers_mut();
            if !h.contains_key(header::CACHE_CONTROL) {
                h.insert(header::CACHE_CONTROL, cache_control.clone());
            }
        }
        return response;
    }
    let key = cache_key(&request);
    let accepted = Accepted::from_header(
        request
            .headers()
            .get(header::ACCEPT_ENCODING)
            .map(HeaderValue::as_bytes),
    );
    let now = state.clock.now();
    let generation = state.watch.generation(now);
    if let Some(page) = state.cache.get(&key, generation) {
        return answer(&page, accepted, cache_control, "hit");
    }
    let response = next.run(request).await;
    let keep = response.extensions().get::<Cacheable>().is_some()
        && matches!(
            response.status(),
            StatusCode::OK | StatusCode::MOVED_PERMANENTLY
        );
    if !keep {
        return response;
    }
    let (parts, body) = response.into_parts();
    let body = match to_bytes(body, MAX_PAGE_BYTES).await {
        Ok(body) => body,
        Err(e) => {
            tracing::error!(error = %e, "could not buffer a page for the cache");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let mut headers: Vec<_> = KEPT_HEADERS
        .iter()
        .filter_map(|name| Some((name.clone(), parts.headers.get(name)?.clone())))
        .collect();
    if parts.status == StatusCode::OK
        && !parts.headers.contains_key(header::LAST_MODIFIED)
        && let Ok(rendered) = HeaderValue::from_str(&http_date(now))
    {
        headers.push((header::LAST_MODIFIED, rendered));
    }
    let etag = parts
        .headers
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let status = parts.status.as_u16();
    let page = if body.len() < compress::MIN_BYTES {
        // Nothing to compress: only the hash, done here.
        CachedPage::new(status, headers, etag.as_deref(), body)
    } else {
        // Compressing is CPU work of up to a few milliseconds: off the async workers.
        let made = tokio::task::spawn_blocking(move || {
            CachedPage::new(status, headers, etag.as_deref(), body)
        })
        .await;
        match made {
            Ok(page) => page,
            Err(e) => {
                tracing::error!(error = %e, "could not prepare a page for the cache");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        }
    };
    let page = Arc::new(page);
    let response = answer(&page, accepted, cache_control, "miss");
    state.cache.put(key, generation, page);
    response
}
