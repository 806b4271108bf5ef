//! The comment form (`GET /stories/{slug}/comment`, `?reply=ID` to answer a comment) and
//! its post. The article page is cached and shared by every reader, so it links here rather
//! than carrying a form: each form needs its own signed token (`masthead_core::form_token`,
//! scoped to the story, the same tokens as the event submission form's).
//!
//! A post passes, in order: the rate limits (429 with the form and the text kept), the
//! honeypot (a field people never see: filled, the post is dropped and answered as if held),
//! the token (signed for this story, at least `form_token::MIN_FILL` old, at most
//! `form_token::MAX_AGE`, posted once), the fields (each problem named on the form, the text kept), then the store's
//! checks in the one transaction that stores it (open, reply target, bans, duplicates,
//! blocked words, the moderation policy). A held comment changes no public page; a shown
//! one drops only the cached pages that show that story's comments or count.

use crate::admin::login::client_ip;
use crate::render::render_page;
use crate::{AppState, WebError};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use masthead_core::comment::form_scope;
use masthead_core::form_token::{self, TokenProblem};
use masthead_core::{CommentId, CommentStatus, NewComment};
use masthead_render::{comment_html, context, ser};
use masthead_store::{ArticlePage, CommentPost, Posted, from_micros, to_micros};
use serde::Deserialize;

/// The query of the form page.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FormQuery {
    reply: String,
    sent: String,
}

/// What the form sends.
#[derive(Debug, Default)]
struct Fields {
    name: String,
    email: String,
    website: String,
    body: String,
    token: String,
    reply: String,
    /// The honeypot: hidden from people, filled by robots.
    homepage: String,
}

impl Fields {
    fn parse(body: &[u8]) -> Self {
        let mut f = Fields::default();
        for (k, v) in form_urlencoded::parse(body) {
            let slot = match k.as_ref() {
                "name" => &mut f.name,
                "email" => &mut f.email,
                "website" => &mut f.website,
                "body" => &mut f.body,
                "token" => &mut f.token,
                "reply" => &mut f.reply,
                "homepage" => &mut f.homepage,
                _ => continue,
            };
            if slot.is_empty() {
                *slot = v.into_owned();
            }
        }
        f
    }
}

/// `GET /stories/{slug}/comment`
pub async fn show(
    State(state): State<AppState>,
    crate::params::SlugParam(slug): crate::params::SlugParam,
    Query(q): Query<FormQuery>,
) -> Result<Response, WebError> {
    let article = story(&state, slug.as_str()).await?;
    let fields = Fields {
        reply: q.reply,
        ..Fields::default()
    };
    let notice = match q.sent.as_str() {
        "held" => "Thank you. Your comment will appear once a moderator has read it.",
        _ => "",
    };
    form_page(&state, &article, &fields, &[], notice, StatusCode::OK).await
}

/// `POST /stories/{slug}/comment`
pub async fn post(
    State(state): State<AppState>,
    crate::params::SlugParam(slug): crate::params::SlugParam,
    extensions: Extensions,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let article = story(&state, slug.as_str()).await?;
    let mut fields = Fields::parse(&body);
    let settings = state.comment_settings();
    let now = state.clock.now();
    let address = client_ip(&state, &extensions, &headers);
    let email_key = masthead_core::EmailAddress::normalize(&fields.email);
    if let Err(secs) = state
        .comment_limits
        .check(&settings, &address, &email_key, to_micros(now))
    {
        let minutes = secs.div_ceil(60);
        let message = format!(
            "You have posted several comments in a short time. Wait {minutes} minute{} and \
             post this one again: your text is kept below.",
            if minutes == 1 { "" } else { "s" }
        );
        let mut page = form_page(
            &state,
            &article,
            &fields,
            &[message],
            "",
            StatusCode::TOO_MANY_REQUESTS,
        )
        .await?;
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            page.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return Ok(page);
    }
    let held = || Redirect::to(&format!("/stories/{slug}/comment?sent=held")).into_response();
    if !fields.homepage.trim().is_empty() {
        tracing::info!(%address, "comment dropped: the honeypot was filled");
        return Ok(held());
    }
    let key = state.store.form_key().await?;
    let scope = form_scope(article.teaser.id.0);
    let token = match form_token::check(key.as_bytes(), &scope, &fields.token, now) {
        Ok(token) => token,
        Err(problem) => {
            let message = match problem {
                TokenProblem::TooQuick => {
                    "That was faster than anyone types. Check your comment, then post it again."
                }
                TokenProblem::Expired => {
                    "This form was open for more than three hours. Post your comment again: the text is kept."
                }
                TokenProblem::Invalid => {
                    "This form did not come from this page. Post your comment again from this one."
                }
            };
            fields.token.clear();
            return form_page(
                &state,
                &article,
                &fields,
                &[message.to_owned()],
                "",
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let comment =
        match NewComment::parse(&fields.name, &fields.email, &fields.body, &fields.website) {
            Ok(c) => c,
            Err(problems) => {
                let messages: Vec<String> = problems
                    .iter()
                    .map(|p| format!("{}: {}.", p.field, p.message))
                    .collect();
                return form_page(
                    &state,
                    &article,
                    &fields,
                    &messages,
                    "",
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
        };
    let parent = fields.reply.trim().parse::<i64>().ok().map(CommentId);
    let posted = state
        .store
        .post_comment(
            &CommentPost {
                article: article.teaser.id,
                parent,
                comment: &comment,
                address: &address,
                nonce: &token.nonce,
            },
            &settings,
            now,
        )
        .await?;
    let refuse = |message: &str| vec![message.to_owned()];
    let problem = match posted {
        Posted::Stored(id, CommentStatus::Approved) => {
            // Drop this story's cached pages now rather than at the next poll, so the
            // reader sees the comment on the page the redirect leads to.
            if let Err(e) = state.refresh().await {
                tracing::warn!(error = %e, "could not refresh after a comment");
            }
            // A query the page ignores (its cache key too), so a browser that kept the page
            // (`max-age`) fetches it again and shows the comment.
            let to = format!("/stories/{slug}?comment={0}#comment-{0}", id.0);
            return Ok(Redirect::to(&to).into_response());
        }
        Posted::Stored(..) | Posted::Banned => return Ok(held()),
        Posted::Closed => refuse("Comments on this story are closed."),
        Posted::NoSuchParent => {
            fields.reply.clear();
            refuse(
                "The comment you answered is no longer shown. Post yours as a new comment: \
                 the text is kept.",
            )
        }
        Posted::Duplicate => refuse("You have posted this comment already."),
        Posted::Replay => {
            fields.token.clear();
            refuse("This form was posted already. To post again, use this fresh form.")
        }
    };
    form_page(
        &state,
        &article,
        &fields,
        &problem,
        "",
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

async fn story(state: &AppState, slug: &str) -> Result<ArticlePage, WebError> {
    state
        .store
        .article_page(slug, state.clock.now())
        .await?
        .ok_or(WebError::NotFound)
}

/// The form page: the story's headline, the comment answered (if any), the form with
/// `fields` as typed (a new token unless `fields.token` is one to keep), `problems` above
/// it, `notice` after a post.
async fn form_page(
    state: &AppState,
    article: &ArticlePage,
    fields: &Fields,
    problems: &[String],
    notice: &str,
    status: StatusCode,
) -> Result<Response, WebError> {
    let now = state.clock.now();
    let settings = state.comment_settings();
    let open = settings.open(
        article.comments_open,
        to_micros(article.teaser.published_at),
        to_micros(now),
    );
    let reply_id = fields.reply.trim().parse::<i64>().ok();
    let replying = reply_id
        .and_then(|id| article.comments.iter().find(|c| c.id == id))
        .map(|c| {
            context! {
                id => c.id,
                name => &c.name,
                body => masthead_render::Theme::safe(comment_html(&c.body)),
                at => ser(&from_micros(c.at)),
            }
        });
    let token = if fields.token.is_empty() {
        let key = state.store.form_key().await?;
        form_token::issue(key.as_bytes(), &form_scope(article.teaser.id.0), now)
    } else {
        fields.token.clone()
    };
    let form = context! {
        name => &fields.name,
        email => &fields.email,
        website => &fields.website,
        body => &fields.body,
        reply => replying.as_ref().map(|_| fields.reply.trim()),
        token,
    };
    let html = render_page(
        state,
        "comment.html",
        context! {
            title => &article.teaser.title,
            slug => &article.teaser.slug,
            open,
            replying,
            form,
            problems => ser(&problems),
            notice,
        },
    )
    .await?;
    let mut response = (status, html).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    Ok(response)
}
