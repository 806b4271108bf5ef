//! The desk's side of articles: every editable field, saves that name the version they
//! started from (so two editors never overwrite each other silently), status changes with
//! their rules, revisions, the desk's lists, and the scheduler's promotion of due stories.

use crate::articles::link_authors_and_tags;
use crate::audit::{Actor, record};
use crate::model::{Meeting, NewArticle, Note};
use crate::{Result, Store, StoreError, from_micros, site, to_micros};
use chrono::{DateTime, NaiveDate, Utc};
use masthead_core::{
    ArticleId, ArticleKind, ArticleStatus, AuthorId, ListCursor, MediaId, RoundupItem, SectionId,
    Slug, UserId,
};
use serde::{Deserialize, Serialize};
use sqlx::{Any, Row};

/// Every field of an article an editor can change. A revision stores exactly this, as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleFields {
    /// News, opinion, video, roundup or meeting brief.
    pub kind: ArticleKind,
    /// The headline.
    pub title: String,
    /// The address: `/stories/{slug}`.
    pub slug: Slug,
    /// The short summary shown in lists.
    pub summary: String,
    /// The body in Markdown.
    pub body_md: String,
    /// A free-text byline, e.g. "By Jane Doe | Wire", used when no staff author is chosen.
    pub byline: String,
    /// Staff authors, in byline order.
    pub authors: Vec<AuthorId>,
    /// The wire service or outlet a story came from.
    pub source_name: String,
    /// The original's address.
    pub source_url: String,
    /// The section.
    pub section: SectionId,
    /// Tag names.
    pub tags: Vec<String>,
    /// The lead image.
    pub image: Option<MediaId>,
    /// The lead image's caption.
    pub image_caption: String,
    /// For videos: the embed address.
    pub video_url: String,
    /// For meeting briefs: the body, date and decisions.
    pub meeting: Option<Meeting>,
    /// For roundups: the items.
    pub items: Vec<RoundupItem>,
    /// Correction and update notes.
    pub notes: Vec<Note>,
}

/// What the web layer rendered from the fields' Markdown when saving.
#[derive(Debug, Clone, Default)]
pub struct RenderedText {
    /// The body as sanitized HTML.
    pub body_html: String,
    /// The plain-text excerpt.
    pub excerpt: String,
}

/// An article as the desk edits it.
#[derive(Debug, Clone, Serialize)]
pub struct DeskArticle {
    /// Its id.
    pub id: ArticleId,
    /// Where it is in its life.
    pub status: ArticleStatus,
    /// Increases with every save; a save names the version it started from.
    pub version: i64,
    /// Who started it.
    pub owner: Option<UserId>,
    /// The editable fields.
    pub fields: ArticleFields,
    /// When it is (or was) published or scheduled for.
    pub published_at: Option<DateTime<Utc>>,
    /// When it was last saved.
    pub modified_at: DateTime<Utc>,
}

/// A status change made with a save.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// The new status.
    pub status: ArticleStatus,
    /// The new publication time (now for publishing, the chosen time for scheduling);
    /// `None` keeps the current one.
    pub published_at: Option<DateTime<Utc>>,
}

/// What came of a save.
#[derive(Debug, Clone)]
pub enum SaveOutcome {
    /// Saved; the article's new version.
    Saved {
        /// The new version.
        version: i64,
    },
    /// Someone else saved first; nothing was written. Holds what is stored now.
    Conflict(Box<DeskArticle>),
}

/// A row of the desk's lists.
#[derive(Debug, Clone, Serialize)]
pub struct DeskRow {
    /// Its id.
    pub id: ArticleId,
    /// The headline.
    pub title: String,
    /// The kind.
    pub kind: ArticleKind,
    /// The status.
    pub status: ArticleStatus,
    /// Who started it.
    pub owner: String,
    /// When it is (or was) published.
    pub published_at: Option<DateTime<Utc>>,
    /// When it was last saved.
    pub modified_at: DateTime<Utc>,
}

/// A saved revision, as listed.
#[derive(Debug, Clone, Serialize)]
pub struct RevisionInfo {
    /// The article version it saved.
    pub version: i64,
    /// Who saved it.
    pub saved_by: String,
    /// When.
    pub saved_at: DateTime<Utc>,
}

impl Store {
    /// Starts a new story as a draft owned by `owner`, with its first revision.
    pub async fn create_article(
        &self,
        fields: &ArticleFields,
        text: &RenderedText,
        owner: UserId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<ArticleId> {
        let new = NewArticle {
            kind: fields.kind,
            status: ArticleStatus::Draft,
            slug: fields.slug.clone(),
            title: fields.title.clone(),
            summary: fields.summary.clone(),
            excerpt: text.excerpt.clone(),
            body_md: fields.body_md.clone(),
            body_html: text.body_html.clone(),
            authors: fields.authors.clone(),
            byline: fields.byline.clone(),
            source_name: fields.source_name.clone(),
            source_url: fields.source_url.clone(),
            source_canonical: false,
            section: fields.section,
            tags: fields.tags.clone(),
            image: fields.image,
            image_caption: fields.image_caption.clone(),
            video_url: fields.video_url.clone(),
            meeting: fields.meeting.clone(),
            items: fields.items.clone(),
            notes: Note::append(&[], &fields.notes, now),
            published_at: None,
            updated_at: None,
        };
        let mut tx = self.write_tx().await?;
        let id = crate::articles::insert_article(&mut tx, &new, now).await?;
        sqlx::query("UPDATE articles SET owner_id = $1, version = 1 WHERE id = $2")
            .bind(owner.0)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        save_revision(&mut tx, id, 1, fields, actor, now).await?;
        record(
            &mut tx,
            actor,
            "article.create",
            &format!("article {}", id.0),
            &fields.title,
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(id)
    }

    /// The article as the desk edits it.
    pub async fn desk_article(&self, id: ArticleId) -> Result<DeskArticle> {
        let mut conn = self.pool.acquire().await?;
        load(&mut conn, id).await
    }

    /// Saves the fields if the stored version is still `base_version`, and applies the
    /// status change, all in one transaction; otherwise writes nothing and returns the
    /// stored article as a conflict.
    ///
    /// Publishing or scheduling a story whose lead image has no alt text is refused, as is a
    /// slug another story uses. Renaming a published story keeps the old address redirecting.
    #[allow(
        clippy::too_many_arguments,
        reason = "each argument is a distinct part of the save"
    )]
    pub async fn save_article(
        &self,
        id: ArticleId,
        base_version: i64,
        fields: &ArticleFields,
        text: &RenderedText,
        transition: Option<Transition>,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<SaveOutcome> {
        // No stored version is the largest number (versions count saves from 1), so a base
        // with no successor cannot be current: a conflict, never an overflow.
        let Some(version) = base_version.checked_add(1) else {
            return Ok(SaveOutcome::Conflict(Box::new(
                self.desk_article(id).await?,
            )));
        };
        let mut tx = self.write_tx().await?;
        // Claim the version first: the write lock is taken before anything is read, so two
        // saves from the same version cannot both succeed on either backend.
        let claimed =
            sqlx::query("UPDATE articles SET version = $1 WHERE id = $2 AND version = $3")
                .bind(version)
                .bind(id.0)
                .bind(base_version)
                .execute(&mut *tx)
                .await?;
        if claimed.rows_affected() == 0 {
            tx.rollback().await?;
            let current = self.desk_article(id).await?;
            return Ok(SaveOutcome::Conflict(Box::new(current)));
        }
        let current = load(&mut tx, id).await?;
        // Correction and update notes are append-only, decided here under the write lock:
        // the stored notes stay as they are whatever the form or API sent.
        let fields = &ArticleFields {
            notes: Note::append(&current.fields.notes, &fields.notes, now),
            ..fields.clone()
        };
        let (status, published_at) = match transition {
            Some(t) => (t.status, t.published_at.or(current.published_at)),
            None => (current.status, current.published_at),
        };
        if matches!(status, ArticleStatus::Published | ArticleStatus::Scheduled) {
            check_publishable(&mut tx, fields).await?;
        }
        if fields.slug != current.fields.slug {
            let taken: Option<(i64,)> = sqlx::query_as("SELECT id FROM articles WHERE slug = $1")
                .bind(fields.slug.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            if taken.is_some() {
                return Err(StoreError::Conflict(format!(
                    "the slug \"{}\" is already used by another story; choose another one",
                    fields.slug
                )));
            }
            if current.published_at.is_some() {
                sqlx::query(
                    "INSERT INTO slug_redirects (old_slug, article_id) VALUES ($1, $2) \
                     ON CONFLICT (old_slug) DO UPDATE SET article_id = excluded.article_id",
                )
                .bind(current.fields.slug.as_str())
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query("DELETE FROM slug_redirects WHERE old_slug = $1")
                .bind(fields.slug.as_str())
                .execute(&mut *tx)
                .await?;
        }
        let (meeting_body, meeting_date, decisions) = match &fields.meeting {
            Some(m) => (
                m.body.clone(),
                m.date.to_string(),
                serde_json::to_string(&m.decisions)?,
            ),
            None => (String::new(), String::new(), "[]".to_owned()),
        };
        sqlx::query(
            "UPDATE articles SET kind = $1, status = $2, slug = $3, title = $4, summary = $5, excerpt = $6, \
             body_md = $7, body_html = $8, byline = $9, source_name = $10, source_url = $11, section_id = $12, \
             image_id = $13, image_caption = $14, video_url = $15, meeting_body = $16, meeting_date = $17, \
             decisions_json = $18, items_json = $19, notes_json = $20, published_at = $21, modified_at = $22, \
             version = $23 WHERE id = $24",
        )
        .bind(fields.kind.as_str())
        .bind(status.as_str())
        .bind(fields.slug.as_str())
        .bind(&fields.title)
        .bind(&fields.summary)
        .bind(&text.excerpt)
        .bind(&fields.body_md)
        .bind(&text.body_html)
        .bind(&fields.byline)
        .bind(&fields.source_name)
        .bind(&fields.source_url)
        .bind(fields.section.0)
        .bind(fields.image.map(|m| m.0))
        .bind(&fields.image_caption)
        .bind(&fields.video_url)
        .bind(meeting_body)
        .bind(meeting_date)
        .bind(decisions)
        .bind(serde_json::to_string(&fields.items)?)
        .bind(serde_json::to_string(&fields.notes)?)
        .bind(published_at.map(to_micros))
        .bind(to_micros(now))
        .bind(version)
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        link_authors_and_tags(&mut tx, id, &fields.authors, &fields.tags, published_at).await?;
        save_revision(&mut tx, id, version, fields, actor, now).await?;
        let action = match transition.map(|t| t.status) {
            None => "article.save",
            Some(ArticleStatus::Draft) => "article.save_draft",
            Some(ArticleStatus::Review) => "article.submit",
            Some(ArticleStatus::Published) => "article.publish",
            Some(ArticleStatus::Scheduled) => "article.schedule",
            Some(ArticleStatus::Unpublished) => "article.unpublish",
        };
        let detail = match (transition, published_at) {
            (Some(t), Some(at)) if t.status == ArticleStatus::Scheduled => at.to_rfc3339(),
            _ => fields.title.clone(),
        };
        record(
            &mut tx,
            actor,
            action,
            &format!("article {}", id.0),
            &detail,
            now,
        )
        .await?;
        site::bump_version(&mut tx).await?;
        self.commit(tx).await?;
        Ok(SaveOutcome::Saved { version })
    }

    /// The desk's list of articles in `status` (any when `None`), of `owner` only when given,
    /// most recently saved first.
    pub async fn desk_list(
        &self,
        status: Option<ArticleStatus>,
        owner: Option<UserId>,
        limit: u32,
        offset: u64,
    ) -> Result<Vec<DeskRow>> {
        self.desk_list_at(status, owner, None, limit, offset).await
    }

    /// Like [`Store::desk_list`], but the `limit` articles saved just before `cursor` (a
    /// row's `modified_at` and id): one index seek at any depth, where an `OFFSET` walks.
    pub async fn desk_list_before(
        &self,
        status: Option<ArticleStatus>,
        owner: Option<UserId>,
        cursor: ListCursor,
        limit: u32,
    ) -> Result<Vec<DeskRow>> {
        self.desk_list_at(status, owner, Some(cursor), limit, 0)
            .await
    }

    async fn desk_list_at(
        &self,
        status: Option<ArticleStatus>,
        owner: Option<UserId>,
        cursor: Option<ListCursor>,
        limit: u32,
        offset: u64,
    ) -> Result<Vec<DeskRow>> {
        let sql = desk_list_sql(status, owner.is_some(), cursor.is_some(), limit, offset);
        type Row = (i64, String, String, String, String, Option<i64>, i64);
        let mut query = sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql));
        if let Some(owner) = owner {
            query = query.bind(owner.0);
        }
        if let Some(cursor) = cursor {
            query = query.bind(cursor.at).bind(cursor.id);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.into_iter()
            .map(|(id, title, kind, status, owner, published, modified)| {
                Ok(DeskRow {
                    id: ArticleId(id),
                    title,
                    kind: ArticleKind::parse(&kind)?,
                    status: ArticleStatus::parse(&status)?,
                    owner,
                    published_at: published.map(from_micros),
                    modified_at: from_micros(modified),
                })
            })
            .collect()
    }

    /// SQLite's plan for each desk list (tests assert none sorts the archive).
    #[doc(hidden)]
    pub async fn sqlite_desk_plans(&self) -> Result<Vec<(String, Vec<String>)>> {
        let mut plans = Vec::new();
        for status in [
            None,
            Some(ArticleStatus::Draft),
            Some(ArticleStatus::Review),
            Some(ArticleStatus::Published),
        ] {
            for (own, before) in [(false, false), (true, false), (false, true), (true, true)] {
                let sql = desk_list_sql(status, own, before, 10, 0);
                let sql = format!("EXPLAIN QUERY PLAN {sql}");
                let mut query =
                    sqlx::query_as::<_, (i64, i64, i64, String)>(sqlx::AssertSqlSafe(sql));
                if own {
                    query = query.bind(1_i64);
                }
                if before {
                    query = query.bind(0_i64).bind(0_i64);
                }
                let rows = query.fetch_all(&self.pool).await?;
                plans.push((
                    format!("{status:?} own={own} before={before}"),
                    rows.into_iter().map(|r| r.3).collect(),
                ));
            }
        }
        Ok(plans)
    }

    /// An article's revisions, newest first.
    pub async fn revisions(&self, id: ArticleId) -> Result<Vec<RevisionInfo>> {
        let rows: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT r.version, COALESCE(u.name, 'masthead'), r.saved_at FROM revisions r \
             LEFT JOIN users u ON u.id = r.saved_by WHERE r.article_id = $1 ORDER BY r.version DESC",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(version, saved_by, at)| RevisionInfo {
                version,
                saved_by,
                saved_at: from_micros(at),
            })
            .collect())
    }

    /// The fields an article had at `version`.
    pub async fn revision(&self, id: ArticleId, version: i64) -> Result<ArticleFields> {
        let (snapshot,): (String,) =
            sqlx::query_as("SELECT snapshot FROM revisions WHERE article_id = $1 AND version = $2")
                .bind(id.0)
                .bind(version)
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::NotFound)?;
        Ok(serde_json::from_str(&snapshot)?)
    }

    /// Marks every scheduled story whose time has come as published, once: on several app
    /// servers each story is promoted by exactly one of them, because the update only matches
    /// rows still scheduled. Readers see a due story whether or not this has run (the
    /// visibility rule covers it); this records the change in the status and the audit log,
    /// including stories that came due while no server was running.
    pub async fn promote_due(&self, now: DateTime<Utc>) -> Result<Vec<ArticleId>> {
        let mut tx = self.write_tx().await?;
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "UPDATE articles SET status = 'published' \
             WHERE status = 'scheduled' AND published_at <= $1 RETURNING id, title",
        )
        .bind(to_micros(now))
        .fetch_all(&mut *tx)
        .await?;
        if rows.is_empty() {
            // Nothing changed: an empty commit would tell the health check that writes work.
            tx.rollback().await?;
            return Ok(Vec::new());
        }
        let actor = Actor::system("scheduler");
        for (id, title) in &rows {
            record(
                &mut tx,
                &actor,
                "article.publish",
                &format!("article {id}"),
                title,
                now,
            )
            .await?;
        }
        self.commit(tx).await?;
        Ok(rows.into_iter().map(|(id, _)| ArticleId(id)).collect())
    }
}

/// The desk list's SQL. Written so each list reads an index in order at any archive size:
/// the queues (drafts, review, scheduled, unpublished) use the index on
/// `NULLIF(status, 'published')`, which public queries never mention, so it cannot steer
/// them; published and all-status lists walk `modified_at`. The status is a closed set of
/// names, so it is written into the SQL; the owner is bound as `$1`, then a cursor's time and
/// id (`before`), read as a range seek on `modified_at`.
pub(crate) fn desk_list_sql(
    status: Option<ArticleStatus>,
    own: bool,
    before: bool,
    limit: u32,
    offset: u64,
) -> String {
    let mut conditions: Vec<String> = Vec::new();
    match status {
        Some(ArticleStatus::Published) => conditions.push("a.status = 'published'".into()),
        Some(s) => conditions.push(format!("NULLIF(a.status, 'published') = '{}'", s.as_str())),
        None => {}
    }
    if own {
        conditions.push("a.owner_id = $1".into());
    }
    if before {
        let (n, m) = if own { (2, 3) } else { (1, 2) };
        conditions.push(format!(
            "a.modified_at <= ${n} AND (a.modified_at < ${n} OR a.id < ${m})"
        ));
    }
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    format!(
        "SELECT a.id, a.title, a.kind, a.status, COALESCE(u.name, ''), a.published_at, a.modified_at \
         FROM articles a LEFT JOIN users u ON u.id = a.owner_id {filter} \
         ORDER BY a.modified_at DESC, a.id DESC LIMIT {limit} OFFSET {offset}"
    )
}

async fn load(conn: &mut sqlx::AnyConnection, id: ArticleId) -> Result<DeskArticle> {
    let row = sqlx::query(
        "SELECT a.status, a.version, a.owner_id, a.kind, a.title, a.slug, a.summary, a.body_md, \
         a.byline, a.source_name, a.source_url, a.section_id, a.image_id, a.image_caption, a.video_url, \
         a.meeting_body, a.meeting_date, a.decisions_json, a.items_json, a.notes_json, a.published_at, \
         a.modified_at FROM articles a WHERE a.id = $1",
    )
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    let authors: Vec<(i64,)> = sqlx::query_as(
        "SELECT author_id FROM article_authors WHERE article_id = $1 ORDER BY position",
    )
    .bind(id.0)
    .fetch_all(&mut *conn)
    .await?;
    let tags: Vec<(String,)> = sqlx::query_as(
        "SELECT t.name FROM article_tags x JOIN tags t ON t.id = x.tag_id WHERE x.article_id = $1 ORDER BY t.name",
    )
    .bind(id.0)
    .fetch_all(&mut *conn)
    .await?;
    let status: String = row.try_get(0)?;
    let kind: String = row.try_get(3)?;
    let slug: String = row.try_get(5)?;
    let meeting_body: String = row.try_get(15)?;
    let meeting = if meeting_body.is_empty() {
        None
    } else {
        let date: String = row.try_get(16)?;
        Some(Meeting {
            body: meeting_body,
            date: NaiveDate::parse_from_str(&date, "%Y-%m-%d")
                .map_err(|e| StoreError::Corrupt(format!("meeting date {date:?}: {e}")))?,
            decisions: serde_json::from_str(&row.try_get::<String, _>(17)?)?,
        })
    };
    Ok(DeskArticle {
        id,
        status: ArticleStatus::parse(&status)?,
        version: row.try_get(1)?,
        owner: row.try_get::<Option<i64>, _>(2)?.map(UserId),
        fields: ArticleFields {
            kind: ArticleKind::parse(&kind)?,
            title: row.try_get(4)?,
            slug: Slug::parse(&slug)?,
            summary: row.try_get(6)?,
            body_md: row.try_get(7)?,
            byline: row.try_get(8)?,
            authors: authors.into_iter().map(|(a,)| AuthorId(a)).collect(),
            source_name: row.try_get(9)?,
            source_url: row.try_get(10)?,
            section: SectionId(row.try_get(11)?),
            tags: tags.into_iter().map(|(t,)| t).collect(),
            image: row.try_get::<Option<i64>, _>(12)?.map(MediaId),
            image_caption: row.try_get(13)?,
            video_url: row.try_get(14)?,
            meeting,
            items: serde_json::from_str(&row.try_get::<String, _>(18)?)?,
            notes: serde_json::from_str(&row.try_get::<String, _>(19)?)?,
        },
        published_at: row.try_get::<Option<i64>, _>(20)?.map(from_micros),
        modified_at: from_micros(row.try_get(21)?),
    })
}

/// Refuses to publish a story whose lead image lacks alt text.
async fn check_publishable(
    tx: &mut sqlx::Transaction<'_, Any>,
    fields: &ArticleFields,
) -> Result<()> {
    let Some(image) = fields.image else {
        return Ok(());
    };
    let row: Option<(String,)> = sqlx::query_as("SELECT alt_text FROM media WHERE id = $1")
        .bind(image.0)
        .fetch_optional(&mut **tx)
        .await?;
    match row {
        None => Err(masthead_core::InvalidInput::new(
            "image",
            "the chosen lead image no longer exists; choose another one",
        )
        .into()),
        Some((alt,)) if alt.trim().is_empty() => Err(masthead_core::InvalidInput::new(
            "image",
            "the lead image has no alt text; describe it in the media library before publishing",
        )
        .into()),
        Some(_) => Ok(()),
    }
}

async fn save_revision(
    tx: &mut sqlx::Transaction<'_, Any>,
    id: ArticleId,
    version: i64,
    fields: &ArticleFields,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO revisions (article_id, version, saved_by, saved_at, snapshot) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id.0)
    .bind(version)
    .bind(actor.user.map(|u| u.0))
    .bind(to_micros(now))
    .bind(serde_json::to_string(fields)?)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
