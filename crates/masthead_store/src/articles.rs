//! Articles as the public pages read them (stories are written through
//! [`crate::StoryWrite`]). Every public read applies the same visibility rule: published, or scheduled and
//! due, at the time the caller passes in.

use crate::columns::{Columns, first_text};
use crate::dialect::per_backend;
use crate::direct::Bind;
use crate::model::{ArticlePage, Byline, Image, ListPage, NameRef, PublicComment, Teaser};
use crate::story::{ArticleFields, FIELD_COLUMNS};
use crate::{Backend, Result, Store, StoreError, from_micros, to_micros};
use chrono::{DateTime, Utc};
use masthead_core::{ArticleId, ArticleKind, AuthorId, ListCursor, PageNumber, SectionId, TagId};
use serde::Deserialize;
use std::sync::LazyLock;

/// A teaser as one JSON object (decoded by `TeaserJson`), with its authors as a JSON array.
/// List pages fetch all their teasers as one JSON array in one row: each row that sqlx's
/// SQLite driver hands over costs a thread wake-up and copies of every value, which was about
/// a third of a list page's CPU when teasers came one row each.
///
/// The arrays inside a teaser or an article page (authors, tags, comments) are built
/// *unordered*, and the decoders put them in order (`TeaserJson`, `article_page_from_row`):
/// SQLite gives an aggregate with its own `ORDER BY` a temporary table, opened and zeroed for
/// every row even when it holds nothing, which was a tenth of an article page's instructions.
macro_rules! teaser_json {
    ($arr:literal, $end:literal, $obj:literal, $js:literal, $je:literal) => {
        concat!(
            $obj,
            "'id', ar.id, 'kind', ar.kind, 'slug', ar.slug, 'title', ar.title, 'summary', ar.summary, ",
            "'excerpt', ar.excerpt, 'byline', ar.byline, 'source', ar.source_name, ",
            "'published_at', ar.published_at, 'updated_at', ar.updated_at, ",
            "'section_slug', s.slug, 'section_name', s.name, 'image', m.storage_name, 'alt', m.alt_text, ",
            "'credit', m.credit, 'width', m.width, 'height', m.height, 'focus_x', m.focus_x, 'focus_y', m.focus_y, 'card', m.card_name, ",
            "'comment_count', (SELECT COUNT(*) FROM comments cc WHERE cc.article_id = ar.id AND cc.status = 'approved'), ",
            "'variants', ", $js, "m.variants", $je, ", 'authors', ",
            $js, "COALESCE((SELECT ", $arr, $obj, "'slug', a.slug, 'name', a.name, 'position', aa.position)", $end,
            " FROM article_authors aa JOIN authors a ON a.id = aa.author_id WHERE aa.article_id = ar.id), '[]')",
            $je, ")"
        )
    };
}

pub(crate) use teaser_json;

/// The tables behind a teaser.
macro_rules! from_clause {
    () => {
        " FROM articles ar JOIN sections s ON s.id = ar.section_id LEFT JOIN media m ON m.id = ar.image_id "
    };
}
pub(crate) use from_clause;

/// The rule for what readers may see, with the current time as `$1`.
macro_rules! visible {
    () => {
        " ar.status IN ('published', 'scheduled') AND ar.published_at <= $1 "
    };
}
pub(crate) use visible;

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

/// A page of stories, newest first, as one JSON array; `$2` is the filter value. Each story
/// is the JSON `$shown!` makes of the subquery's row `t`, whose columns `$columns!` names: a
/// teaser ([`teaser_shown!`], [`teaser_columns!`]) or a `Listed` (see `listed.rs`). `$k1,
/// $k2` are the sort keys: author and tag pages join their relation table and sort by its
/// copy of `published_at`, so the newest come straight from its index. `__KEYSET__` and
/// `__DIR__` are filled in by [`window_statement`]: nothing and `DESC` for a numbered page, a
/// range on the sort keys for a page before or after a cursor.
macro_rules! list_query {
    ($shown:ident, $columns:ident, $join:literal, $filter:literal, $k1:literal, $k2:literal,
     $arr:literal, $end:literal, $obj:literal, $js:literal, $je:literal) => {
        concat!(
            "SELECT COALESCE((SELECT ",
            $arr,
            $shown!($arr, $end, $obj, $js, $je),
            " ORDER BY t.k1 DESC, t.k2 DESC",
            $end,
            " FROM (SELECT ",
            $columns!($arr, $end, $obj, $js, $je),
            ", ",
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

/// A teaser as the column `j` of a list's subquery (see [`list_query!`]).
macro_rules! teaser_columns {
    ($arr:literal, $end:literal, $obj:literal, $js:literal, $je:literal) => {
        concat!(teaser_json!($arr, $end, $obj, $js, $je), " AS j")
    };
}

/// The teaser of the subquery's row `t` (see [`teaser_columns!`]), as JSON again: SQLite
/// forgets that a value is JSON once it passes through a subquery.
macro_rules! teaser_shown {
    ($arr:literal, $end:literal, $obj:literal, $js:literal, $je:literal) => {
        concat!($js, "t.j", $je)
    };
}

/// The article page's statement around its story columns: the teaser's own columns first
/// (the ones it shares with the story, such as the title, are read once, as story columns),
/// then the tags and approved comments. A teaser read as columns costs less than one built
/// as JSON by the database and parsed again, and the comment count is the comments' number,
/// not a second pass over the same rows.
macro_rules! article_page_query {
    ($arr:literal, $end:literal, $obj:literal, $js:literal, $je:literal) => {
        (
            concat!(
                "SELECT ar.id AS id, ar.published_at AS published_at, ar.updated_at AS updated_at, ",
                "s.slug AS section_slug, s.name AS section_name, m.storage_name AS image_name, ",
                "m.alt_text AS image_alt, m.credit AS image_credit, m.width AS image_width, ",
                "m.height AS image_height, m.focus_x AS image_focus_x, m.focus_y AS image_focus_y, ",
                "m.card_name AS image_card, m.variants AS image_variants, ",
                "COALESCE((SELECT ", $arr, $obj, "'slug', a.slug, 'name', a.name, 'position', aa.position)", $end,
                " FROM article_authors aa JOIN authors a ON a.id = aa.author_id WHERE aa.article_id = ar.id), '[]') AS authors, ",
            ),
            concat!(
                ", COALESCE((SELECT ", $arr, $obj, "'slug', t.slug, 'name', t.name)", $end,
                " FROM article_tags atg JOIN tags t ON t.id = atg.tag_id WHERE atg.article_id = ar.id), '[]') AS tags, ",
                "ar.comments_open AS comments_open, ",
                "COALESCE((SELECT ", $arr, $obj, "'id', c.id, 'parent', c.parent_id, 'name', c.author_name, 'website', c.website, 'body', c.body, 'at', c.created_at)", $end,
                " FROM comments c WHERE c.article_id = ar.id AND c.status = 'approved'), '[]') AS comments",
                from_clause!(),
                "WHERE ar.slug = $2 AND", visible!()
            ),
        )
    };
}

/// The article page's one query per backend: the teaser's columns, every column of the story's
/// fields ([`FIELD_COLUMNS`], with the rendered body), its tags and approved comments. The
/// Markdown source is left out (read as empty): the page shows the rendered body, and
/// reading a second copy of the story and handing it to the template is wasted work.
static ARTICLE_PAGE_SQL: LazyLock<[String; 2]> = LazyLock::new(|| {
    let fields: Vec<String> = FIELD_COLUMNS
        .iter()
        .map(|&c| match c {
            "body_md" => "'' AS body_md".to_owned(),
            c => format!("ar.{c}"),
        })
        .collect();
    [Backend::Sqlite, Backend::Postgres].map(|backend| {
        let (head, tail) = per_backend!(backend, article_page_query);
        format!("{head}{}{tail}", fields.join(", "))
    })
});

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

    /// The JSON array a list statement (`window_statement`, `keys_statement`) reads, with its
    /// values bound in order.
    pub(crate) async fn list_json(&self, (sql, binds): (String, Vec<i64>)) -> Result<String> {
        // The binds are copied for a direct read only where one exists (SQLite files).
        if self.direct.is_some() {
            let direct_binds: Vec<Bind<'_>> = binds.iter().map(|&v| Bind::Int(v)).collect();
            if let Some(json) = self.direct_row(&sql, &direct_binds, first_text) {
                return json?.ok_or(StoreError::NotFound);
            }
        }
        let mut query = sqlx::query_as::<_, (String,)>(sqlx::AssertSqlSafe(sql));
        for value in binds {
            query = query.bind(value);
        }
        let mut lease = self.lease().await?;
        let (json,) = query.fetch_one(lease.conn()).await?;
        lease.finished();
        Ok(json)
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
        let statement = window_statement(self.backend(), filter, now, window, per_page);
        let json = self.list_json(statement).await?;
        let rows: Vec<TeaserJson> = serde_json::from_str(&json)?;
        let items = rows
            .into_iter()
            .map(Teaser::try_from)
            .collect::<Result<Vec<_>>>()?;
        Ok(trim_window(items, window, per_page))
    }

    /// Refreshes PostgreSQL's planner statistics, as autovacuum does on a live database soon
    /// after a bulk load, so tests see the plans a real site gets.
    #[doc(hidden)]
    pub async fn postgres_analyze(&self) -> Result<()> {
        sqlx::query("ANALYZE").execute(&self.pool).await?;
        Ok(())
    }

    /// After a bulk load (an import, the benchmark generator): on PostgreSQL, the statistics
    /// a search chooses its way by (the share of stories each word is in, `search.rs`), and
    /// the planner's, at once rather than at autovacuum's next pass, so no search reads a
    /// common word's every match from the index meanwhile. ANALYZE reads a sample of each
    /// table (seconds at a million stories). Nothing on SQLite, whose search counts words
    /// itself.
    pub async fn refresh_statistics(&self) -> Result<()> {
        match self.backend() {
            Backend::Postgres => self.postgres_analyze().await,
            Backend::Sqlite => Ok(()),
        }
    }

    /// The visible article with `slug`, with everything its page shows, in one query.
    pub async fn article_page(
        &self,
        slug: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<ArticlePage>> {
        let sql = &ARTICLE_PAGE_SQL[usize::from(self.backend() == Backend::Postgres)];
        let binds = [Bind::Int(to_micros(now)), Bind::Text(slug)];
        if let Some(page) = self.direct_row(sql, &binds, |row| article_page_from_row(row)) {
            return page;
        }
        let mut lease = self.lease().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(to_micros(now))
            .bind(slug)
            .fetch_optional(lease.conn())
            .await?;
        lease.finished();
        row.as_ref().map(article_page_from_row).transpose()
    }

    /// The current slug of the visible article that used to be at `old_slug`, if any.
    pub async fn story_slug_redirect(
        &self,
        old_slug: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<String>> {
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
    fill_window(sql, value, filter, now, window, per_page)
}

/// A list's statement and its values for a backend, filter, time, window and page size.
pub(crate) type Statement =
    fn(Backend, ArticleFilter, DateTime<Utc>, ListWindow, u32) -> (String, Vec<i64>);

/// `sql`, a list query over `filter` with `__KEYSET__`, `__DIR__` and `page_window!()` in it,
/// filled in for `window`, with the values to bind in order (see [`window_statement`]).
pub(crate) fn fill_window(
    sql: &str,
    value: Option<i64>,
    filter: ArticleFilter,
    now: DateTime<Utc>,
    window: ListWindow,
    per_page: u32,
) -> (String, Vec<i64>) {
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

/// The SQL [`list_query!`] makes for a list of `$filter` with `$shown` and `$columns`, and
/// the value its `$2` filters on, if any.
macro_rules! filtered {
    ($backend:expr, $filter:expr, $shown:ident, $columns:ident) => {
        match $filter {
            ArticleFilter::All => (
                per_backend!(
                    $backend,
                    list_query,
                    $shown,
                    $columns,
                    "",
                    "",
                    "ar.published_at",
                    "ar.id"
                ),
                None,
            ),
            ArticleFilter::Section(id) => (
                per_backend!(
                    $backend,
                    list_query,
                    $shown,
                    $columns,
                    "",
                    "AND ar.section_id = $2",
                    "ar.published_at",
                    "ar.id"
                ),
                Some(id.0),
            ),
            ArticleFilter::Author(id) => (
                per_backend!(
                    $backend,
                    list_query,
                    $shown,
                    $columns,
                    "JOIN article_authors x ON x.article_id = ar.id",
                    "AND x.author_id = $2 AND x.published_at <= $1",
                    "x.published_at",
                    "x.article_id"
                ),
                Some(id.0),
            ),
            ArticleFilter::Tag(id) => (
                per_backend!(
                    $backend,
                    list_query,
                    $shown,
                    $columns,
                    "JOIN article_tags x ON x.article_id = ar.id",
                    "AND x.tag_id = $2 AND x.published_at <= $1",
                    "x.published_at",
                    "x.article_id"
                ),
                Some(id.0),
            ),
        }
    };
}
pub(crate) use {filtered, list_query};

/// The SQL of a teaser list and the value its `$2` filters on, if any.
fn list_sql(backend: Backend, filter: ArticleFilter) -> (&'static str, Option<i64>) {
    filtered!(backend, filter, teaser_shown, teaser_columns)
}

/// `items`, one more than `per_page` if there are more, as the page of `window` they make:
/// the extra one, the furthest from the cursor, dropped.
pub(crate) fn trim_window<T>(mut items: Vec<T>, window: ListWindow, per_page: u32) -> ListPage<T> {
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
    ListPage { items, has_more }
}

/// A teaser as the database's JSON gives it.
#[derive(Debug, Deserialize)]
pub(crate) struct TeaserJson {
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
    focus_x: Option<i64>,
    focus_y: Option<i64>,
    card: Option<String>,
    /// Null when the article has no image.
    variants: Option<Vec<u32>>,
    authors: Vec<AuthorJson>,
    #[serde(default)]
    comment_count: i64,
}

/// One of a teaser's authors, with their place in the byline.
#[derive(Debug, Deserialize)]
struct AuthorJson {
    slug: String,
    name: String,
    position: i64,
}

impl TryFrom<TeaserJson> for Teaser {
    type Error = StoreError;

    fn try_from(mut t: TeaserJson) -> Result<Self> {
        let kind = ArticleKind::parse(&t.kind)?;
        // Put in byline order here, not by the aggregate (see `teaser_json!`).
        t.authors.sort_unstable_by_key(|a| a.position);
        let authors = t
            .authors
            .into_iter()
            .map(|a| NameRef {
                slug: a.slug,
                name: a.name,
            })
            .collect();
        Ok(Teaser {
            id: ArticleId(t.id),
            kind,
            label: kind.label(),
            slug: t.slug,
            title: t.title,
            summary: t.summary,
            excerpt: t.excerpt,
            byline: Byline {
                authors,
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
                focus_x: t.focus_x.unwrap_or(50),
                focus_y: t.focus_y.unwrap_or(50),
                card_name: t.card.unwrap_or_default(),
            }),
            published_at: from_micros(t.published_at.unwrap_or_default()),
            updated_at: t.updated_at.map(from_micros),
            comment_count: t.comment_count,
        })
    }
}

fn article_page_from_row(row: &impl Columns) -> Result<ArticlePage> {
    // Read in the statement's order (see `DirectRow`): the teaser's own columns, the
    // story's, then the tags and comments.
    let (id, published_at, updated_at) = (
        row.int("id")?,
        row.opt_int("published_at")?,
        row.opt_int("updated_at")?,
    );
    let (section_slug, section_name) = (row.text("section_slug")?, row.text("section_name")?);
    let image = row.opt_text("image_name")?;
    let (alt, credit) = (row.opt_text("image_alt")?, row.opt_text("image_credit")?);
    let (width, height) = (row.opt_int("image_width")?, row.opt_int("image_height")?);
    let (focus_x, focus_y) = (row.opt_int("image_focus_x")?, row.opt_int("image_focus_y")?);
    let card = row.opt_text("image_card")?;
    let variants = match row.opt_text("image_variants")? {
        Some(json) => Some(serde_json::from_str(&json)?),
        None => None,
    };
    let authors = serde_json::from_str(&row.text("authors")?)?;
    // Roundup items carry the HTML rendered when the story was saved.
    let story = ArticleFields::from_row(row, Vec::new(), Vec::new())?;
    // Put in order here, not by the aggregates (see `teaser_json!`).
    let mut tags: Vec<NameRef> = serde_json::from_str(&row.text("tags")?)?;
    tags.sort_unstable_by(|a, b| a.slug.cmp(&b.slug));
    let mut comments: Vec<PublicComment> = serde_json::from_str(&row.text("comments")?)?;
    comments.sort_unstable_by_key(|c| (c.at, c.id));
    let teaser = Teaser::try_from(TeaserJson {
        id,
        kind: row.text("kind")?,
        slug: story.slug.as_str().to_owned(),
        title: story.title.clone(),
        summary: story.summary.clone(),
        excerpt: row.text("excerpt")?,
        byline: story.byline.clone(),
        source: story.source_name.clone(),
        published_at,
        updated_at,
        section_slug,
        section_name,
        image,
        alt,
        credit,
        width,
        height,
        focus_x,
        focus_y,
        card,
        variants,
        authors,
        comment_count: i64::try_from(comments.len()).unwrap_or(i64::MAX),
    })?;
    Ok(ArticlePage {
        teaser,
        body_html: row.text("body_html")?,
        story,
        tags,
        comments,
        comments_open: row.int("comments_open")? != 0,
    })
}
