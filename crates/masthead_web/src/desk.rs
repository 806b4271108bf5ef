//! The web layer's side of the desk: the newsroom's rules live in `masthead_desk`; these
//! wrappers hand them the app's store and clock, so the admin pages and the JSON API call
//! the same functions, and turn their errors into web errors (HTML or JSON).

use crate::{AppState, WebError};
use masthead_core::ArticleId;
use masthead_core::password::Password;
use masthead_desk::{DeskError, SaveOutcome};
use masthead_store::{ArticleFields, DeskArticle};

pub use masthead_desk::{Command, Staff};

/// The story, if this staff member may see it; otherwise "not found".
pub async fn load(state: &AppState, staff: &Staff, id: ArticleId) -> Result<DeskArticle, WebError> {
    Ok(masthead_desk::load(&state.store, staff, id).await?)
}

/// Starts a new story owned by `staff` and applies `command`, all or nothing.
pub async fn create(
    state: &AppState,
    staff: &Staff,
    fields: ArticleFields,
    command: Command,
) -> Result<ArticleId, WebError> {
    let now = state.clock.now();
    Ok(masthead_desk::create(&state.store, staff, fields, command, now).await?)
}

/// Saves `fields` over version `base` and applies `command`, if this staff member may.
pub async fn save(
    state: &AppState,
    staff: &Staff,
    id: ArticleId,
    base: i64,
    fields: ArticleFields,
    command: Command,
) -> Result<SaveOutcome, WebError> {
    let now = state.clock.now();
    Ok(masthead_desk::save(&state.store, staff, id, base, fields, command, now).await?)
}

/// The name and slug of a new section or byline profile (see
/// [`masthead_desk::name_and_slug`]); a broken rule is a 422 naming the field.
pub fn name_and_slug(
    name: &str,
    slug: Option<&str>,
    field: &'static str,
) -> Result<(String, masthead_core::Slug), WebError> {
    masthead_desk::name_and_slug(name, slug, field).map_err(|e| DeskError::from(e).into())
}

impl From<DeskError> for WebError {
    fn from(e: DeskError) -> Self {
        match e {
            DeskError::Invalid(i) => WebError::Unprocessable(i.to_string()),
            DeskError::Forbidden(m) => WebError::Forbidden(m),
            DeskError::NotFound => WebError::NotFound,
            DeskError::Conflict(m) => WebError::Conflict(m),
            e @ DeskError::Story { .. } => WebError::Unprocessable(e.to_string()),
            DeskError::Store(e) => e.into(),
        }
    }
}

/// Hashes a password on the blocking pool, within the cap on password work (Argon2id takes
/// tens of milliseconds of CPU and 19 MiB).
pub async fn hash_password(state: &AppState, password: Password) -> Result<String, WebError> {
    state
        .password_work()
        .run(move |_| masthead_core::password::hash_password(&password))
        .await?
        .map_err(|e| WebError::internal("hashing a password", e))
}
