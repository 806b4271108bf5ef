//! The front page: the lead story, the latest stories, section blocks and upcoming events.

use crate::render::render_page;
use crate::site::cached::page;
use crate::{AppState, WebError};
use axum::extract::State;
use axum::response::Response;
use masthead_core::PageNumber;
use masthead_render::{context, ser};
use masthead_store::ArticleFilter;

/// How many stories the front page lists under the lead.
const HOME_LATEST: u32 = 10;

/// `GET /`
pub async fn show(State(state): State<AppState>) -> Result<Response, WebError> {
    let now = state.clock.now();
    let list = state
        .store
        .list_articles(ArticleFilter::All, now, PageNumber::FIRST, HOME_LATEST + 1)
        .await?;
    let mut stories = list.items.into_iter();
    let lead = stories.next();
    let latest: Vec<_> = stories.collect();
    let more_url = list.has_more.then_some("/latest?page=2");
    let html = render_page(
        &state,
        "home.html",
        context! { lead => ser(&lead), latest => ser(&latest), more_url },
    )
    .await?;
    Ok(page(html))
}
