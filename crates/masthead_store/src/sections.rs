//! Sections of the site, in navigation order.

use crate::model::Section;
use crate::{Result, Store, site};
use masthead_core::{SectionId, Slug};
use sqlx::Row;

impl Store {
    /// Every section, in navigation order.
    pub async fn sections(&self) -> Result<Vec<Section>> {
        sqlx::query("SELECT id, slug, name, description FROM sections ORDER BY position, id")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                Ok(Section {
                    id: SectionId(row.try_get("id")?),
                    slug: row.try_get("slug")?,
                    name: row.try_get("name")?,
                    description: row.try_get("description")?,
                })
            })
            .collect()
    }

    /// Adds a section at the end of the navigation.
    pub async fn insert_section(
        &self,
        slug: &Slug,
        name: &str,
        description: &str,
    ) -> Result<SectionId> {
        let mut tx = self.write_tx().await?;
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
        self.commit(tx).await?;
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
        let sql = "UPDATE sections SET name = $1, description = $2 WHERE id = $3";
        self.update_named(sql, "section", id.0, name, description, actor, now)
            .await
    }

    /// Renames a section or byline profile (`kind`) with `sql`, which binds the name, the
    /// text and the id; audited, and the content version bumped.
    #[allow(
        clippy::too_many_arguments,
        reason = "one update, its audit entry and its time"
    )]
    pub(crate) async fn update_named(
        &self,
        sql: &'static str,
        kind: &str,
        id: i64,
        name: &str,
        text: &str,
        actor: &crate::Actor,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(sql)
            .bind(name)
            .bind(text)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(crate::StoreError::NotFound);
        }
        let (action, target) = (format!("{kind}.update"), format!("{kind} {id}"));
        crate::audit::record(&mut tx, actor, &action, &target, name, now).await?;
        site::bump_version(&mut tx).await?;
        self.commit(tx).await?;
        Ok(())
    }
}
