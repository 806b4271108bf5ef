//! What imports brought in, for editors and admins: `/admin/imports` lists each run of
//! `masthead import wordpress` with its report (counts, and each thing left out or needing
//! a hand, with its old address), and a story's editor shows what the import kept beside
//! it (its old address and custom fields).

use super::desk_user::DeskUser;
use super::view;
use super::wire::require_editor;
use crate::{AppState, WebError};
use axum::extract::State;
use axum::response::Response;
use masthead_core::ArticleId;
use masthead_render::{Value, context, ser};
use serde::Serialize;

/// Runs shown, newest first.
const RUNS: u32 = 20;

/// A run as the page shows it.
#[derive(Serialize)]
struct Run {
    id: i64,
    source: String,
    file_name: String,
    state: String,
    started: String,
    finished: Option<String>,
    report: serde_json::Value,
}

/// `GET /admin/imports`
pub async fn list(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
) -> Result<Response, WebError> {
    require_editor(&staff)?;
    let tz = state.config().timezone;
    let at = |t: chrono::DateTime<chrono::Utc>| {
        t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
    };
    let runs: Vec<Run> = state
        .store
        .import_runs(RUNS)
        .await?
        .into_iter()
        .map(|r| Run {
            id: r.id,
            started: at(r.started_at),
            finished: r.finished_at.map(at),
            report: serde_json::from_str(&r.report).unwrap_or(serde_json::Value::Null),
            source: r.source,
            file_name: r.file_name,
            state: r.state,
        })
        .collect();
    view::page(
        &state,
        &staff,
        &csrf,
        "imports.html",
        context! { runs => ser(&runs) },
    )
}

/// What the import kept beside story `id`, for its editor; `None` for a story not imported.
pub async fn imported(state: &AppState, id: ArticleId) -> Result<Option<Value>, WebError> {
    Ok(state
        .store
        .imported_data(id)
        .await?
        .and_then(|data| serde_json::from_str::<serde_json::Value>(&data).ok())
        .map(|v| ser(&v)))
}
