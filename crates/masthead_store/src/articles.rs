//! Articles: writing them (with their authors, tags and old slugs) and reading what the public
//! pages show. Every public read applies the same visibility rule: published, or scheduled and
//! due, at the time the caller passes in.

use crate::dialect::per_backend;
use crate::model::{ArticlePage, Byline, Image, ListPage, Meeting, NameRef, NewArticle, Teaser};
use crate::{Backend, Result, Store, StoreError, from_micros, site, to_micros};
use chrono::{DateTime, NaiveDate, Utc};
use masthead_core::{
    ArticleId, ArticleKind, ArticleStatus, AuthorId, ListCursor, PageNumber, SectionId, Slug, TagId,
};
use serde::Deserialize;
use sqlx::Row;
use sqlx::any::AnyRow;

/// A teaser as one JSON object (decoded by `TeaserJson`), with its authors as a JSON array.
/// List pages fetch all their teasers as one JSON array in one row: each row that sqlx's
/// SQLite driver hands over costs a thread wake-up and copies of every value, which was about
/// a third of a list page's CPU when teasers came one row each.
macro_rules! teaser_json {
    ($arr:literal, $end:literal, $obj:literal, $js:literal, $je:literal) => {
        concat!(
            $obj,
            "'id', ar.id, 'kind', ar.kind, 'slug', ar.slug, 'title', ar.title, 'summary', ar.summary, ",
            "'excerpt', ar.excerpt, 'byline', ar.byline, 'source', ar.source_name, ",
            "'published_at', ar.published_at, 'updated_at', ar.updated_at, ",
            "'section_slug', s.slug, 'section_name', s.name, 'image', m.storage_name, 'alt', m.alt_text, ",
            "'credit', m.credit, 'width', m.width, 'height', m.height, 'variants', ", $js, "m.variants", $je, ", 'authors', ",
            $js, "COALESCE((SELECT ", $arr, $obj, "'slug', a.slug, 'name', a.name) ORDER BY aa.position", $end,
            " FROM article_authors aa JOIN authors a ON a.id = aa.author_id WHERE aa.article_id = ar.id), '[]')",
            $je, ")"
        )
    };
}

/// The tables behind a teaser.
macro_rules! from_clause {
    () => {
        " FROM articles ar JOIN sections s ON s.id = ar.section_id LEFT JOIN media m ON m.id = ar.image_id "
    };
}

/// The rule for what readers may see, with the current time as `$1`.
macro_rules! visible {
    () => {
        " ar.status IN ('published', 'scheduled') AND ar.published_at <= $1 "
    };
}

/// `LIMIT n OFFSET m` as literals, filled in by [`paged`]. Bound values were worse on both
/// backends: SQLite reads a bound LIMIT while planning and then re-prepares the statement
/// every time it is bound again (15% of a list page's CPU); PostgreSQL with generic plans
/// cannot see the limit and, at a million stories, chose to sort the whole table (8 requests
/// a second on the front page), while custom plans cost more to plan than to run.
macro_rules! page_window {
    () => {
        " LIMIT __LIMIT__ OFFSET __OFFSET__"
    };
}
pub(crate) use page_window;

/// `sql` with its `page_window!()` filled in. Both values are integers we computed, never text
/// from a request, so building the statement is safe; the few distinct page sizes keep the
/// prepared-statement cache small.
pub(crate) fn paged(sql: &'static str, limit: u32, offset: u64) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(sql.replacen("__LIMIT__", &limit.to_string(), 1).replacen(
        "__OFFSET__",
        &offset.to_string(),
        1,
    ))
}

/// A page of teasers, newest first, as one JSON array; `$2` is the filter value. `$k1, $k2` are
/// the sort keys: author and tag pages join their relation table and sort by its copy of
/// `published_at`, so the newest come straight from its index. `__KEYSET__` and `__DIR__`
/// are filled in by [`window_statement`]: nothing and `DESC` for a numbered page, a range on the sort
/// keys for a page before or after a cursor.
macro_rules! list_query {
    ($join:literal, $filter:literal, $k1:literal, $k2:literal,
     $arr:literal, $end:literal, $obj:literal, $js:literal, $je:literal) => {
        concat!(
            "SELECT COALESCE((SELECT ",
            $arr,
            $js,
            "t.j",
            $je,
            " ORDER BY t.k1 DESC, t.k2 DESC",
            $end,
            " FROM (SELECT ",
            teaser_json!($arr, $end, $obj, $js, $je),
            " AS j, ",
            $k1,
            " AS k1, ",
            $k2,
            " AS k2",
            from_clause!(),
            $join,
            " WHERE",
            visible!(),
            $filter,
            " __KEYSET__ ORDER BY ",
            $k1,
            " __DIR__, ",
            $k2,
            " __DIR__",
            page_window!(),
            ") t), '[]')"
        )
    };
}

macro_rules! article_page_query {
    ($arr:literal, $end:literal, $obj:literal, $js:literal, $je:literal) => {
        concat!(
            "SELECT CAST(", teaser_json!($arr, $end, $obj, $js, $je), " AS TEXT), ",
            "ar.body_html, ar.source_url, ar.source_canonical, ar.image_caption, ar.video_url, ",
            "ar.meeting_body, ar.meeting_date, ar.decisions_json, ar.items_json, ar.notes_json, ",
            "COALESCE((SELECT ", $arr, $obj, "'slug', t.slug, 'name', t.name) ORDER BY t.slug", $end,
            " FROM article_tags atg JOIN tags t ON t.id = atg.tag_id WHERE atg.article_id = ar.id), '[]'), ",
            "COALESCE((SELECT ", $arr, $obj, "'name', c.author_name, 'body', c.body, 'at', c.created_at) ",
            "ORDER BY c.created_at, c.id", $end,
            " FROM comments c WHERE c.article_id = ar.id AND c.status = 'approved'), '[]')",
            from_clause!(),
            "WHERE ar.slug = $2 AND", visible!()
        )
    };
}

/// Where a page of a teaser list starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListWindow {
    /// A numbered page, read with `OFFSET`: keep to the first few pages.
    Page(PageNumber),
    /// The stories just older than a cursor: one index seek at any depth.
    Before(ListCursor),
    /// The stories just newer than a cursor: one index seek at any depth.
    After(ListCursor),
}

/// Which articles a teaser list holds.
#[derive(Debug, Clone, Copy)]
pub enum ArticleFilter {
    /// Every visible article.
    All,
    /// Those of one section.
    Section(SectionId),
    /// Those by one staff author.
    Author(AuthorId),
    /// Those with one tag.
    Tag(TagId),
}

impl Store {
    /// Teasers of visible articles, newest first, `per_page` to a page.
    pub async fn list_articles(
        &self,
        filter: ArticleFilter,
        now: DateTime<Utc>,
        page: PageNumber,
        per_page: u32,
    ) -> Result<ListPage<Teaser>> {
        self.list_window(filter, now, ListWindow::Page(page), per_page)
            .await
    }

    /// Teasers of visible articles, newest first, at most `per_page` from `window`.
    /// `has_more` says whether more lie beyond them in the window's direction: older ones for
    /// a numbered page or [`ListWindow::Before`], newer ones for [`ListWindow::After`].
    pub async fn list_window(
        &self,
        filter: ArticleFilter,
        now: DateTime<Utc>,
        window: ListWindow,
        per_page: u32,
    ) -> Result<ListPage<Teaser>> {
        let (sql, binds) = window_statement(self.backend(), filter, now, window, per_page);
        let mut query = sqlx::query_as::<_, (String,)>(sqlx::AssertSqlSafe(sql));
        for value in binds {
            query = query.bind(value);
        }
        let (json,) = query.fetch_one(&self.pool).await?;
        let rows: Vec<TeaserJson> = serde_json::from_str(&json)?;
        let mut items = rows
            .into_iter()
            .map(Teaser::try_from)
            .collect::<Result<Vec<_>>>()?;
        let has_more = items.len() > per_page as usize;
        if has_more {
            match window {
                // The extra row is the one furthest from the cursor: the newest.
                ListWindow::After(_) => {
                    items.remove(0);
                }
                _ => items.truncate(per_page as usize),
            }
        }
        Ok(ListPage { items, has_more })
    }

    /// SQLite's query plan for each kind of list, so a test can prove that none of them sorts
    /// the whole archive (which is what makes a page slow at a million stories).
    #[doc(hidden)]
    pub async fn sqlite_list_plans(&self) -> Result<Vec<(String, Vec<String>)>> {
        let filters = [
            ("all", ArticleFilter::All),
            ("section", ArticleFilter::Section(SectionId(1))),
            ("author", ArticleFilter::Author(AuthorId(1))),
            ("tag", ArticleFilter::Tag(TagId(1))),
        ];
        let cursor = ListCursor { at: 0, id: 0 };
        let windows = [
            ("page", ListWindow::Page(PageNumber::FIRST)),
            ("before", ListWindow::Before(cursor)),
            ("after", ListWindow::After(cursor)),
        ];
        let mut plans = Vec::new();
        for (name, filter) in filters {
            for (window_name, window) in windows {
                let (sql, binds) =
                    window_statement(Backend::Sqlite, filter, DateTime::UNIX_EPOCH, window, 20);
                let explain = format!("EXPLAIN QUERY PLAN {sql}");
                let mut query =
                    sqlx::query_as::<_, (i64, i64, i64, String)>(sqlx::AssertSqlSafe(explain));
                for value in binds {
                    query = query.bind(value);
                }
                let rows = query.fetch_all(&self.pool).await?;
                plans.push((
                    format!("{name} {window_name}"),
                    rows.into_iter().map(|(_, _, _, detail)| detail).collect(),
                ));
            }
        }
        Ok(plans)
    }

    /// Refreshes PostgreSQL's planner statistics, as autovacuum does on a live database soon
    /// after a bulk load, so tests see the plans a real site gets.
    #[doc(hidden)]
    pub async fn postgres_analyze(&self) -> Result<()> {
        sqlx::query("ANALYZE").execute(&self.pool).await?;
        Ok(())
    }

    /// The visible article with `slug`, with everything its page shows, in one query.
    pub async fn article_page(
        &self,
        slug: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<ArticlePage>> {
        let sql = per_backend!(self.backend(), article_page_query);
        let row = sqlx::query(sql)
            .bind(to_micros(now))
            .bind(slug)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(article_page_from_row).transpose()
    }

    /// The current slug of the visible article that used to be at `old_slug`, if any.
    pub async fn redirect_for(&self, old_slug: &str, now: DateTime<Utc>) -> Result<Option<String>> {
        let row: Option<(String,)> = sqlx::query_as(concat!(
            "SELECT ar.slug FROM slug_redirects r JOIN articles ar ON ar.id = r.article_id ",
            "WHERE r.old_slug = $2 AND",
            visible!()
        ))
        .bind(to_micros(now))
        .bind(old_slug)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(slug,)| slug))
    }

    /// Saves a new article with its authors and tags; a slug in use is a `Conflict`.
    pub async fn insert_article(
        &self,
        article: &NewArticle,
        now: DateTime<Utc>,
    ) -> Result<ArticleId> {
        let mut tx = self.write_tx().await?;
        let id = insert_article(&mut tx, article, now).await?;
        site::bump_version(&mut tx).await?;
        self.commit(tx).await?;
        Ok(id)
    }

    /// Saves many new articles in one transaction: all or none (imports, benchmark data).
    pub async fn insert_articles(
        &self,
        articles: &[NewArticle],
        now: DateTime<Utc>,
    ) -> Result<Vec<ArticleId>> {
        let mut tx = self.write_tx().await?;
        let mut ids = Vec::with_capacity(articles.len());
        for article in articles {
            ids.push(insert_article(&mut tx, article, now).await?);
        }
        site::bump_version(&mut tx).await?;
        self.commit(tx).await?;
        Ok(ids)
    }
}

pub(crate) async fn insert_article(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    article: &NewArticle,
    now: DateTime<Utc>,
) -> Result<ArticleId> {
    {
        let taken: Option<(i64,)> = sqlx::query_as("SELECT id FROM articles WHERE slug = $1")
            .bind(article.slug.as_str())
            .fetch_optional(&mut **tx)
            .await?;
        if taken.is_some() {
            return Err(StoreError::Conflict(format!(
                "the slug \"{}\" is already used by another story; choose another one",
                article.slug
            )));
        }
        let (meeting_body, meeting_date, decisions) = match &article.meeting {
            Some(m) => (
                m.body.as_str(),
                m.date.to_string(),
                serde_json::to_string(&m.decisions)?,
            ),
            None => ("", String::new(), "[]".to_owned()),
        };
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO articles (kind, status, slug, title, summary, excerpt, body_md, body_html, byline, \
             source_name, source_url, source_canonical, section_id, image_id, image_caption, video_url, \
             meeting_body, meeting_date, decisions_json, items_json, notes_json, published_at, updated_at, \
             created_at, modified_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, \
             $21, $22, $23, $24, $24) RETURNING id",
        )
        .bind(article.kind.as_str())
        .bind(article.status.as_str())
        .bind(article.slug.as_str())
        .bind(&article.title)
        .bind(&article.summary)
        .bind(&article.excerpt)
        .bind(&article.body_md)
        .bind(&article.body_html)
        .bind(&article.byline)
        .bind(&article.source_name)
        .bind(&article.source_url)
        .bind(i64::from(article.source_canonical))
        .bind(article.section.0)
        .bind(article.image.map(|m| m.0))
        .bind(&article.image_caption)
        .bind(&article.video_url)
        .bind(meeting_body)
        .bind(meeting_date)
        .bind(decisions)
        .bind(serde_json::to_string(&article.items)?)
        .bind(serde_json::to_string(&article.notes)?)
        .bind(article.published_at.map(to_micros))
        .bind(article.updated_at.map(to_micros))
        .bind(to_micros(now))
        .fetch_one(&mut **tx)
        .await?;
        // A new story takes over a slug that used to redirect elsewhere.
        sqlx::query("DELETE FROM slug_redirects WHERE old_slug = $1")
            .bind(article.slug.as_str())
            .execute(&mut **tx)
            .await?;
        link_authors_and_tags(
            tx,
            ArticleId(id),
            &article.authors,
            &article.tags,
            article.published_at,
        )
        .await?;
        Ok(ArticleId(id))
    }
}

/// Replaces an article's authors and tags (creating tags that are new), with the copies of
/// its publication time that author and tag pages sort by.
pub(crate) async fn link_authors_and_tags(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: ArticleId,
    authors: &[AuthorId],
    tags: &[String],
    published_at: Option<DateTime<Utc>>,
) -> Result<()> {
    let id = id.0;
    for sql in [
        "DELETE FROM article_authors WHERE article_id = $1",
        "DELETE FROM article_tags WHERE article_id = $1",
    ] {
        sqlx::query(sql).bind(id).execute(&mut **tx).await?;
    }
    for (position, author) in authors.iter().enumerate() {
        sqlx::query(
            "INSERT INTO article_authors (article_id, author_id, position, published_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(author.0)
        .bind(position as i64)
        .bind(published_at.map(to_micros))
        .execute(&mut **tx)
        .await?;
    }
    for name in tags {
        if name.trim().is_empty() {
            continue;
        }
        let slug = Slug::from_title(name);
        sqlx::query("INSERT INTO tags (slug, name) VALUES ($1, $2) ON CONFLICT (slug) DO NOTHING")
            .bind(slug.as_str())
            .bind(name.trim())
            .execute(&mut **tx)
            .await?;
        sqlx::query(
            "INSERT INTO article_tags (article_id, tag_id, published_at) SELECT $1, id, $3 FROM tags \
             WHERE slug = $2 ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(slug.as_str())
        .bind(published_at.map(to_micros))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

impl Store {
    /// Gives an article a new slug; the old one keeps answering with a redirect.
    pub async fn rename_article(
        &self,
        id: ArticleId,
        new_slug: &Slug,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let (old,): (String,) = sqlx::query_as("SELECT slug FROM articles WHERE id = $1")
            .bind(id.0)
            .fetch_one(&mut *tx)
            .await?;
        if old == new_slug.as_str() {
            return Ok(());
        }
        sqlx::query("UPDATE articles SET slug = $1, modified_at = $2 WHERE id = $3")
            .bind(new_slug.as_str())
            .bind(to_micros(now))
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM slug_redirects WHERE old_slug = $1")
            .bind(new_slug.as_str())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO slug_redirects (old_slug, article_id) VALUES ($1, $2) \
             ON CONFLICT (old_slug) DO UPDATE SET article_id = excluded.article_id",
        )
        .bind(&old)
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        site::bump_version(&mut tx).await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Sets an article's status and publication time (publish, schedule, unpublish).
    pub async fn set_article_status(
        &self,
        id: ArticleId,
        status: ArticleStatus,
        published_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE articles SET status = $1, published_at = $2, modified_at = $3 WHERE id = $4",
        )
        .bind(status.as_str())
        .bind(published_at.map(to_micros))
        .bind(to_micros(now))
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        // Keep the copies that author and tag pages sort by in step.
        for sql in [
            "UPDATE article_authors SET published_at = $1 WHERE article_id = $2",
            "UPDATE article_tags SET published_at = $1 WHERE article_id = $2",
        ] {
            sqlx::query(sql)
                .bind(published_at.map(to_micros))
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
        }
        site::bump_version(&mut tx).await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Changes an article's headline and body (the editor's save), marking it updated.
    pub async fn update_article_text(
        &self,
        id: ArticleId,
        title: &str,
        body_md: &str,
        body_html: &str,
        excerpt: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE articles SET title = $1, body_md = $2, body_html = $3, excerpt = $4, updated_at = $5, \
             modified_at = $5 WHERE id = $6",
        )
        .bind(title)
        .bind(body_md)
        .bind(body_html)
        .bind(excerpt)
        .bind(to_micros(now))
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        site::bump_version(&mut tx).await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Whether any article exists, in any status; cheap at any size (the demo loader asks).
    pub async fn has_articles(&self) -> Result<bool> {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM (SELECT 1 FROM articles LIMIT 1) AS one")
                .fetch_one(&self.pool)
                .await?;
        Ok(n > 0)
    }

    /// How many articles exist in any status (for the benchmark generator and tests).
    pub async fn count_articles(&self) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM articles")
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }
}

/// The two columns a list is ordered by (newest first), as written in its SQL.
fn sort_keys(filter: ArticleFilter) -> (&'static str, &'static str) {
    match filter {
        ArticleFilter::All | ArticleFilter::Section(_) => ("ar.published_at", "ar.id"),
        ArticleFilter::Author(_) | ArticleFilter::Tag(_) => ("x.published_at", "x.article_id"),
    }
}

/// A list's SQL with its window filled in, and the values to bind in order: the visibility
/// time, the filter value if any, and the cursor if any. The window is `LIMIT per_page + 1`
/// (the extra row says whether there is more), an `OFFSET` only for numbered pages, and for a
/// cursor the range `(k1, k2) < (at, id)` (or `>`, read oldest first) written so the index
/// seek starts at the cursor. Only constants and integers go into the SQL, never request text.
pub(crate) fn window_statement(
    backend: Backend,
    filter: ArticleFilter,
    now: DateTime<Utc>,
    window: ListWindow,
    per_page: u32,
) -> (String, Vec<i64>) {
    let (sql, value) = list_sql(backend, filter);
    let (k1, k2) = sort_keys(filter);
    let mut binds = vec![to_micros(now)];
    binds.extend(value);
    let (n, m) = (binds.len() + 1, binds.len() + 2);
    let (keyset, dir, offset) = match window {
        ListWindow::Page(page) => (String::new(), "DESC", page.offset(per_page)),
        ListWindow::Before(c) => {
            // Both bounds on k1 are upper bounds; binding the tighter one as the visibility
            // time lets the seek start at the cursor whichever bound the planner uses.
            binds[0] = binds[0].min(c.at);
            binds.extend([c.at, c.id]);
            let keyset = format!("AND {k1} <= ${n} AND ({k1} < ${n} OR {k2} < ${m})");
            (keyset, "DESC", 0)
        }
        ListWindow::After(c) => {
            binds.extend([c.at, c.id]);
            let keyset = format!("AND {k1} >= ${n} AND ({k1} > ${n} OR {k2} > ${m})");
            (keyset, "ASC", 0)
        }
    };
    let sql = sql
        .replacen("__KEYSET__", &keyset, 1)
        .replace("__DIR__", dir)
        .replacen("__LIMIT__", &(per_page + 1).to_string(), 1)
        .replacen("__OFFSET__", &offset.to_string(), 1);
    (sql, binds)
}

/// The SQL of a teaser list and the value its `$2` filters on, if any.
fn list_sql(backend: Backend, filter: ArticleFilter) -> (&'static str, Option<i64>) {
    match filter {
        ArticleFilter::All => (
            per_backend!(backend, list_query, "", "", "ar.published_at", "ar.id"),
            None,
        ),
        ArticleFilter::Section(id) => (
            per_backend!(
                backend,
                list_query,
                "",
                "AND ar.section_id = $2",
                "ar.published_at",
                "ar.id"
            ),
            Some(id.0),
        ),
        ArticleFilter::Author(id) => (
            per_backend!(
                backend,
                list_query,
                "JOIN article_authors x ON x.article_id = ar.id",
                "AND x.author_id = $2 AND x.published_at <= $1",
                "x.published_at",
                "x.article_id"
            ),
            Some(id.0),
        ),
        ArticleFilter::Tag(id) => (
            per_backend!(
                backend,
                list_query,
                "JOIN article_tags x ON x.article_id = ar.id",
                "AND x.tag_id = $2 AND x.published_at <= $1",
                "x.published_at",
                "x.article_id"
            ),
            Some(id.0),
        ),
    }
}

/// A teaser as the database's JSON gives it.
#[derive(Debug, Deserialize)]
struct TeaserJson {
    id: i64,
    kind: String,
    slug: String,
    title: String,
    summary: String,
    excerpt: String,
    byline: String,
    source: String,
    published_at: Option<i64>,
    updated_at: Option<i64>,
    section_slug: String,
    section_name: String,
    image: Option<String>,
    alt: Option<String>,
    credit: Option<String>,
    width: Option<i64>,
    height: Option<i64>,
    /// Null when the article has no image.
    variants: Option<Vec<u32>>,
    authors: Vec<NameRef>,
}

impl TryFrom<TeaserJson> for Teaser {
    type Error = StoreError;

    fn try_from(t: TeaserJson) -> Result<Self> {
        let kind = ArticleKind::parse(&t.kind)?;
        Ok(Teaser {
            id: ArticleId(t.id),
            kind,
            label: kind.label(),
            slug: t.slug,
            title: t.title,
            summary: t.summary,
            excerpt: t.excerpt,
            byline: Byline {
                authors: t.authors,
                text: t.byline,
                source: t.source,
            },
            section: NameRef {
                slug: t.section_slug,
                name: t.section_name,
            },
            image: t.image.map(|storage_name| Image {
                storage_name,
                alt: t.alt.unwrap_or_default(),
                credit: t.credit.unwrap_or_default(),
                width: t.width.unwrap_or_default(),
                height: t.height.unwrap_or_default(),
                variants: t.variants.unwrap_or_default(),
            }),
            published_at: from_micros(t.published_at.unwrap_or_default()),
            updated_at: t.updated_at.map(from_micros),
        })
    }
}

fn article_page_from_row(row: &AnyRow) -> Result<ArticlePage> {
    let teaser = Teaser::try_from(serde_json::from_str::<TeaserJson>(
        &row.try_get::<String, _>(0)?,
    )?)?;
    let meeting_body: String = row.try_get(6)?;
    let meeting = if meeting_body.is_empty() {
        None
    } else {
        let date: String = row.try_get(7)?;
        Some(Meeting {
            body: meeting_body,
            date: NaiveDate::parse_from_str(&date, "%Y-%m-%d")
                .map_err(|e| StoreError::Corrupt(format!("meeting date {date:?}: {e}")))?,
            decisions: serde_json::from_str(&row.try_get::<String, _>(8)?)?,
        })
    };
    Ok(ArticlePage {
        teaser,
        body_html: row.try_get(1)?,
        source_url: row.try_get(2)?,
        source_canonical: row.try_get::<i64, _>(3)? != 0,
        image_caption: row.try_get(4)?,
        video_url: row.try_get(5)?,
        meeting,
        items: serde_json::from_str(&row.try_get::<String, _>(9)?)?,
        notes: serde_json::from_str(&row.try_get::<String, _>(10)?)?,
        tags: serde_json::from_str(&row.try_get::<String, _>(11)?)?,
        comments: serde_json::from_str(&row.try_get::<String, _>(12)?)?,
    })
}
