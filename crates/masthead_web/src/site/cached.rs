//! The page-cache middleware and the responses it may keep (200 pages and 301 redirects):
//! HTML pages, and any other public document (feeds, sitemaps) with its own type.
//!
//! A kept response gets, once, what every later hit reuses: an `ETag` (a hash of the body,
//! or the document's own), a `Last-Modified` (when the page was rendered, unless the
//! document says), its brotli copy (and its gzip copy when a client first needs it:
//! [`crate::compress`]), and for each copy every header it is sent with. Each request is
//! answered with the copy its `Accept-Encoding` takes, `Vary: Accept-Encoding`, and the
//! configured `Cache-Control`. A plain `GET` of a kept page is answered before routing
//! ([`Hits`], run by [`crate::App`]); the middleware answers the rest. With the page cache
//! off, pages go out as rendered.

use crate::AppState;
use crate::cache::{self, CachedPage, Copy, PageCache, Revalidation};
use crate::compress::{self, Accepted};
use crate::freshness::ContentWatch;
use crate::headers::add_security_headers;
use crate::params::LIST_PARAMS;
use crate::request_id::X_REQUEST_ID;
use crate::site::conditional::{Validators, http_date, not_modified_like};
use axum::body::{Body, to_bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use masthead_core::{ArticleId, Clock};
use std::sync::Arc;

/// The largest page the cache will buffer.
const MAX_PAGE_BYTES: usize = 4 * 1024 * 1024;

/// Says whether an answer came from the page cache (`hit`) or was rendered for it (`miss`).
const X_CACHE: HeaderName = HeaderName::from_static("x-cache");

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

/// The stories whose comments or comment counts a kept page shows: a comment shown or
/// hidden on one of them drops the page from the cache (see `PageCache::purge`).
#[derive(Debug, Clone)]
pub(crate) struct Shows(pub Arc<[ArticleId]>);

/// Marks a response as story `0`'s own page: a change to another story leaves it in the
/// cache (see `PageCache::restamp`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct StoryPage(pub ArticleId);

/// `response`, marked as story `id`'s own page, which shows its comments.
pub(crate) fn story_page(response: Response, id: ArticleId) -> Response {
    let mut response = showing(response, [id]);
    response.extensions_mut().insert(StoryPage(id));
    response
}

/// `response`, marked as showing the comments or comment counts of `articles`.
pub(crate) fn showing(
    mut response: Response,
    articles: impl IntoIterator<Item = ArticleId>,
) -> Response {
    let ids: Arc<[ArticleId]> = articles.into_iter().collect();
    response.extensions_mut().insert(Shows(ids));
    response
}

/// A public HTML page.
pub(crate) fn page(html: Vec<u8>) -> Response {
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

/// The answer to one request from a kept page: `copy`, with its headers.
fn answer(page: &CachedPage, copy: &Copy) -> Response {
    let mut response = Response::new(Body::from(copy.body.clone()));
    *response.status_mut() = page.status;
    *response.headers_mut() = copy.headers.clone();
    response
}

/// What answering from the page cache before routing needs ([`Hits::answer`]): a handle
/// cheaper to clone than the whole [`AppState`] (the server clones its service per request).
pub(crate) struct Hits {
    cache: Arc<PageCache>,
    watch: Arc<ContentWatch>,
    clock: Arc<dyn Clock>,
}

impl Hits {
    /// The page cache of `state`, with what tells its generation.
    pub(crate) fn of(state: &AppState) -> Self {
        Self {
            cache: state.cache.clone(),
            watch: state.watch.clone(),
            clock: state.clock.clone(),
        }
    }

    /// Answers a plain `GET` of a page in the cache before any routing or middleware: the
    /// common case of a busy site, made as cheap as the cache can make it (a lookup, a clone
    /// of the headers built when the page was kept). `None` sends the request the long way:
    /// anything with a query string (the key then depends on the route), `HEAD` and other
    /// methods, and misses. What it answers is what the long way would: the same copy, the
    /// same headers, the same `304`.
    pub(crate) fn answer<B>(&self, request: &axum::http::Request<B>) -> Option<Response> {
        if request.method() != Method::GET || request.uri().query().is_some() {
            return None;
        }
        let generation = self.watch.generation(self.clock.now());
        // Not counted here: every answer from here is a request `App` counts under the
        // `cache` route, which `/metrics` adds to the hits (one shared counter fewer).
        let page = self.cache.get(request.uri().path(), generation)?;
        let headers = request.headers();
        // A copy not made yet (gzip, for the first client that takes only that) is made
        // the long way, off the async workers.
        let copy = page.pick(Accepted::from_header(
            headers
                .get(header::ACCEPT_ENCODING)
                .map(HeaderValue::as_bytes),
        ))?;
        if page.status == StatusCode::OK
            && (headers.contains_key(header::IF_NONE_MATCH)
                || headers.contains_key(header::IF_MODIFIED_SINCE))
            && Validators::of(headers).current(&copy.headers)
        {
            return Some(not_modified_like(&copy.headers));
        }
        Some(answer(&page, copy))
    }
}

/// The answer from a stale page (see `PageCache::restamp`), marked so.
fn answer_stale(page: &CachedPage, copy: &Copy) -> Response {
    let mut response = answer(page, copy);
    response
        .headers_mut()
        .insert(X_CACHE, HeaderValue::from_static("stale"));
    response
}

/// The query parameters each cached route reads; any others cannot change the page, so they
/// do not make a new cache entry (`/?x=1`, `/?x=2`, … are all `/`).
fn params_read_by(route: &str) -> &'static [&'static str] {
    match route {
        "/latest" | "/section/{slug}" | "/author/{slug}" | "/tag/{slug}" => LIST_PARAMS,
        "/events" | "/events/past" => &["page"],
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
    if let Some((page, stale)) = state.cache.lookup(&key, generation) {
        if !stale {
            state.cache.count_hit();
            return answer(&page, page.copy_for(accepted).await);
        }
        // Its own content is current, a shared part is not: serve it, and render it again
        // behind the reader's back (one request per page does; when too many are being
        // rendered so, this reader waits for a render, as on a miss).
        match state.cache.revalidate(&key) {
            Revalidation::Underway => {
                state.cache.count_hit();
                return answer_stale(&page, page.copy_for(accepted).await);
            }
            Revalidation::Start(guard) => {
                state.cache.count_hit();
                let id = crate::request_id::current();
                let render = async move {
                    let _turn = guard;
                    if let Err(response) =
                        render_and_keep(&state, key, generation, request, next).await
                    {
                        tracing::warn!(status = %response.status(), "a stale page could not be rendered again; it is kept until it can");
                    }
                };
                match id {
                    Some(id) => tokio::spawn(crate::request_id::scope(id, render)),
                    None => tokio::spawn(render),
                };
                return answer_stale(&page, page.copy_for(accepted).await);
            }
            Revalidation::Busy => {}
        }
    }
    state.cache.count_miss();
    match render_and_keep(&state, key, generation, request, next).await {
        Ok(page) => {
            let mut response = answer(&page, page.copy_for(accepted).await);
            response
                .headers_mut()
                .insert(X_CACHE, HeaderValue::from_static("miss"));
            response
        }
        Err(response) => response,
    }
}

/// Renders `request` and, when the answer may be kept, prepares it (validators,
/// compressed copies, headers) and keeps it under `key` for `generation`; an answer that
/// may not be kept comes back as `Err`, as rendered.
async fn render_and_keep(
    state: &AppState,
    key: String,
    generation: u64,
    request: Request,
    next: Next,
) -> Result<Arc<cache::Kept>, Response> {
    let now = state.clock.now();
    let epoch = state.cache.purge_epoch();
    let response = next.run(request).await;
    let keep = response.extensions().get::<Cacheable>().is_some()
        && matches!(
            response.status(),
            StatusCode::OK | StatusCode::MOVED_PERMANENTLY
        );
    if !keep {
        return Err(response);
    }
    let shows = cache::Shows {
        story: response.extensions().get::<StoryPage>().map(|s| s.0),
        comments: response
            .extensions()
            .get::<Shows>()
            .map_or_else(|| Arc::from([]), |s| s.0.clone()),
    };
    let (parts, body) = response.into_parts();
    let body = match to_bytes(body, MAX_PAGE_BYTES).await {
        Ok(body) => body,
        Err(e) => {
            tracing::error!(error = %e, "could not buffer a page for the cache");
            return Err(StatusCode::INTERNAL_SERVER_ERROR.into_response());
        }
    };
    let headers = hit_headers(state, parts.status, &parts.headers, now);
    let etag = parts
        .headers
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let status = parts.status;
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
                return Err(StatusCode::INTERNAL_SERVER_ERROR.into_response());
            }
        }
    };
    Ok(state.cache.keep(key, generation, page, shows, epoch))
}

/// The headers every hit on a page rendered at `now` with `status` and `rendered` is sent with, but its
/// copies' own: those of the page that are kept (`KEPT_HEADERS`), `Last-Modified` (when it
/// was rendered, unless it says), the configured `Cache-Control` (unless it says), the
/// security headers every answer gets, `X-Cache: hit`, and a slot for `X-Request-Id`.
///
/// The site settings they depend on (`https`, for HSTS) change only with a new content
/// generation, which empties the cache, so a kept page never outlives them.
fn hit_headers(
    state: &AppState,
    status: StatusCode,
    rendered: &HeaderMap,
    now: DateTime<Utc>,
) -> HeaderMap {
    let mut headers = HeaderMap::with_capacity(16);
    for name in KEPT_HEADERS {
        if let Some(value) = rendered.get(&name) {
            headers.insert(name, value.clone());
        }
    }
    if status == StatusCode::OK
        && !headers.contains_key(header::LAST_MODIFIED)
        && let Ok(value) = HeaderValue::from_str(&http_date(now))
    {
        headers.insert(header::LAST_MODIFIED, value);
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, state.cache.cache_control().clone());
    }
    add_security_headers(
        &mut headers,
        state.config().base_url.starts_with("https://"),
    );
    headers.insert(X_CACHE, HeaderValue::from_static("hit"));
    // A slot for the request's id, which `App` fills on every answer: filling a slot of the
    // cloned map replaces a value, where adding a header would grow the clone (it has no
    // spare room) on every hit.
    headers.insert(X_REQUEST_ID, HeaderValue::from_static("-"));
    headers
}
