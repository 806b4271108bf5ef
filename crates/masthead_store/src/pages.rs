//! The site's static pages (About, Contact, Ethics policy, …): a tree, each page at its
//! stored path (its parent's path, `/`, its slug). Reads for the site (one page by path, the
//! footer's top-level pages, the sitemap) and the desk (every page); writes through
//! [`PageWrite`], one transaction that the desk's rules (`masthead_desk::pages`) drive:
//! claim a version, check the path, write, move the pages under a renamed one, add the
//! redirects from the old paths, and bump the content version with an audit entry.

use crate::audit::{Actor, record};
use crate::redirects::{NewRedirect, RedirectsAdded, add_redirects_in, repoint};
use crate::site::bump_version;
use crate::{Result, Store, StoreError, from_micros, to_micros};
use chrono::{DateTime, Utc};
use masthead_core::{PageId, PageStatus, Slug};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

/// The most pages a site may have (the sitemap lists them in one file; the desk shows them
/// on one page).
pub const MAX_PAGES: i64 = 5_000;

/// One page as stored.
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    /// Its id.
    pub id: PageId,
    /// The page it sits under, if any.
    pub parent: Option<PageId>,
    /// The last part of its address.
    pub slug: String,
    /// Its address without the leading `/` (`about/ethics`).
    pub path: String,
    /// Its title.
    pub title: String,
    /// Its text as written (Markdown).
    pub body_md: String,
    /// Its text rendered and sanitized.
    pub body_html: String,
    /// Its place among its siblings (lower first).
    pub menu_order: i64,
    /// Published or draft.
    pub status: PageStatus,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
    /// Its version: a save names the one it started from.
    pub version: i64,
}

/// A published page's address and title (the footer, the sitemap).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageLink {
    /// Its address without the leading `/`.
    pub path: String,
    /// Its title.
    pub title: String,
    /// When it was last changed.
    #[serde(skip)]
    pub updated_at: DateTime<Utc>,
}

/// What a write sets on a page (checked by the desk's rules).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageFields {
    /// The page it sits under.
    pub parent: Option<PageId>,
    /// The last part of its address.
    pub slug: Slug,
    /// Its title.
    pub title: String,
    /// Its text (Markdown).
    pub body_md: String,
    /// Its text rendered with `masthead_render::render_markdown`.
    pub body_html: String,
    /// Its place among its siblings.
    pub menu_order: i64,
    /// Published or draft.
    pub status: PageStatus,
}

/// A page moved with its parent: its old and new address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MovedPage {
    /// Its address before.
    pub old_path: String,
    /// Its address now.
    pub new_path: String,
    /// Whether it is published (only those get redirects).
    pub status: PageStatus,
}

const PAGE_COLUMNS: &str = "id, parent_id, slug, path, title, body_md, body_html, menu_order, \
                            status, created_at, updated_at, version";

fn page_from_row(row: &AnyRow) -> Result<Page> {
    Ok(Page {
        id: PageId(row.try_get("id")?),
        parent: row.try_get::<Option<i64>, _>("parent_id")?.map(PageId),
        slug: row.try_get("slug")?,
        path: row.try_get("path")?,
        title: row.try_get("title")?,
        body_md: row.try_get("body_md")?,
        body_html: row.try_get("body_html")?,
        menu_order: row.try_get("menu_order")?,
        status: PageStatus::parse(&row.try_get::<String, _>("status")?)?,
        created_at: from_micros(row.try_get("created_at")?),
        updated_at: from_micros(row.try_get("updated_at")?),
        version: row.try_get("version")?,
    })
}

fn link_from_row(row: &AnyRow) -> Result<PageLink> {
    Ok(PageLink {
        path: row.try_get("path")?,
        title: row.try_get("title")?,
        updated_at: from_micros(row.try_get("updated_at")?),
    })
}

impl Store {
    /// The published page at `path` (no leading `/`), if any: one read of a unique index.
    pub async fn published_page(&self, path: &str) -> Result<Option<Page>> {
        let sql = format!("SELECT {PAGE_COLUMNS} FROM pages WHERE path = $1 AND status = $2");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(path)
            .bind(PageStatus::Published.as_str())
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(page_from_row)
            .transpose()
    }

    /// Page `id`, in any status (the desk).
    pub async fn page(&self, id: PageId) -> Result<Page> {
        let sql = format!("SELECT {PAGE_COLUMNS} FROM pages WHERE id = $1");
        page_from_row(
            &sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(id.0)
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::NotFound)?,
        )
    }

    /// Every page, by address (a parent before its children), for the desk's tree.
    pub async fn pages(&self) -> Result<Vec<Page>> {
        let sql = format!("SELECT {PAGE_COLUMNS} FROM pages ORDER BY path LIMIT {MAX_PAGES}");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(page_from_row)
            .collect()
    }

    /// The published top-level pages in menu order (the footer).
    pub async fn top_pages(&self) -> Result<Vec<PageLink>> {
        sqlx::query(
            "SELECT path, title, updated_at FROM pages WHERE parent_id IS NULL AND status = $1 \
             ORDER BY menu_order, id LIMIT 50",
        )
        .bind(PageStatus::Published.as_str())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(link_from_row)
        .collect()
    }

    /// Every published page whose parents are all published too (the sitemap), by address.
    pub async fn sitemap_pages(&self) -> Result<Vec<PageLink>> {
        let sql = format!(
            "SELECT path, title, updated_at FROM pages WHERE status = $1 ORDER BY path \
             LIMIT {MAX_PAGES}"
        );
        let links: Vec<PageLink> = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(PageStatus::Published.as_str())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(link_from_row)
            .collect::<Result<_>>()?;
        let published: std::collections::HashSet<&str> =
            links.iter().map(|l| l.path.as_str()).collect();
        let reachable = |path: &str| {
            let mut prefix = path;
            while let Some((parent, _)) = prefix.rsplit_once('/') {
                if !published.contains(parent) {
                    return false;
                }
                prefix = parent;
            }
            true
        };
        let keep: Vec<bool> = links.iter().map(|l| reachable(&l.path)).collect();
        Ok(links
            .into_iter()
            .zip(keep)
            .filter_map(|(l, k)| k.then_some(l))
            .collect())
    }

    /// Every page's Markdown with its version, to render again when the rendering changes
    /// (`masthead_web::housekeeping::rerender_stored`).
    pub async fn page_texts(&self) -> Result<Vec<(PageId, String, i64)>> {
        let sql = format!("SELECT id, body_md, version FROM pages ORDER BY id LIMIT {MAX_PAGES}");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                Ok((
                    PageId(row.try_get("id")?),
                    row.try_get("body_md")?,
                    row.try_get("version")?,
                ))
            })
            .collect()
    }

    /// Stores pages' HTML rendered again (`(id, html, version read)`), in one transaction
    /// that bumps the content version; a page saved since it was read (a newer version,
    /// rendered by its save) is left as it is.
    pub async fn store_page_html(&self, pages: &[(PageId, String, i64)]) -> Result<()> {
        if pages.is_empty() {
            return Ok(());
        }
        let mut tx = self.write_tx().await?;
        for (id, html, version) in pages {
            sqlx::query("UPDATE pages SET body_html = $1 WHERE id = $2 AND version = $3")
                .bind(html)
                .bind(id.0)
                .bind(version)
                .execute(&mut *tx)
                .await?;
        }
        bump_version(&mut tx).await?;
        self.commit(tx).await
    }

    /// Starts a transaction that writes pages.
    pub async fn page_write(&self) -> Result<PageWrite<'_>> {
        Ok(PageWrite {
            store: self,
            tx: self.write_tx().await?,
        })
    }
}

/// One transaction that writes pages (and the redirects their moves leave). Dropped without
/// [`PageWrite::commit`], nothing is written.
pub struct PageWrite<'s> {
    store: &'s Store,
    tx: Transaction<'static, Any>,
}

impl PageWrite<'_> {
    /// Page `id`, read inside the transaction.
    pub async fn page(&mut self, id: PageId) -> Result<Option<Page>> {
        let sql = format!("SELECT {PAGE_COLUMNS} FROM pages WHERE id = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(&mut *self.tx)
            .await?
            .as_ref()
            .map(page_from_row)
            .transpose()
    }

    /// The page at `path`, read inside the transaction.
    pub async fn page_at(&mut self, path: &str) -> Result<Option<Page>> {
        let sql = format!("SELECT {PAGE_COLUMNS} FROM pages WHERE path = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(path)
            .fetch_optional(&mut *self.tx)
            .await?
            .as_ref()
            .map(page_from_row)
            .transpose()
    }

    /// How many pages there are.
    pub async fn count(&mut self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM pages")
            .fetch_one(&mut *self.tx)
            .await?
            .try_get("n")?)
    }

    /// Whether page `id` has pages under it.
    pub async fn has_children(&mut self, id: PageId) -> Result<bool> {
        Ok(
            sqlx::query("SELECT id FROM pages WHERE parent_id = $1 LIMIT 1")
                .bind(id.0)
                .fetch_optional(&mut *self.tx)
                .await?
                .is_some(),
        )
    }

    /// Inserts a page at `path` (its parent's path and its slug, worked out by the caller)
    /// as version 1. A path already taken is `StoreError::Conflict` (the unique index decides
    /// between concurrent writers).
    pub async fn insert(
        &mut self,
        fields: &PageFields,
        path: &str,
        created_at: DateTime<Utc>,
        updated_at: DateTime<Utc>,
    ) -> Result<PageId> {
        let row = sqlx::query(
            "INSERT INTO pages (parent_id, slug, path, title, body_md, body_html, menu_order, \
             status, created_at, updated_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1) RETURNING id",
        )
        .bind(fields.parent.map(|p| p.0))
        .bind(fields.slug.as_str())
        .bind(path)
        .bind(&fields.title)
        .bind(&fields.body_md)
        .bind(&fields.body_html)
        .bind(fields.menu_order)
        .bind(fields.status.as_str())
        .bind(to_micros(created_at))
        .bind(to_micros(updated_at))
        .fetch_one(&mut *self.tx)
        .await
        .map_err(|e| taken(e, path))?;
        Ok(PageId(row.try_get("id")?))
    }

    /// Claims the next version of page `id` if it is still at `base`: of two saves from one
    /// version, exactly one claims it. False when someone saved first.
    pub async fn claim(&mut self, id: PageId, base: i64) -> Result<bool> {
        Ok(
            sqlx::query("UPDATE pages SET version = version + 1 WHERE id = $1 AND version = $2")
                .bind(id.0)
                .bind(base)
                .execute(&mut *self.tx)
                .await?
                .rows_affected()
                == 1,
        )
    }

    /// Writes page `id`'s fields, its `path` and, when given, its creation time.
    pub async fn update(
        &mut self,
        id: PageId,
        fields: &PageFields,
        path: &str,
        created_at: Option<DateTime<Utc>>,
        updated_at: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE pages SET parent_id = $1, slug = $2, path = $3, title = $4, body_md = $5, \
             body_html = $6, menu_order = $7, status = $8, updated_at = $9, \
             created_at = COALESCE($10, created_at) WHERE id = $11",
        )
        .bind(fields.parent.map(|p| p.0))
        .bind(fields.slug.as_str())
        .bind(path)
        .bind(&fields.title)
        .bind(&fields.body_md)
        .bind(&fields.body_html)
        .bind(fields.menu_order)
        .bind(fields.status.as_str())
        .bind(to_micros(updated_at))
        .bind(created_at.map(to_micros))
        .bind(id.0)
        .execute(&mut *self.tx)
        .await
        .map_err(|e| taken(e, path))?;
        Ok(())
    }

    /// Moves every page under `old_path` to the same place under `new_path` (a parent was
    /// renamed or moved): what moved, old and new address.
    pub async fn move_descendants(
        &mut self,
        old_path: &str,
        new_path: &str,
    ) -> Result<Vec<MovedPage>> {
        let cut = i64::try_from(old_path.len()).unwrap_or(i64::MAX) + 1;
        let rows = sqlx::query(
            "UPDATE pages SET path = $1 || substr(path, CAST($2 AS INTEGER)) WHERE path LIKE $3 \
             RETURNING path, status",
        )
        .bind(new_path)
        .bind(cut)
        // Paths hold only slug characters and `/`: nothing LIKE would read as a wildcard.
        .bind(format!("{old_path}/%"))
        .fetch_all(&mut *self.tx)
        .await
        .map_err(|e| taken(e, new_path))?;
        rows.iter()
            .map(|row| {
                let new: String = row.try_get("path")?;
                Ok(MovedPage {
                    old_path: format!("{old_path}{}", &new[new_path.len()..]),
                    new_path: new,
                    status: PageStatus::parse(&row.try_get::<String, _>("status")?)?,
                })
            })
            .collect()
    }

    /// Deletes page `id` (the caller checked it has no children).
    pub async fn delete(&mut self, id: PageId) -> Result<()> {
        let done = sqlx::query("DELETE FROM pages WHERE id = $1")
            .bind(id.0)
            .execute(&mut *self.tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Writes redirects in this transaction (see `Store::add_redirects`).
    pub async fn add_redirects(
        &mut self,
        redirects: &[NewRedirect],
        now: DateTime<Utc>,
    ) -> Result<RedirectsAdded> {
        add_redirects_in(&mut self.tx, redirects, now).await
    }

    /// Drops the redirect from the old address `key` (a page now answers there).
    pub async fn clear_redirect(&mut self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM redirects WHERE old_key = $1")
            .bind(key)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Points the redirects that led to `old_target` at `new_target` (a page moved again).
    pub async fn repoint_redirects(&mut self, old_target: &str, new_target: &str) -> Result<()> {
        repoint(&mut self.tx, old_target, new_target).await
    }

    /// Bumps the content version (every cached page may show the footer's pages), records
    /// `action` on `target` in the audit log, and commits.
    pub async fn commit(
        mut self,
        actor: &Actor,
        action: &str,
        target: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        bump_version(&mut self.tx).await?;
        record(&mut self.tx, actor, action, target, "", now).await?;
        self.store.commit(self.tx).await
    }
}

/// A unique violation on `path` said in the editor's words.
fn taken(e: sqlx::Error, path: &str) -> StoreError {
    match StoreError::from(e) {
        StoreError::Conflict(_) => StoreError::Conflict(format!(
            "another page already has the address /{path}: choose another slug or parent"
        )),
        other => other,
    }
}
