//! The wire desk's sources: the feeds a newsroom takes stories from, how often each is
//! pulled, the validators of its last fetch, its failures and its counts. What each feed's
//! items became is in `wire_items.rs`.
//!
//! **This is the API the admin pages use** (sources page, "Wire" inbox): add, list, change,
//! remove sources; the inbox and its actions are in `wire_items.rs`.
//!
//! Several app servers may run the wire worker against one database. Each source is pulled
//! by exactly one of them at a time without a global lock: [`Store::claim_due_wire_source`]
//! takes a due source with **one** conditional `UPDATE … SET lease_until = … WHERE id = … AND
//! (lease_until IS NULL OR lease_until < now) RETURNING …`. On PostgreSQL a second server's
//! `UPDATE` of the same row waits for the first one's row lock, then re-checks its `WHERE`
//! against the committed row, finds the lease taken and updates (and returns) nothing; on
//! SQLite the one writer runs them in turn. The lease ends when the pull records its outcome
//! ([`Store::record_wire_fetch`]), which also sets when the source is next due, or after
//! `lease` if the server died mid-pull.

use crate::{Result, Store, StoreError, from_micros, to_micros};
use chrono::{DateTime, Duration, Utc};
use masthead_core::{InvalidInput, WireSourceId};
use sqlx::Row;
use sqlx::any::AnyRow;

/// Whether a source's new items go on the site at once or wait in the inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WireMode {
    /// Published as they arrive (when the desk's publishing rules allow; otherwise queued).
    Auto,
    /// Stored as drafts and queued in the "Wire" inbox for an editor.
    Review,
}

impl WireMode {
    /// The stored name: `auto` or `review`.
    pub fn as_str(self) -> &'static str {
        match self {
            WireMode::Auto => "auto",
            WireMode::Review => "review",
        }
    }

    /// Reads a mode as typed or stored; the error names the choices.
    pub fn parse(text: &str) -> std::result::Result<Self, InvalidInput> {
        match text.trim() {
            "auto" => Ok(WireMode::Auto),
            "review" => Ok(WireMode::Review),
            other => Err(InvalidInput::new(
                "Mode",
                format!(
                    "{other:?} is not a mode: choose auto (publish at once) or review (queue for an editor)"
                ),
            )),
        }
    }
}

/// The default polling interval: 15 minutes.
pub const DEFAULT_WIRE_INTERVAL: Duration = Duration::minutes(15);
/// The shortest interval accepted: one minute (a wire updates a few times an hour at most).
pub const MIN_WIRE_INTERVAL: Duration = Duration::minutes(1);
/// The longest wait between pulls, failures included: six hours.
pub const MAX_WIRE_BACKOFF: Duration = Duration::hours(6);
/// Most sources listed at once (a newsroom has a handful; the bound keeps the page bounded).
pub const MAX_WIRE_SOURCES: usize = 500;

/// A source as an editor sets it up.
#[derive(Debug, Clone, PartialEq)]
pub struct WireSourceSettings {
    /// The name shown in the desk.
    pub name: String,
    /// The feed's address (checked by the caller against the fetcher's policy).
    pub url: String,
    /// The source's rules, `masthead_wire::SourceRules` as JSON.
    pub rules_json: String,
    /// Auto-publish or queue for review.
    pub mode: WireMode,
    /// How often it is pulled.
    pub interval: Duration,
    /// Whether the worker pulls it.
    pub enabled: bool,
}

impl WireSourceSettings {
    fn check(&self) -> Result<()> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 100 || name.contains('\0') {
            return Err(InvalidInput::new("Name", "write a name of 1 to 100 characters").into());
        }
        if self.url.trim().is_empty() || self.url.len() > 2_000 || self.url.contains('\0') {
            return Err(
                InvalidInput::new("Address", "write the feed's address (https://…)").into(),
            );
        }
        if self.interval < MIN_WIRE_INTERVAL || self.interval > MAX_WIRE_BACKOFF {
            return Err(InvalidInput::new(
                "Interval",
                "choose between 1 minute and 6 hours (360 minutes)",
            )
            .into());
        }
        serde_json::from_str::<serde_json::Value>(&self.rules_json)
            .map_err(|e| InvalidInput::new("Rules", format!("not valid JSON: {e}")))?;
        Ok(())
    }
}

/// A stored source with what its fetches came to.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WireSource {
    /// Its id.
    pub id: WireSourceId,
    /// The name shown in the desk.
    pub name: String,
    /// The feed's address.
    pub url: String,
    /// `masthead_wire::SourceRules` as JSON.
    pub rules_json: String,
    /// Auto-publish or review.
    pub mode: WireMode,
    /// Seconds between pulls.
    pub interval_secs: i64,
    /// Whether the worker pulls it.
    pub enabled: bool,
    /// Why it was disabled by masthead (a 410), empty otherwise.
    pub disabled_reason: String,
    /// The last response's `ETag`, sent back as `If-None-Match`.
    pub etag: Option<String>,
    /// The last response's `Last-Modified`, sent back as `If-Modified-Since`.
    pub last_modified: Option<String>,
    /// When it is next due.
    pub next_due_at: DateTime<Utc>,
    /// Until when a worker holds it (`None`: nobody).
    pub lease_until: Option<DateTime<Utc>>,
    /// Failed fetches in a row.
    pub failures: i64,
    /// When it was last fetched, whatever came of it.
    pub last_fetch_at: Option<DateTime<Utc>>,
    /// When a fetch last succeeded (200 or 304).
    pub last_success_at: Option<DateTime<Utc>>,
    /// The last HTTP status, if there was a response.
    pub last_status: Option<i64>,
    /// The last failure's reason, for the editor; empty after a success.
    pub last_error: String,
    /// Items in the feed at the last successful fetch that brought a body.
    pub items_seen: i64,
    /// Stories created from it, in all.
    pub items_created: i64,
    /// Stories updated from it, in all.
    pub items_updated: i64,
    /// Items waiting in the inbox (queued or updated at the source).
    pub waiting: i64,
    /// When it was added.
    pub created_at: DateTime<Utc>,
}

impl WireSource {
    /// The polling interval.
    pub fn interval(&self) -> Duration {
        Duration::seconds(self.interval_secs)
    }

    fn from_row(row: &AnyRow) -> Result<Self> {
        let time = |name: &str| -> Result<Option<DateTime<Utc>>> {
            Ok(row.try_get::<Option<i64>, _>(name)?.map(from_micros))
        };
        Ok(WireSource {
            id: WireSourceId(row.try_get("id")?),
            name: row.try_get("name")?,
            url: row.try_get("url")?,
            rules_json: row.try_get("rules_json")?,
            mode: WireMode::parse(&row.try_get::<String, _>("mode")?)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            interval_secs: row.try_get("interval_secs")?,
            enabled: row.try_get::<i64, _>("enabled")? != 0,
            disabled_reason: row.try_get("disabled_reason")?,
            etag: row.try_get("etag")?,
            last_modified: row.try_get("last_modified")?,
            next_due_at: from_micros(row.try_get("next_due_at")?),
            lease_until: time("lease_until")?,
            failures: row.try_get("failures")?,
            last_fetch_at: time("last_fetch_at")?,
            last_success_at: time("last_success_at")?,
            last_status: row.try_get("last_status")?,
            last_error: row.try_get("last_error")?,
            items_seen: row.try_get("items_seen")?,
            items_created: row.try_get("items_created")?,
            items_updated: row.try_get("items_updated")?,
            waiting: row.try_get("waiting")?,
            created_at: from_micros(row.try_get("created_at")?),
        })
    }
}

/// The columns of a source, `s` being `wire_sources`, with its inbox count.
const SOURCE_COLUMNS: &str = "s.id, s.name, s.url, s.rules_json, s.mode, s.interval_secs, \
     s.enabled, s.disabled_reason, s.etag, s.last_modified, s.next_due_at, s.lease_until, \
     s.failures, s.last_fetch_at, s.last_success_at, s.last_status, s.last_error, \
     s.items_seen, s.items_created, s.items_updated, s.created_at, \
     (SELECT COUNT(*) FROM wire_items w WHERE w.source_id = s.id \
      AND w.state IN ('queued', 'updated_at_source')) AS waiting";

/// What one fetch of a source came to, for [`Store::record_wire_fetch`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchOutcome {
    /// 304: the feed is as it was. Nothing but the source's fetch record is written.
    NotModified,
    /// 200 and the feed was read: new validators and what the pull did.
    Fetched {
        /// The response's `ETag`.
        etag: Option<String>,
        /// The response's `Last-Modified`.
        last_modified: Option<String>,
        /// Items in the feed.
        seen: i64,
        /// Stories created.
        created: i64,
        /// Stories updated.
        updated: i64,
    },
    /// No usable answer (a network error, a refused address, a non-2xx status, a body that
    /// is not a feed): the source backs off and keeps its items.
    Failed {
        /// Why, for the editor.
        reason: String,
    },
    /// 410 Gone: the source is disabled until an editor enables it again.
    Gone {
        /// Why, for the editor.
        reason: String,
    },
}

/// A fetch's outcome with the status it got, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchRecord {
    /// The HTTP status, when there was a response.
    pub status: Option<u16>,
    /// What came of it.
    pub outcome: FetchOutcome,
}

/// When a source is next due after a fetch at `now`: its interval after a success; after
/// `failures` failures in a row, interval × 2^(failures − 1), at most six hours, give or take
/// 10% (spread by `seed`, so sources failing together do not retry together).
pub fn next_wire_due(
    now: DateTime<Utc>,
    interval: Duration,
    failures: i64,
    seed: u64,
) -> DateTime<Utc> {
    if failures <= 0 {
        return now + interval;
    }
    let doublings = u32::try_from((failures - 1).min(20)).unwrap_or(20);
    let base = interval
        .num_milliseconds()
        .saturating_mul(1_i64 << doublings)
        .min(MAX_WIRE_BACKOFF.num_milliseconds());
    // ±10%: a value in [-1000, 1000] per mille of a tenth.
    let spread = (mix(seed) % 2001) as i64 - 1000;
    let jitter = base / 10 * spread / 1000;
    now + Duration::milliseconds(base + jitter)
}

/// SplitMix64's finaliser: a well-spread number from a seed, without a random source.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Store {
    /// Adds a source, due at once. A second source with the same address is a `Conflict`;
    /// the address of a removed source brings that source back (see
    /// [`Store::remove_wire_source`]).
    pub async fn add_wire_source(
        &self,
        settings: &WireSourceSettings,
        now: DateTime<Utc>,
    ) -> Result<WireSourceId> {
        settings.check()?;
        let mut tx = self.write_tx().await?;
        // The address of a removed source: that source back, with the new settings and
        // its items known (the validators are dropped, so the feed is read in full once).
        let revived: Option<(i64,)> = sqlx::query_as(
            "UPDATE wire_sources SET name = $1, rules_json = $2, mode = $3, interval_secs = $4, \
             enabled = $5, removed_at = NULL, disabled_reason = '', failures = 0, etag = NULL, \
             last_modified = NULL, next_due_at = $6, lease_until = NULL \
             WHERE url = $7 AND removed_at IS NOT NULL RETURNING id",
        )
        .bind(settings.name.trim())
        .bind(&settings.rules_json)
        .bind(settings.mode.as_str())
        .bind(settings.interval.num_seconds())
        .bind(i64::from(settings.enabled))
        .bind(to_micros(now))
        .bind(settings.url.trim())
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((id,)) = revived {
            self.commit(tx).await?;
            return Ok(WireSourceId(id));
        }
        let row: Result<(i64,)> = sqlx::query_as(
            "INSERT INTO wire_sources (name, url, rules_json, mode, interval_secs, enabled, \
             next_due_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(settings.name.trim())
        .bind(settings.url.trim())
        .bind(&settings.rules_json)
        .bind(settings.mode.as_str())
        .bind(settings.interval.num_seconds())
        .bind(i64::from(settings.enabled))
        .bind(to_micros(now))
        .fetch_one(&mut *tx)
        .await
        .map_err(StoreError::from);
        let (id,) = match row {
            Err(StoreError::Conflict(_)) => {
                return Err(StoreError::Conflict(format!(
                    "a source with the address {} already exists (see `masthead wire list`)",
                    settings.url.trim()
                )));
            }
            other => other?,
        };
        self.commit(tx).await?;
        Ok(WireSourceId(id))
    }

    /// Changes a source's settings. Enabling it again clears the reason it was disabled
    /// and its failures, and makes it due at once.
    pub async fn update_wire_source(
        &self,
        id: WireSourceId,
        settings: &WireSourceSettings,
        now: DateTime<Utc>,
    ) -> Result<()> {
        settings.check()?;
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE wire_sources SET name = $1, url = $2, rules_json = $3, mode = $4, \
             interval_secs = $5, \
             next_due_at = CASE WHEN enabled = 0 AND $6 = 1 THEN $7 ELSE next_due_at END, \
             failures = CASE WHEN enabled = 0 AND $6 = 1 THEN 0 ELSE failures END, \
             disabled_reason = CASE WHEN $6 = 1 THEN '' ELSE disabled_reason END, \
             enabled = $6 WHERE id = $8 AND removed_at IS NULL",
        )
        .bind(settings.name.trim())
        .bind(settings.url.trim())
        .bind(&settings.rules_json)
        .bind(settings.mode.as_str())
        .bind(settings.interval.num_seconds())
        .bind(i64::from(settings.enabled))
        .bind(to_micros(now))
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        self.commit(tx).await
    }

    /// Removes a source from the desk and the worker. Its row and its items' records stay
    /// (hidden): the stories it brought keep their licence locks and take-down dates, and
    /// adding the same address again ([`Store::add_wire_source`]) brings it back with its
    /// items known, so nothing is ingested twice.
    pub async fn remove_wire_source(&self, id: WireSourceId, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE wire_sources SET removed_at = $1, enabled = 0, lease_until = NULL \
             WHERE id = $2 AND removed_at IS NULL",
        )
        .bind(to_micros(now))
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        self.commit(tx).await
    }

    /// One source.
    pub async fn wire_source(&self, id: WireSourceId) -> Result<WireSource> {
        let sql = format!(
            "SELECT {SOURCE_COLUMNS} FROM wire_sources s WHERE s.id = $1 AND s.removed_at IS NULL"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        WireSource::from_row(&row)
    }

    /// Every source (at most [`MAX_WIRE_SOURCES`]), by name, with its last fetch, last
    /// error and counts.
    pub async fn wire_sources(&self) -> Result<Vec<WireSource>> {
        let sql = format!(
            "SELECT {SOURCE_COLUMNS} FROM wire_sources s WHERE s.removed_at IS NULL \
             ORDER BY s.name, s.id LIMIT {MAX_WIRE_SOURCES}"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(WireSource::from_row)
            .collect()
    }

    /// Claims the enabled source that has been due longest, if any, for `lease`: nobody else
    /// claims it until the pull records its outcome or the lease runs out. One conditional
    /// `UPDATE`: of several servers asking at once, exactly one gets each source (see the
    /// module's documentation); the others get `None` or another source.
    pub async fn claim_due_wire_source(
        &self,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Option<WireSource>> {
        let sql = "UPDATE wire_sources SET lease_until = $1 WHERE id = (SELECT id FROM wire_sources \
             WHERE enabled = 1 AND next_due_at <= $2 \
             AND (lease_until IS NULL OR lease_until < $2) \
             ORDER BY next_due_at, id LIMIT 1) \
             AND enabled = 1 AND next_due_at <= $2 AND (lease_until IS NULL OR lease_until < $2) \
             RETURNING id";
        self.claim(sql, None, now, lease).await
    }

    /// Claims source `id` now whether or not it is due (`masthead wire pull`), unless a
    /// worker holds it: `None` then.
    pub async fn claim_wire_source(
        &self,
        id: WireSourceId,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Option<WireSource>> {
        let sql = "UPDATE wire_sources SET lease_until = $1 WHERE id = $3 \
             AND removed_at IS NULL AND (lease_until IS NULL OR lease_until < $2) RETURNING id";
        self.claim(sql, Some(id), now, lease).await
    }

    async fn claim(
        &self,
        sql: &str,
        id: Option<WireSourceId>,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Option<WireSource>> {
        let mut tx = self.write_tx().await?;
        let mut query = sqlx::query_as::<_, (i64,)>(sqlx::AssertSqlSafe(sql.to_owned()))
            .bind(to_micros(now + lease))
            .bind(to_micros(now));
        if let Some(id) = id {
            query = query.bind(id.0);
        }
        let claimed = query.fetch_optional(&mut *tx).await?;
        self.commit(tx).await?;
        match claimed {
            Some((id,)) => Ok(Some(self.wire_source(WireSourceId(id)).await?)),
            None => Ok(None),
        }
    }

    /// Records what a fetch of `source` (as claimed) came to, sets when it is next due and
    /// ends the lease. Returns the next due time. Writes this one row and nothing else.
    pub async fn record_wire_fetch(
        &self,
        source: &WireSource,
        record: &FetchRecord,
        now: DateTime<Utc>,
    ) -> Result<DateTime<Utc>> {
        let seed = (source.id.0 as u64) ^ (to_micros(now) as u64);
        let status = record.status.map(i64::from);
        let n = to_micros(now);
        let mut tx = self.write_tx().await?;
        let next = match &record.outcome {
            FetchOutcome::NotModified => {
                let next = next_wire_due(now, source.interval(), 0, seed);
                sqlx::query(
                    "UPDATE wire_sources SET lease_until = NULL, next_due_at = $1, failures = 0, \
                     last_fetch_at = $2, last_success_at = $2, last_status = $3, last_error = '' \
                     WHERE id = $4",
                )
                .bind(to_micros(next))
                .bind(n)
                .bind(status)
                .bind(source.id.0)
                .execute(&mut *tx)
                .await?;
                next
            }
            FetchOutcome::Fetched {
                etag,
                last_modified,
                seen,
                created,
                updated,
            } => {
                let next = next_wire_due(now, source.interval(), 0, seed);
                sqlx::query(
                    "UPDATE wire_sources SET lease_until = NULL, next_due_at = $1, failures = 0, \
                     last_fetch_at = $2, last_success_at = $2, last_status = $3, last_error = '', \
                     etag = $4, last_modified = $5, items_seen = $6, \
                     items_created = items_created + $7, items_updated = items_updated + $8 \
                     WHERE id = $9",
                )
                .bind(to_micros(next))
                .bind(n)
                .bind(status)
                .bind(etag.as_deref())
                .bind(last_modified.as_deref())
                .bind(*seen)
                .bind(*created)
                .bind(*updated)
                .bind(source.id.0)
                .execute(&mut *tx)
                .await?;
                next
            }
            FetchOutcome::Failed { reason } => {
                let failures = source.failures.saturating_add(1);
                let next = next_wire_due(now, source.interval(), failures, seed);
                sqlx::query(
                    "UPDATE wire_sources SET lease_until = NULL, next_due_at = $1, \
                     failures = failures + 1, last_fetch_at = $2, last_status = $3, \
                     last_error = $4 WHERE id = $5",
                )
                .bind(to_micros(next))
                .bind(n)
                .bind(status)
                .bind(clip(reason))
                .bind(source.id.0)
                .execute(&mut *tx)
                .await?;
                next
            }
            FetchOutcome::Gone { reason } => {
                let next = next_wire_due(now, source.interval(), 0, seed);
                sqlx::query(
                    "UPDATE wire_sources SET lease_until = NULL, next_due_at = $1, enabled = 0, \
                     disabled_reason = $2, last_error = $2, last_fetch_at = $3, last_status = $4 \
                     WHERE id = $5",
                )
                .bind(to_micros(next))
                .bind(clip(reason))
                .bind(n)
                .bind(status)
                .bind(source.id.0)
                .execute(&mut *tx)
                .await?;
                next
            }
        };
        self.commit(tx).await?;
        Ok(next)
    }

    /// Ends a claim without recording a fetch (the pull could not start): the source stays
    /// due.
    pub async fn release_wire_source(&self, id: WireSourceId) -> Result<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE wire_sources SET lease_until = NULL WHERE id = $1")
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        self.commit(tx).await
    }
}

/// A reason cut to a length the desk can show (whole characters).
fn clip(reason: &str) -> String {
    const MAX: usize = 1_000;
    if reason.len() <= MAX {
        return reason.to_owned();
    }
    let mut end = MAX;
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &reason[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn backoff_doubles_with_failures_up_to_six_hours_within_ten_percent() {
        let now = Utc
            .timestamp_opt(1_800_000_000, 0)
            .single()
            .unwrap_or_default();
        let interval = Duration::minutes(15);
        assert_eq!(next_wire_due(now, interval, 0, 7), now + interval);
        for (failures, expected) in [
            (1, Duration::minutes(15)),
            (2, Duration::minutes(30)),
            (3, Duration::minutes(60)),
            (6, Duration::minutes(480).min(MAX_WIRE_BACKOFF)),
            (60, MAX_WIRE_BACKOFF),
        ] {
            let mut spread = std::collections::BTreeSet::new();
            for seed in 0..200 {
                let wait = next_wire_due(now, interval, failures, seed) - now;
                let ms = expected.num_milliseconds();
                assert!(
                    (wait.num_milliseconds() - ms).abs() <= ms / 10,
                    "{failures} failures: {wait} against {expected}"
                );
                spread.insert(wait.num_milliseconds());
            }
            assert!(
                spread.len() > 100,
                "jitter spreads retries: {}",
                spread.len()
            );
        }
    }
}
