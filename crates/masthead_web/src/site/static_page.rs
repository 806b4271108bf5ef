//! A static page (About, Contact, Ethics policy, …) at its own address, `/` + its path:
//! the route that takes every address no other route claims. Only published pages whose
//! parents are all published answer,
//! and only at addresses a page may have (slug characters and `/`), so a stranger's random
//! address costs one indexed read at most and never enters the page cache (a 404 is not
//! kept). An address with a trailing slash answers 301 to the page's own.

use crate::render::render_page;
use crate::site::cached::{moved, page};
use crate::{AppState, WebError};
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use masthead_render::{Theme, context, ser};

/// The longest address a page can have (five slugs of 120 bytes and their slashes).
const MAX_PATH: usize = 610;

/// Whether `path` (no leading `/`) could be a page's: slug characters between single slashes.
fn plausible(path: &str) -> bool {
    !path.is_empty()
        && path.len() <= MAX_PATH
        && path.split('/').all(|s| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

/// `GET /{*path}`: the published page at that path, else 404.
pub async fn show(State(state): State<AppState>, uri: Uri) -> Result<Response, WebError> {
    let asked = uri.path().trim_start_matches('/');
    let path = asked.strip_suffix('/').unwrap_or(asked);
    // An address under one of the site's own routes (`/stories/x/y`) is never a page's.
    if !plausible(path) || masthead_desk::pages::is_reserved(path) {
        return Err(WebError::NotFound);
    }
    let Some(found) = state.reads().published_page(path).await? else {
        return Err(WebError::NotFound);
    };
    if path != asked {
        return Ok(moved(&format!("/{path}")));
    }
    // The pages above it, for the breadcrumbs (at most four reads, and the page is cached).
    // A page under a draft is not on the site either, as the sitemap says.
    let mut crumbs = Vec::new();
    let mut prefix = path;
    while let Some((parent, _)) = prefix.rsplit_once('/') {
        let Some(p) = state.reads().published_page(parent).await? else {
            return Err(WebError::NotFound);
        };
        crumbs.push(context! { path => p.path, title => p.title });
        prefix = parent;
    }
    crumbs.reverse();
    let html = render_page(
        &state,
        "page.html",
        context! {
            page => context! {
                title => &found.title,
                path => &found.path,
                body_html => Theme::safe(found.body_html.clone()),
                updated_at => ser(&found.updated_at),
            },
            crumbs,
        },
    )
    .await?;
    Ok(page(html))
}

#[cfg(test)]
mod tests {
    use super::plausible;

    #[test]
    fn only_slug_paths_are_looked_up() {
        assert!(plausible("about"));
        assert!(plausible("about/ethics-policy"));
        assert!(!plausible(""));
        assert!(!plausible("about//x"));
        assert!(!plausible("About"));
        assert!(!plausible("caf%C3%A9"));
        assert!(!plausible("wp-content/x.jpg"));
        assert!(!plausible(&"a".repeat(700)));
    }
}
