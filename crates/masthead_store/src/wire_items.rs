//! What each wire item became: one row per (source, identity), with the content hash the
//! wire last stored, the story it became, and where it stands (queued for an editor,
//! published, discarded, updated at the source after a local edit, expired).
//!
//! Rows are written inside the story's own [`StoryWrite`] transaction, so a story and its
//! wire record exist together or not at all. [`StoryWrite::claim_wire_identities`] is an
//! `INSERT … ON CONFLICT DO NOTHING`: two pulls of the same feed at once (two servers, or
//! the command line beside the worker) cannot both create the story, on either backend —
//! the second waits for the first's row and then finds it taken.
//!
//! **The inbox API for the admin pages**: [`Store::wire_inbox`] (newest first, keyset
//! pages), [`Store::wire_item`], [`Store::set_wire_item_state`] (after the desk publishes
//! or an editor discards).

use crate::story_write::StoryWrite;
use crate::{Result, Store, StoreError, from_micros, to_micros};
use chrono::{DateTime, Utc};
use masthead_core::{ArticleId, WireItemId, WireSourceId};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::HashMap;

/// Where a wire item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WireItemState {
    /// A draft waiting in the inbox for an editor.
    Queued,
    /// On the site (auto mode, or an editor published it).
    Published,
    /// An editor discarded it; later pulls leave it alone.
    Discarded,
    /// Changed at the source after an editor edited the story here: the editor's text is
    /// kept and the inbox shows the item again.
    UpdatedAtSource,
    /// Taken down when its licence's time ran out.
    Expired,
}

impl WireItemState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            WireItemState::Queued => "queued",
            WireItemState::Published => "published",
            WireItemState::Discarded => "discarded",
            WireItemState::UpdatedAtSource => "updated_at_source",
            WireItemState::Expired => "expired",
        }
    }

    /// Reads a stored name.
    pub fn parse(text: &str) -> Result<Self> {
        Ok(match text {
            "queued" => WireItemState::Queued,
            "published" => WireItemState::Published,
            "discarded" => WireItemState::Discarded,
            "updated_at_source" => WireItemState::UpdatedAtSource,
            "expired" => WireItemState::Expired,
            other => return Err(StoreError::Corrupt(format!("wire item state {other:?}"))),
        })
    }
}

/// A wire item as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoredWireItem {
    /// Its id.
    pub id: WireItemId,
    /// The source it came from.
    pub source_id: WireSourceId,
    /// The source's name (in the inbox).
    pub source_name: String,
    /// `masthead_wire::Identity::key()`: `guid:…`, `link:…` or `hash:sha256:…`.
    pub identity: String,
    /// The content hash the wire last stored.
    pub content_hash: String,
    /// The story it became, if it still exists.
    pub article_id: Option<ArticleId>,
    /// Where it stands.
    pub state: WireItemState,
    /// The story's version the wire last wrote; a higher stored version means an edit here.
    pub ingested_version: i64,
    /// Its lead image has no alt text: an editor must describe it before it is published.
    pub needs_alt: bool,
    /// Why it waits, for the editor (e.g. why auto mode could not publish it).
    pub note: String,
    /// The headline, for lists.
    pub title: String,
    /// The normalised item (`masthead_wire::WireItem`) as JSON, for the inbox's preview.
    pub item_json: String,
    /// When its licence makes it come down, if ever.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was first seen.
    pub first_seen_at: DateTime<Utc>,
    /// When its record last changed.
    pub updated_at: DateTime<Utc>,
}

impl StoredWireItem {
    fn from_row(row: &AnyRow) -> Result<Self> {
        Ok(StoredWireItem {
            id: WireItemId(row.try_get("id")?),
            source_id: WireSourceId(row.try_get("source_id")?),
            source_name: row.try_get("source_name")?,
            identity: row.try_get("identity")?,
            content_hash: row.try_get("content_hash")?,
            article_id: row.try_get::<Option<i64>, _>("article_id")?.map(ArticleId),
            state: WireItemState::parse(&row.try_get::<String, _>("state")?)?,
            ingested_version: row.try_get("ingested_version")?,
            needs_alt: row.try_get::<i64, _>("needs_alt")? != 0,
            note: row.try_get("note")?,
            title: row.try_get("title")?,
            item_json: row.try_get("item_json")?,
            expires_at: row
                .try_get::<Option<i64>, _>("expires_at")?
                .map(from_micros),
            first_seen_at: from_micros(row.try_get("first_seen_at")?),
            updated_at: from_micros(row.try_get("updated_at")?),
        })
    }
}

/// The columns of an item, `w` being `wire_items` joined to its source `s`.
const ITEM_COLUMNS: &str = "w.id, w.source_id, s.name AS source_name, w.identity, \
     w.content_hash, w.article_id, w.state, w.ingested_version, w.needs_alt, w.note, w.title, \
     w.item_json, w.expires_at, w.first_seen_at, w.updated_at";

/// What the wire writes about an item, new or changed.
#[derive(Debug, Clone, PartialEq)]
pub struct WireItemRecord {
    /// The content hash of what was stored.
    pub content_hash: String,
    /// The story it became.
    pub article_id: Option<ArticleId>,
    /// Where it stands now.
    pub state: WireItemState,
    /// The story's version the wire wrote (0 when it wrote none).
    pub ingested_version: i64,
    /// Whether its lead image lacks alt text.
    pub needs_alt: bool,
    /// Why it waits, for the editor.
    pub note: String,
    /// The headline.
    pub title: String,
    /// The normalised item as JSON.
    pub item_json: String,
    /// When it comes down.
    pub expires_at: Option<DateTime<Utc>>,
}

/// What a wire story's licence forbids an editor to change (`masthead_wire::LicenceTerms`'s
/// `headline_editable` and `no_derivatives`, read from the source's rules).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct WireLocks {
    /// The source's name, for the message.
    pub source: String,
    /// The headline may not be changed.
    pub headline: bool,
    /// No derivatives: the body may not be changed.
    pub body: bool,
    /// The source's latest headline (taking the source's version is not a change).
    pub source_title: String,
    /// The source's latest body.
    pub source_body: String,
}

impl WireLocks {
    /// The locks in a source's rules JSON; a field missing takes the licence's default
    /// (headline editable, derivatives allowed).
    pub fn of(source: &str, rules_json: &str, item_json: &str) -> Self {
        let rules: serde_json::Value = serde_json::from_str(rules_json).unwrap_or_default();
        let item: serde_json::Value = serde_json::from_str(item_json).unwrap_or_default();
        let licence = &rules["licence"];
        WireLocks {
            source: source.to_owned(),
            headline: licence["headline_editable"].as_bool() == Some(false),
            body: licence["no_derivatives"].as_bool() == Some(true),
            source_title: item["title"].as_str().unwrap_or_default().to_owned(),
            source_body: item["body_md"].as_str().unwrap_or_default().to_owned(),
        }
    }

    /// Whether anything is locked.
    pub fn any(&self) -> bool {
        self.headline || self.body
    }
}

/// Items in one page of the inbox.
pub const WIRE_INBOX_PAGE: usize = 50;

/// Where an inbox page starts: after the item with this update time and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InboxCursor {
    /// The last item's `updated_at`.
    pub updated_at: DateTime<Utc>,
    /// The last item's id.
    pub id: WireItemId,
}

/// Most identities looked up in one query (bounded: one placeholder each).
pub const MAX_IDENTITIES_PER_LOOKUP: usize = 500;

impl Store {
    /// The stored items of `source` among `identities` (at most
    /// [`MAX_IDENTITIES_PER_LOOKUP`] per call), by identity.
    pub async fn wire_items_known(
        &self,
        source: WireSourceId,
        identities: &[String],
    ) -> Result<HashMap<String, StoredWireItem>> {
        let mut known = HashMap::new();
        for chunk in identities.chunks(MAX_IDENTITIES_PER_LOOKUP) {
            let rows: Vec<String> = (2..chunk.len() + 2).map(|i| format!("(${i})")).collect();
            // The identities as a table joined to the unique key, not `identity IN (…)`:
            // before PostgreSQL has statistics on a new site's table, it prices each of
            // 500 equalities at 0.5% of the rows and scans the whole table (29 ms a batch
            // at 10,000 items) instead of looking each one up.
            let sql = format!(
                "WITH wanted (identity) AS (VALUES {}) \
                 SELECT {ITEM_COLUMNS} FROM wanted \
                 JOIN wire_items w ON w.source_id = $1 AND w.identity = wanted.identity \
                 JOIN wire_sources s ON s.id = w.source_id",
                rows.join(", ")
            );
            // Unprepared, as story_batch.rs's lookups by a list (see `rows_per_statement`).
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
                .persistent(false)
                .bind(source.0);
            for identity in chunk {
                query = query.bind(identity.as_str());
            }
            for row in query.fetch_all(&self.pool).await? {
                let item = StoredWireItem::from_row(&row)?;
                known.insert(item.identity.clone(), item);
            }
        }
        Ok(known)
    }

    /// The items of `source`, most recently changed first, at most [`WIRE_INBOX_PAGE`] × 4
    /// (a source's page in the desk, and tests).
    pub async fn wire_source_items(&self, source: WireSourceId) -> Result<Vec<StoredWireItem>> {
        let sql = format!(
            "SELECT {ITEM_COLUMNS} FROM wire_items w JOIN wire_sources s ON s.id = w.source_id \
             WHERE w.source_id = $1 ORDER BY w.updated_at DESC, w.id DESC LIMIT {}",
            WIRE_INBOX_PAGE * 4
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(source.0)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(StoredWireItem::from_row)
            .collect()
    }

    /// One item.
    pub async fn wire_item(&self, id: WireItemId) -> Result<StoredWireItem> {
        let sql = format!(
            "SELECT {ITEM_COLUMNS} FROM wire_items w JOIN wire_sources s ON s.id = w.source_id \
             WHERE w.id = $1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        StoredWireItem::from_row(&row)
    }

    /// The "Wire" inbox: items queued for an editor or updated at the source after a local
    /// edit, newest first, [`WIRE_INBOX_PAGE`] at a time; `after` continues from the last
    /// item of the previous page (a range seek, the same cost at any depth).
    pub async fn wire_inbox(&self, after: Option<InboxCursor>) -> Result<Vec<StoredWireItem>> {
        let (at, id) = after
            .map(|c| (to_micros(c.updated_at), c.id.0))
            .unwrap_or((i64::MAX, i64::MAX));
        let sql = format!(
            "SELECT {ITEM_COLUMNS} FROM wire_items w JOIN wire_sources s ON s.id = w.source_id \
             WHERE w.state IN ('queued', 'updated_at_source') \
             AND w.updated_at <= $1 AND (w.updated_at < $1 OR w.id < $2) \
             ORDER BY w.updated_at DESC, w.id DESC LIMIT {WIRE_INBOX_PAGE}"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(at)
            .bind(id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(StoredWireItem::from_row)
            .collect()
    }

    /// Moves an item to `state` (the inbox after the desk published the story, or a
    /// discard), clearing its note; with `version`, records that version as the wire's own
    /// (an editor publishing a queued item as it came is not a local edit).
    pub async fn set_wire_item_state(
        &self,
        id: WireItemId,
        state: WireItemState,
        version: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE wire_items SET state = $1, note = '', updated_at = $2, \
             ingested_version = COALESCE($3, ingested_version) WHERE id = $4",
        )
        .bind(state.as_str())
        .bind(to_micros(now))
        .bind(version)
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        self.commit(tx).await
    }

    /// Discards an item: it leaves the inbox and later pulls leave it alone. Its draft, if
    /// any, stays in the desk's story list (delete it there).
    pub async fn discard_wire_item(&self, id: WireItemId, now: DateTime<Utc>) -> Result<()> {
        self.set_wire_item_state(id, WireItemState::Discarded, None, now)
            .await
    }

    /// Published items whose licence time has run out at `now`, at most `limit`, soonest
    /// first.
    pub async fn wire_items_expired(
        &self,
        now: DateTime<Utc>,
        limit: u16,
    ) -> Result<Vec<StoredWireItem>> {
        let sql = format!(
            "SELECT {ITEM_COLUMNS} FROM wire_items w JOIN wire_sources s ON s.id = w.source_id \
             WHERE w.expires_at <= $1 AND w.state = 'published' AND w.article_id IS NOT NULL \
             ORDER BY w.expires_at, w.id LIMIT {limit}"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(to_micros(now))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(StoredWireItem::from_row)
            .collect()
    }

    /// The item whose story is `article`, if the story came from the wire.
    pub async fn wire_item_of_article(&self, article: ArticleId) -> Result<Option<StoredWireItem>> {
        let sql = format!(
            "SELECT {ITEM_COLUMNS} FROM wire_items w JOIN wire_sources s ON s.id = w.source_id \
             WHERE w.article_id = $1 ORDER BY w.id LIMIT 1"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(article.0)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(StoredWireItem::from_row)
            .transpose()
    }

    /// The licence locks on story `id`, if it came from the wire.
    pub async fn wire_locks(&self, id: ArticleId) -> Result<Option<WireLocks>> {
        let row: Option<(String, String, String)> = sqlx::query_as(
            "SELECT s.name, s.rules_json, w.item_json FROM wire_items w JOIN wire_sources s \
             ON s.id = w.source_id WHERE w.article_id = $1 ORDER BY w.id LIMIT 1",
        )
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(name, rules, item)| WireLocks::of(&name, &rules, &item)))
    }
}

impl StoryWrite<'_> {
    /// The licence locks on story `id` if it came from the wire, read inside this
    /// transaction: `None` for a story of the newsroom's own.
    pub async fn wire_locks(&mut self, id: ArticleId) -> Result<Option<WireLocks>> {
        let row: Option<(String, String, String)> = sqlx::query_as(
            "SELECT s.name, s.rules_json, w.item_json FROM wire_items w JOIN wire_sources s \
             ON s.id = w.source_id WHERE w.article_id = $1 ORDER BY w.id LIMIT 1",
        )
        .bind(id.0)
        .fetch_optional(self.conn())
        .await?;
        Ok(row.map(|(name, rules, item)| WireLocks::of(&name, &rules, &item)))
    }

    /// Writes `record` over item `id`, if its stored hash is still `base_hash` (a concurrent
    /// pull that stored the same change first makes this a no-op: `false`).
    pub async fn update_wire_item(
        &mut self,
        id: WireItemId,
        base_hash: &str,
        record: &WireItemRecord,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE wire_items SET content_hash = $1, article_id = $2, state = $3, \
             ingested_version = $4, needs_alt = $5, note = $6, title = $7, item_json = $8, \
             expires_at = $9, updated_at = $10 WHERE id = $11 AND content_hash = $12",
        )
        .bind(&record.content_hash)
        .bind(record.article_id.map(|a| a.0))
        .bind(record.state.as_str())
        .bind(record.ingested_version)
        .bind(i64::from(record.needs_alt))
        .bind(&record.note)
        .bind(&record.title)
        .bind(&record.item_json)
        .bind(record.expires_at.map(to_micros))
        .bind(to_micros(now))
        .bind(id.0)
        .bind(base_hash)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The stored fields of story `id` at `version`, from its revisions (what the wire wrote,
    /// to tell an edit of the text from a publish).
    pub async fn revision_fields(
        &mut self,
        id: ArticleId,
        version: i64,
    ) -> Result<Option<crate::ArticleFields>> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT snapshot FROM revisions WHERE article_id = $1 AND version = $2")
                .bind(id.0)
                .bind(version)
                .fetch_optional(self.conn())
                .await?;
        row.map(|(json,)| serde_json::from_str(&json).map_err(StoreError::from))
            .transpose()
    }

    /// Story `id` as stored now, read inside this transaction (`None` if it is gone).
    pub async fn story(&mut self, id: ArticleId) -> Result<Option<crate::DeskArticle>> {
        match crate::desk::load(self.conn(), id).await {
            Ok(article) => Ok(Some(article)),
            Err(StoreError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The stored version of story `id`, if it exists.
    pub async fn story_version(&mut self, id: ArticleId) -> Result<Option<i64>> {
        let row: Option<(i64,)> = sqlx::query_as("SELECT version FROM articles WHERE id = $1")
            .bind(id.0)
            .fetch_optional(self.conn())
            .await?;
        Ok(row.map(|(v,)| v))
    }
}
