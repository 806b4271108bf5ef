//! Staff authors.

use crate::model::{Author, Image};
use crate::{Result, Store, site};
use masthead_core::{AuthorId, MediaId, Slug};
use sqlx::Row;
use sqlx::any::AnyRow;

impl Store {
    /// The author with `slug`, if any.
    pub async fn author_by_slug(&self, slug: &str) -> Result<Option<Author>> {
        let row = sqlx::query(
            "SELECT a.id AS id, a.slug AS slug, a.name AS name, a.bio AS bio, \
             m.storage_name AS photo_storage_name, m.alt_text AS photo_alt, \
             m.width AS photo_width, m.height AS photo_height, m.variants AS photo_variants, \
             m.focus_x AS photo_focus_x, m.focus_y AS photo_focus_y, m.card_name AS photo_card \
             FROM authors a LEFT JOIN media m ON m.id = a.photo_id WHERE a.slug = $1",
        )
        .bind(slug)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let photo = photo_from_row(&row)?;
        Ok(Some(Author {
            photo,
            ..author_from_row(&row)?
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

/// The photo columns of an author query (`photo_storage_name`, `photo_alt`, `photo_width`,
/// `photo_height`, `photo_variants`, `photo_focus_x`, `photo_focus_y`, `photo_card`, from a
/// `LEFT JOIN media`), if the author has one.
fn photo_from_row(row: &AnyRow) -> Result<Option<Image>> {
    let Some(storage_name) = row.try_get::<Option<String>, _>("photo_storage_name")? else {
        return Ok(None);
    };
    let variants: Vec<u32> = match row.try_get::<Option<String>, _>("photo_variants")? {
        Some(v) => serde_json::from_str(&v)?,
        None => Vec::new(),
    };
    Ok(Some(Image {
        storage_name,
        alt: row
            .try_get::<Option<String>, _>("photo_alt")?
            .unwrap_or_default(),
        credit: String::new(),
        width: row
            .try_get::<Option<i64>, _>("photo_width")?
            .unwrap_or_default(),
        height: row
            .try_get::<Option<i64>, _>("photo_height")?
            .unwrap_or_default(),
        variants,
        focus_x: row
            .try_get::<Option<i64>, _>("photo_focus_x")?
            .unwrap_or(50),
        focus_y: row
            .try_get::<Option<i64>, _>("photo_focus_y")?
            .unwrap_or(50),
        card_name: row
            .try_get::<Option<String>, _>("photo_card")?
            .unwrap_or_default(),
    }))
}

impl Store {
    /// Every byline profile, by name, with its photo (the desk's byline picker and the
    /// sections page).
    pub async fn authors(&self) -> Result<Vec<Author>> {
        sqlx::query(
            "SELECT a.id AS id, a.slug AS slug, a.name AS name, a.bio AS bio, \
             m.storage_name AS photo_storage_name, m.alt_text AS photo_alt, \
             m.width AS photo_width, m.height AS photo_height, m.variants AS photo_variants, \
             m.focus_x AS photo_focus_x, m.focus_y AS photo_focus_y, m.card_name AS photo_card \
             FROM authors a LEFT JOIN media m ON m.id = a.photo_id ORDER BY a.name, a.id",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(Author {
                photo: photo_from_row(row)?,
                ..author_from_row(row)?
            })
        })
        .collect()
    }
}

/// Reads an author's `id`, `slug`, `name` and `bio` columns by name, without a photo.
fn author_from_row(row: &AnyRow) -> Result<Author> {
    Ok(Author {
        id: AuthorId(row.try_get("id")?),
        slug: row.try_get("slug")?,
        name: row.try_get("name")?,
        bio: row.try_get("bio")?,
        photo: None,
    })
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

impl Store {
    /// Puts image `photo` of the media library on byline profile `id` (its author page and
    /// bylines show it), recorded in the audit log.
    pub async fn set_author_photo(
        &self,
        id: AuthorId,
        photo: MediaId,
        actor: &crate::Actor,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query("UPDATE authors SET photo_id = $1 WHERE id = $2")
            .bind(photo.0)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(crate::StoreError::NotFound);
        }
        let target = format!("author {}", id.0);
        let detail = format!("media {}", photo.0);
        crate::audit::record(&mut tx, actor, "author.photo", &target, &detail, now).await?;
        site::bump_version(&mut tx).await?;
        self.commit(tx).await?;
        Ok(())
    }
}
