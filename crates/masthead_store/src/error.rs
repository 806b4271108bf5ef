//! The store's error type: few variants, each one telling the caller what to do.
//!
//! `Unavailable` means the database could not be reached in time (the web layer answers
//! 503 and the operator checks the server); `Busy` means it answered but another writer or
//! a held lock kept us past the deadline (503 with a short `Retry-After`; retrying works);
//! `Full` means the disk or the database's size limit is full (507: nothing can be saved
//! until space is freed, reads still work); `Conflict` is a uniqueness rule (duplicate
//! slug), which the user can fix; `NotFound` is an absent row; `Database` is anything else
//! and is a bug or a broken database, logged with its source.
//!
//! Which database errors are `Busy` or `Full` is decided from the driver's code, never from
//! the message: SQLite's `SQLITE_BUSY`/`SQLITE_LOCKED` (with their extended codes such as
//! 517, `SQLITE_BUSY_SNAPSHOT`) and `SQLITE_FULL`; PostgreSQL's `lock_not_available`
//! (`lock_timeout`), `query_canceled` (`statement_timeout`), serialization failures and
//! deadlocks, and `disk_full`.

use masthead_core::InvalidInput;

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or did not answer in time.
    #[error("the database is unavailable: {0}")]
    Unavailable(#[source] sqlx::Error),
    /// The database is busy: another writer held the lock, or a statement ran into its lock
    /// or statement deadline. Nothing was changed; retrying in a moment should work.
    #[error("the database is busy: {0}")]
    Busy(#[source] sqlx::Error),
    /// The database cannot grow: its disk (or its configured size limit) is full. Nothing
    /// was changed; writes work again once space is freed, without a restart.
    #[error("the database cannot save anything, its disk is full: {0}")]
    Full(#[source] sqlx::Error),
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
            sqlx::Error::Database(ref db) => match fault_of(db.as_ref()) {
                Some(Fault::Busy) => StoreError::Busy(e),
                Some(Fault::Full) => StoreError::Full(e),
                None => StoreError::Database(e),
            },
            sqlx::Error::RowNotFound => StoreError::NotFound,
            other => StoreError::Database(other),
        }
    }
}

impl StoreError {
    /// Whether this error means the database could not save for lack of space.
    pub fn is_full(&self) -> bool {
        matches!(self, StoreError::Full(_))
    }
}

/// A database error that is not a bug: the database is busy, or cannot grow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    Busy,
    Full,
}

/// Classifies a driver error by its code (SQLite's extended result code, PostgreSQL's
/// SQLSTATE).
fn fault_of(db: &dyn sqlx::error::DatabaseError) -> Option<Fault> {
    let code = db.code()?;
    if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
        // The primary result code is the low byte of the extended one.
        let primary = code.parse::<i32>().ok()? & 0xff;
        return match primary {
            5 | 6 => Some(Fault::Busy), // SQLITE_BUSY, SQLITE_LOCKED
            13 => Some(Fault::Full),    // SQLITE_FULL
            _ => None,
        };
    }
    match code.as_ref() {
        // lock_not_available (lock_timeout), query_canceled (statement_timeout),
        // serialization_failure, deadlock_detected
        "55P03" | "57014" | "40001" | "40P01" => Some(Fault::Busy),
        // disk_full, out_of_memory... only disk_full is about space
        "53100" => Some(Fault::Full),
        _ => None,
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}
