//! The editor's autosave (`POST /admin/articles/new/autosave`, `…/{id}/autosave`), called by
//! `editor.js` a few seconds after typing stops: the form as the editor would post it, the
//! CSRF token in it, answered in JSON for the page to show in its status line. The rules are
//! `masthead_desk::autosave`'s: a draft is saved as its next version, a story on the site is
//! never written over (the text is kept beside it, offered back by the editor page). Also
//! the editor's "discard" of such kept text.

use super::desk_user::DeskUser;
use super::form::{self, FormData};
use crate::desk::Staff;
use crate::{AppState, WebError};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use masthead_core::{ArticleId, InvalidInput};
use masthead_desk::{Autosaved, DeskError, Typed};
use serde_json::json;

/// `POST /admin/articles/new/autosave`: the first autosave of a new story creates its draft.
pub async fn autosave_new(
    State(state): State<AppState>,
    DeskUser { staff, .. }: DeskUser,
    body: Bytes,
) -> Response {
    run(&state, &staff, None, &body).await
}

/// `POST /admin/articles/{id}/autosave`
pub async fn autosave_story(
    State(state): State<AppState>,
    DeskUser { staff, .. }: DeskUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    run(&state, &staff, Some(ArticleId(id)), &body).await
}

/// `POST /admin/articles/{id}/autosave/discard`: forget the text kept beside a story on the
/// site, back to the editor.
pub async fn discard(
    State(state): State<AppState>,
    DeskUser { staff, .. }: DeskUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    masthead_desk::discard_autosave(&state.store, &staff, ArticleId(id)).await?;
    Ok(Redirect::to(&format!("/admin/articles/{id}")).into_response())
}

async fn run(state: &AppState, staff: &Staff, id: Option<ArticleId>, body: &[u8]) -> Response {
    let now = state.clock.now();
    let form = FormData::parse(body);
    let base: i64 = form.get("version").parse().unwrap_or(0);
    let fields =
        form::to_fields(&form, now).map_err(|m| DeskError::Invalid(InvalidInput::new("Form", m)));
    let kept = FormData::from_pairs(
        form.clone()
            .value_pairs()
            .into_iter()
            .filter(|(k, _)| k != "csrf" && k != "action")
            .collect(),
    );
    let typed = Typed {
        fields,
        form: kept.encode(),
    };
    let at = now
        .with_timezone(&state.config().timezone)
        .format("%H:%M")
        .to_string();
    match masthead_desk::autosave(&state.store, staff, id, base, typed, now).await {
        Ok(Autosaved::Draft { id, version }) => Json(json!({
            "status": "draft",
            "id": id.0,
            "version": version,
            "url": format!("/admin/articles/{}", id.0),
            "action": format!("/admin/articles/{}", id.0),
            "at": at,
        }))
        .into_response(),
        Ok(Autosaved::Kept { version }) => Json(json!({
            "status": "kept",
            "version": version,
            "at": at,
        }))
        .into_response(),
        Ok(Autosaved::Conflict { version }) => answer(
            StatusCode::CONFLICT,
            "someone else saved this story since you opened it. Press Save to see both versions \
             side by side; your text is kept in this browser meanwhile.",
            Some(version),
        ),
        Err(e) => refused(WebError::from(e)),
    }
}

/// A refusal as JSON, with the message the page shows after "Not saved:".
fn refused(e: WebError) -> Response {
    let (status, message) = match e {
        WebError::Unprocessable(m) => (StatusCode::UNPROCESSABLE_ENTITY, m),
        WebError::Forbidden(m) => (StatusCode::FORBIDDEN, m),
        WebError::Conflict(m) => (StatusCode::CONFLICT, m),
        WebError::NotFound => (
            StatusCode::NOT_FOUND,
            "this story no longer exists (or you may not see it).".to_owned(),
        ),
        WebError::DatabaseBusy(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "the database was busy; trying again in a moment.".to_owned(),
        ),
        WebError::InsufficientStorage(_) => (
            StatusCode::INSUFFICIENT_STORAGE,
            "the server's disk is full; your text is kept in this browser.".to_owned(),
        ),
        other => return other.into_response(),
    };
    answer(status, &message, None)
}

fn answer(status: StatusCode, message: &str, version: Option<i64>) -> Response {
    (
        status,
        Json(json!({ "status": "refused", "error": message, "version": version })),
    )
        .into_response()
}
