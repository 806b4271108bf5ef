//! The route table of the public site, and the layers around it (outermost first): tracing,
//! security headers, error pages, the address-length limit, old addresses (a 404, or a query
//! naming WordPress content, looked up among the redirects), then on pages, feeds and
//! sitemaps conditional GET and inside it the page cache. The last page route, `/{*path}`,
//! serves static pages. `/metrics` (when a token is configured) sits outside those layers,
//! and outermost of all, the matched route is put on the response for the metrics.
//!
//! Each group of layers is one tower `ServiceBuilder` stack, applied once: every `layer` or
//! `route_layer` call boxes each route again, and a request clones every box below the
//! one it passes through (68 clones a page with each layer applied on its own).

use crate::error_pages::error_pages;
use crate::headers::{limit_uri, security_headers};
use crate::metrics;
use crate::replica_reads;
use crate::request_id::RequestId;
use crate::site::{
    article, assets, author, bodies, cached, conditional, event, event_submit, events, feeds,
    health, home, identity, latest, media, old_addresses, search, section, sitemaps, static_page,
    tag,
};
use crate::{AppState, WebError};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::get;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

/// The largest request body accepted by default; the public site takes no uploads.
const MAX_BODY: usize = 64 * 1024;

/// Builds the application's router.
pub fn router(state: AppState) -> Router {
    let pages = Router::new()
        .route("/", get(home::show))
        .route("/latest", get(latest::show))
        .route("/stories/{slug}", get(article::show))
        .route(
            "/stories/{slug}/comments.xml",
            get(crate::comments::feed::show),
        )
        .route("/section/{slug}", get(section::show))
        .route("/author/{slug}", get(author::show))
        .route("/tag/{slug}", get(tag::show))
        .route("/events", get(events::show))
        .route("/events.ics", get(event::feed))
        .route("/events/past", get(events::past))
        .route("/events/day/{date}", get(events::day))
        .route("/events/week/{date}", get(events::week))
        .route("/events/month/{month}", get(events::month))
        .route("/events/calendar/{month}", get(events::grid))
        .route("/events/{slug}", get(event::show))
        .route("/bodies", get(bodies::index))
        .route("/bodies/{slug}", get(bodies::show))
        .route("/bodies/{slug}/documents/{id}/text", get(bodies::text))
        .route("/static/site.css", get(assets::stylesheet))
        .merge(sitemaps::routes())
        .merge(feeds::routes())
        // Every address no other route claims: a static page's, or a 404 (which the
        // old-addresses layer below may turn into a redirect).
        .route("/{*path}", get(static_page::show))
        // Innermost, after the page cache read the generation: a replica only if caught up.
        // One layer of three (outermost first): each `route_layer` call boxes every route
        // once more, and a request clones each box below the one it passes.
        .route_layer(
            ServiceBuilder::new()
                .layer(from_fn(conditional::not_modified))
                .layer(from_fn_with_state(state.clone(), cached::page_cache))
                .layer(from_fn_with_state(state.clone(), replica_reads::route)),
        );
    let site = Router::new()
        .merge(pages)
        // Not in the page cache: an unpublished story leaves results at once, and strangers'
        // endless distinct searches would only push pages out of it. So gzip per answer (the
        // page holds no secret to guess at through its compressed size).
        .route(
            "/search",
            get(search::show)
                .route_layer(from_fn_with_state(state.clone(), replica_reads::route))
                .layer(CompressionLayer::new()),
        )
        .route("/media/{name}", get(media::show))
        // A meeting's original document: megabytes, never changing; sent with its own
        // validator rather than kept in the page cache.
        .route("/bodies/{slug}/documents/{id}", get(bodies::original))
        // The submission form carries a fresh token: never in the page cache.
        .route(
            "/events/submit",
            get(event_submit::show)
                .post(event_submit::submit)
                .layer(DefaultBodyLimit::max(event_submit::MAX_FORM)),
        )
        .route("/events/submit/thanks", get(event_submit::thanks))
        .merge(crate::newsletter::public::routes())
        // Shared previews: never kept by the page cache or anyone else (see `preview::link`).
        .route("/preview/{token}", get(crate::preview::link::show))
        // Small, and changed by a setting rather than by content: not worth the page cache.
        .route("/favicon.ico", get(identity::favicon))
        .route("/static/accent.css", get(identity::accent_css))
        .route("/healthz", get(health::show))
        .merge(crate::comments::routes())
        .merge(crate::admin::router(state.clone()))
        .nest("/api/v1", crate::api::router(state.clone()))
        .fallback(|| async { WebError::NotFound })
        // The layers every route has, as one (outermost first): see the page routes' above.
        .layer(
            ServiceBuilder::new()
                // Spans name the path without its query, and never a reset link's secret;
                // they carry the request's id, so every line logged while serving it names it.
                .layer(TraceLayer::new_for_http().make_span_with(|request: &Request| {
                    let path = crate::admin::login::loggable_path(request.uri().path());
                    let id = request
                        .extensions()
                        .get::<RequestId>()
                        .map_or("", RequestId::as_str);
                    tracing::info_span!("request", method = %request.method(), %path, request_id = %id)
                }))
                // The default for every body extractor; the desk and the API set their own.
                .layer(DefaultBodyLimit::max(MAX_BODY))
                .layer(from_fn_with_state(state.clone(), security_headers))
                .layer(from_fn_with_state(state.clone(), error_pages))
                .layer(from_fn(limit_uri))
                .layer(from_fn_with_state(
                    state.clone(),
                    old_addresses::old_addresses,
                )),
        );
    // `/metrics` with a token, after the layers: it answers in plain text itself.
    let site = match metrics::endpoint::site_route(&state) {
        Some(route) => site.merge(route),
        None => site,
    };
    site
        // Outermost: the route matched travels on the response to `App`, which counts it.
        .layer(from_fn(metrics::requests::carry_route))
        .with_state(state)
}
