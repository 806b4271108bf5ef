//! The one way a story is written: a [`StoryWrite`] holds a write transaction in which the
//! desk claims the version it saves over, reads what the story names, and inserts or
//! updates it (with its authors, tags, old addresses, searchable text, revision and audit
//! entry). The rules
//! deciding what may be written live in `masthead_desk`; this module only writes.

use crate::audit::{Actor, record};
use crate::desk::{DeskArticle, load};
use crate::search::{SearchText, index_story};
use crate::story::{
    ArticleFields, FIELD_COLUMNS, Placement, References, RenderedText, bind_fields,
};
use crate::story_batch::NewStory;
use crate::{Result, Store, StoreError, site, to_micros};
use chrono::{DateTime, Utc};
use masthead_core::{ArticleId, ArticleStatus, AuthorId, Slug, UserId};
use sqlx::{Any, Transaction};
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// A story write in progress: one transaction, committed by [`StoryWrite::commit`] and
/// rolled back if dropped.
pub struct StoryWrite<'s> {
    store: &'s Store,
    pub(crate) tx: Transaction<'static, Any>,
    /// Whether readers can see a difference: then the commit moves the content version,
    /// which turns every app server's caches over. A new draft changes nothing public, and
    /// leaving the version alone keeps the one row every public write updates out of it.
    pub(crate) public: bool,
    /// The stories readers see differently after the commit (logged with the version it
    /// produces, see `story_changes.rs`).
    pub(crate) changed: Vec<ArticleId>,
}

impl Store {
    /// Starts writing stories: takes the write lock (SQLite) or opens the transaction
    /// (PostgreSQL) that every step of the write runs in.
    pub async fn write_story(&self) -> Result<StoryWrite<'_>> {
        Ok(StoryWrite {
            store: self,
            tx: self.write_tx().await?,
            public: false,
            changed: Vec::new(),
        })
    }
}

/// The one `UPDATE` of a story: [`FIELD_COLUMNS`], then its placement and bookkeeping.
static UPDATE_SQL: LazyLock<String> = LazyLock::new(|| {
    let n = FIELD_COLUMNS.len();
    let sets: Vec<String> = FIELD_COLUMNS
        .iter()
        .enumerate()
        .map(|(i, column)| format!("{column} = ${}", i + 1))
        .collect();
    format!(
        "UPDATE articles SET {}, status = ${}, published_at = ${}, \
         updated_at = COALESCE(${}, updated_at), modified_at = ${}, version = ${} WHERE id = ${}",
        sets.join(", "),
        n + 1,
        n + 2,
        n + 3,
        n + 4,
        n + 5,
        n + 6,
    )
});

impl StoryWrite<'_> {
    /// Claims the next version of story `id` if its stored version is still `base`, and
    /// returns the story as stored before this write; `None` (with nothing claimed) if
    /// someone saved since or the story does not exist. The claim is the first statement,
    /// so two writes from one version cannot both pass it on either backend.
    pub async fn claim(&mut self, id: ArticleId, base: i64) -> Result<Option<DeskArticle>> {
        // No stored version is the largest number (versions count saves from 1), so a base
        // with no successor cannot be current: a conflict, never an overflow.
        let Some(next) = base.checked_add(1) else {
            return Ok(None);
        };
        let claimed =
            sqlx::query("UPDATE articles SET version = $1 WHERE id = $2 AND version = $3")
                .bind(next)
                .bind(id.0)
                .bind(base)
                .execute(&mut *self.tx)
                .await?;
        if claimed.rows_affected() == 0 {
            return Ok(None);
        }
        let mut current = load(&mut self.tx, id).await?;
        current.version = base;
        Ok(Some(current))
    }

    /// What the section, authors and lead image of `fields` look like now.
    pub async fn references(&mut self, fields: &ArticleFields) -> Result<References> {
        let section: Option<(i64,)> = sqlx::query_as("SELECT id FROM sections WHERE id = $1")
            .bind(fields.section.0)
            .fetch_optional(&mut *self.tx)
            .await?;
        let mut missing_authors = Vec::new();
        for author in &fields.authors {
            let found: Option<(i64,)> = sqlx::query_as("SELECT id FROM authors WHERE id = $1")
                .bind(author.0)
                .fetch_optional(&mut *self.tx)
                .await?;
            if found.is_none() && !missing_authors.contains(author) {
                missing_authors.push(*author);
            }
        }
        let image_alt = match fields.image {
            None => None,
            Some(image) => {
                let alt: Option<(String,)> =
                    sqlx::query_as("SELECT alt_text FROM media WHERE id = $1")
                        .bind(image.0)
                        .fetch_optional(&mut *self.tx)
                        .await?;
                Some(alt.map(|(alt,)| alt))
            }
        };
        Ok(References {
            section_exists: section.is_some(),
            missing_authors,
            image_alt,
        })
    }

    /// The story that has `slug` as its address now, if any.
    pub async fn slug_owner(&mut self, slug: &Slug) -> Result<Option<ArticleId>> {
        let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM articles WHERE slug = $1")
            .bind(slug.as_str())
            .fetch_optional(&mut *self.tx)
            .await?;
        Ok(row.map(|(id,)| ArticleId(id)))
    }

    /// Inserts a new story at version 1 with its first revision and an `article.create`
    /// entry in the audit log. `owner` is the staff account that started it (`None` for
    /// demo, generated and imported stories). The slug must be free (see
    /// [`StoryWrite::slug_owner`]); a new story takes over an old address that redirected
    /// elsewhere.
    #[allow(
        clippy::too_many_arguments,
        reason = "each argument is a distinct part of the story"
    )]
    pub async fn insert(
        &mut self,
        fields: &ArticleFields,
        text: &RenderedText,
        placement: Placement,
        owner: Option<UserId>,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<ArticleId> {
        let story = NewStory {
            fields,
            text,
            placement,
            owner,
        };
        let ids = self.insert_many(&[story], actor, now).await?;
        ids.first()
            .copied()
            .ok_or_else(|| StoreError::Conflict("the story was not stored".into()))
    }

    /// Writes `fields` over `current` (as returned by [`StoryWrite::claim`]) as its next
    /// version, with a revision. A new address keeps the old one redirecting if the story
    /// was ever published; a `None` update time keeps the stored one.
    #[allow(
        clippy::too_many_arguments,
        reason = "each argument is a distinct part of the save"
    )]
    pub async fn update(
        &mut self,
        current: &DeskArticle,
        fields: &ArticleFields,
        text: &RenderedText,
        placement: Placement,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let id = current.id;
        let version = current.version + 1;
        // Any save may change what readers see (or saw: a story taken down).
        self.public = true;
        self.changed.push(id);
        if fields.slug != current.fields.slug {
            if current.published_at.is_some() {
                sqlx::query(
                    "INSERT INTO slug_redirects (old_slug, article_id) VALUES ($1, $2) \
                     ON CONFLICT (old_slug) DO UPDATE SET article_id = excluded.article_id",
                )
                .bind(current.fields.slug.as_str())
                .bind(id.0)
                .execute(&mut *self.tx)
                .await?;
            }
            self.free_slug(&fields.slug).await?;
        }
        let query = sqlx::query(sqlx::AssertSqlSafe(UPDATE_SQL.as_str()));
        bind_fields(query, fields, text)?
            .bind(placement.status.as_str())
            .bind(placement.published_at.map(to_micros))
            .bind(placement.updated_at.map(to_micros))
            .bind(to_micros(now))
            .bind(version)
            .bind(id.0)
            .execute(&mut *self.tx)
            .await?;
        if placement.status != ArticleStatus::Published {
            // A story taken down (or back to the desk) leaves the front page for good: it
            // does not lead again by itself when it is published again.
            sqlx::query("DELETE FROM front_slots WHERE article_id = $1")
                .bind(id.0)
                .execute(&mut *self.tx)
                .await?;
        }
        index_story(
            &mut self.tx,
            id,
            &SearchText::new(fields, &text.search_body),
        )
        .await?;
        self.link(id, &fields.authors, &fields.tags, placement.published_at)
            .await?;
        self.revision(id, version, fields, actor, now).await?;
        Ok(version)
    }

    /// Adds an entry about story `id` to the audit log, in this transaction.
    pub async fn record(
        &mut self,
        actor: &Actor,
        action: &str,
        id: ArticleId,
        detail: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        record(
            &mut self.tx,
            actor,
            action,
            &format!("article {}", id.0),
            detail,
            now,
        )
        .await
    }

    /// Commits everything written, and tells every app server's page cache when readers can
    /// see a difference.
    pub async fn commit(mut self) -> Result<()> {
        if self.public {
            let version = site::bump_version(&mut self.tx).await?;
            self.changed.sort_unstable();
            self.changed.dedup();
            crate::story_changes::record(&mut self.tx, version, &self.changed).await?;
        }
        self.store.commit(self.tx).await
    }

    /// The transaction's connection, for writes other modules make inside it.
    pub(crate) fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }

    /// Ends the write without changing anything.
    pub async fn rollback(self) -> Result<()> {
        self.tx.rollback().await?;
        Ok(())
    }

    /// Creates the tags among `names` the site does not have yet, named as first written
    /// here, in the order of their addresses. Two writes creating the same new tags wait
    /// for each other on each tag's key until the first commits; in one order they queue,
    /// crosswise PostgreSQL would end one of them as a deadlock. Call it with every tag of
    /// a transaction's stories before writing them. Returns the tags' addresses, in order.
    pub async fn create_tags<'n>(
        &mut self,
        names: impl IntoIterator<Item = &'n str>,
    ) -> Result<Vec<String>> {
        let mut new: BTreeMap<String, &str> = BTreeMap::new();
        for name in names
            .into_iter()
            .map(str::trim)
            .filter(|name| !name.is_empty())
        {
            new.entry(Slug::from_title(name).as_str().to_owned())
                .or_insert(name);
        }
        for (slug, name) in &new {
            sqlx::query(
                "INSERT INTO tags (slug, name) VALUES ($1, $2) ON CONFLICT (slug) DO NOTHING",
            )
            .bind(slug.as_str())
            .bind(*name)
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(new.into_keys().collect())
    }

    /// Drops a redirect from `slug`, which a story now answers at.
    async fn free_slug(&mut self, slug: &Slug) -> Result<()> {
        sqlx::query("DELETE FROM slug_redirects WHERE old_slug = $1")
            .bind(slug.as_str())
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Replaces a story's authors and tags (creating tags that are new), with the copies
    /// of its publication time that author and tag pages sort by.
    async fn link(
        &mut self,
        id: ArticleId,
        authors: &[AuthorId],
        tags: &[String],
        published_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let tx = &mut self.tx;
        for sql in [
            "DELETE FROM article_authors WHERE article_id = $1",
            "DELETE FROM article_tags WHERE article_id = $1",
        ] {
            sqlx::query(sql).bind(id.0).execute(&mut **tx).await?;
        }
        for (position, author) in authors.iter().enumerate() {
            sqlx::query(
                "INSERT INTO article_authors (article_id, author_id, position, published_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .bind(id.0)
            .bind(author.0)
            .bind(position as i64)
            .bind(published_at.map(to_micros))
            .execute(&mut **tx)
            .await?;
        }
        for slug in self.create_tags(tags.iter().map(String::as_str)).await? {
            sqlx::query(
                "INSERT INTO article_tags (article_id, tag_id, published_at) SELECT $1, id, $3 FROM tags \
                 WHERE slug = $2 ON CONFLICT DO NOTHING",
            )
            .bind(id.0)
            .bind(slug)
            .bind(published_at.map(to_micros))
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }

    async fn revision(
        &mut self,
        id: ArticleId,
        version: i64,
        fields: &ArticleFields,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO revisions (article_id, version, saved_by, saved_at, snapshot) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id.0)
        .bind(version)
        .bind(actor.user.map(|u| u.0))
        .bind(to_micros(now))
        .bind(serde_json::to_string(fields)?)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }
}
