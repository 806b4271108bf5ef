//! Sections of the site, in navigation order.

use crate::model::Section;
use crate::{Result, Store, site};
use masthead_core::{SectionId, Slug};

impl Store {
    /// Every section, in navigation order.
    pub async fn sections(&self) -> Result<Vec<Section>> {
        let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
            "SELECT id, slug, name, description FROM sections ORDER BY position, id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, slug, name, description)| Section {
                id: SectionId(id),
                slug,
                name,
                description,
            })
            .collect())
    }

    /// Adds a section at the end of the navigation.
    pub async fn insert_section(
        &self,
        slug: &Slug,
        name: &str,
        description: &str,
    ) -> Result<SectionId> {
        let mut tx = self.pool.begin().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO sections (slug, name, description, position) \
             VALUES ($1, $2, $3, (SELECT COALESCE(MAX(position), 0) + 1 FROM sections)) RETURNING id",
        )
        .bind(slug.as_str())
        .bind(name)
        .bind(description)
        .fetch_one(&mut *tx)
        .await?;
        site::bump_version(&mut tx).await?;
        tx.commit().await?;
        Ok(SectionId(id))
    }
}
