//! Uploads in three steps, so that a crash at any point leaves either a complete media row
//! with its files, or files that a sweep can find and delete.
//!
//! 1. [`Store::begin_media_upload`] records the generated name and the widths of the
//!    resized copies in `media_uploads`, *before* any file is written.
//! 2. The caller writes the files (each atomically: temporary file, sync, rename).
//! 3. [`Store::finish_media_upload`] adds the `media` row and removes the `media_uploads`
//!    row in one transaction. If the record is gone (a sweep took it), nothing is added and
//!    the caller deletes its files.
//!
//! A crash after step 1 leaves a `media_uploads` row; [`Store::claim_unfinished_uploads`]
//! hands each such row to exactly one sweeper (`DELETE … RETURNING`), which deletes the
//! files it names. The sweep itself lives in the web crate (`media_upkeep.rs`), which knows
//! both the store and media storage.

use crate::media::insert_media_row;
use crate::model::NewMedia;
use crate::{Result, Store, StoreError, from_micros, to_micros};
use chrono::{DateTime, Utc};
use masthead_core::MediaId;
use sqlx::Row;
use sqlx::any::AnyRow;

/// An upload that was begun and not finished: its files may exist, its media row does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnfinishedUpload {
    /// The original's generated name.
    pub storage_name: String,
    /// The widths of the resized copies it was to have.
    pub variants: Vec<u32>,
    /// When it began.
    pub started_at: DateTime<Utc>,
}

/// The query both backends use to list the image files the library names.
pub(crate) const MEDIA_FILES: &str =
    "SELECT storage_name, variants, byte_size, card_name FROM media ORDER BY storage_name";

/// The files a media row stands for: the original, its resized copies and its social card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaFiles {
    /// The original's generated name.
    pub storage_name: String,
    /// The widths of its resized copies.
    pub variants: Vec<u32>,
    /// The original's size in bytes, as recorded.
    pub byte_size: i64,
    /// Its social card's name; empty for images stored before cards were made.
    pub card_name: String,
}

impl Store {
    /// Step 1: records that the files of `storage_name` (and its `variants`) are about to
    /// be written.
    ///
    /// # Errors
    ///
    /// `Conflict` if the name is already recorded (never, for a fresh random name).
    pub async fn begin_media_upload(
        &self,
        storage_name: &str,
        variants: &[u32],
        now: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO media_uploads (storage_name, variants, started_at) VALUES ($1, $2, $3)",
        )
        .bind(storage_name)
        .bind(serde_json::to_string(variants)?)
        .bind(to_micros(now))
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Step 3: adds the media row and ends the upload's record, in one transaction.
    ///
    /// # Errors
    ///
    /// `NotFound` if the upload's record is gone (a sweep decided it was abandoned and is
    /// deleting its files): nothing is added, and the caller must delete its files too.
    pub async fn finish_media_upload(
        &self,
        media: &NewMedia,
        now: DateTime<Utc>,
    ) -> Result<MediaId> {
        self.finish_media_upload_with(media, "", "", now).await
    }

    /// [`Store::finish_media_upload`] for an image with a caption and a social card (its
    /// copy cropped around the centre, stored under `card_name` before this is called),
    /// both written with the row in one transaction.
    ///
    /// # Errors
    ///
    /// As [`Store::finish_media_upload`].
    pub async fn finish_media_upload_with(
        &self,
        media: &NewMedia,
        caption: &str,
        card_name: &str,
        now: DateTime<Utc>,
    ) -> Result<MediaId> {
        let mut tx = self.write_tx().await?;
        let claimed = sqlx::query("DELETE FROM media_uploads WHERE storage_name = $1")
            .bind(&media.storage_name)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if claimed == 0 {
            return Err(StoreError::NotFound);
        }
        let id = insert_media_row(&mut tx, media, now).await?;
        if !caption.is_empty() || !card_name.is_empty() {
            sqlx::query("UPDATE media SET caption = $1, card_name = $2 WHERE id = $3")
                .bind(caption)
                .bind(card_name)
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// Drops the record of an upload that failed before its row was added (its files are
    /// already deleted). Dropping a record that is gone is not an error.
    pub async fn abandon_media_upload(&self, storage_name: &str) -> Result<()> {
        sqlx::query("DELETE FROM media_uploads WHERE storage_name = $1")
            .bind(storage_name)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Takes the records of uploads begun before `started_before` and never finished,
    /// removing them: each record goes to exactly one caller, which must delete the files
    /// it names. An upload still running when its record is taken fails at step 3.
    pub async fn claim_unfinished_uploads(
        &self,
        started_before: DateTime<Utc>,
    ) -> Result<Vec<UnfinishedUpload>> {
        sqlx::query(
            "DELETE FROM media_uploads WHERE started_at < $1 \
             RETURNING storage_name, variants, started_at",
        )
        .bind(to_micros(started_before))
        .fetch_all(&self.writer)
        .await?
        .iter()
        .map(UnfinishedUpload::from_row)
        .collect()
    }

    /// The uploads begun and not finished, oldest first, for `masthead check`.
    pub async fn unfinished_uploads(&self) -> Result<Vec<UnfinishedUpload>> {
        sqlx::query(
            "SELECT storage_name, variants, started_at FROM media_uploads ORDER BY started_at",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(UnfinishedUpload::from_row)
        .collect()
    }

    /// Every media row's files, for `masthead check` and `masthead backup`.
    pub async fn media_files(&self) -> Result<Vec<MediaFiles>> {
        sqlx::query(MEDIA_FILES)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(MediaFiles::from_row)
            .collect()
    }
}

impl UnfinishedUpload {
    /// Reads a row of `media_uploads` by column name.
    fn from_row(row: &AnyRow) -> Result<Self> {
        let variants: String = row.try_get("variants")?;
        Ok(UnfinishedUpload {
            storage_name: row.try_get("storage_name")?,
            variants: serde_json::from_str(&variants)?,
            started_at: from_micros(row.try_get("started_at")?),
        })
    }
}

impl MediaFiles {
    /// Reads a row of [`MEDIA_FILES`] by column name.
    pub(crate) fn from_row(row: &AnyRow) -> Result<Self> {
        let variants: String = row.try_get("variants")?;
        Ok(MediaFiles {
            storage_name: row.try_get("storage_name")?,
            variants: serde_json::from_str(&variants)?,
            byte_size: row.try_get("byte_size")?,
            card_name: row.try_get("card_name")?,
        })
    }
}
