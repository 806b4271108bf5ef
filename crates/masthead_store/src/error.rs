//! The store's error type: few variants, each one telling the caller what to do.
//!
//! `Unavailable` means the database could not be reached in time (the web layer answers
//! 503 and the operator checks the server); `Conflict` is a uniqueness rule (duplicate
//! slug), which the user can fix; `NotFound` is an absent row; `Database` is anything else
//! and is a bug or a broken database, logged with its source.

use masthead_core::InvalidInput;

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or did not answer in time.
    #[error("the database is unavailable: {0}")]
    Unavailable(#[source] sqlx::Error),
    /// The write breaks a uniqueness rule, e.g. a slug already in use.
    #[error("{0}")]
    Conflict(String),
    /// The row asked for does not exist.
    #[error("not found")]
    NotFound,
    /// A value was refused by a domain rule.
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    /// The database URL is malformed or names an unsupported backend.
    #[error("{0}")]
    Config(String),
    /// Any other database error.
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    /// The migrations could not be applied.
    #[error("could not apply the database migrations: {0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    /// A stored value could not be read back (corrupt JSON column, unknown enum name).
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_) => StoreError::Unavailable(e),
            sqlx::Error::Database(ref db) if db.is_unique_violation() => {
                StoreError::Conflict(format!("that value is already in use ({})", db.message()))
            }
            sqlx::Error::RowNotFound => StoreError::NotFound,
            other => StoreError::Database(other),
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}
