//! Stored images' metadata. The bytes live in the media directory under a generated name.

use crate::model::NewMedia;
use crate::{Result, Store, to_micros};
use chrono::{DateTime, Utc};
use masthead_core::MediaId;

impl Store {
    /// Records a stored image.
    pub async fn insert_media(&self, media: &NewMedia, now: DateTime<Utc>) -> Result<MediaId> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO media (storage_name, original_name, content_type, width, height, byte_size, alt_text, \
             credit, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(&media.storage_name)
        .bind(&media.original_name)
        .bind(&media.content_type)
        .bind(media.width)
        .bind(media.height)
        .bind(media.byte_size)
        .bind(&media.alt)
        .bind(&media.credit)
        .bind(to_micros(now))
        .fetch_one(&self.pool)
        .await?;
        Ok(MediaId(id))
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
}
