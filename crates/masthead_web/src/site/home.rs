//! The front page: the lead story (the one an editor pinned, else the newest), the stories
//! an editor featured, the latest stories, section blocks and upcoming events. All the
//! stories come from one query (`Store::front_page`), their teasers from those kept
//! rendered or a second query (`Fragments::listed`); a pin or feature that has expired is
//! left out by that query, and the page cache turns over at its expiry (see `freshness`).

use crate::render::render_page;
use crate::site::cached::{page, showing};
use crate::site::feeds::alternates;
use crate::{AppState, WebError};
use axum::extract::State;
use axum::response::Response;
use masthead_render::context;

/// How many stories the front page lists under the lead.
const HOME_LATEST: u32 = 10;

/// `GET /`
pub async fn show(State(state): State<AppState>) -> Result<Response, WebError> {
    let now = state.clock.now();
    // Read before the query, as in `lists::teaser_list`.
    let generation = state.watch.generation(now);
    // One more than listed: without a pinned story the newest leads.
    let front = state.reads().front_page(now, HOME_LATEST + 1).await?;
    let mut list = front.latest.items;
    let mut has_more = front.latest.has_more;
    let lead = match front.top {
        Some(top) => {
            has_more |= list.len() > HOME_LATEST as usize;
            list.truncate(HOME_LATEST as usize);
            vec![top]
        }
        None if list.is_empty() => Vec::new(),
        None => vec![list.remove(0)],
    };
    let shown: Vec<_> = lead
        .iter()
        .chain(&front.featured)
        .chain(&list)
        .map(|t| t.id)
        .collect();
    let [lead, featured, latest] = state
        .fragments
        .listed(
            &state,
            generation,
            [&lead, &front.featured, &list],
            now,
            3,
            true,
        )
        .await?;
    let featured = (!front.featured.is_empty()).then_some(featured);
    let more_url = has_more.then_some("/latest?page=2");
    let feeds = alternates(&state.config(), "", "");
    let html = render_page(
        &state,
        "home.html",
        context! { lead, featured, latest, more_url, feeds },
    )
    .await?;
    Ok(showing(page(html), shown))
}
