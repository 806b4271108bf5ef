//! Staff authors.

use crate::model::{Author, Image};
use crate::{Result, Store, site};
use masthead_core::{AuthorId, MediaId, Slug};

impl Store {
    /// The author with `slug`, if any.
    pub async fn author_by_slug(&self, slug: &str) -> Result<Option<Author>> {
        type Row = (
            i64,
            String,
            String,
            String,
            Option<String>,
            Option<String>,
            Option<i64>,
            Option<i64>,
            Option<String>,
        );
        let row: Option<Row> = sqlx::query_as(
            "SELECT a.id, a.slug, a.name, a.bio, m.storage_name, m.alt_text, m.width, m.height, \
             m.variants FROM authors a LEFT JOIN media m ON m.id = a.photo_id WHERE a.slug = $1",
        )
        .bind(slug)
        .fetch_optional(&self.pool)
        .await?;
        let Some((id, slug, name, bio, storage_name, alt, width, height, variants)) = row else {
            return Ok(None);
        };
        let variants: Vec<u32> = match variants {
            Some(v) => serde_json::from_str(&v)?,
            None => Vec::new(),
        };
        Ok(Some(Author {
            id: AuthorId(id),
            photo: storage_name.map(|storage_name| Image {
                storage_name,
                alt: alt.unwrap_or_default(),
                credit: String::new(),
                width: width.unwrap_or_default(),
                height: height.unwrap_or_default(),
                variants,
            }),
            slug,
            name,
            bio,
        }))
    }

    /// Adds a staff author.
    pub async fn insert_author(
        &self,
        slug: &Slug,
        name: &str,
        bio: &str,
        photo: Option<MediaId>,
    ) -> Result<AuthorId> {
        let mut tx = self.write_tx().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO authors (slug, name, bio, photo_id) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(slug.as_str())
        .bind(name)
        .bind(bio)
        .bind(photo.map(|p| p.0))
        .fetch_one(&mut *tx)
        .await?;
        site::bump_version(&mut tx).await?;
        self.commit(tx).await?;
        Ok(AuthorId(id))
    }
}

impl Store {
    /// Every byline profile, by name (the desk's byline picker).
    pub async fn authors(&self) -> Result<Vec<Author>> {
        let rows: Vec<(i64, String, String, String)> =
            sqlx::query_as("SELECT id, slug, name, bio FROM authors ORDER BY name, id")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(id, slug, name, bio)| Author {
                id: masthead_core::AuthorId(id),
                slug,
                name,
                bio,
                photo: None,
            })
            .collect())
    }
}

impl Store {
    /// Changes a byline profile's name and bio; its address stays, so links keep working.
    pub async fn update_author(
        &self,
        id: AuthorId,
        name: &str,
        bio: &str,
        actor: &crate::Actor,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<()> {
        let sql = "UPDATE authors SET name = $1, bio = $2 WHERE id = $3";
        self.update_named(sql, "author", id.0, name, bio, actor, now)
            .await
    }
}
