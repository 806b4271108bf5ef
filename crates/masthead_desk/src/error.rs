//! What the desk's rules answer when they refuse: each variant says what to do, and maps to
//! one HTTP status in the web layer (422, 403, 404, 409; the store's own errors keep theirs).

use masthead_core::InvalidInput;
use masthead_store::StoreError;

/// Why the desk refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    /// A field breaks a rule; the message names the field and the fix.
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    /// The role may not do this; the message says who can.
    #[error("{0}")]
    Forbidden(String),
    /// No such story (or not one this staff member may see).
    #[error("not found")]
    NotFound,
    /// A uniqueness rule: the slug or name is taken. The message says to choose another.
    #[error("{0}")]
    Conflict(String),
    /// One story of an import was refused; nothing of the import was saved.
    #[error("the story \"{slug}\" was refused: {source}")]
    Story {
        /// The refused story's slug.
        slug: String,
        /// Why.
        #[source]
        source: Box<DeskError>,
    },
    /// The database failed (busy, full, unavailable, or a bug).
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for DeskError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => DeskError::NotFound,
            StoreError::Invalid(i) => DeskError::Invalid(i),
            StoreError::Conflict(m) => DeskError::Conflict(m),
            other => DeskError::Store(other),
        }
    }
}
