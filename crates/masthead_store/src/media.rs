//! Stored images' metadata: the media library. The bytes live in media storage under a
//! generated name; a row here is what makes a stored file part of the library (only
//! library files are served, see the web crate's `site/media.rs`).
//!
//! `variants` holds the widths of the resized copies stored next to an image as a JSON
//! array (`[320,640]`), so pages can build `srcset` without touching storage.

use crate::audit::record;
use crate::model::NewMedia;
use crate::{Result, Store, StoreError, from_micros, site, to_micros};
use chrono::{DateTime, Utc};
use masthead_core::{MediaId, UserId};
use sqlx::Row;
use sqlx::any::AnyRow;

/// The columns [`media_item_from_row`] reads, by these names.
macro_rules! media_columns {
    () => {
        "SELECT m.id AS id, m.storage_name AS storage_name, m.original_name AS original_name, \
         m.content_type AS content_type, m.alt_text AS alt_text, m.credit AS credit, \
         m.width AS width, m.height AS height, m.byte_size AS byte_size, m.variants AS variants, \
         m.uploaded_by AS uploaded_by, u.name AS uploader, m.created_at AS created_at, \
         m.caption AS caption, m.focus_x AS focus_x, m.focus_y AS focus_y, m.card_name AS card_name \
         FROM media m LEFT JOIN users u ON u.id = m.uploaded_by "
    };
}

impl Store {
    /// Records a stored image. Uploads go through [`Store::begin_media_upload`] and
    /// [`Store::finish_media_upload`] instead, so a crash cannot leave files without a row.
    pub async fn insert_media(&self, media: &NewMedia, now: DateTime<Utc>) -> Result<MediaId> {
        let mut conn = self.pool.acquire().await?;
        insert_media_row(&mut conn, media, now).await
    }

    /// The content type of the stored image `storage_name`, if it is known.
    pub async fn media_content_type(&self, storage_name: &str) -> Result<Option<String>> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT content_type FROM media WHERE storage_name = $1")
                .bind(storage_name)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(t,)| t))
    }

    /// The library's image `id`; `NotFound` if there is none.
    pub async fn media_item(&self, id: MediaId) -> Result<MediaItem> {
        let row = sqlx::query(concat!(media_columns!(), "WHERE m.id = $1"))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        media_item_from_row(&row)
    }

    /// The library's image stored as `storage_name` (an original, not a variant), if any.
    pub async fn media_item_by_name(&self, storage_name: &str) -> Result<Option<MediaItem>> {
        sqlx::query(concat!(media_columns!(), "WHERE m.storage_name = $1"))
            .bind(storage_name)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| media_item_from_row(&row))
            .transpose()
    }

    /// The library's image with the social-card copy `card_name`, if any.
    pub async fn media_item_by_card(&self, card_name: &str) -> Result<Option<MediaItem>> {
        sqlx::query(concat!(media_columns!(), "WHERE m.card_name = $1"))
            .bind(card_name)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| media_item_from_row(&row))
            .transpose()
    }

    /// The media library, newest first.
    pub async fn list_media(&self, limit: u32, offset: u64) -> Result<Vec<MediaItem>> {
        // Both values are integers, never text from a request.
        let sql = format!(
            "{} ORDER BY m.created_at DESC, m.id DESC LIMIT {limit} OFFSET {offset}",
            media_columns!()
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(media_item_from_row)
            .collect()
    }

    /// Sets an image's alt text, credit and caption, with an audit entry. Pages that show
    /// the image change too, so the content version is bumped. `NotFound` if there is no
    /// image `id`.
    pub async fn update_media_text(
        &self,
        id: MediaId,
        text: &MediaText,
        actor: &crate::Actor,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (alt, credit) = (text.alt.as_str(), text.credit.as_str());
        let mut tx = self.write_tx().await?;
        let updated =
            sqlx::query("UPDATE media SET alt_text = $1, credit = $2, caption = $3 WHERE id = $4")
                .bind(alt)
                .bind(credit)
                .bind(&text.caption)
                .bind(id.0)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if updated == 0 {
            return Err(StoreError::NotFound);
        }
        let detail = if alt.trim().is_empty() {
            "alt text cleared"
        } else {
            "alt text and credit"
        };
        record(
            &mut tx,
            actor,
            "media.update",
            &format!("media {}", id.0),
            detail,
            now,
        )
        .await?;
        site::bump_version(&mut tx).await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Sets an image's focal point and the name of its social card cropped around it, with
    /// an audit entry, if the image still has the card `old_card` (the caller made the new
    /// card from that state). Pages that show the image change too, so the content version
    /// is bumped. `NotFound` if there is no image `id`; `Ok(false)` if someone changed the
    /// card meanwhile (nothing is written; the caller's new card is not in use).
    pub async fn update_media_focus(
        &self,
        id: MediaId,
        focus: (i64, i64),
        old_card: &str,
        new_card: &str,
        actor: &crate::Actor,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let mut tx = self.write_tx().await?;
        let exists: Option<(String,)> = sqlx::query_as("SELECT card_name FROM media WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await?;
        match exists {
            None => return Err(StoreError::NotFound),
            Some((current,)) if current != old_card => return Ok(false),
            Some(_) => {}
        }
        sqlx::query("UPDATE media SET focus_x = $1, focus_y = $2, card_name = $3 WHERE id = $4")
            .bind(focus.0)
            .bind(focus.1)
            .bind(new_card)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            actor,
            "media.focus",
            &format!("media {}", id.0),
            &format!("focal point {}% {}%", focus.0, focus.1),
            now,
        )
        .await?;
        site::bump_version(&mut tx).await?;
        self.commit(tx).await?;
        Ok(true)
    }
}

/// An image's words: alt text, credit and caption, each trimmed by the caller.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct MediaText {
    /// Alt text; empty marks the image as needing a description.
    pub alt: String,
    /// Credit line.
    pub credit: String,
    /// The caption offered wherever the image is placed.
    pub caption: String,
}

/// Inserts the media row on `conn` (inside a transaction or not) and returns its id.
pub(crate) async fn insert_media_row(
    conn: &mut sqlx::AnyConnection,
    media: &NewMedia,
    now: DateTime<Utc>,
) -> Result<MediaId> {
    let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO media (storage_name, original_name, content_type, width, height, byte_size, alt_text, \
             credit, uploaded_by, variants, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             RETURNING id",
        )
        .bind(&media.storage_name)
        .bind(&media.original_name)
        .bind(&media.content_type)
        .bind(media.width)
        .bind(media.height)
        .bind(media.byte_size)
        .bind(&media.alt)
        .bind(&media.credit)
        .bind(media.uploaded_by.map(|u| u.0))
        .bind(serde_json::to_string(&media.variants)?)
        .bind(to_micros(now))
        .fetch_one(&mut *conn)
        .await?;
    Ok(MediaId(id))
}

/// A stored image as the media library lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MediaItem {
    /// Its id.
    pub id: MediaId,
    /// The generated file name.
    pub storage_name: String,
    /// The name it was uploaded with (metadata only).
    pub original_name: String,
    /// The exact content type it is served with.
    pub content_type: String,
    /// Alt text; empty until someone describes it.
    pub alt: String,
    /// Credit line.
    pub credit: String,
    /// Width in pixels.
    pub width: i64,
    /// Height in pixels.
    pub height: i64,
    /// Size of the full-size file in bytes.
    pub byte_size: i64,
    /// Widths, in pixels and ascending, of the resized copies stored next to it.
    pub variants: Vec<u32>,
    /// The staff account that uploaded it, if a person did.
    pub uploaded_by: Option<UserId>,
    /// That account's name.
    pub uploader: Option<String>,
    /// When it was added to the library.
    pub created_at: DateTime<Utc>,
    /// The caption offered wherever the image is placed.
    pub caption: String,
    /// The focal point, in percent of the width from the left edge (50 is the centre).
    pub focus_x: i64,
    /// The focal point, in percent of the height from the top edge.
    pub focus_y: i64,
    /// The storage name of the social-card copy cropped around the focal point; empty
    /// for images stored before cards were made.
    pub card_name: String,
}

/// Reads a row of [`media_columns`] by column name.
fn media_item_from_row(row: &AnyRow) -> Result<MediaItem> {
    let variants: String = row.try_get("variants")?;
    Ok(MediaItem {
        id: MediaId(row.try_get("id")?),
        storage_name: row.try_get("storage_name")?,
        original_name: row.try_get("original_name")?,
        content_type: row.try_get("content_type")?,
        alt: row.try_get("alt_text")?,
        credit: row.try_get("credit")?,
        width: row.try_get("width")?,
        height: row.try_get("height")?,
        byte_size: row.try_get("byte_size")?,
        variants: serde_json::from_str(&variants)?,
        uploaded_by: row.try_get::<Option<i64>, _>("uploaded_by")?.map(UserId),
        uploader: row.try_get("uploader")?,
        created_at: from_micros(row.try_get("created_at")?),
        caption: row.try_get("caption")?,
        focus_x: row.try_get("focus_x")?,
        focus_y: row.try_get("focus_y")?,
        card_name: row.try_get("card_name")?,
    })
}
