//! A row's columns read by name, from either driver: an sqlx [`AnyRow`] from the pool or a
//! [`rusqlite::Row`] from a direct read (`direct.rs`). The decoders of rows that both give
//! (the article page, a story's fields) are written once, against [`Columns`].

use crate::{Result, StoreError};
use sqlx::Row as _;
use sqlx::any::AnyRow;
use std::cell::Cell;

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
/// columns, each looked up so, was 4% of the page's instructions; asking for all fifty once
/// per row was still 3%. The names come from [`StatementColumns`], asked of SQLite once per
/// statement and connection, and the column after the last one read is tried first
/// (decoders mostly read in the statement's order).
pub(crate) struct DirectRow<'r> {
    row: &'r rusqlite::Row<'r>,
    next: Cell<usize>,
    names: &'r [Box<str>],
}

impl<'r> DirectRow<'r> {
    /// `row` of a statement whose columns are `names` (from [`StatementColumns::of`]).
    pub(crate) fn new(row: &'r rusqlite::Row<'r>, names: &'r [Box<str>]) -> Self {
        Self {
            row,
            next: Cell::new(0),
            names,
        }
    }

    fn index(&self, name: &str) -> Result<usize> {
        let hint = self.next.get();
        if self.names.get(hint).is_some_and(|found| **found == *name) {
            return Ok(hint);
        }
        self.names
            .iter()
            .position(|found| **found == *name)
            .ok_or_else(|| StoreError::Corrupt(format!("column {name}: not in the statement")))
    }

    fn get<T: rusqlite::types::FromSql>(&self, name: &str) -> Result<T> {
        let index = self.index(name)?;
        self.next.set(index + 1);
        self.row.get(index).map_err(|e| unreadable(name, &e))
    }
}

/// The column names of the statements a direct connection has run, by their SQL: a
/// statement's names do not change while its connection lives (the schema is migrated before
/// any connection opens). At most [`STATEMENTS_NAMED`] are kept; past that the list starts
/// over, which costs only asking again.
#[derive(Debug, Default)]
pub(crate) struct StatementColumns(Vec<Named>);

/// One statement's text and its columns' names.
#[derive(Debug)]
struct Named {
    sql: Box<str>,
    names: Box<[Box<str>]>,
}

/// How many statements' names a connection keeps: the public pages run a handful.
const STATEMENTS_NAMED: usize = 32;

impl StatementColumns {
    /// The names of `statement`'s columns, `sql` being its text.
    pub(crate) fn of(&mut self, sql: &str, statement: &rusqlite::Statement<'_>) -> &[Box<str>] {
        let at = match self.0.iter().position(|known| *known.sql == *sql) {
            Some(at) => at,
            None => {
                if self.0.len() >= STATEMENTS_NAMED {
                    self.0.clear();
                }
                let names = statement
                    .column_names()
                    .into_iter()
                    .map(Box::from)
                    .collect();
                self.0.push(Named {
                    sql: Box::from(sql),
                    names,
                });
                self.0.len() - 1
            }
        };
        &self.0[at].names
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Reads `sql`'s first row by the names `columns` keeps for it.
    fn read(conn: &rusqlite::Connection, columns: &mut StatementColumns, sql: &str) -> String {
        let mut statement = conn.prepare_cached(sql).unwrap();
        let names = columns.of(sql, &statement);
        let mut rows = statement.raw_query();
        let row = DirectRow::new(rows.next().unwrap().unwrap(), names);
        format!("{} {}", row.text("b").unwrap(), row.int("a").unwrap())
    }

    #[test]
    fn each_statement_keeps_its_own_names_and_the_list_stays_bounded() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let mut columns = StatementColumns::default();
        let (ab, ba) = ("SELECT 1 AS a, 'x' AS b", "SELECT 'y' AS b, 2 AS a");
        for _ in 0..2 {
            assert_eq!(read(&conn, &mut columns, ab), "x 1");
            assert_eq!(read(&conn, &mut columns, ba), "y 2");
        }
        assert_eq!(columns.0.len(), 2);
        for n in 0..STATEMENTS_NAMED * 2 {
            let sql = format!("SELECT {n} AS a, 'z' AS b, 0 AS c");
            assert_eq!(read(&conn, &mut columns, &sql), format!("z {n}"));
            assert!(columns.0.len() <= STATEMENTS_NAMED);
        }
        assert_eq!(read(&conn, &mut columns, ba), "y 2");
    }
}
