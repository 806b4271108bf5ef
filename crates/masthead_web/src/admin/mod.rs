//! The editorial desk at `/admin`: server-rendered pages that work without JavaScript.
//!
//! Login, the two-factor step and reset links are open; every other route sits behind
//! [`guard::require_staff`], which checks the session, two-factor setup and the CSRF
//! token of every state-changing request, and marks responses uncacheable. Permission
//! checks by role and ownership happen in the handlers, through [`crate::desk`].

mod account;
pub(crate) mod articles;
mod audit;
mod autosave;
mod comment_settings;
mod comments;
pub(crate) mod csrf;
pub mod desk_user;
mod events;
pub(crate) mod form;
mod front;
mod guard;
mod imports;
pub(crate) mod login;
mod media;
mod meeting_review;
mod meetings;
pub(crate) use meetings::MAX_DOCUMENT;
mod multipart_csrf;
mod newsletter;
mod newsletter_send;
mod pages;
mod preview;
mod redirects;
mod review;
mod revisions;
mod sections;
pub(crate) mod session;
mod settings;
mod share;
mod story_list;
pub mod throttle;
mod users;
pub(crate) mod view;
mod wire;
mod wire_inbox;

use crate::AppState;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path};
use axum::http::{HeaderValue, header};
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use tower_http::set_header::SetResponseHeaderLayer;

/// The Content-Security-Policy of desk pages: nothing inline, nothing from elsewhere, never
/// framed. A page that needs another sets its own (the editor's preview,
/// [`preview::PREVIEW_CSP`]); the layer adds this one where none is set.
const ADMIN_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The largest upload accepted (the image pipeline refuses over 20 MiB itself).
const MAX_UPLOAD: usize = 25 * 1024 * 1024;

/// Every state-changing route behind the guard, as (method, path with sample ids), so a
/// test can prove each one refuses a request without the CSRF token.
pub const GUARDED_WRITES: &[(&str, &str)] = &[
    ("POST", "/admin/logout"),
    ("POST", "/admin/articles/new"),
    ("POST", "/admin/articles/bulk"),
    ("POST", "/admin/articles/1"),
    ("POST", "/admin/articles/new/autosave"),
    ("POST", "/admin/articles/1/autosave"),
    ("POST", "/admin/articles/1/autosave/discard"),
    ("POST", "/admin/articles/1/revisions/1/restore"),
    ("POST", "/admin/articles/1/notes"),
    ("POST", "/admin/articles/1/send-back"),
    ("POST", "/admin/articles/1/share"),
    ("POST", "/admin/articles/1/share/1/revoke"),
    ("POST", "/admin/media"),
    ("POST", "/admin/media/1"),
    ("POST", "/admin/media/1/focus"),
    ("POST", "/admin/account/password"),
    ("POST", "/admin/account/2fa"),
    ("POST", "/admin/account/tokens"),
    ("POST", "/admin/account/tokens/1/revoke"),
    ("POST", "/admin/comments"),
    ("POST", "/admin/comments/1"),
    ("POST", "/admin/events/new"),
    ("POST", "/admin/events/1"),
    ("POST", "/admin/events/1/status"),
    ("POST", "/admin/comments/settings"),
    ("POST", "/admin/articles/1/comments"),
    ("POST", "/admin/front"),
    ("POST", "/admin/front/banner"),
    ("POST", "/admin/users"),
    ("POST", "/admin/users/1"),
    ("POST", "/admin/users/1/reset"),
    ("POST", "/admin/sections"),
    ("POST", "/admin/sections/1"),
    ("POST", "/admin/authors"),
    ("POST", "/admin/authors/1"),
    ("POST", "/admin/authors/1/photo"),
    ("POST", "/admin/settings"),
    ("POST", "/admin/settings/logo"),
    ("POST", "/admin/settings/favicon"),
    ("POST", "/admin/wire"),
    ("POST", "/admin/wire/1"),
    ("POST", "/admin/wire/1/pull"),
    ("POST", "/admin/wire/1/remove"),
    ("POST", "/admin/wire/inbox/1/publish"),
    ("POST", "/admin/wire/inbox/1/discard"),
    ("POST", "/admin/wire/inbox/1/take"),
    ("POST", "/admin/wire/inbox/1/keep"),
    ("POST", "/admin/pages/new"),
    ("POST", "/admin/pages/1"),
    ("POST", "/admin/pages/1/delete"),
    ("POST", "/admin/redirects"),
    ("POST", "/admin/redirects/1/delete"),
    ("POST", "/admin/bodies"),
    ("POST", "/admin/bodies/1"),
    ("POST", "/admin/meetings"),
    ("POST", "/admin/meetings/1"),
    ("POST", "/admin/meetings/1/documents"),
    ("POST", "/admin/meetings/1/documents/fetch"),
    ("POST", "/admin/meetings/1/documents/1/brief"),
    ("POST", "/admin/briefs/1/sign-off"),
    ("POST", "/admin/newsletter/sends"),
    ("POST", "/admin/newsletter/lists"),
    ("POST", "/admin/newsletter/sends/1"),
    ("POST", "/admin/newsletter/readers/1/delete"),
    ("POST", "/admin/newsletter/readers/import"),
    ("POST", "/admin/stories/1/alert"),
];

/// The desk's router.
pub fn router(state: AppState) -> Router<AppState> {
    let guarded = Router::new()
        .route("/admin", get(articles::dashboard))
        .route("/admin/logout", post(login::logout))
        .route("/admin/articles", get(story_list::list))
        .route("/admin/articles/bulk", post(story_list::bulk))
        .route(
            "/admin/articles/new",
            get(articles::new).post(articles::create),
        )
        .route(
            "/admin/articles/{id}",
            get(articles::edit).post(articles::save),
        )
        .route("/admin/articles/{id}/notes", post(review::post_note))
        .route("/admin/articles/{id}/send-back", post(review::send_back))
        .route("/admin/articles/new/autosave", post(autosave::autosave_new))
        .route(
            "/admin/articles/{id}/autosave",
            post(autosave::autosave_story),
        )
        .route(
            "/admin/articles/{id}/autosave/discard",
            post(autosave::discard),
        )
        .route("/admin/articles/{id}/revisions", get(revisions::list))
        .route(
            "/admin/articles/{id}/share",
            get(share::show).post(share::create),
        )
        .route(
            "/admin/articles/{id}/share/{link}/revoke",
            post(share::revoke),
        )
        .route(
            "/admin/articles/{id}/revisions/{version}",
            get(revisions::show),
        )
        .route(
            "/admin/articles/{id}/revisions/{version}/restore",
            post(revisions::restore),
        )
        .route(
            "/admin/media",
            get(media::list)
                .post(media::upload)
                .layer(DefaultBodyLimit::max(MAX_UPLOAD)),
        )
        .route("/admin/media/{id}", post(media::update))
        .route("/admin/media/{id}/focus", post(media::focus))
        .route("/admin/account", get(account::show))
        .route("/admin/account/password", post(account::password))
        .route("/admin/account/2fa", post(account::totp))
        .route("/admin/account/tokens", post(account::create_token))
        .route(
            "/admin/account/tokens/{id}/revoke",
            post(account::revoke_token),
        )
        .route("/admin/front", get(front::show).post(front::arrange))
        .route("/admin/front/banner", post(front::banner))
        .route("/admin/comments", get(comments::list).post(comments::act))
        .route(
            "/admin/comments/settings",
            get(comment_settings::show).post(comment_settings::save),
        )
        .route("/admin/comments/{id}", post(comments::moderate))
        .route("/admin/pages", get(pages::list))
        .route("/admin/pages/new", get(pages::new).post(pages::create))
        .route("/admin/pages/{id}", get(pages::edit).post(pages::save))
        .route("/admin/pages/{id}/delete", post(pages::delete))
        .route("/admin/newsletter", get(newsletter::overview))
        .route("/admin/newsletter/lists", post(newsletter::save_list))
        .route("/admin/newsletter/readers", get(newsletter::readers))
        .route("/admin/newsletter/readers.csv", get(newsletter::export))
        .route(
            "/admin/newsletter/readers/import",
            post(newsletter::import).layer(DefaultBodyLimit::max(newsletter::MAX_CSV + 64 * 1024)),
        )
        .route(
            "/admin/newsletter/readers/{id}/delete",
            post(newsletter::erase),
        )
        .route("/admin/newsletter/sends", post(newsletter_send::create))
        .route(
            "/admin/newsletter/sends/{id}",
            get(newsletter_send::show).post(newsletter_send::act),
        )
        .route(
            "/admin/newsletter/sends/{id}/preview",
            get(newsletter_send::preview),
        )
        .route(
            "/admin/newsletter/sends/{id}/preview.txt",
            get(newsletter_send::preview_text),
        )
        .route("/admin/stories/{id}/alert", post(newsletter_send::alert))
        .route(
            "/admin/redirects",
            get(redirects::list).post(redirects::add),
        )
        .route("/admin/redirects/{id}/delete", post(redirects::delete))
        .route(
            "/admin/meetings",
            get(meetings::list).post(meetings::add_meeting),
        )
        .route("/admin/bodies", post(meetings::add_body))
        .route(
            "/admin/bodies/{id}",
            get(meetings::edit_body).post(meetings::save_body),
        )
        .route(
            "/admin/meetings/{id}",
            get(meetings::show).post(meetings::save_meeting),
        )
        .route(
            "/admin/meetings/{id}/documents",
            post(meetings::add_document).layer(DefaultBodyLimit::max(MAX_UPLOAD)),
        )
        .route(
            "/admin/meetings/{id}/documents/fetch",
            post(meetings::fetch_document),
        )
        .route(
            "/admin/meetings/{id}/documents/{doc}",
            get(meetings::original),
        )
        .route(
            "/admin/meetings/{id}/documents/{doc}/brief",
            post(meetings::draft),
        )
        .route("/admin/briefs/{id}", get(meeting_review::show))
        .route(
            "/admin/briefs/{id}/sign-off",
            post(meeting_review::sign_off),
        )
        .route("/admin/events", get(events::list))
        .route("/admin/events/new", get(events::new).post(events::create))
        .route("/admin/events/{id}", get(events::edit).post(events::save))
        .route("/admin/events/{id}/status", post(events::moderate))
        .route("/admin/articles/{id}/comments", post(comments::switch))
        .route("/admin/users", get(users::list).post(users::create))
        .route("/admin/users/{id}", post(users::update))
        .route("/admin/users/{id}/reset", post(users::reset_link))
        .route(
            "/admin/sections",
            get(sections::list).post(sections::create_section),
        )
        .route("/admin/sections/{id}", post(sections::update_section))
        .route("/admin/authors", post(sections::create_author))
        .route("/admin/authors/{id}", post(sections::update_author))
        .route(
            "/admin/authors/{id}/photo",
            post(sections::author_photo).layer(DefaultBodyLimit::max(MAX_UPLOAD)),
        )
        .route("/admin/settings", get(settings::show).post(settings::save))
        .route(
            "/admin/settings/logo",
            post(settings::upload_logo).layer(DefaultBodyLimit::max(MAX_UPLOAD)),
        )
        .route(
            "/admin/settings/favicon",
            post(settings::upload_favicon).layer(DefaultBodyLimit::max(MAX_UPLOAD)),
        )
        .route("/admin/audit", get(audit::show))
        .route("/admin/imports", get(imports::list))
        .route("/admin/wire", get(wire::list).post(wire::add))
        .route("/admin/wire/inbox", get(wire_inbox::list))
        .route("/admin/wire/inbox/{id}/preview", get(wire_inbox::preview))
        .route("/admin/wire/inbox/{id}/publish", post(wire_inbox::publish))
        .route("/admin/wire/inbox/{id}/discard", post(wire_inbox::discard))
        .route("/admin/wire/inbox/{id}/take", post(wire_inbox::take))
        .route("/admin/wire/inbox/{id}/keep", post(wire_inbox::keep))
        .route("/admin/wire/{id}", get(wire::edit).post(wire::save))
        .route("/admin/wire/{id}/pull", post(wire::pull))
        .route(
            "/admin/wire/{id}/remove",
            get(wire::confirm_remove).post(wire::remove),
        )
        // Any other desk address: behind the guard, so the "not found" page carries the
        // navigation of the staff member who asked (and a stranger is sent to log in).
        .route("/admin/{*rest}", get(no_such_page))
        .route_layer(from_fn_with_state(state, guard::require_staff));
    Router::new()
        .route("/admin/login", get(login::show).post(login::submit))
        .route(
            "/admin/login/code",
            get(login::code_page).post(login::code_submit),
        )
        .route(
            "/admin/reset/{token}",
            get(login::reset_page).post(login::reset_submit),
        )
        .route("/admin/admin.css", get(stylesheet))
        .merge(guarded)
        .layer(DefaultBodyLimit::max(guard::MAX_FORM))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(ADMIN_CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static(crate::headers::PRIVATE_NO_STORE),
        ))
        // After the layers above: a script at its versioned address may be kept.
        .route("/admin/assets/{name}", get(asset))
}

/// `GET /admin/assets/NAME?v=HASH`: a desk script. At its current address it may be kept
/// for a year; at any other (an old hash, none) it is the current file, not kept.
async fn asset(Path(name): Path<String>, uri: axum::http::Uri) -> axum::response::Response {
    let Some(asset) = masthead_render::desk_assets::desk_asset(&name) else {
        return crate::WebError::NotFound.into_response();
    };
    let current = uri
        .path_and_query()
        .is_some_and(|pq| pq.as_str() == asset.url);
    let cache = if current {
        "private, max-age=31536000, immutable"
    } else {
        crate::headers::PRIVATE_NO_STORE
    };
    (
        [
            (header::CONTENT_TYPE, asset.content_type),
            (header::CACHE_CONTROL, cache),
        ],
        asset.body,
    )
        .into_response()
}

async fn no_such_page() -> crate::WebError {
    crate::WebError::NotFound
}

async fn stylesheet() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        masthead_render::ADMIN_STYLESHEET,
    )
}
