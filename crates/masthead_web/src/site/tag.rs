//! Stories with one tag.

use crate::params::{ListAt, SlugParam};
use crate::site::feeds::alternates;
use crate::site::lists::teaser_list;
use crate::{AppState, WebError};
use axum::extract::State;
use axum::response::Response;
use masthead_render::context;
use masthead_store::ArticleFilter;

/// `GET /tag/{slug}?page=N`
pub async fn show(
    State(state): State<AppState>,
    SlugParam(slug): SlugParam,
    page: ListAt,
) -> Result<Response, WebError> {
    let tag = state
        .reads()
        .tag_by_slug(slug.as_str())
        .await?
        .ok_or(WebError::NotFound)?;
    let path = format!("/tag/{slug}");
    let heading = format!("Stories tagged “{}”", tag.name);
    teaser_list(
        &state,
        ArticleFilter::Tag(tag.id),
        page,
        &path,
        &heading,
        "",
        context! { feeds => alternates(&state.config(), &path, &tag.name) },
    )
    .await
}
