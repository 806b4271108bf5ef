//! A row's columns read by name, from either driver: an sqlx [`AnyRow`] from the pool or a
//! [`rusqlite::Row`] from a direct read (`direct.rs`). The decoders of rows that both give
//! (the article page, a story's fields) are written once, against [`Columns`].

use crate::{Result, StoreError};
use sqlx::Row as _;
use sqlx::any::AnyRow;

/// The typed columns a row offers by name.
pub(crate) trait Columns {
    /// A text column (an error if it is NULL).
    fn text(&self, name: &str) -> Result<String>;
    /// An integer column (an error if it is NULL).
    fn int(&self, name: &str) -> Result<i64>;
    /// An integer column that may be NULL.
    fn opt_int(&self, name: &str) -> Result<Option<i64>>;
}

impl Columns for AnyRow {
    fn text(&self, name: &str) -> Result<String> {
        Ok(self.try_get(name)?)
    }

    fn int(&self, name: &str) -> Result<i64> {
        Ok(self.try_get(name)?)
    }

    fn opt_int(&self, name: &str) -> Result<Option<i64>> {
        Ok(self.try_get(name)?)
    }
}

impl Columns for rusqlite::Row<'_> {
    fn text(&self, name: &str) -> Result<String> {
        self.get(name).map_err(|e| unreadable(name, &e))
    }

    fn int(&self, name: &str) -> Result<i64> {
        self.get(name).map_err(|e| unreadable(name, &e))
    }

    fn opt_int(&self, name: &str) -> Result<Option<i64>> {
        self.get(name).map_err(|e| unreadable(name, &e))
    }
}

/// A direct read's first column as text: a list's JSON array.
pub(crate) fn first_text(row: &rusqlite::Row<'_>) -> Result<String> {
    row.get(0).map_err(|e| unreadable("0", &e))
}

/// A column that is missing or of another type: the query and its decoder disagree.
fn unreadable(name: &str, e: &rusqlite::Error) -> StoreError {
    StoreError::Corrupt(format!("column {name}: {e}"))
}
