//! Readers' comments on the public site: the comment form and its post (`form.rs`, with
//! the layers of spam defence), the limits on how fast comments arrive (`limits.rs`) and
//! each story's comment feed (`feed.rs`). The article page shows the comments themselves
//! (`site::article`); moderation is in the desk (`admin::comments`) and the API.

pub mod feed;
pub mod form;
pub(crate) mod limits;

use crate::AppState;
use axum::Router;
use axum::routing::get;

/// The comment routes: the form page and its post (never cached: each form carries its own
/// signed token). The feed is a cached page and is routed with the pages.
pub fn routes() -> Router<AppState> {
    Router::new().route("/stories/{slug}/comment", get(form::show).post(form::post))
}
