//! The front page: the lead story, the latest stories, section blocks and upcoming events.

use crate::render::render_page;
use crate::site::cached::page;
use crate::site::feeds::alternates;
use crate::{AppState, WebError};
use axum::extract::State;
use axum::response::Response;
use masthead_core::PageNumber;
use masthead_render::context;
use masthead_store::ArticleFilter;

/// How many stories the front page lists under the lead.
const HOME_LATEST: u32 = 10;

/// `GET /`
pub async fn show(State(state): State<AppState>) -> Result<Response, WebError> {
    let now = state.clock.now();
    // Read before the query, as in `lists::teaser_list`.
    let generation = state.watch.generation(now);
    let list = state
        .store
        .list_articles(ArticleFilter::All, now, PageNumber::FIRST, HOME_LATEST + 1)
        .await?;
    let (lead, latest) = list.items.split_at(list.items.len().min(1));
    let lead = state.fragments.teasers(&state, generation, lead, 3, true)?;
    let latest = state
        .fragments
        .teasers(&state, generation, latest, 3, true)?;
    let more_url = list.has_more.then_some("/latest?page=2");
    let feeds = alternates(&state.config(), "", "");
    let html = render_page(
        &state,
        "home.html",
        context! { lead, latest, more_url, feeds },
    )
    .await?;
    Ok(page(html))
}
