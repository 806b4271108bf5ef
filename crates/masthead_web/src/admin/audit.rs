//! The audit log, for admins: who did what, when, newest first.

use super::desk_user::DeskUser;
use super::view;
use crate::{AppState, WebError};
use axum::extract::{Query, State};
use axum::response::Response;
use masthead_core::SiteAction;
use masthead_render::{context, ser};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    page: Option<u32>,
}

/// `GET /admin/audit`
pub async fn show(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Query(q): Query<AuditQuery>,
) -> Result<Response, WebError> {
    staff.require(SiteAction::ViewAudit)?;
    let page = q.page.unwrap_or(1).clamp(1, 100_000);
    let entries = state
        .store
        .audit_log(100, u64::from(page - 1) * 100)
        .await?;
    let ctx = context! { more => entries.len() == 100, entries => ser(&entries), page };
    view::page(&state, &staff, &csrf, "audit.html", ctx)
}
