//! The article page, for every kind (news, opinion, video, roundup, meeting brief). An old
//! slug answers with a permanent redirect to the current one.
//!
//! [`render`] is the one way an article becomes HTML: the live page and every preview (the
//! editor's unsaved text, a shared preview link; see `crate::preview`) go through it, so a
//! preview is the page readers will get, with the same escapes and the same template.

use crate::params::SlugParam;
use crate::render::render_page;
use crate::site::cached::{moved, page};
use crate::site::structured;
use crate::{AppState, WebError};
use axum::extract::State;
use axum::response::Response;
use masthead_core::{VideoUrl, WebUrl};
use masthead_render::{Theme, Value, context, ser};
use masthead_store::ArticlePage;

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
    Ok(page(render(&state, &article, None).await?))
}

/// The article page's HTML for `article`. `preview` marks a page that is not (yet) on the
/// site: the theme shows its banner and tells search engines to leave it out; `None` is the
/// live page.
pub(crate) async fn render(
    state: &AppState,
    article: &ArticlePage,
    preview: Option<Value>,
) -> Result<String, WebError> {
    let story = &article.story;
    let config = state.config();
    let canonical = if story.source_canonical && !story.source_url.is_empty() {
        story.source_url.clone()
    } else {
        format!("{}/stories/{}", config.base_url, article.teaser.slug)
    };
    // Only our own player addresses are framed; anything stored before the video rule
    // (or by hand) is offered as a plain link when it is a web address at all.
    let video = story.parts.video_url();
    let player = VideoUrl::is_player(video).then_some(video);
    let video_link = (player.is_none() && WebUrl::is_web_url(video)).then_some(video);
    let json_ld = Theme::safe(structured::article(
        article,
        &config,
        &canonical,
        player.or(video_link),
    ));
    let source_link = WebUrl::is_web_url(&story.source_url).then_some(&story.source_url);
    let body = Theme::safe(article.body_html.clone());
    let items: Vec<_> = story
        .parts
        .items()
        .iter()
        .map(|item| context! { headline => &item.headline, body => Theme::safe(item.body_html.clone()) })
        .collect();
    let mut ctx = context! { a => ser(article), body, items, canonical, player, video_link, source_link, json_ld };
    if let Some(preview) = preview {
        ctx = context! { preview, ..ctx };
    }
    render_page(state, "article.html", ctx).await
}
