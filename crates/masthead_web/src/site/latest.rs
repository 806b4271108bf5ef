//! Every story, newest first.

use crate::params::ListAt;
use crate::site::feeds::alternates;
use crate::site::lists::teaser_list;
use crate::{AppState, WebError};
use axum::extract::State;
use axum::response::Response;
use masthead_render::context;
use masthead_store::ArticleFilter;

/// `GET /latest?page=N`
pub async fn show(State(state): State<AppState>, page: ListAt) -> Result<Response, WebError> {
    teaser_list(
        &state,
        ArticleFilter::All,
        page,
        "/latest",
        "Latest News Stories",
        "",
        context! { feeds => alternates(&state.config(), "", "") },
    )
    .await
}
