//! What the paginated list pages (latest, section, author, tag) share: fetching a page of
//! teasers, refusing pages past the end, and the newer/older links.
//!
//! The first [`MAX_NUMBERED_PAGE`] pages are numbered (`?page=N`); from the last of them on,
//! "Older" links name the last story shown (`?before=CURSOR`) and "Newer" links the first
//! (`?after=CURSOR`), so a page deep in the archive is one index seek like the first, its
//! address keeps showing the same stories as new ones are published (good for crawlers),
//! and a cursor past the end is an empty seek and a 404.

use crate::params::{ListAt, MAX_NUMBERED_PAGE};
use crate::render::render_page;
use crate::site::cached::{page, showing};
use crate::{AppState, WebError};
use axum::response::Response;
use masthead_core::{ListCursor, PageNumber};
use masthead_render::{Value, context};
use masthead_store::{ArticleFilter, ListWindow, Listed, to_micros};

/// Renders one page of teasers under `heading`, at `path` (used for links and the canonical
/// URL). A page past the end is a 404; the first page of an empty list is shown empty.
pub(crate) async fn teaser_list(
    state: &AppState,
    filter: ArticleFilter,
    ListAt(window): ListAt,
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
        .reads()
        .list_window_keys(filter, now, window, state.config().page_size)
        .await?;
    let links = match (list.items.first(), list.items.last()) {
        (Some(newest), Some(oldest)) => {
            links(path, window, list.has_more, cursor(newest), cursor(oldest))
        }
        _ if window == ListWindow::Page(PageNumber::FIRST) => Links {
            page_num: 1,
            this: path.to_owned(),
            prev: None,
            next: None,
        },
        _ => return Err(WebError::NotFound),
    };
    let canonical = format!("{}{}", state.config().base_url, links.this);
    let [teasers] = state
        .fragments
        .listed(state, generation, [&list.items], now, 2, true)
        .await?;
    let html = render_page(
        state,
        "list.html",
        context! {
            heading, intro, teasers, canonical,
            page_num => links.page_num,
            older => links.page_num == 0,
            prev_url => links.prev,
            next_url => links.next,
            ..extra
        },
    )
    .await?;
    Ok(showing(page(html), list.items.iter().map(|t| t.id)))
}

/// The links of a page that shows stories from `newest` to `oldest`.
fn links(
    path: &str,
    window: ListWindow,
    has_more: bool,
    newest: ListCursor,
    oldest: ListCursor,
) -> Links {
    let numbered = |n: u32| {
        if n == 1 {
            path.to_owned()
        } else {
            format!("{path}?page={n}")
        }
    };
    let before = || format!("{path}?before={oldest}");
    let after = || format!("{path}?after={newest}");
    match window {
        ListWindow::Page(n) => Links {
            page_num: n.get(),
            this: numbered(n.get()),
            prev: n.prev().map(|p| numbered(p.get())),
            next: has_more.then(|| {
                if n.get() < MAX_NUMBERED_PAGE {
                    numbered(n.next().get())
                } else {
                    before()
                }
            }),
        },
        ListWindow::Before(c) => Links {
            page_num: 0,
            this: format!("{path}?before={c}"),
            prev: Some(after()),
            next: has_more.then(before),
        },
        ListWindow::After(c) => Links {
            page_num: 0,
            this: format!("{path}?after={c}"),
            prev: has_more.then(after),
            next: Some(before()),
        },
    }
}

/// The links of one list page.
#[derive(Debug)]
struct Links {
    /// The page's number, or 0 for a page found by cursor.
    page_num: u32,
    /// This page's own address.
    this: String,
    prev: Option<String>,
    next: Option<String>,
}

fn cursor(story: &Listed) -> ListCursor {
    ListCursor {
        at: to_micros(story.published_at),
        id: story.id.0,
    }
}
