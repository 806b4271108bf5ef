//! Comment moderation, for editors and admins: the queue by status with the counts, one
//! comment or every ticked one approved, rejected or marked as spam, bans of a comment's
//! email or address (and lifting them), and a story's comments opened or closed. Readers'
//! emails and addresses are shown here and nowhere else. The comment settings (policy,
//! auto-close, blocklist, limits) are in `comment_settings.rs`.

use super::desk_user::DeskUser;
use super::form::FormData;
use super::view;
use crate::desk::Staff;
use crate::{AppState, WebError};
use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use masthead_core::{ArticleId, CommentId, CommentStatus, SiteAction};
use masthead_render::{context, ser};
use serde::Deserialize;

/// The most comments a queue page shows, and a bulk action takes.
const QUEUE_PAGE: u32 = 100;

#[derive(Deserialize)]
pub struct QueueQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    done: String,
}

/// `GET /admin/comments?status=pending`
pub async fn list(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Query(q): Query<QueueQuery>,
) -> Result<Response, WebError> {
    staff.require(SiteAction::ModerateComments)?;
    let status = match q.status.as_str() {
        "" => CommentStatus::Pending,
        s => CommentStatus::parse(s).map_err(|e| WebError::BadRequest(e.to_string()))?,
    };
    let comments = state.store.moderation_queue(status, QUEUE_PAGE).await?;
    let counts = state.store.comment_counts().await?;
    let bans = state.store.comment_bans().await?;
    let statuses: Vec<&str> = CommentStatus::ALL.iter().map(|s| s.as_str()).collect();
    let notice = (!q.done.is_empty()).then(|| format!("Done: {}.", q.done.replace('-', " ")));
    let ctx = context! {
        comments => ser(&comments), status => status.as_str(), statuses,
        counts => ser(&counts), bans => ser(&bans), notice,
    };
    view::page(&state, &staff, &csrf, "comments.html", ctx)
}

/// `POST /admin/comments/{id}` with `status`: one comment moved.
pub async fn moderate(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    staff.require(SiteAction::ModerateComments)?;
    let form = FormData::parse(&body);
    let status = CommentStatus::parse(form.get("status"))
        .map_err(|e| WebError::Unprocessable(e.to_string()))?;
    let now = state.clock.now();
    state
        .store
        .set_comment_status(CommentId(id), status, &staff.actor(), now)
        .await?;
    refresh(&state).await;
    Ok(back(&form, ""))
}

/// `POST /admin/comments` with `act`: `approved`, `rejected` or `spam` for every ticked
/// comment (`ids`), the same with `:ID` for one, `ban-email:ID` or `ban-address:ID` to ban
/// that comment's email or address (and mark its comments from them as spam), or `unban`
/// with `kind` and `value`.
pub async fn act(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    body: Bytes,
) -> Result<Response, WebError> {
    staff.require(SiteAction::ModerateComments)?;
    let form = FormData::parse(&body);
    let now = state.clock.now();
    let actor = staff.actor();
    let (verb, one) = match form.get("act").split_once(':') {
        Some((verb, id)) => (verb, Some(parse_id(id)?)),
        None => (form.get("act"), None),
    };
    let done = match verb {
        "ban-email" | "ban-address" => {
            let id = one.ok_or_else(|| WebError::Unprocessable("Name the comment.".into()))?;
            let comment = state.store.moderation_comment(id).await?;
            let (kind, value) = if verb == "ban-email" {
                ("email", comment.email)
            } else {
                ("address", comment.address)
            };
            if value.is_empty() {
                return Err(WebError::Unprocessable(
                    "This comment was stored without its address; ban its email instead.".into(),
                ));
            }
            state.store.ban_commenter(kind, &value, &actor, now).await?;
            state
                .store
                .set_comments_status(&[id], CommentStatus::Spam, &actor, now)
                .await?;
            format!("{kind}-banned")
        }
        "unban" => {
            let kind = form.get("kind");
            state
                .store
                .unban_commenter(kind, form.get("value"), &actor, now)
                .await?;
            format!("{kind}-ban-lifted")
        }
        s => {
            let status =
                CommentStatus::parse(s).map_err(|e| WebError::Unprocessable(e.to_string()))?;
            let ids = match one {
                Some(id) => vec![id],
                None => form
                    .all("ids")
                    .into_iter()
                    .take(QUEUE_PAGE as usize)
                    .map(parse_id)
                    .collect::<Result<Vec<_>, _>>()?,
            };
            if ids.is_empty() {
                return Err(WebError::Unprocessable(
                    "Tick the comments to change first.".into(),
                ));
            }
            let n = state
                .store
                .set_comments_status(&ids, status, &actor, now)
                .await?;
            format!("{n}-{}", status.as_str())
        }
    };
    refresh(&state).await;
    Ok(back(&form, &done))
}

/// `POST /admin/articles/{id}/comments` with `comments` = `open` or `closed`.
pub async fn switch(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    staff.require(SiteAction::ModerateComments)?;
    let form = FormData::parse(&body);
    let open = match form.get("comments") {
        "open" => true,
        "closed" => false,
        _ => {
            return Err(WebError::Unprocessable(
                "Choose open or closed for the story's comments.".into(),
            ));
        }
    };
    state
        .store
        .set_comments_open(ArticleId(id), open, &staff.actor(), state.clock.now())
        .await?;
    refresh(&state).await;
    Ok(Redirect::to(&format!("/admin/articles/{id}")).into_response())
}

fn parse_id(text: &str) -> Result<CommentId, WebError> {
    text.trim()
        .parse()
        .map(CommentId)
        .map_err(|_| WebError::Unprocessable(format!("{text:?} is not a comment number.")))
}

/// Back to the queue the form came from.
fn back(form: &FormData, done: &str) -> Response {
    let from = CommentStatus::parse(form.get("from")).unwrap_or(CommentStatus::Pending);
    let mut to = format!("/admin/comments?status={}", from.as_str());
    if !done.is_empty() {
        to.push_str("&done=");
        to.push_str(done);
    }
    Redirect::to(&to).into_response()
}

/// Drops the cached pages of the stories changed now, rather than at the next poll.
async fn refresh(state: &AppState) {
    if let Err(e) = state.refresh().await {
        tracing::warn!(error = %e, "could not refresh after moderating comments");
    }
}
