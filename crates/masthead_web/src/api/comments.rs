//! Comments in the API. Reading a story's shown comments is open, like the page
//! (`GET /stories/{slug}/comments`); the moderation queue and moderating take a token whose
//! role moderates (editors and admins). No answer carries a commenter's email or address:
//! moderators find those in the desk.

use super::ApiError;
use super::auth::ApiStaff;
use super::error::ErrorResponse;
use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::responses::{BadQuery, IdInPath, JsonBody, Token};
use crate::AppState;
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use masthead_core::{CommentId, CommentStatus, SiteAction, Slug};
use masthead_store::{ModerationComment, ShownComment};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

const TAG: &str = "comments";

/// A comment as readers see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommentOut {
    /// Its id; the page shows it at `#comment-{id}`.
    pub id: i64,
    /// The comment it answers (replies are one level deep), or null.
    pub parent: Option<i64>,
    /// The name the reader gave.
    pub name: String,
    /// The reader's website, or empty.
    pub website: String,
    /// The text, plain (not HTML).
    pub body: String,
    /// When it was posted.
    pub created_at: DateTime<Utc>,
}

impl From<ShownComment> for CommentOut {
    fn from(c: ShownComment) -> Self {
        CommentOut {
            id: c.id.0,
            parent: c.parent.map(|p| p.0),
            name: c.name,
            website: c.website,
            body: c.body,
            created_at: c.created_at,
        }
    }
}

/// A comment as moderators see it through the API (its email and address stay in the desk).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QueuedComment {
    /// Its id.
    pub id: i64,
    /// The story's id.
    pub article_id: i64,
    /// The story's slug.
    pub article_slug: String,
    /// The comment it answers, or null.
    pub parent: Option<i64>,
    /// The name the reader gave.
    pub name: String,
    /// The reader's website, or empty.
    pub website: String,
    /// The text, plain.
    pub body: String,
    /// `pending`, `approved`, `spam` or `rejected`.
    #[schema(value_type = ModerationStatus)]
    pub status: String,
    /// When it was posted.
    pub created_at: DateTime<Utc>,
}

impl From<ModerationComment> for QueuedComment {
    fn from(c: ModerationComment) -> Self {
        QueuedComment {
            id: c.id.0,
            article_id: c.article.0,
            article_slug: c.article_slug,
            parent: c.parent.map(|p| p.0),
            name: c.name,
            website: c.website,
            body: c.body,
            status: c.status.as_str().to_owned(),
            created_at: c.created_at,
        }
    }
}

/// A comment's moderation status.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ModerationStatus {
    /// Waiting for a moderator.
    Pending,
    /// Shown under the story.
    Approved,
    /// Spam.
    Spam,
    /// Refused.
    Rejected,
}

impl From<ModerationStatus> for CommentStatus {
    fn from(s: ModerationStatus) -> Self {
        match s {
            ModerationStatus::Pending => CommentStatus::Pending,
            ModerationStatus::Approved => CommentStatus::Approved,
            ModerationStatus::Spam => CommentStatus::Spam,
            ModerationStatus::Rejected => CommentStatus::Rejected,
        }
    }
}

/// Which part of the queue to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct QueueParams {
    /// The status to list; `pending` when left out.
    status: Option<ModerationStatus>,
}

/// A moderator's decision.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModerateInput {
    /// The comment's new status.
    pub status: ModerationStatus,
}

/// Lists a story's shown comments, oldest first. Open without a token, like the page.
#[utoipa::path(
    get,
    path = "/stories/{slug}/comments",
    operation_id = "list_story_comments",
    tag = TAG,
    params(("slug" = String, Path, description = "The story's slug, as in `/stories/{slug}` on the site")),
    responses(
        (status = 200, description = "The story's shown comments", body = Vec<CommentOut>),
        (status = 400, description = "The address is not valid", body = ErrorResponse),
        (status = 404, description = "No such story on the site", body = ErrorResponse),
    )
)]
pub(crate) async fn for_story(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<Vec<CommentOut>>, ApiError> {
    let not_found = || {
        ApiError::Status(
            axum::http::StatusCode::NOT_FOUND,
            "No such story on the site.".into(),
        )
    };
    let slug = Slug::parse(&slug).map_err(|_| not_found())?;
    let (_, comments) = state
        .reads()
        .public_comments(slug.as_str(), state.clock.now())
        .await?
        .ok_or_else(not_found)?;
    Ok(Json(comments.into_iter().map(CommentOut::from).collect()))
}

/// Lists the moderation queue, newest first (at most 100). Editors and admins.
#[utoipa::path(
    get,
    path = "/comments",
    operation_id = "list_comments",
    tag = TAG,
    params(QueueParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The comments in that status", body = Vec<QueuedComment>),
        Token,
        BadQuery,
        (status = 403, description = "The role does not moderate comments, or its owner has not set up the two-factor login the site requires", body = ErrorResponse),
    )
)]
pub(crate) async fn queue(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiQuery(params): ApiQuery<QueueParams>,
) -> Result<Json<Vec<QueuedComment>>, ApiError> {
    staff.require(SiteAction::ModerateComments)?;
    let status = params.status.map_or(CommentStatus::Pending, Into::into);
    let comments = state.store.moderation_queue(status, 100).await?;
    Ok(Json(
        comments.into_iter().map(QueuedComment::from).collect(),
    ))
}

/// Approves, rejects or marks a comment as spam (or sends it back to pending). Editors and
/// admins; audited like the desk's moderation.
#[utoipa::path(
    post,
    path = "/comments/{id}/moderate",
    operation_id = "moderate_comment",
    tag = TAG,
    params(("id" = i64, Path, description = "The comment's id")),
    request_body = ModerateInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Moderated; the comment as stored now", body = QueuedComment),
        Token,
        IdInPath,
        JsonBody,
        (status = 403, description = "The role does not moderate comments, or its owner has not set up the two-factor login the site requires", body = ErrorResponse),
        (status = 404, description = "No such comment", body = ErrorResponse),
    )
)]
pub(crate) async fn moderate(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ModerateInput>,
) -> Result<Json<QueuedComment>, ApiError> {
    staff.require(SiteAction::ModerateComments)?;
    let id = CommentId(id);
    state
        .store
        .set_comment_status(id, input.status.into(), &staff.actor(), state.clock.now())
        .await?;
    if let Err(e) = state.refresh().await {
        tracing::warn!(error = %e, "could not refresh after moderating a comment");
    }
    Ok(Json(state.store.moderation_comment(id).await?.into()))
}
