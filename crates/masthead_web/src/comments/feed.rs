//! Each story's comment feed, RSS 2.0 at `/stories/{slug}/comments.xml`: its approved
//! comments, newest first (at most [`FEED_COMMENTS`]), each with the commenter's name as
//! its creator and the text as the page shows it. No email or address is read for it
//! (`Store::public_comments` selects neither). A cached page, dropped when the story's
//! shown comments change (see `PageCache::purge`).

use crate::params::SlugParam;
use crate::site::cached::{document, showing};
use crate::site::conditional::http_date;
use crate::{AppState, WebError};
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use masthead_render::comment_html;
use masthead_render::feeds::{Entry, Feed, FeedFormat, Person};
use sha2::{Digest, Sha256};

/// The most comments a comment feed holds.
pub const FEED_COMMENTS: usize = 50;

/// `GET /stories/{slug}/comments.xml`
pub async fn show(
    State(state): State<AppState>,
    SlugParam(slug): SlugParam,
) -> Result<Response, WebError> {
    let now = state.clock.now();
    let Some((article, comments)) = state.reads().public_comments(slug.as_str(), now).await? else {
        return Err(WebError::NotFound);
    };
    let Some(page) = state.reads().article_page(slug.as_str(), now).await? else {
        return Err(WebError::NotFound);
    };
    let config = state.config();
    let base = &config.base_url;
    let page_url = format!("{base}/stories/{slug}");
    let self_url = format!("{page_url}/comments.xml");
    let entries = comments
        .iter()
        .rev()
        .take(FEED_COMMENTS)
        .map(|c| {
            let url = format!("{page_url}#comment-{}", c.id.0);
            Entry {
                id: url.clone(),
                url,
                title: format!("Comment by {}", c.name),
                summary: masthead_core::excerpt(&c.body, 200),
                content_html: comment_html(&c.body),
                credit: c.name.clone(),
                authors: vec![Person {
                    name: c.name.clone(),
                    url: None,
                }],
                category: "Comments".into(),
                published: c.created_at,
                updated: None,
                image: None,
            }
        })
        .collect();
    let feed = Feed {
        title: format!("Comments on {} | {}", page.teaser.title, config.name),
        description: format!("Readers' comments on \u{201c}{}\u{201d}", page.teaser.title),
        home_url: page_url,
        urls: [self_url.clone(), self_url.clone(), self_url],
        language: config.language.clone(),
        empty_updated: page.teaser.published_at,
        entries,
    };
    let body = feed
        .write(FeedFormat::Rss)
        .map_err(|e| WebError::internal("writing a comment feed", e))?;
    let digest = Sha256::digest(body.as_bytes());
    let etag: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    let updated = feed.updated();
    let mut response = document(FeedFormat::Rss.content_type(), body);
    let headers = response.headers_mut();
    for (name, value) in [
        (header::ETAG, format!("\"{etag}\"")),
        (
            header::LAST_MODIFIED,
            http_date(updated.max(page.teaser.published_at)),
        ),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    Ok(showing(response, [article]))
}
