//! Consistent views of the database for `masthead backup`, and the checks `masthead restore`
//! makes before it writes anything.
//!
//! - SQLite: [`Store::vacuum_into`] writes a compact copy of the database as of one moment
//!   (`VACUUM INTO` reads in one transaction; under WAL, writers go on meanwhile).
//!   [`media_files_in_copy`] then reads the images that copy names, from the copy itself.
//! - PostgreSQL: [`Store::export_snapshot`] opens a repeatable-read transaction and exports
//!   its snapshot; `pg_dump --snapshot` dumps exactly that state, and
//!   [`PgSnapshot::media_files`] lists the images it names from the same state. The
//!   transaction stays open until [`PgSnapshot::release`].
//!
//! Media files are written before their row and never changed afterwards, so every file a
//! snapshot names exists while the backup copies it.

use crate::media_uploads::{MEDIA_FILES, MediaFiles};
use crate::{Backend, Result, Store, StoreError};
use sqlx::{Any, Connection, Transaction};
use std::path::Path;

/// An exported PostgreSQL snapshot, held open until released.
pub struct PgSnapshot {
    tx: Transaction<'static, Any>,
    /// The id `pg_dump --snapshot` takes.
    pub id: String,
}

impl std::fmt::Debug for PgSnapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgSnapshot").field("id", &self.id).finish()
    }
}

impl Store {
    /// Writes a consistent copy of this SQLite database to `dest`, which must not exist.
    ///
    /// # Errors
    ///
    /// `Config` on PostgreSQL; a database error if `dest` cannot be written.
    pub async fn vacuum_into(&self, dest: &Path) -> Result<()> {
        if self.backend() != Backend::Sqlite {
            return Err(StoreError::Config(
                "VACUUM INTO is for SQLite; back up PostgreSQL with pg_dump".into(),
            ));
        }
        let dest = dest.to_str().ok_or_else(|| {
            StoreError::Config(format!(
                "the backup path {} is not valid UTF-8; choose another",
                dest.display()
            ))
        })?;
        sqlx::query("VACUUM INTO $1")
            .bind(dest)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Opens a repeatable-read transaction on PostgreSQL and exports its snapshot.
    ///
    /// # Errors
    ///
    /// `Config` on SQLite; `Unavailable` if the server does not answer.
    pub async fn export_snapshot(&self) -> Result<PgSnapshot> {
        if self.backend() != Backend::Postgres {
            return Err(StoreError::Config(
                "exported snapshots are a PostgreSQL feature".into(),
            ));
        }
        // A read-only transaction: `write_tx` is for transactions that write.
        #[allow(clippy::disallowed_methods)]
        let mut tx = self.pool.begin().await?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await?;
        let (id,): (String,) = sqlx::query_as("SELECT pg_export_snapshot()")
            .fetch_one(&mut *tx)
            .await?;
        Ok(PgSnapshot { tx, id })
    }
}

impl PgSnapshot {
    /// The image files the snapshot's media rows name.
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn media_files(&mut self) -> Result<Vec<MediaFiles>> {
        let rows = sqlx::query(MEDIA_FILES).fetch_all(&mut *self.tx).await?;
        rows.iter().map(MediaFiles::from_row).collect()
    }

    /// Ends the snapshot's transaction. Call it after `pg_dump` has finished.
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn release(self) -> Result<()> {
        self.tx.rollback().await?;
        Ok(())
    }
}

/// The image files a copy made by [`Store::vacuum_into`] names, read from the copy opened
/// read-only and immutable (nothing is written beside it).
///
/// # Errors
///
/// `Corrupt` with the operator's message if the file is not a database; a database error
/// otherwise.
pub async fn media_files_in_copy(path: &Path) -> Result<Vec<MediaFiles>> {
    let mut conn = open_copy(path).await?;
    let rows = sqlx::query(MEDIA_FILES)
        .fetch_all(&mut conn)
        .await
        .map_err(|e| crate::integrity::damaged(&e, "").unwrap_or_else(|| e.into()))?;
    conn.close().await?;
    rows.iter().map(MediaFiles::from_row).collect()
}

/// Whether the PostgreSQL database at `url` has no tables in its schema yet: a restore
/// target must be empty. Connects without running migrations (which would fill it).
///
/// # Errors
///
/// `Config` naming the URL (password hidden) if the server cannot be reached.
pub async fn postgres_is_empty(url: &str) -> Result<bool> {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(url).await.map_err(|e| {
        StoreError::Config(format!(
            "cannot open the database at {}: {e}",
            crate::redact_url(url)
        ))
    })?;
    let (tables,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()")
            .fetch_one(&mut conn)
            .await?;
    conn.close().await?;
    Ok(tables == 0)
}

/// Runs `PRAGMA integrity_check` on an SQLite copy opened read-only; returns the problems,
/// empty when it is whole. `masthead restore` checks a backup before copying it in.
///
/// # Errors
///
/// `Corrupt` with the operator's message if the file is not a database at all.
pub async fn check_copy(path: &Path) -> Result<Vec<String>> {
    let mut conn = open_copy(path).await?;
    let rows: Vec<(String,)> = sqlx::query_as("PRAGMA integrity_check(100)")
        .fetch_all(&mut conn)
        .await
        .map_err(|e| {
            crate::integrity::damaged(&e, &path.display().to_string()).unwrap_or_else(|| e.into())
        })?;
    conn.close().await?;
    Ok(rows
        .into_iter()
        .map(|(line,)| line)
        .filter(|line| line != "ok")
        .collect())
}

async fn open_copy(path: &Path) -> Result<sqlx::AnyConnection> {
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode=ro&immutable=true", path.display());
    sqlx::AnyConnection::connect(&url).await.map_err(|e| {
        crate::integrity::damaged(&e, &path.display().to_string()).unwrap_or_else(|| {
            StoreError::Config(format!("cannot open the copy {}: {e}", path.display()))
        })
    })
}
