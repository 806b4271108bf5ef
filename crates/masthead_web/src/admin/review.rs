//! Review on the desk: the notes panel beside the editor (`admin/_notes.html`), posting a
//! note, sending a story in review back to its writer, and the dashboard's list of notes
//! waiting for an answer. The rules are `masthead_desk`'s ([`masthead_desk::add_note`],
//! [`masthead_desk::send_back`]); notes never reach a public page, feed or the API.

use super::csrf::Csrf;
use super::desk_user::DeskUser;
use super::form::FormData;
use super::view;
use crate::desk::Staff;
use crate::{AppState, WebError};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use masthead_core::{ArticleAction, ArticleId, ArticleStatus};
use masthead_desk::SaveOutcome;
use masthead_render::{Value, context, ser};
use masthead_store::DeskArticle;

/// How many waiting notes the dashboard lists.
const WAITING: u32 = 20;

/// What the notes panel of the editor shows for `article` (nothing for a new story): the
/// thread, and whether this staff member may send the story back.
pub async fn panel(
    state: &AppState,
    staff: &Staff,
    article: Option<&DeskArticle>,
) -> Result<Value, WebError> {
    let Some(article) = article else {
        return Ok(Value::from(()));
    };
    let notes = state.store.desk_notes(article.id).await?;
    Ok(context! {
        notes => ser(&notes),
        version => article.version,
        can_send_back => article.status == ArticleStatus::Review
            && staff.may(ArticleAction::SendBack, Some(article)),
    })
}

/// The dashboard's "Notes for you": stories this staff member started or wrote a note on
/// (and, for editors, every story in review) whose latest note someone else wrote, with
/// whether it sent the story back.
pub async fn waiting(state: &AppState, staff: &Staff) -> Result<Value, WebError> {
    let reviewer = masthead_core::can(
        staff.role,
        ArticleAction::SendBack,
        false,
        ArticleStatus::Review,
    );
    let waiting = state
        .store
        .notes_waiting(staff.user.id, reviewer, WAITING)
        .await?;
    Ok(ser(&waiting))
}

/// `POST /admin/articles/{id}/notes`: adds a note to the story's thread.
pub async fn post_note(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    let form = FormData::parse(&body);
    let id = ArticleId(id);
    let now = state.clock.now();
    match masthead_desk::add_note(&state.store, &staff, id, form.get("body"), now).await {
        Ok(()) => Ok(Redirect::to(&format!("/admin/articles/{}#desk-notes", id.0)).into_response()),
        Err(e) => again(&state, &staff, &csrf, id, &form, false, e.into()).await,
    }
}

/// `POST /admin/articles/{id}/send-back`: sends a story in review back to its writer with a
/// note (the form's `version` is the one the editor looked at).
pub async fn send_back(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    let form = FormData::parse(&body);
    let id = ArticleId(id);
    let now = state.clock.now();
    let base: i64 = form.get("version").parse().unwrap_or(0);
    let sent =
        masthead_desk::send_back(&state.store, &staff, id, base, form.get("body"), now).await;
    match sent {
        Ok(SaveOutcome::Saved { .. }) => {
            Ok(Redirect::to(&format!("/admin/articles/{}?saved=sent_back", id.0)).into_response())
        }
        Ok(SaveOutcome::Conflict(_)) => {
            let error = WebError::Conflict(
                "Someone saved this story since you opened it, so it was not sent back. \
                 Open the story again, look at what changed, then send it back."
                    .into(),
            );
            again(&state, &staff, &csrf, id, &form, true, error).await
        }
        Err(e) => again(&state, &staff, &csrf, id, &form, true, e.into()).await,
    }
}

/// Shows the note page again with the error and the text as typed, for errors the writer
/// can fix or wait out; others propagate.
#[allow(clippy::too_many_arguments, reason = "the page's whole state")]
async fn again(
    state: &AppState,
    staff: &Staff,
    csrf: &Csrf,
    id: ArticleId,
    form: &FormData,
    sending_back: bool,
    e: WebError,
) -> Result<Response, WebError> {
    let (error, status) = match e {
        WebError::Unprocessable(m) => (m, StatusCode::UNPROCESSABLE_ENTITY),
        WebError::Conflict(m) => (m, StatusCode::CONFLICT),
        WebError::Forbidden(m) => (m, StatusCode::FORBIDDEN),
        WebError::DatabaseBusy(_) => (
            "The database was busy, so nothing was saved. Your note is still here: post it \
             again in a moment."
                .into(),
            StatusCode::SERVICE_UNAVAILABLE,
        ),
        other => return Err(other),
    };
    let article = crate::desk::load(state, staff, id).await?;
    let review = panel(state, staff, Some(&article)).await?;
    let ctx = context! {
        id => id.0,
        title => &article.fields.title,
        review,
        error,
        typed => form.get("body"),
        sending_back,
    };
    view::page_with_status(state, staff, csrf, "note.html", ctx, status)
}
