//! The page-cache middleware and the responses it may keep (200 pages and 301 redirects):
//! HTML pages, and any other public document (feeds, sitemap indexes) with its own type.

use crate::AppState;
use crate::cache::CachedPage;
use crate::params::LIST_PARAMS;
use axum::body::{Body, to_bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// How long browsers and CDNs may keep a public page.
const PUBLIC_CACHE_CONTROL: &str = "public, max-age=60";
/// The largest page the cache will buffer.
const MAX_PAGE_BYTES: usize = 4 * 1024 * 1024;

/// The headers of a kept response that are stored with it and sent again on every hit.
const KEPT_HEADERS: [HeaderName; 4] = [
    header::CONTENT_TYPE,
    header::LOCATION,
    header::ETAG,
    header::LAST_MODIFIED,
];

/// Marks a response as the same for every reader, so the page cache may keep it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cacheable;

/// A public HTML page.
pub(crate) fn page(html: String) -> Response {
    document("text/html; charset=utf-8", html)
}

/// A public document of any type, the same for every reader (the page cache keeps it with
/// its type).
pub(crate) fn document(content_type: &'static str, body: impl Into<Body>) -> Response {
    let mut response = Response::new(body.into());
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(PUBLIC_CACHE_CONTROL),
    );
    response.extensions_mut().insert(Cacheable);
    response
}

/// A permanent redirect to a local path (old slugs).
pub(crate) fn moved(location: &str) -> Response {
    let mut response = StatusCode::MOVED_PERMANENTLY.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(PUBLIC_CACHE_CONTROL),
    );
    response.extensions_mut().insert(Cacheable);
    response
}

fn from_cache(page: CachedPage) -> Response {
    let status = StatusCode::from_u16(page.status).unwrap_or(StatusCode::OK);
    let mut response = Response::new(Body::from(page.body));
    *response.status_mut() = status;
    let h = response.headers_mut();
    for (name, value) in page.headers {
        h.insert(name, value);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(PUBLIC_CACHE_CONTROL),
    );
    h.insert("x-cache", HeaderValue::from_static("hit"));
    response
}

/// The query parameters each cached route reads; any others cannot change the page, so they
/// do not make a new cache entry (`/?x=1`, `/?x=2`, … are all `/`).
fn params_read_by(route: &str) -> &'static [&'static str] {
    match route {
        "/latest" | "/section/{slug}" | "/author/{slug}" | "/tag/{slug}" => LIST_PARAMS,
        "/events" => &["page"],
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
    if !state.cache.enabled() || !matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    let key = cache_key(&request);
    let generation = state.watch.generation(state.clock.now());
    if let Some(page) = state.cache.get(&key, generation) {
        return from_cache(page);
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
    let (mut parts, body) = response.into_parts();
    let body = match to_bytes(body, MAX_PAGE_BYTES).await {
        Ok(body) => body,
        Err(e) => {
            tracing::error!(error = %e, "could not buffer a page for the cache");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let headers = KEPT_HEADERS
        .iter()
        .filter_map(|name| Some((name.clone(), parts.headers.get(name)?.clone())))
        .collect();
    state.cache.put(
        key,
        generation,
        CachedPage {
            status: parts.status.as_u16(),
            headers,
            body: body.clone(),
        },
    );
    parts
        .headers
        .insert("x-cache", HeaderValue::from_static("miss"));
    Response::from_parts(parts, Body::from(body))
}
