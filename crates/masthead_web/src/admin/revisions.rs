//! An article's revisions: the list, a line diff of any revision against the one before
//! it, and restoring one (which saves it as a new revision, so nothing is lost).

use super::desk_user::DeskUser;
use super::view;
use crate::desk::{self, Command, Staff};
use crate::{AppState, WebError};
use axum::Extension;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use masthead_core::{ArticleAction, ArticleId};
use masthead_desk::SaveOutcome;
use masthead_render::{context, ser};
use masthead_store::ArticleFields;
use similar::{ChangeTag, TextDiff};

/// `GET /admin/articles/{id}/revisions`
pub async fn list(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let article = desk::load(&state, &staff, ArticleId(id)).await?;
    let revisions = state.store.revisions(article.id).await?;
    let ctx = context! { id, title => &article.fields.title, version => article.version, revisions => ser(&revisions) };
    view::page(&state, &staff, &csrf, "revisions.html", ctx)
}

/// The fields as text, one labelled block per field, for diffing.
fn as_text(f: &ArticleFields) -> String {
    let mut out = format!(
        "Kind: {}\nAddress: {}\nSection: {}\nTags: {}\nLead image: {}\nVideo: {}\n",
        f.kind(),
        f.slug,
        f.section,
        f.tags.join(", "),
        f.image.map(|m| m.to_string()).unwrap_or_default(),
        f.parts.video_url(),
    );
    // The body comes last, as the long block it is.
    for (_, label, text) in f.texts().filter(|(name, ..)| *name != "body_md") {
        out.push_str(&format!("{label}: {text}\n"));
    }
    if let Some(m) = f.parts.meeting() {
        out.push_str(&format!("Meeting: {} on {}\n", m.body, m.date));
        for d in &m.decisions {
            out.push_str(&format!(
                "Decision: {} | {} | {}\n",
                d.outcome, d.vote, d.motion
            ));
        }
    }
    for item in f.parts.items() {
        out.push_str(&format!("Item: {}\n{}\n", item.headline, item.body_md));
    }
    for note in &f.notes {
        out.push_str(&format!("Note ({}): {}\n", note.kind, note.text));
    }
    out.push('\n');
    out.push_str(&f.body_md);
    out.push('\n');
    out
}

/// `GET /admin/articles/{id}/revisions/{version}`: the diff against the version before.
pub async fn show(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Path((id, version)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let article = desk::load(&state, &staff, ArticleId(id)).await?;
    let this = state.store.revision(article.id, version).await?;
    // The first revision diffs against nothing.
    let before = state.store.revision_before(article.id, version).await?;
    let old = before.as_ref().map(|(_, f)| as_text(f)).unwrap_or_default();
    let before_version = before.map(|(v, _)| v);
    let new = as_text(&this);
    let diff = TextDiff::from_lines(&old, &new);
    let lines: Vec<_> = diff
        .iter_all_changes()
        .map(|c| {
            let tag = match c.tag() {
                ChangeTag::Delete => "del",
                ChangeTag::Insert => "ins",
                ChangeTag::Equal => "same",
            };
            context! { tag, text => c.to_string() }
        })
        .collect();
    let ctx = context! {
        id, version, before_version, title => &article.fields.title, current => article.version,
        lines, can_restore => staff.can(ArticleAction::Edit, &article) && version != article.version,
    };
    view::page(&state, &staff, &csrf, "revision.html", ctx)
}

/// `POST /admin/articles/{id}/revisions/{version}/restore`
pub async fn restore(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path((id, version)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let article = desk::load(&state, &staff, ArticleId(id)).await?;
    let fields = state.store.revision(article.id, version).await?;
    match desk::save(
        &state,
        &staff,
        article.id,
        article.version,
        fields,
        Command::Save,
    )
    .await?
    {
        SaveOutcome::Saved { .. } => {
            Ok(Redirect::to(&format!("/admin/articles/{id}?saved=save")).into_response())
        }
        SaveOutcome::Conflict(_) => Err(WebError::Conflict(
            "The story changed while restoring; open its revisions again and retry.".into(),
        )),
    }
}
