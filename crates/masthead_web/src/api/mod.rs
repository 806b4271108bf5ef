//! The JSON API at `/api/v1`: articles (list, get, create, update, submit, publish, schedule,
//! unpublish), sections, authors, media upload, search, the events calendar (the public
//! list and event, and the moderation queue with approve, reject, cancel and restore) and
//! comments (a story's shown comments for everyone, the moderation queue and moderating with
//! a token), the meeting desk (public bodies, meetings, their documents with what was read
//! from them, briefs drafted from a record and an editor's sign-off), with its OpenAPI document at `/api/v1/openapi.json`.
//!
//! Handlers are thin: they parse the body into the desk's types and go through
//! [`crate::desk`] for every article change, so the API can never do what the admin pages
//! refuse. Policy choices, and why:
//!
//! - **Authentication** is an API token sent as `Authorization: Bearer <token>` (see
//!   [`auth`]), never a cookie. A browser never attaches the token on its own, so a
//!   cross-site page cannot make a request that carries it: CSRF does not apply, and the API
//!   has no CSRF check. Reading needs a token too, because the API shows drafts; only
//!   search and the public calendar (`GET /events`, `GET /events/{slug}`), which show what
//!   the public site shows, are open without one.
//! - **Errors** have one JSON shape (see [`error`]), including axum's own rejections, the
//!   router's 404 and 405 and the body limit's 413: `{"error": {"status", "code", "message"}}`,
//!   plus `request_id` on a 5xx (whose detail only goes to the log) and `current` on a 409
//!   from a save.
//! - **Limits before work**: JSON bodies are capped at [`MAX_JSON_BODY`] (1 MiB) and uploads
//!   at the media library's `MAX_UPLOAD_BODY` (its 20 MiB file limit plus the form); JSON nesting is bounded by serde_json's recursion limit (128
//!   levels), past which the body is a 400.
//! - **Caching**: every response is `Cache-Control: private, no-store`; it may hold drafts.

mod articles;
mod auth;
mod authors;
mod comments;
mod error;
mod events;
mod extract;
mod json_body;
mod media;
mod meetings;
mod openapi;
mod responses;
mod search;
mod sections;

use crate::AppState;
use crate::media_library::MAX_UPLOAD_BODY;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) use error::{ApiError, to_json};

/// The largest JSON body accepted.
pub const MAX_JSON_BODY: usize = 1024 * 1024;

/// Where the API is mounted; the document's paths and `Location` headers include it.
pub(crate) const PREFIX: &str = "/api/v1";

/// Every route with its documentation. Registering through `routes!` puts a handler in the
/// router and in the OpenAPI document at once, so the two cannot drift apart.
fn api_routes() -> OpenApiRouter<AppState> {
    let json = OpenApiRouter::with_openapi(openapi::base())
        .routes(routes!(openapi::document))
        .routes(routes!(articles::list::list, articles::create::create))
        .routes(routes!(articles::show::show, articles::update::update))
        .routes(routes!(articles::status::submit))
        .routes(routes!(articles::status::publish))
        .routes(routes!(articles::status::schedule))
        .routes(routes!(articles::status::unpublish))
        .routes(routes!(sections::list, sections::create))
        .routes(routes!(authors::list, authors::create))
        .routes(routes!(search::search))
        .routes(routes!(events::public::list))
        .routes(routes!(events::public::show))
        .routes(routes!(events::moderation::list))
        .routes(routes!(events::moderation::show))
        .routes(routes!(events::moderation::approve))
        .routes(routes!(events::moderation::reject))
        .routes(routes!(events::moderation::cancel))
        .routes(routes!(events::moderation::restore))
        .routes(routes!(comments::for_story))
        .routes(routes!(comments::queue))
        .routes(routes!(comments::moderate))
        .routes(routes!(meetings::list_bodies, meetings::create_body_api))
        .routes(routes!(meetings::show_body, meetings::update_body_api))
        .routes(routes!(
            meetings::list_meetings,
            meetings::create_meeting_api
        ))
        .routes(routes!(
            meetings::show_meeting,
            meetings::update_meeting_api
        ))
        .routes(routes!(meetings::show_document))
        .routes(routes!(meetings::draft_brief_api))
        .routes(routes!(meetings::sign_off_api))
        .layer(DefaultBodyLimit::max(MAX_JSON_BODY))
        .layer(RequestBodyLimitLayer::new(MAX_JSON_BODY));
    let uploads = OpenApiRouter::new()
        .routes(routes!(media::upload))
        .layer(DefaultBodyLimit::max(MAX_UPLOAD_BODY))
        .layer(RequestBodyLimitLayer::new(MAX_UPLOAD_BODY));
    let documents = OpenApiRouter::new()
        .routes(routes!(meetings::add_document))
        .layer(DefaultBodyLimit::max(meetings::MAX_DOCUMENT_BODY))
        .layer(RequestBodyLimitLayer::new(meetings::MAX_DOCUMENT_BODY));
    json.merge(uploads).merge(documents)
}

/// The OpenAPI document, with paths as clients call them (under [`PREFIX`]).
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, doc) = api_routes().split_for_parts();
    openapi::finish(doc)
}

/// The API's router, to be nested at [`PREFIX`] inside the site's layers (tracing, security
/// headers, the address-length limit, error rendering, which answers in JSON under `/api/`).
/// It sets its own body limits and marks every response uncacheable.
pub(crate) fn router<S>(state: AppState) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let (routes, _) = api_routes().split_for_parts();
    routes
        // Every other address under the prefix, as a route: the site's last route (the
        // static pages' `/{*path}`) would otherwise take it before this router's fallback.
        .route(
            "/{*rest}",
            axum::routing::any(|| async { ApiError::NoRoute }),
        )
        .fallback(|| async { ApiError::NoRoute })
        // Anonymous GETs (search, events, a story's comments) may read a caught-up replica;
        // anything with a token reads the primary (see `replica_reads.rs`).
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::replica_reads::route,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static(crate::headers::PRIVATE_NO_STORE),
        ))
        .with_state(state)
}
