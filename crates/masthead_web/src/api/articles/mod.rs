//! `/articles`: one file per action. Every change goes through [`crate::desk`], which
//! checks the role, the ownership and the content, exactly as for the admin pages.

pub(crate) mod create;
pub(crate) mod list;
pub(crate) mod schema;
pub(crate) mod show;
pub(crate) mod status;
pub(crate) mod update;

use super::ApiError;
use crate::AppState;
use crate::desk::{self, Staff};
use masthead_core::ArticleId;
use masthead_desk::{DeskError, SaveOutcome};
use schema::ArticleOut;

/// The documentation tag of these endpoints.
pub(crate) const TAG: &str = "articles";

/// The article as this staff member may see it, in the API's shape.
pub(crate) async fn load_out(
    state: &AppState,
    staff: &Staff,
    id: ArticleId,
) -> Result<ArticleOut, ApiError> {
    let article = desk::load(state, staff, id).await?;
    Ok(ArticleOut::new(
        article,
        &state.config().base_url,
        state.clock.now(),
    ))
}

/// The desk's refusal in the API's words: the field is named as in the API, and a section,
/// author or image that does not exist names the endpoint that lists or makes them.
pub(crate) fn in_api_terms(e: DeskError) -> ApiError {
    let DeskError::Invalid(invalid) = e else {
        return e.into();
    };
    let missing = invalid.message.starts_with("there is no");
    let (field, hint) = match invalid.field {
        "Section" if missing => ("Section", " GET /api/v1/sections lists them."),
        "Authors" if missing => ("Authors", " GET /api/v1/authors lists them."),
        "Lead image" if missing => ("Image", " Upload one with POST /api/v1/media."),
        "Lead image" => ("Image", ""),
        other => (other, ""),
    };
    ApiError::unprocessable(format!("{field}: {}{hint}", invalid.message))
}

/// The answer to a save: the article as stored now, or a 409 holding it (the API's error
/// shape with `current`, which the document describes in `openapi::finish`).
pub(crate) async fn saved(
    state: &AppState,
    staff: &Staff,
    id: ArticleId,
    base: i64,
    outcome: SaveOutcome,
) -> Result<ArticleOut, ApiError> {
    match outcome {
        SaveOutcome::Saved { .. } => load_out(state, staff, id).await,
        SaveOutcome::Conflict(current) => {
            let current = ArticleOut::new(*current, &state.config().base_url, state.clock.now());
            let message = format!(
                "Someone saved this story after version {base}; it is now at version {}. \
                 Merge your changes into `current` and send them again with that version.",
                current.version
            );
            Err(ApiError::conflict_with(message, &current))
        }
    }
}
