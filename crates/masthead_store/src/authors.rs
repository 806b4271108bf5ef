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
        );
        let row: Option<Row> = sqlx::query_as(
            "SELECT a.id, a.slug, a.name, a.bio, m.storage_name, m.alt_text, m.width, m.height \
             FROM authors a LEFT JOIN media m ON m.id = a.photo_id WHERE a.slug = $1",
        )
        .bind(slug)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(
            |(id, slug, name, bio, storage_name, alt, width, height)| Author {
                id: AuthorId(id),
                photo: storage_name.map(|storage_name| Image {
                    storage_name,
                    alt: alt.unwrap_or_default(),
                    credit: String::new(),
                    width: width.unwrap_or_default(),
                    height: height.unwrap_or_default(),
                }),
                slug,
                name,
                bio,
            },
        ))
    }

    /// Adds a staff author.
    pub async fn insert_author(
        &self,
        slug: &Slug,
        name: &str,
        bio: &str,
        photo: Option<MediaId>,
    ) -> Result<AuthorId> {
        let mut tx = self.pool.begin().await?;
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
        tx.commit().await?;
        Ok(AuthorId(id))
    }
}
