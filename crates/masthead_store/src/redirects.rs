//! Redirects from old addresses: stored under `masthead_core::old_address::redirect_key` of
//! the old address, looked up by that key when the site has no page there (one indexed
//! read), written one at a time by the desk and a page move, or thousands at a time by an
//! import (multi-row statements, as `story_batch.rs` writes stories).
//!
//! Chains are cut when a redirect is written: a target that is itself an old address with a
//! redirect is replaced by that redirect's target (followed once), and a redirect that would
//! lead back to its own address is refused. A redirect never bumps the content version: the
//! page cache keeps no 404, and a redirect only answers where the site has no page.

use crate::story_batch::{rows_per_statement, values};
use crate::{Result, Store, StoreError, from_micros, to_micros};
use chrono::{DateTime, Utc};
use masthead_core::old_address::{address_key, redirect_key, redirect_target};
use masthead_core::{InvalidInput, RedirectId};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use std::collections::HashMap;

/// Redirects a page of the desk's list shows.
pub const REDIRECTS_PAGE: u32 = 50;

/// Who made a redirect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RedirectOrigin {
    /// An import from another system (WordPress).
    Import,
    /// An editor, by hand in the desk.
    Desk,
    /// A static page whose address changed.
    Page,
}

impl RedirectOrigin {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            RedirectOrigin::Import => "import",
            RedirectOrigin::Desk => "desk",
            RedirectOrigin::Page => "page",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        match s {
            "import" => Ok(RedirectOrigin::Import),
            "desk" => Ok(RedirectOrigin::Desk),
            "page" => Ok(RedirectOrigin::Page),
            other => Err(StoreError::Corrupt(format!(
                "unknown redirect origin {other:?}"
            ))),
        }
    }
}

/// A redirect to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRedirect {
    /// The old address's key: `masthead_core::redirect_key(path, query)` of it (checked).
    pub key: String,
    /// Where it leads: a path on this site or an absolute http(s) address (checked with
    /// `masthead_core::redirect_target`).
    pub target: String,
    /// Who makes it.
    pub origin: RedirectOrigin,
}

impl NewRedirect {
    /// A redirect from an old address given whole (`https://old.example.com/2024/01/02/x/`,
    /// `/?p=123`: the host is ignored) to `target`. The error names the field to fix.
    pub fn from_address(
        old_address: &str,
        target: &str,
        origin: RedirectOrigin,
    ) -> Result<Self, InvalidInput> {
        let key = address_key(old_address).ok_or_else(|| {
            InvalidInput::new(
                "old_address",
                "give the old address as a full address (https://old.example.com/2024/01/02/story/) \
                 or a path starting with / (/?p=123), under 2,000 characters",
            )
        })?;
        Ok(Self {
            key,
            target: redirect_target(target)?,
            origin,
        })
    }
}

/// One stored redirect.
#[derive(Debug, Clone, Serialize)]
pub struct Redirect {
    /// Its id.
    pub id: RedirectId,
    /// The old address's key (a path, maybe with a query).
    pub key: String,
    /// Where it leads.
    pub target: String,
    /// Who made it.
    pub origin: RedirectOrigin,
    /// When it was made (or its target last changed).
    pub created_at: DateTime<Utc>,
    /// How many requests it answered, as of the last count written (at most a minute old).
    pub hits: i64,
}

/// What [`Store::add_redirects`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RedirectsAdded {
    /// Redirects written (new, or an old address given a new target); one that already led
    /// to the same place is not counted.
    pub written: usize,
    /// Old addresses left out because their redirect led back to themselves (`a → b → a`).
    pub loops: Vec<String>,
}

/// The answer a lookup gives: where to send the reader, and the redirect to count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectHit {
    /// The redirect.
    pub id: RedirectId,
    /// Where it leads.
    pub target: String,
}

fn redirect_from_row(row: &AnyRow) -> Result<Redirect> {
    Ok(Redirect {
        id: RedirectId(row.try_get("id")?),
        key: row.try_get("old_key")?,
        target: row.try_get("target")?,
        origin: RedirectOrigin::parse(&row.try_get::<String, _>("origin")?)?,
        created_at: from_micros(row.try_get("created_at")?),
        hits: row.try_get("hits")?,
    })
}

/// The key a local target would be looked up under, if it is a local path.
fn target_key(target: &str) -> Option<String> {
    if !target.starts_with('/') {
        return None;
    }
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target, None),
    };
    redirect_key(path, query)
}

/// Checks a redirect to write: its key is a key, its target a target.
fn check(redirect: &NewRedirect) -> Result<()> {
    let (path, query) = match redirect.key.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (redirect.key.as_str(), None),
    };
    if redirect_key(path, query).as_deref() != Some(redirect.key.as_str()) {
        return Err(InvalidInput::new(
            "old_address",
            format!(
                "{:?} is not an old address's key: make it with masthead_core::redirect_key",
                redirect.key
            ),
        )
        .into());
    }
    redirect_target(&redirect.target)?;
    Ok(())
}

/// Writes `redirects` in `tx` (see [`Store::add_redirects`]).
pub async fn add_redirects_in(
    tx: &mut Transaction<'_, Any>,
    redirects: &[NewRedirect],
    now: DateTime<Utc>,
) -> Result<RedirectsAdded> {
    for redirect in redirects {
        check(redirect)?;
    }
    // The last of several redirects from one address wins, as a re-import's would.
    let mut batch: HashMap<&str, &NewRedirect> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    for redirect in redirects {
        if batch.insert(&redirect.key, redirect).is_none() {
            order.push(&redirect.key);
        }
    }
    // Targets that are old addresses themselves: first those of this batch, then the stored.
    let wanted: Vec<String> = batch
        .values()
        .filter_map(|r| target_key(&r.target))
        .filter(|k| !batch.contains_key(k.as_str()))
        .collect();
    let stored = stored_targets(tx, &wanted).await?;
    let mut added = RedirectsAdded::default();
    let mut rows: Vec<(&str, String, RedirectOrigin)> = Vec::with_capacity(order.len());
    for key in order {
        let redirect = batch[key];
        let mut target = redirect.target.clone();
        if let Some(next) = target_key(&target) {
            if let Some(further) = batch.get(next.as_str()) {
                target = further.target.clone();
            } else if let Some(further) = stored.get(&next) {
                target = further.clone();
            }
        }
        if target_key(&target).as_deref() == Some(key) {
            added.loops.push(key.to_owned());
            continue;
        }
        rows.push((key, target, redirect.origin));
    }
    let per_row = 4;
    for chunk in rows.chunks(rows_per_statement(per_row)) {
        let sql = format!(
            "INSERT INTO redirects (old_key, target, origin, created_at) VALUES {} \
             ON CONFLICT (old_key) DO UPDATE SET target = excluded.target, \
             origin = excluded.origin, created_at = excluded.created_at \
             WHERE redirects.target <> excluded.target OR redirects.origin <> excluded.origin",
            values(chunk.len(), per_row, |n| format!(
                "(${n}, ${}, ${}, ${})",
                n + 1,
                n + 2,
                n + 3
            ))
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
        for (key, target, origin) in chunk {
            query = query
                .bind(*key)
                .bind(target.as_str())
                .bind(origin.as_str())
                .bind(to_micros(now));
        }
        // Rows inserted or given a new target; one already leading there is not counted.
        let done = query.execute(&mut **tx).await?;
        added.written += usize::try_from(done.rows_affected()).unwrap_or(usize::MAX);
    }
    Ok(added)
}

/// The stored targets of the old addresses `keys`.
async fn stored_targets(
    tx: &mut Transaction<'_, Any>,
    keys: &[String],
) -> Result<HashMap<String, String>> {
    let mut found = HashMap::new();
    for chunk in keys.chunks(rows_per_statement(1)) {
        let sql = format!(
            "SELECT old_key, target FROM redirects WHERE old_key IN ({})",
            (1..=chunk.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
        for key in chunk {
            query = query.bind(key.as_str());
        }
        for row in query.fetch_all(&mut **tx).await? {
            found.insert(row.try_get("old_key")?, row.try_get("target")?);
        }
    }
    Ok(found)
}

/// Points the redirects that lead to `old_target` at `new_target` instead (a page moved
/// again, or an address that was a target now redirects itself), so no reader takes two
/// hops; those that would then lead to their own address are deleted.
pub(crate) async fn repoint(
    tx: &mut Transaction<'_, Any>,
    old_target: &str,
    new_target: &str,
) -> Result<()> {
    sqlx::query("DELETE FROM redirects WHERE target = $1 AND old_key = $2")
        .bind(old_target)
        .bind(target_key(new_target).unwrap_or_default())
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE redirects SET target = $1 WHERE target = $2")
        .bind(new_target)
        .bind(old_target)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl Store {
    /// Writes many redirects at once, in one transaction and a few multi-row statements: an
    /// old address already stored gets the new target (a re-import may move it). Each
    /// target that is itself an old address (in this batch or stored) is replaced by where
    /// that one leads, once; a redirect that would lead back to its own address is left out
    /// and named in [`RedirectsAdded::loops`]. A key or target that is not well formed
    /// refuses the whole batch (`StoreError::Invalid`), before anything is written.
    pub async fn add_redirects(
        &self,
        redirects: &[NewRedirect],
        now: DateTime<Utc>,
    ) -> Result<RedirectsAdded> {
        let mut tx = self.write_tx().await?;
        let added = add_redirects_in(&mut tx, redirects, now).await?;
        self.commit(tx).await?;
        Ok(added)
    }

    /// Adds one redirect by hand (the desk): as [`Store::add_redirects`], and the redirects
    /// that led to its old address now lead to its target. A loop is `StoreError::Conflict`.
    pub async fn add_redirect(&self, redirect: &NewRedirect, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let added = add_redirects_in(&mut tx, std::slice::from_ref(redirect), now).await?;
        if !added.loops.is_empty() {
            return Err(StoreError::Conflict(format!(
                "{} already redirects to {}: this redirect would send readers round in a loop",
                redirect.target, redirect.key
            )));
        }
        let target = sqlx::query("SELECT target FROM redirects WHERE old_key = $1")
            .bind(&redirect.key)
            .fetch_one(&mut *tx)
            .await?
            .try_get::<String, _>("target")?;
        repoint(&mut tx, &redirect.key, &target).await?;
        self.commit(tx).await
    }

    /// Where the old address `key` leads, if it has a redirect: one read of a unique index.
    pub async fn redirect_for(&self, key: &str) -> Result<Option<RedirectHit>> {
        let row = sqlx::query("SELECT id, target FROM redirects WHERE old_key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            Ok(RedirectHit {
                id: RedirectId(row.try_get("id")?),
                target: row.try_get("target")?,
            })
        })
        .transpose()
    }

    /// Page `page` (from 0) of the redirects, newest first, of those whose old address
    /// contains `search` (any, when empty), and whether there are more.
    pub async fn redirects(&self, search: &str, page: u32) -> Result<(Vec<Redirect>, bool)> {
        let offset = u64::from(page) * u64::from(REDIRECTS_PAGE);
        let limit = REDIRECTS_PAGE + 1;
        let pattern = format!(
            "%{}%",
            search
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        let sql = format!(
            "SELECT id, old_key, target, origin, created_at, hits FROM redirects \
             WHERE lower(old_key) LIKE $1 ESCAPE '\\' ORDER BY created_at DESC, id DESC \
             LIMIT {limit} OFFSET {offset}"
        );
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(pattern)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(redirect_from_row)
            .collect::<Result<Vec<_>>>()?;
        let more = rows.len() > REDIRECTS_PAGE as usize;
        rows.truncate(REDIRECTS_PAGE as usize);
        Ok((rows, more))
    }

    /// Deletes redirect `id`; `NotFound` if there is none.
    pub async fn delete_redirect(&self, id: RedirectId) -> Result<Redirect> {
        let mut tx = self.write_tx().await?;
        let row = sqlx::query(
            "DELETE FROM redirects WHERE id = $1 \
             RETURNING id, old_key, target, origin, created_at, hits",
        )
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let redirect = redirect_from_row(&row)?;
        self.commit(tx).await?;
        Ok(redirect)
    }

    /// Adds counted hits to redirects (`(id, hits)` pairs), in one transaction: the site
    /// counts in memory and writes here at most once a minute.
    pub async fn add_redirect_hits(&self, hits: &[(RedirectId, u64)]) -> Result<()> {
        if hits.is_empty() {
            return Ok(());
        }
        let mut tx = self.write_tx().await?;
        for (id, n) in hits {
            sqlx::query("UPDATE redirects SET hits = hits + $1 WHERE id = $2")
                .bind(i64::try_from(*n).unwrap_or(i64::MAX))
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
        }
        self.commit(tx).await
    }
}
