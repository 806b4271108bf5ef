//! New stories written many at a time, in the [`StoryWrite`]'s transaction: each table gets
//! one multi-row statement for the lot (split only where a statement would pass the
//! databases' limit on placeholders), instead of a dozen statements a story. The rows are
//! the same as [`StoryWrite::insert`] writes (it is this with one story): the story, its
//! searchable text, authors, tags, first revision and audit entry, and no redirect left at
//! its address. A wire pull or an import writes hundreds of stories a transaction; on SQLite
//! each statement costs a hand-off to sqlx's worker thread, which made a 10,000-story pull
//! spend most of its time switching threads (docs/PERFORMANCE.md).

use crate::audit::Actor;
use crate::search::SearchText;
use crate::story::{ArticleFields, FIELD_COLUMNS, Placement, RenderedText, bind_fields};
use crate::story_write::StoryWrite;
use crate::{Result, StoreError, to_micros};
use chrono::{DateTime, Utc};
use masthead_core::{ArticleId, ArticleStatus, Slug, UserId};
use sqlx::Row;
use std::collections::{HashMap, HashSet};

/// At most this many placeholders in one statement. The databases allow far more (SQLite
/// 32,766, PostgreSQL 65,535), but SQLite finds each placeholder's name by a walk along the
/// list of them, so binding costs grow with the square of their number: 5,000 a statement
/// made binding 40% of a 10,000-story pull, 1,000 makes it vanish among the rest.
const MAX_BINDS: usize = 1_000;

/// One new story of [`StoryWrite::insert_many`].
pub struct NewStory<'a> {
    /// Its fields (the slug must be free, and differ from the other stories').
    pub fields: &'a ArticleFields,
    /// Its rendered text.
    pub text: &'a RenderedText,
    /// Where it stands.
    pub placement: Placement,
    /// Who started it, for a person's draft.
    pub owner: Option<UserId>,
}

/// `($a, …), ($b, …)`: `rows` groups of `per_row` placeholders numbered from 1, each
/// group shaped by `row` from its first number.
pub(crate) fn values(rows: usize, per_row: usize, row: impl Fn(usize) -> String) -> String {
    (0..rows)
        .map(|r| row(r * per_row + 1))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `($a, $a+1, …, $a+n-1)`.
pub(crate) fn marks(first: usize, n: usize) -> String {
    let marks: Vec<String> = (first..first + n).map(|i| format!("${i}")).collect();
    format!("({})", marks.join(", "))
}

/// Rows per statement for `per_row` placeholders a row.
///
/// The lookups by a list (`… IN ($1, $2, …)`) are sent unprepared (`persistent(false)`):
/// PostgreSQL plans a prepared statement once for all after a few runs, and a plan made
/// while the table was nearly empty (a fresh site's first big pull or import) scans the
/// whole table ever after — 45 ms a lookup at 10,000 stories, where the index takes 1.
pub(crate) fn rows_per_statement(per_row: usize) -> usize {
    (MAX_BINDS / per_row).max(1)
}

impl StoryWrite<'_> {
    /// Inserts `stories` as version 1 each, with everything [`StoryWrite::insert`] writes
    /// and one audit entry each ("article.create" by `actor`). Their ids, in order.
    pub async fn insert_many(
        &mut self,
        stories: &[NewStory<'_>],
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Vec<ArticleId>> {
        if stories.is_empty() {
            return Ok(Vec::new());
        }
        let mut seen = HashSet::new();
        for story in stories {
            if !seen.insert(story.fields.slug.as_str()) {
                return Err(StoreError::Conflict(format!(
                    "two of the stories written together have the address \"{}\"",
                    story.fields.slug
                )));
            }
        }
        let by_slug = self.insert_rows(stories, now).await?;
        let ids: Vec<ArticleId> = stories
            .iter()
            .map(|s| {
                by_slug.get(s.fields.slug.as_str()).copied().ok_or_else(|| {
                    StoreError::Conflict(format!("story \"{}\" was not stored", s.fields.slug))
                })
            })
            .collect::<Result<_>>()?;
        for (story, id) in stories.iter().zip(&ids) {
            if matches!(
                story.placement.status,
                ArticleStatus::Published | ArticleStatus::Scheduled
            ) {
                self.public = true;
                self.changed.push(*id);
            }
        }
        let slugs: Vec<&str> = stories.iter().map(|s| s.fields.slug.as_str()).collect();
        self.free_slugs(&slugs).await?;
        self.index_many(stories, &ids).await?;
        self.link_many(stories, &ids).await?;
        self.revisions_many(stories, &ids, actor, now).await?;
        let entries: Vec<(&str, ArticleId, &str)> = stories
            .iter()
            .zip(&ids)
            .map(|(s, id)| ("article.create", *id, s.fields.title.as_str()))
            .collect();
        self.record_many(actor, &entries, now).await?;
        Ok(ids)
    }

    /// Which of `slugs` a story answers at now.
    pub async fn taken_slugs(&mut self, slugs: &[&str]) -> Result<HashSet<String>> {
        let mut taken = HashSet::new();
        for chunk in slugs.chunks(rows_per_statement(1)) {
            let sql = format!(
                "SELECT slug FROM articles WHERE slug IN {}",
                marks(1, chunk.len())
            );
            let mut query =
                sqlx::query_as::<_, (String,)>(sqlx::AssertSqlSafe(sql)).persistent(false);
            for slug in chunk {
                query = query.bind(*slug);
            }
            for (slug,) in query.fetch_all(&mut *self.tx).await? {
                taken.insert(slug);
            }
        }
        Ok(taken)
    }

    /// Adds one audit entry (action, story, detail) each to the log, by `actor`.
    pub async fn record_many(
        &mut self,
        actor: &Actor,
        entries: &[(&str, ArticleId, &str)],
        now: DateTime<Utc>,
    ) -> Result<()> {
        for chunk in entries.chunks(rows_per_statement(6)) {
            let sql = format!(
                "INSERT INTO audit_log (at, user_id, actor, action, target, detail) VALUES {}",
                values(chunk.len(), 6, |a| marks(a, 6))
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (action, id, detail) in chunk {
                query = query
                    .bind(to_micros(now))
                    .bind(actor.user.map(|u| u.0))
                    .bind(actor.name.as_str())
                    .bind(*action)
                    .bind(format!("article {}", id.0))
                    .bind(*detail);
            }
            query.execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// The `articles` rows; the new ids by slug.
    async fn insert_rows(
        &mut self,
        stories: &[NewStory<'_>],
        now: DateTime<Utc>,
    ) -> Result<HashMap<String, ArticleId>> {
        let n = FIELD_COLUMNS.len();
        // The fields, status, published, updated, created (= modified) and owner.
        let per_row = n + 5;
        let mut ids = HashMap::with_capacity(stories.len());
        for chunk in stories.chunks(rows_per_statement(per_row)) {
            let rows = values(chunk.len(), per_row, |a| {
                let created = a + n + 3;
                let marks: Vec<String> = (a..a + per_row).map(|i| format!("${i}")).collect();
                format!("({}, ${created}, 1)", marks.join(", "))
            });
            let sql = format!(
                "INSERT INTO articles ({}, status, published_at, updated_at, created_at, \
                 owner_id, modified_at, version) VALUES {rows} RETURNING id, slug",
                FIELD_COLUMNS.join(", "),
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for story in chunk {
                query = bind_fields(query, story.fields, story.text)?
                    .bind(story.placement.status.as_str())
                    .bind(story.placement.published_at.map(to_micros))
                    .bind(story.placement.updated_at.map(to_micros))
                    .bind(to_micros(now))
                    .bind(story.owner.map(|o| o.0));
            }
            for row in query.fetch_all(&mut *self.tx).await? {
                let id: i64 = row.try_get("id")?;
                let slug: String = row.try_get("slug")?;
                ids.insert(slug, ArticleId(id));
            }
        }
        Ok(ids)
    }

    /// Drops the redirects from `slugs`, which stories now answer at.
    async fn free_slugs(&mut self, slugs: &[&str]) -> Result<()> {
        for chunk in slugs.chunks(rows_per_statement(1)) {
            let sql = format!(
                "DELETE FROM slug_redirects WHERE old_slug IN {}",
                marks(1, chunk.len())
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
            for slug in chunk {
                query = query.bind(*slug);
            }
            query.execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// The stories' searchable text.
    async fn index_many(&mut self, stories: &[NewStory<'_>], ids: &[ArticleId]) -> Result<()> {
        let rows: Vec<(ArticleId, SearchText)> = stories
            .iter()
            .zip(ids)
            .map(|(s, id)| (*id, SearchText::new(s.fields, &s.text.search_body)))
            .collect();
        for chunk in rows.chunks(rows_per_statement(4)) {
            let sql = format!(
                "INSERT INTO article_search (article_id, title, summary, body) VALUES {}",
                values(chunk.len(), 4, |a| marks(a, 4))
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (id, text) in chunk {
                query = query
                    .bind(id.0)
                    .bind(text.title.as_str())
                    .bind(text.summary.as_str())
                    .bind(text.body.as_str());
            }
            query.execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// The stories' authors and tags (tags new to the site created, named as first
    /// written), with the publication time author and tag pages sort by.
    async fn link_many(&mut self, stories: &[NewStory<'_>], ids: &[ArticleId]) -> Result<()> {
        // (story, author, position, published)
        let mut authors: Vec<(i64, i64, i64, Option<i64>)> = Vec::new();
        // (story, tag slug, published), once a story and tag
        let mut links: Vec<(i64, String, Option<i64>)> = Vec::new();
        let mut names: Vec<(String, &str)> = Vec::new();
        let mut named = HashSet::new();
        let mut linked = HashSet::new();
        let mut credited = HashSet::new();
        for (story, id) in stories.iter().zip(ids) {
            let published = story.placement.published_at.map(to_micros);
            for (position, author) in story.fields.authors.iter().enumerate() {
                if credited.insert((id.0, author.0)) {
                    authors.push((id.0, author.0, position as i64, published));
                }
            }
            for name in &story.fields.tags {
                if name.trim().is_empty() {
                    continue;
                }
                let slug = Slug::from_title(name).as_str().to_owned();
                if named.insert(slug.clone()) {
                    names.push((slug.clone(), name.trim()));
                }
                if linked.insert((id.0, slug.clone())) {
                    links.push((id.0, slug, published));
                }
            }
        }
        for chunk in authors.chunks(rows_per_statement(4)) {
            let sql = format!(
                "INSERT INTO article_authors (article_id, author_id, position, published_at) \
                 VALUES {} ON CONFLICT DO NOTHING",
                values(chunk.len(), 4, |a| marks(a, 4))
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (story, author, position, published) in chunk {
                query = query
                    .bind(*story)
                    .bind(*author)
                    .bind(*position)
                    .bind(*published);
            }
            query.execute(&mut *self.tx).await?;
        }
        if links.is_empty() {
            return Ok(());
        }
        // In the order of their addresses, as `StoryWrite::create_tags` explains.
        names.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut tag_ids: HashMap<String, i64> = HashMap::new();
        for chunk in names.chunks(rows_per_statement(2)) {
            let sql = format!(
                "INSERT INTO tags (slug, name) VALUES {} ON CONFLICT (slug) DO NOTHING",
                values(chunk.len(), 2, |a| marks(a, 2))
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (slug, name) in chunk {
                query = query.bind(slug.as_str()).bind(*name);
            }
            query.execute(&mut *self.tx).await?;
            let sql = format!(
                "SELECT id, slug FROM tags WHERE slug IN {}",
                marks(1, chunk.len())
            );
            let mut query =
                sqlx::query_as::<_, (i64, String)>(sqlx::AssertSqlSafe(sql)).persistent(false);
            for (slug, _) in chunk {
                query = query.bind(slug.as_str());
            }
            for (id, slug) in query.fetch_all(&mut *self.tx).await? {
                tag_ids.insert(slug, id);
            }
        }
        for chunk in links.chunks(rows_per_statement(3)) {
            let sql = format!(
                "INSERT INTO article_tags (article_id, tag_id, published_at) VALUES {} \
                 ON CONFLICT DO NOTHING",
                values(chunk.len(), 3, |a| marks(a, 3))
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (story, slug, published) in chunk {
                let tag = tag_ids.get(slug).copied().ok_or_else(|| {
                    StoreError::Conflict(format!("the tag \"{slug}\" was not stored"))
                })?;
                query = query.bind(*story).bind(tag).bind(*published);
            }
            query.execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// Each story's first revision.
    async fn revisions_many(
        &mut self,
        stories: &[NewStory<'_>],
        ids: &[ArticleId],
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let rows: Vec<(ArticleId, String)> = stories
            .iter()
            .zip(ids)
            .map(|(s, id)| Ok((*id, serde_json::to_string(s.fields)?)))
            .collect::<Result<_>>()?;
        for chunk in rows.chunks(rows_per_statement(5)) {
            let sql = format!(
                "INSERT INTO revisions (article_id, version, saved_by, saved_at, snapshot) \
                 VALUES {}",
                values(chunk.len(), 5, |a| marks(a, 5))
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (id, snapshot) in chunk {
                query = query
                    .bind(id.0)
                    .bind(1_i64)
                    .bind(actor.user.map(|u| u.0))
                    .bind(to_micros(now))
                    .bind(snapshot.as_str());
            }
            query.execute(&mut *self.tx).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_number_each_row_on_from_the_last() {
        assert_eq!(values(2, 3, |a| marks(a, 3)), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(marks(4, 2), "($4, $5)");
        assert_eq!(rows_per_statement(25), 40);
        assert_eq!(rows_per_statement(MAX_BINDS * 2), 1);
    }
}
