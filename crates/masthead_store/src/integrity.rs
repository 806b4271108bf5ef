//! Is the database whole? The checks `masthead serve` runs at start and `masthead check`
//! runs in full, and the messages an operator reads when the file is damaged.
//!
//! On SQLite, [`Store::quick_check`] is `PRAGMA quick_check` (every page and B-tree is
//! read and checked, but indexes are not compared with their tables; linear in the file's
//! size) and [`Store::integrity_check`] is `PRAGMA integrity_check`, which also checks every
//! index entry against its row. On PostgreSQL the server checks pages as it reads them (with
//! data checksums on), so the quick check only asks it to answer; the full check reads every
//! row of every table, and checks every B-tree index when the `amcheck` extension is
//! installed.
//!
//! A file that is not a database at all (a damaged header) fails before any check can run:
//! SQLite answers `SQLITE_NOTADB` on the first statement. [`damaged`] turns that error, and
//! `SQLITE_CORRUPT`, into a message that names the cause and the fix (restore from a
//! backup) instead of blaming the data directory's permissions.

use crate::{Backend, Result, Store, StoreError};

/// SQLite's primary result codes for "not a database" and "malformed".
const SQLITE_CORRUPT: i32 = 11;
const SQLITE_NOTADB: i32 = 26;

/// The most problems a check lists; past that the database is simply broken.
const MAX_PROBLEMS: i64 = 100;

impl Store {
    /// The start-up check: on SQLite `PRAGMA quick_check`. Returns the problems found, empty
    /// when the database is whole.
    ///
    /// # Errors
    ///
    /// `Corrupt` with the operator's message when the file is not a database or so damaged
    /// that the check itself cannot run; `Unavailable` if the database does not answer.
    pub async fn quick_check(&self) -> Result<Vec<String>> {
        match self.backend() {
            Backend::Sqlite => self.sqlite_check("quick_check").await,
            Backend::Postgres => {
                self.ping().await?;
                Ok(Vec::new())
            }
        }
    }

    /// The full check for `masthead check`: on SQLite `PRAGMA integrity_check`; on PostgreSQL
    /// every row of every table read (and every B-tree index checked if `amcheck` is
    /// installed). Returns the problems found, empty when the database is whole.
    ///
    /// # Errors
    ///
    /// As [`Store::quick_check`].
    pub async fn integrity_check(&self) -> Result<Vec<String>> {
        match self.backend() {
            Backend::Sqlite => self.sqlite_check("integrity_check").await,
            Backend::Postgres => self.postgres_check().await,
        }
    }

    async fn sqlite_check(&self, pragma: &str) -> Result<Vec<String>> {
        // `pragma` is one of two constants above, never input.
        let sql = format!("PRAGMA {pragma}({MAX_PROBLEMS})");
        let rows: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await
            .map_err(|e| damaged(&e, "").unwrap_or_else(|| e.into()))?;
        Ok(rows
            .into_iter()
            .map(|(line,)| line)
            .filter(|line| line != "ok")
            .collect())
    }

    async fn postgres_check(&self) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        let tables: Vec<(String,)> = sqlx::query_as(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1",
        )
        .fetch_all(&self.pool)
        .await?;
        for (table,) in tables {
            // Table names come from the catalog; quoting keeps any name a name. Reading each
            // row as text makes the server read (and detoast) every value.
            let sql = format!(
                "SELECT count(*), sum(length(t::text)) FROM \"{}\" t",
                table.replace('"', "\"\"")
            );
            if let Err(e) = sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&self.pool)
                .await
            {
                problems.push(format!("table {table}: {e}"));
            }
        }
        let amcheck: Option<(i64,)> =
            sqlx::query_as("SELECT 1::bigint FROM pg_extension WHERE extname = 'amcheck'")
                .fetch_optional(&self.pool)
                .await?;
        if amcheck.is_some() {
            let indexes: Vec<(String,)> = sqlx::query_as(
                "SELECT c.relname::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
                 JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE a.amname = 'btree' AND n.nspname = current_schema() ORDER BY 1",
            )
            .fetch_all(&self.pool)
            .await?;
            for (index,) in indexes {
                if let Err(e) =
                    sqlx::query("SELECT bt_index_check(c.oid)::text FROM pg_class c WHERE c.relname = $1 AND c.relnamespace = current_schema()::regnamespace")
                        .bind(&index)
                        .execute(&self.pool)
                        .await
                {
                    problems.push(format!("index {index}: {e}"));
                }
            }
        }
        Ok(problems)
    }
}

/// The operator's message for a damaged SQLite file, if `error` says the file is not a
/// database or is malformed; `None` for any other error. `location` names the file (may be
/// empty when the caller names it itself).
pub(crate) fn damaged(error: &sqlx::Error, location: &str) -> Option<StoreError> {
    let sqlx::Error::Database(db) = error else {
        return None;
    };
    let code: i32 = db.code()?.parse().ok()?;
    let what = match code & 0xff {
        SQLITE_NOTADB => {
            "is not an SQLite database: its header is damaged or it is another kind of file"
        }
        SQLITE_CORRUPT => "is damaged (SQLite reads a malformed page)",
        _ => return None,
    };
    let file = if location.is_empty() {
        "the database file".to_owned()
    } else {
        format!("the database file {location}")
    };
    Some(StoreError::Corrupt(format!(
        "{file} {what} (SQLite: {}). Stop masthead, move the file aside, and restore the \
         latest backup with `masthead restore BACKUP`",
        db.message()
    )))
}

/// Opens one connection to the SQLite file at `url` and reads its header, so that a file
/// that is not a database is reported as such (the pool would retry until it times out and
/// report only that). Any other failure is left for the pool to report.
pub(crate) async fn probe_sqlite(url: &str, location: &str) -> Result<()> {
    use sqlx::Connection as _;
    let Ok(mut conn) = sqlx::AnyConnection::connect(url).await else {
        return Ok(());
    };
    let read = sqlx::query("PRAGMA schema_version")
        .execute(&mut conn)
        .await;
    let _closed = conn.close().await;
    match read {
        Err(e) => match damaged(&e, location) {
            Some(damaged) => Err(damaged),
            None => Ok(()),
        },
        Ok(_) => Ok(()),
    }
}
