//! Tags (created with the articles that use them).

use crate::model::Tag;
use crate::{Result, Store};
use masthead_core::TagId;
use sqlx::Row;

impl Store {
    /// The tag with `slug`, if any.
    pub async fn tag_by_slug(&self, slug: &str) -> Result<Option<Tag>> {
        let row = sqlx::query("SELECT id, slug, name FROM tags WHERE slug = $1")
            .bind(slug)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            Ok(Tag {
                id: TagId(row.try_get("id")?),
                slug: row.try_get("slug")?,
                name: row.try_get("name")?,
            })
        })
        .transpose()
    }
}
