//! The article page, for every kind (news, opinion, video, roundup, meeting brief). An old
//! slug answers with a permanent redirect to the current one.

use crate::params::SlugParam;
use crate::render::render_page;
use crate::site::cached::{moved, page};
use crate::{AppState, WebError};
use axum::extract::State;
use axum::response::Response;
use masthead_render::{Theme, context, ser};

/// `GET /stories/{slug}`
pub async fn show(
    State(state): State<AppState>,
    SlugParam(slug): SlugParam,
) -> Result<Response, WebError> {
    let now = state.clock.now();
    let Some(article) = state.store.article_page(slug.as_str(), now).await? else {
        return match state.store.redirect_for(slug.as_str(), now).await? {
            Some(current) => Ok(moved(&format!("/stories/{current}"))),
            None => Err(WebError::NotFound),
        };
    };
    let canonical = if article.source_canonical && !article.source_url.is_empty() {
        article.source_url.clone()
    } else {
        format!(
            "{}/stories/{}",
            state.config().base_url,
            article.teaser.slug
        )
    };
    let body = Theme::safe(article.body_html.clone());
    let items: Vec<_> = article
        .items
        .iter()
        .map(|item| context! { headline => &item.headline, body => Theme::safe(item.body_html.clone()) })
        .collect();
    let html = render_page(
        &state,
        "article.html",
        context! { a => ser(&article), body, items, canonical },
    )
    .await?;
    Ok(page(html))
}
