//! What the paginated list pages (latest, section, author, tag) share: fetching a page of
//! teasers, refusing pages past the end, and the newer/older links.

use crate::params::Page;
use crate::render::render_page;
use crate::site::cached::page;
use crate::{AppState, WebError};
use axum::response::Response;
use masthead_render::{Value, context};
use masthead_store::ArticleFilter;

/// Renders one page of teasers under `heading`, at `path` (used for links and the canonical
/// URL). A page past the end is a 404; the first page of an empty list is shown empty.
pub(crate) async fn teaser_list(
    state: &AppState,
    filter: ArticleFilter,
    Page(page_num): Page,
    path: &str,
    heading: &str,
    intro: &str,
    extra: Value,
) -> Result<Response, WebError> {
    let now = state.clock.now();
    // Read before the query, so teasers rendered from data older than a change are never
    // kept under the new generation.
    let generation = state.watch.generation(now);
    let list = state
        .store
        .list_articles(filter, now, page_num, state.config().page_size)
        .await?;
    if list.items.is_empty() && page_num.get() > 1 {
        return Err(WebError::NotFound);
    }
    let url = |n: u32| {
        if n == 1 {
            path.to_owned()
        } else {
            format!("{path}?page={n}")
        }
    };
    let prev_url = page_num.prev().map(|p| url(p.get()));
    let next_url = list.has_more.then(|| url(page_num.next().get()));
    let canonical = format!("{}{}", state.config().base_url, url(page_num.get()));
    let teasers = state
        .fragments
        .teasers(state, generation, &list.items, 2, true)?;
    let html = render_page(
        state,
        "list.html",
        context! {
            heading, intro, teasers, page_num => page_num.get(), prev_url, next_url, canonical,
            ..extra
        },
    )
    .await?;
    Ok(page(html))
}
