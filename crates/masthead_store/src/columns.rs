//! A row's columns read by name, from either driver: an sqlx [`AnyRow`] from the pool or a
//! [`rusqlite::Row`] from a direct read (`direct.rs`). The decoders of rows that both give
//! (the article page, a story's fields) are written once, against [`Columns`].

use crate::{Result, StoreError};
use sqlx::Row as _;
use sqlx::any::AnyRow;
use std::cell::{Cell, OnceCell};

/// The typed columns a row offers by name.
pub(crate) trait Columns {
    /// A text column (an error if it is NULL).
    fn text(&self, name: &str) -> Result<String>;
    /// An integer column (an error if it is NULL).
    fn int(&self, name: &str) -> Result<i64>;
    /// An integer column that may be NULL.
    fn opt_int(&self, name: &str) -> Result<Option<i64>>;
    /// A text column that may be NULL.
    fn opt_text(&self, name: &str) -> Result<Option<String>>;
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

    fn opt_text(&self, name: &str) -> Result<Option<String>> {
        Ok(self.try_get(name)?)
    }
}

/// A row of a direct read (`direct.rs`), read by name. rusqlite finds a name by asking
/// SQLite for every column's name until one matches, which for the article page's fifty
/// columns, each looked up so, was 4% of the page's instructions. Here the names are asked
/// of SQLite once per row, and the column after the last one read is tried first (decoders
/// mostly read in the statement's order).
pub(crate) struct DirectRow<'r> {
    row: &'r rusqlite::Row<'r>,
    next: Cell<usize>,
    names: OnceCell<Vec<&'r str>>,
}

impl<'r> DirectRow<'r> {
    pub(crate) fn new(row: &'r rusqlite::Row<'r>) -> Self {
        Self {
            row,
            next: Cell::new(0),
            names: OnceCell::new(),
        }
    }

    fn index(&self, name: &str) -> Result<usize> {
        let statement: &'r rusqlite::Statement<'r> = self.row.as_ref();
        let names = self.names.get_or_init(|| statement.column_names());
        let hint = self.next.get();
        if names.get(hint) == Some(&name) {
            return Ok(hint);
        }
        names
            .iter()
            .position(|found| *found == name)
            .ok_or_else(|| StoreError::Corrupt(format!("column {name}: not in the statement")))
    }

    fn get<T: rusqlite::types::FromSql>(&self, name: &str) -> Result<T> {
        let index = self.index(name)?;
        self.next.set(index + 1);
        self.row.get(index).map_err(|e| unreadable(name, &e))
    }
}

impl Columns for DirectRow<'_> {
    fn text(&self, name: &str) -> Result<String> {
        self.get(name)
    }

    fn int(&self, name: &str) -> Result<i64> {
        self.get(name)
    }

    fn opt_int(&self, name: &str) -> Result<Option<i64>> {
        self.get(name)
    }

    fn opt_text(&self, name: &str) -> Result<Option<String>> {
        self.get(name)
    }
}

/// A direct read's first column as text: a list's JSON array.
pub(crate) fn first_text(row: &DirectRow<'_>) -> Result<String> {
    row.row.get(0).map_err(|e| unreadable("0", &e))
}

/// A column that is missing or of another type: the query and its decoder disagree.
fn unreadable(name: &str, e: &rusqlite::Error) -> StoreError {
    StoreError::Corrupt(format!("column {name}: {e}"))
}
