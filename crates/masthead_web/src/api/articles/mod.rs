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
use masthead_store::{ArticleFields, SaveOutcome};
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

/// Refuses a section, author or image id that names nothing, before the database's foreign keys
/// would turn it into a 500.
pub(crate) async fn check_refs(state: &AppState, fields: &ArticleFields) -> Result<(), ApiError> {
    let sections = state.store.sections().await?;
    if !sections.iter().any(|s| s.id == fields.section) {
        return Err(ApiError::unprocessable(format!(
            "Section: there is no section with id {}; GET /api/v1/sections lists them.",
            fields.section
        )));
    }
    if !fields.authors.is_empty() {
        let authors = state.store.authors().await?;
        if let Some(missing) = fields
            .authors
            .iter()
            .find(|id| !authors.iter().any(|a| a.id == **id))
        {
            return Err(ApiError::unprocessable(format!(
                "Authors: there is no author with id {missing}; GET /api/v1/authors lists them."
            )));
        }
    }
    if let Some(image) = fields.image {
        match state.store.media_item(image).await {
            Ok(_) => {}
            Err(masthead_store::StoreError::NotFound) => {
                return Err(ApiError::unprocessable(format!(
                    "Image: there is no image with id {image}; upload one with POST /api/v1/media."
                )));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
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
