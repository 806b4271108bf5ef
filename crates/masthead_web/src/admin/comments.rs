//! Comment moderation, for editors and admins: the queue by status, and approving,
//! rejecting or marking a comment as spam. Readers' emails are shown here and nowhere else.

use super::desk_user::DeskUser;
use super::form::FormData;
use super::view;
use crate::desk::Staff;
use crate::{AppState, WebError};
use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use masthead_core::{CommentId, CommentStatus, SiteAction};
use masthead_render::{context, ser};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct QueueQuery {
    #[serde(default)]
    status: String,
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
    let comments = state.store.moderation_queue(status, 100, 0).await?;
    let statuses: Vec<&str> = CommentStatus::ALL.iter().map(|s| s.as_str()).collect();
    let ctx = context! { comments => ser(&comments), status => status.as_str(), statuses };
    view::page(&state, &staff, &csrf, "comments.html", ctx)
}

/// `POST /admin/comments/{id}` with `status`.
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
    let back = match form.get("from") {
        "" => "pending".to_owned(),
        s => CommentStatus::parse(s)
            .map(|s| s.as_str().to_owned())
            .unwrap_or_else(|_| "pending".into()),
    };
    Ok(Redirect::to(&format!("/admin/comments?status={back}")).into_response())
}
