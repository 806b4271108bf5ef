//! The article page, for every kind (news, opinion, video, roundup, meeting brief). An old
//! slug answers with a permanent redirect to the current one.
//!
//! [`render`] is the one way an article becomes HTML: the live page and every preview (the
//! editor's unsaved text, a shared preview link; see `crate::preview`) go through it, so a
//! preview is the page readers will get, with the same escapes and the same template.

use crate::params::SlugParam;
use crate::render::render_page;
use crate::site::article_value::ArticleValue;
use crate::site::cached::{moved, page, story_page};
use crate::site::structured;
use crate::{AppState, WebError};
use axum::extract::State;
use axum::response::Response;
use masthead_core::{VideoUrl, WebUrl};
use masthead_render::{Theme, Value, comment_html, context, ser};
use masthead_store::{ArticlePage, PublicComment, from_micros, to_micros};

/// `GET /stories/{slug}`
pub async fn show(
    State(state): State<AppState>,
    SlugParam(slug): SlugParam,
) -> Result<Response, WebError> {
    let now = state.clock.now();
    let Some(article) = state.reads().article_page(slug.as_str(), now).await? else {
        return match state
            .reads()
            .story_slug_redirect(slug.as_str(), now)
            .await?
        {
            Some(current) => Ok(moved(&format!("/stories/{current}"))),
            None => Err(WebError::NotFound),
        };
    };
    let id = article.teaser.id;
    Ok(story_page(page(render(&state, article, None).await?), id))
}

/// The approved comments as the page shows them: top-level comments oldest first, each with
/// its replies; the text as safe HTML ([`comment_html`]), a website only if it is a web
/// address. Reply links go to the comment form while comments are open.
fn comment_thread(article: &ArticlePage) -> Vec<Value> {
    let shown = |c: &PublicComment| {
        context! {
            id => c.id,
            name => &c.name,
            website => WebUrl::is_web_url(&c.website).then_some(&c.website),
            body => Theme::safe(comment_html(&c.body)),
            at => ser(&from_micros(c.at)),
        }
    };
    article
        .comments
        .iter()
        .filter(|c| c.parent.is_none())
        .map(|top| {
            let replies: Vec<Value> = article
                .comments
                .iter()
                .filter(|c| c.parent == Some(top.id))
                .map(shown)
                .collect();
            context! { replies, ..shown(top) }
        })
        .collect()
}

/// The article page's HTML for `article`. `preview` marks a page that is not (yet) on the
/// site: the theme shows its banner and tells search engines to leave it out; `None` is the
/// live page.
pub(crate) async fn render(
    state: &AppState,
    mut article: ArticlePage,
    preview: Option<Value>,
) -> Result<Vec<u8>, WebError> {
    let body = Theme::safe(std::mem::take(&mut article.body_html));
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
        &article,
        &config,
        &canonical,
        player.or(video_link),
    ));
    let source_link = WebUrl::is_web_url(&story.source_url).then_some(&story.source_url);
    let items: Vec<_> = story
        .parts
        .items()
        .iter()
        .map(|item| context! { headline => &item.headline, body => Theme::safe(item.body_html.clone()) })
        .collect();
    let comments_open = preview.is_none()
        && state.comment_settings().open(
            article.comments_open,
            to_micros(article.teaser.published_at),
            to_micros(state.clock.now()),
        );
    let comments = comment_thread(&article);
    let comment_feed = format!(
        "{}/stories/{}/comments.xml",
        config.base_url, article.teaser.slug
    );
    // `a` last: it takes the article, which the values before it borrow.
    let mut ctx = context! { body, items, canonical, player, video_link, source_link, json_ld, comments, comments_open, comment_feed, a => ArticleValue::value(article) };
    if let Some(preview) = preview {
        ctx = context! { preview, ..ctx };
    }
    render_page(state, "article.html", ctx).await
}
