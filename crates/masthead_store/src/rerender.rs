//! Bringing stored HTML up to the current rendering. A story's HTML (its body and its
//! roundup items) is rendered from Markdown when it is saved; when the rendering changes,
//! stories saved before keep the old HTML until the server's upkeep re-renders them, in
//! batches by id, recording how far it got (`site_state.render_version` and
//! `render_cursor`), so a restart goes on where it stopped. The renderer itself is the
//! caller's (the desk's rules), so both paths render alike.

use crate::{Result, Store, site};
use masthead_core::{ArticleId, RoundupItem};
use sqlx::Row;

/// Where the re-rendering of stored stories stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderState {
    /// The rendering every story up to `cursor` is at; the rest are at the one before it.
    pub version: i64,
    /// The last story id re-rendered to `version`.
    pub cursor: i64,
}

/// A stored story's Markdown, to render again.
#[derive(Debug, Clone)]
pub struct StoredText {
    /// The story.
    pub id: ArticleId,
    /// Its body in Markdown.
    pub body_md: String,
    /// Its roundup items (empty for other kinds).
    pub items: Vec<RoundupItem>,
    /// The items as stored, to tell whether the story was saved since they were read.
    items_json: String,
}

/// A story's HTML rendered again.
#[derive(Debug, Clone)]
pub struct Rerendered {
    /// The story.
    pub id: ArticleId,
    /// Its body's HTML.
    pub body_html: String,
    /// Its roundup items with their HTML.
    pub items: Vec<RoundupItem>,
}

impl Store {
    /// Where re-rendering stands.
    pub async fn render_state(&self) -> Result<RenderState> {
        let row = sqlx::query("SELECT render_version, render_cursor FROM site_state WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok(RenderState {
            version: row.try_get("render_version")?,
            cursor: row.try_get("render_cursor")?,
        })
    }

    /// Records that the stored HTML is at rendering `version` when there is no HTML to be at
    /// any other: no story and no page yet (a new database, before `generate`, an import or
    /// the demo writes stories rendered with `version`). Without it, a new database starts at
    /// rendering 1 and the first server re-renders every story just written, moving the
    /// content version on (and every page cache over) once per batch. Whether it did.
    pub async fn start_at_rendering(&self, version: i64) -> Result<bool> {
        let mut tx = self.write_tx().await?;
        let moved = sqlx::query(
            "UPDATE site_state SET render_version = $1, render_cursor = 0 \
             WHERE id = 1 AND render_version < $1 \
             AND NOT EXISTS (SELECT 1 FROM articles) AND NOT EXISTS (SELECT 1 FROM pages)",
        )
        .bind(version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        self.commit(tx).await?;
        Ok(moved > 0)
    }

    /// The Markdown of the (at most 200) stories with ids after `after`, by id.
    pub async fn stored_texts_after(&self, after: i64) -> Result<Vec<StoredText>> {
        sqlx::query(
            "SELECT id, body_md, items_json FROM articles WHERE id > $1 ORDER BY id LIMIT 200",
        )
        .bind(after)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            let items_json: String = row.try_get("items_json")?;
            Ok(StoredText {
                id: ArticleId(row.try_get("id")?),
                body_md: row.try_get("body_md")?,
                items: serde_json::from_str(&items_json)?,
                items_json,
            })
        })
        .collect()
    }

    /// Stores stories' new HTML and moves the state to `state`, in one transaction: only the
    /// HTML columns change, and only where the Markdown is still what was rendered (a story
    /// saved meanwhile was rendered by its save). Readers' pages are refreshed.
    pub async fn store_rerendered(
        &self,
        texts: &[(StoredText, Rerendered)],
        state: RenderState,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        for (before, after) in texts {
            sqlx::query(
                "UPDATE articles SET body_html = $1, items_json = $2 \
                 WHERE id = $3 AND body_md = $4 AND items_json = $5",
            )
            .bind(&after.body_html)
            .bind(serde_json::to_string(&after.items)?)
            .bind(after.id.0)
            .bind(&before.body_md)
            .bind(&before.items_json)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("UPDATE site_state SET render_version = $1, render_cursor = $2 WHERE id = 1")
            .bind(state.version)
            .bind(state.cursor)
            .execute(&mut *tx)
            .await?;
        if !texts.is_empty() {
            site::bump_version(&mut tx).await?;
        }
        self.commit(tx).await?;
        Ok(())
    }
}
