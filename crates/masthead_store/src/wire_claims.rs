//! A batch of new wire items claimed and settled in two statements: the claim inserts every
//! item's row (queued, no story yet) with `ON CONFLICT DO NOTHING`, so of two pulls of one
//! feed at once only one gets each item (PostgreSQL makes the second wait for the first's
//! rows, SQLite's one writer runs them in turn); once the stories are written, the settle
//! sets each claimed row's story, state, version and note in one `UPDATE`.

use crate::story_batch::{marks, rows_per_statement, values};
use crate::story_write::StoryWrite;
use crate::wire_items::{WireItemRecord, WireItemState};
use crate::{Result, to_micros};
use chrono::{DateTime, Utc};
use masthead_core::{ArticleId, WireItemId, WireSourceId};
use std::collections::HashMap;

/// How a claimed item ended up, for [`StoryWrite::settle_wire_items`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    /// The claimed row.
    pub id: WireItemId,
    /// The story it became, if any.
    pub article_id: Option<ArticleId>,
    /// Where it stands.
    pub state: WireItemState,
    /// The story's version the wire wrote.
    pub ingested_version: i64,
    /// Why it stands there, for the editor.
    pub note: String,
}

/// The columns a claim writes, in order.
const CLAIM_COLUMNS: usize = 12;

impl StoryWrite<'_> {
    /// Takes the items `(identity, record)` of `source` for this transaction: inserts the
    /// rows that do not exist yet. The ids of those taken, by identity; an identity missing
    /// from the answer was stored before (or by a concurrent pull), and the caller leaves it
    /// alone. Rows are claimed in identity order, so two pulls never wait on each other
    /// crosswise.
    pub async fn claim_wire_identities(
        &mut self,
        source: WireSourceId,
        items: &[(String, WireItemRecord)],
        now: DateTime<Utc>,
    ) -> Result<HashMap<String, WireItemId>> {
        let mut sorted: Vec<&(String, WireItemRecord)> = items.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        sorted.dedup_by(|a, b| a.0 == b.0);
        let mut taken = HashMap::with_capacity(sorted.len());
        for chunk in sorted.chunks(rows_per_statement(CLAIM_COLUMNS)) {
            let rows = values(chunk.len(), CLAIM_COLUMNS, |a| {
                let m = marks(a, CLAIM_COLUMNS);
                // first_seen_at and updated_at are both the claim's time.
                format!("{}, ${})", m.trim_end_matches(')'), a + CLAIM_COLUMNS - 1)
            });
            let sql = format!(
                "INSERT INTO wire_items (source_id, identity, content_hash, article_id, state, \
                 ingested_version, needs_alt, note, title, item_json, expires_at, first_seen_at, \
                 updated_at) VALUES {rows} \
                 ON CONFLICT (source_id, identity) DO NOTHING RETURNING id, identity"
            );
            let mut query = sqlx::query_as::<_, (i64, String)>(sqlx::AssertSqlSafe(sql));
            for (identity, record) in chunk {
                query = query
                    .bind(source.0)
                    .bind(identity.as_str())
                    .bind(record.content_hash.as_str())
                    .bind(record.article_id.map(|a| a.0))
                    .bind(record.state.as_str())
                    .bind(record.ingested_version)
                    .bind(i64::from(record.needs_alt))
                    .bind(record.note.as_str())
                    .bind(record.title.as_str())
                    .bind(record.item_json.as_str())
                    .bind(record.expires_at.map(to_micros))
                    .bind(to_micros(now));
            }
            for (id, identity) in query.fetch_all(self.conn()).await? {
                taken.insert(identity, WireItemId(id));
            }
        }
        Ok(taken)
    }

    /// Takes one item; see [`StoryWrite::claim_wire_identities`].
    pub async fn claim_wire_identity(
        &mut self,
        source: WireSourceId,
        identity: &str,
        record: &WireItemRecord,
        now: DateTime<Utc>,
    ) -> Result<Option<WireItemId>> {
        let item = [(identity.to_owned(), record.clone())];
        let taken = self.claim_wire_identities(source, &item, now).await?;
        Ok(taken.get(identity).copied())
    }

    /// Writes how each claimed item ended up, in one statement per few thousand items.
    pub async fn settle_wire_items(
        &mut self,
        settled: &[Settled],
        now: DateTime<Utc>,
    ) -> Result<()> {
        const PER_ROW: usize = 5;
        for chunk in settled.chunks(rows_per_statement(PER_ROW)) {
            let case = |offset: usize| {
                let arms: Vec<String> = (0..chunk.len())
                    .map(|r| {
                        let a = r * PER_ROW + 1;
                        format!("WHEN ${a} THEN ${}", a + offset)
                    })
                    .collect();
                format!("CASE id {} END", arms.join(" "))
            };
            let ids: Vec<String> = (0..chunk.len())
                .map(|r| format!("${}", r * PER_ROW + 1))
                .collect();
            let at = chunk.len() * PER_ROW + 1;
            let sql = format!(
                "UPDATE wire_items SET article_id = {}, state = {}, ingested_version = {}, \
                 note = {}, updated_at = ${at} WHERE id IN ({})",
                case(1),
                case(2),
                case(3),
                case(4),
                ids.join(", ")
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
            for s in chunk {
                query = query
                    .bind(s.id.0)
                    .bind(s.article_id.map(|a| a.0))
                    .bind(s.state.as_str())
                    .bind(s.ingested_version)
                    .bind(s.note.as_str());
            }
            query.bind(to_micros(now)).execute(self.conn()).await?;
        }
        Ok(())
    }
}
