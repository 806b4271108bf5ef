//! A staff author's page: their bio and their stories.

use crate::params::{ListAt, SlugParam};
use crate::site::feeds::alternates;
use crate::site::lists::teaser_list;
use crate::{AppState, WebError};
use axum::extract::State;
use axum::response::Response;
use masthead_render::{context, ser};
use masthead_store::ArticleFilter;

/// `GET /author/{slug}?page=N`
pub async fn show(
    State(state): State<AppState>,
    SlugParam(slug): SlugParam,
    page: ListAt,
) -> Result<Response, WebError> {
    let author = state
        .reads()
        .author_by_slug(slug.as_str())
        .await?
        .ok_or(WebError::NotFound)?;
    let path = format!("/author/{slug}");
    teaser_list(
        &state,
        ArticleFilter::Author(author.id),
        page,
        &path,
        &author.name,
        &author.bio,
        context! {
            author => ser(&author),
            feeds => alternates(&state.config(), &path, &author.name),
        },
    )
    .await
}
