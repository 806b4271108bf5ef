//! A section front.

use crate::params::{ListAt, SlugParam};
use crate::render::current_parts;
use crate::site::feeds::alternates;
use crate::site::lists::teaser_list;
use crate::{AppState, WebError};
use axum::extract::State;
use axum::response::Response;
use masthead_render::context;
use masthead_store::ArticleFilter;

/// `GET /section/{slug}?page=N`
pub async fn show(
    State(state): State<AppState>,
    SlugParam(slug): SlugParam,
    page: ListAt,
) -> Result<Response, WebError> {
    let parts = current_parts(&state).await?;
    let section = parts
        .sections
        .iter()
        .find(|s| s.slug == slug.as_str())
        .ok_or(WebError::NotFound)?;
    let path = format!("/section/{slug}");
    teaser_list(
        &state,
        ArticleFilter::Section(section.id),
        page,
        &path,
        &section.name,
        &section.description,
        context! { feeds => alternates(&state.config(), &path, &section.name) },
    )
    .await
}
