//! The community calendar: upcoming events, soonest first.

use crate::params::Page;
use crate::render::render_page;
use crate::site::cached::page;
use crate::site::structured;
use crate::{AppState, WebError};
use axum::extract::State;
use axum::response::Response;
use masthead_render::{Theme, context, ser};

/// `GET /events?page=N`
pub async fn show(
    State(state): State<AppState>,
    Page(page_num): Page,
) -> Result<Response, WebError> {
    let now = state.clock.now();
    let list = state
        .store
        .upcoming_events(now, page_num, state.config().page_size)
        .await?;
    if list.items.is_empty() && page_num.get() > 1 {
        return Err(WebError::NotFound);
    }
    let url = |n: u32| {
        if n == 1 {
            "/events".to_owned()
        } else {
            format!("/events?page={n}")
        }
    };
    let html = render_page(
        &state,
        "events.html",
        context! {
            events => ser(&list.items),
            json_ld => Theme::safe(structured::events(&list.items, &state.config())),
            page_num => page_num.get(),
            prev_url => page_num.prev().map(|p| url(p.get())),
            next_url => list.has_more.then(|| url(page_num.next().get())),
            canonical => format!("{}{}", state.config().base_url, url(page_num.get())),
        },
    )
    .await?;
    Ok(page(html))
}
