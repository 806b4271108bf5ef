//! `GET /preview/{token}`: a shared preview link, opened by anyone who holds it, logged in
//! or not. It shows the story's latest saved version in the public theme, with the preview
//! banner, until the link expires or is revoked; then, and for any address that is not a
//! live link, it is the site's plain 404.
//!
//! The answer is never kept: `Cache-Control: private, no-store`, and the route sits outside
//! the page cache and conditional GET. Search engines are told to leave it out
//! (`X-Robots-Tag` and the page's robots meta), and no sitemap lists it. A story that is on
//! the site now sends the link on to its live page.

use super::page_of;
use crate::{AppState, WebError};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use masthead_core::ArticleStatus;
use masthead_core::secret::token_hash;
use masthead_render::{context, ser};

/// The longest token accepted; ours are 47 characters. Anything longer is not one of ours
/// and is not hashed.
const MAX_TOKEN: usize = 100;

/// What search engines are told about a preview.
pub(crate) const ROBOTS: &str = "noindex, nofollow, noarchive";

/// `GET /preview/{token}`
pub async fn show(
    State(state): State<AppState>,
    token: Result<Path<String>, PathRejection>,
) -> Result<Response, WebError> {
    // Not a token of ours (bad percent-escapes, not UTF-8): the same 404 as a wrong one.
    let Ok(Path(token)) = token else {
        return Err(WebError::NotFound);
    };
    if token.is_empty() || token.len() > MAX_TOKEN {
        return Err(WebError::NotFound);
    }
    let now = state.clock.now();
    let Some(target) = state.store.preview_target(&token_hash(&token), now).await? else {
        return Err(WebError::NotFound);
    };
    let article = state.store.desk_article(target.article).await?;
    let on_site = matches!(
        article.status,
        ArticleStatus::Published | ArticleStatus::Scheduled
    ) && article.published_at.is_some_and(|at| at <= now);
    if on_site {
        let location = format!("/stories/{}", article.fields.slug);
        let mut response = (StatusCode::SEE_OTHER, "This story is on the site.").into_response();
        if let Ok(value) = HeaderValue::from_str(&location) {
            response.headers_mut().insert(header::LOCATION, value);
        }
        return Ok(private(response));
    }
    let page = page_of(&state, article.fields.clone(), Some(&article), now).await?;
    let banner = context! { expires_at => ser(&target.expires_at) };
    let html = crate::site::article::render(&state, page, Some(banner)).await?;
    Ok(private(Html(html).into_response()))
}

/// Marks an answer as kept by no one and left out of search engines.
pub(crate) fn private(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(crate::headers::PRIVATE_NO_STORE),
    );
    h.insert("x-robots-tag", HeaderValue::from_static(ROBOTS));
    response
}
