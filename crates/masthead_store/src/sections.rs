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

impl Store {
    /// Renames a section and changes its description; its address stays, so links keep
    /// working.
    pub async fn update_section(
        &self,
        id: SectionId,
        name: &str,
        description: &str,
        actor: &crate::Actor,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("UPDATE sections SET name = $1, description = $2 WHERE id = $3")
            .bind(name)
            .bind(description)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(crate::StoreError::NotFound);
        }
        crate::audit::record(
            &mut tx,
            actor,
            "section.update",
            &format!("section {}", id.0),
            name,
            now,
        )
        .await?;
        site::bump_version(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }
}
