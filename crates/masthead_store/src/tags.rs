//! Tags (created with the articles that use them).

use crate::model::Tag;
use crate::{Result, Store};
use masthead_core::TagId;

impl Store {
    /// The tag with `slug`, if any.
    pub async fn tag_by_slug(&self, slug: &str) -> Result<Option<Tag>> {
        let row: Option<(i64, String, String)> =
            sqlx::query_as("SELECT id, slug, name FROM tags WHERE slug = $1")
                .bind(slug)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(id, slug, name)| Tag {
            id: TagId(id),
            slug,
            name,
        }))
    }
}
