//! Pulling one source end to end: a conditional GET through the guarded [`Fetcher`], the
//! feed parsed and normalised, each item created, updated or left alone through the desk's
//! rules (`masthead_desk::wire`), and the fetch's outcome recorded on the source.
//!
//! - **304**: the source's fetch record is the only write.
//! - **410**: the source is disabled with the reason.
//! - **Any other non-2xx, a network error, a body that is not a feed**: the source is marked
//!   failing with a readable reason and backs off; its stories stay as they are.
//! - **200**: items are written in batches of [`BATCH`], one transaction each (SQLite has
//!   one writer: a transaction of a whole 10,000-item feed would hold every other writer,
//!   one per item would pay a commit each). Per item: a new identity becomes a story
//!   (auto mode: published if the desk's publishing rules allow, else a draft in the inbox
//!   with the reason; review mode: a draft in the inbox); a known identity with the same
//!   content hash is left alone; a changed hash updates the story through the desk unless
//!   an editor edited its text here since, in which case the item is flagged "updated at
//!   source" and the editor's text stays.

use crate::images::import_lead_image;
use crate::stage::{self, Sections, StagedItem};
use crate::{SourceRules, WireItem, parse};
use chrono::{DateTime, Utc};
use masthead_core::{Clock, MediaId, SectionId};
use masthead_desk::DeskError;
use masthead_desk::wire::{
    Prepared, WireUpdate, create_wire_stories, edited_since, update_wire_story, wire_actor,
};
use masthead_fetch::{Conditional, FetchResponse, Fetcher, StatusCode};
use masthead_media::MediaStorage;
use masthead_store::{
    ArticleFields, FetchOutcome, FetchRecord, Settled, Store, StoreError, StoredWireItem,
    WireItemRecord, WireItemState, WireMode, WireSource,
};
use std::collections::HashMap;
use std::sync::Arc;

/// Items written per transaction.
pub const BATCH: usize = 200;

/// Everything a pull needs: the store, the one fetcher (with the operator's policy), where
/// lead images go (`None`: no images are fetched) and the clock.
#[derive(Clone)]
pub struct Ingest {
    /// The database.
    pub store: Store,
    /// The guarded HTTP client.
    pub fetcher: Fetcher,
    /// The media library's files; `None` skips lead images.
    pub media: Option<Arc<dyn MediaStorage>>,
    /// The clock.
    pub clock: Arc<dyn Clock>,
}

/// What a pull did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PullReport {
    /// The HTTP status, when there was a response.
    pub status: Option<u16>,
    /// 304: nothing changed and nothing was written but the fetch record.
    pub not_modified: bool,
    /// Items in the feed (as parsed).
    pub seen: usize,
    /// Stories created.
    pub created: usize,
    /// Of those, kept as drafts for the inbox.
    pub queued: usize,
    /// Stories updated from the source.
    pub updated: usize,
    /// Items changed at the source after a local edit, flagged for the editor.
    pub flagged: usize,
    /// Items as they were.
    pub unchanged: usize,
    /// Items not taken: filtered, duplicates in the feed, refused by the desk's rules.
    pub skipped: usize,
    /// Lead images that could not be fetched or stored (the items were kept without them).
    pub image_failures: usize,
    /// Why the pull failed (the source backs off), if it did.
    pub failure: Option<String>,
    /// Whether the source was disabled (410).
    pub disabled: bool,
    /// Per-item problems worth showing (refused items, failed images), at most 20.
    pub errors: Vec<String>,
}

impl PullReport {
    fn note(&mut self, error: String) {
        if self.errors.len() < 20 {
            self.errors.push(error);
        }
    }
}

/// Called after each batch with (the feed's items done, its items in all, those skipped
/// included).
pub type ProgressFn<'a> = &'a (dyn Fn(usize, usize) + Send + Sync);

/// Why a pull stopped without recording an outcome: the database failed.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The store failed (busy, full, unavailable, a bug).
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<DeskError> for IngestError {
    fn from(e: DeskError) -> Self {
        match e {
            DeskError::Store(e) => IngestError::Store(e),
            other => IngestError::Store(StoreError::Corrupt(other.to_string())),
        }
    }
}

impl Ingest {
    /// Pulls `source` (claimed by the caller) once and records the outcome on it, which
    /// ends the claim. A failing feed is a report with `failure`, not an error; an error
    /// means the database failed, and the claim then runs out by itself.
    pub async fn pull(
        &self,
        source: &WireSource,
        progress: Option<ProgressFn<'_>>,
    ) -> Result<PullReport, IngestError> {
        let conditional = Conditional {
            if_none_match: source.etag.clone(),
            if_modified_since: source.last_modified.clone(),
        };
        let mut report = PullReport::default();
        let fetched = self.fetcher.get(&source.url, &conditional).await;
        let (record, report) = match fetched {
            Err(e) => {
                report.failure = Some(e.to_string());
                (failed(None, e.to_string()), report)
            }
            Ok(response) => {
                let status = response.status;
                report.status = Some(status.as_u16());
                if status == StatusCode::NOT_MODIFIED {
                    report.not_modified = true;
                    (
                        FetchRecord {
                            status: report.status,
                            outcome: FetchOutcome::NotModified,
                        },
                        report,
                    )
                } else if status == StatusCode::GONE {
                    let reason = format!(
                        "{} answered 410 Gone: the feed was removed, so the source was \
                         disabled. Enable it again if it comes back.",
                        response.final_url
                    );
                    report.disabled = true;
                    report.failure = Some(reason.clone());
                    (
                        FetchRecord {
                            status: report.status,
                            outcome: FetchOutcome::Gone { reason },
                        },
                        report,
                    )
                } else if !status.is_success() {
                    let reason = format!(
                        "{} answered {status}; the last good items stay and masthead tries \
                         again later",
                        response.final_url
                    );
                    report.failure = Some(reason.clone());
                    (failed(report.status, reason), report)
                } else {
                    self.take(source, &response, report, progress).await?
                }
            }
        };
        let now = self.clock.now();
        self.store.record_wire_fetch(source, &record, now).await?;
        Ok(report)
    }

    /// Reads a 200 response and stores its items.
    async fn take(
        &self,
        source: &WireSource,
        response: &FetchResponse,
        mut report: PullReport,
        progress: Option<ProgressFn<'_>>,
    ) -> Result<(FetchRecord, PullReport), IngestError> {
        let status = report.status;
        let rules: SourceRules = match serde_json::from_str(&source.rules_json) {
            Ok(rules) => rules,
            Err(e) => {
                let reason = format!("the source's rules cannot be read ({e}); fix them");
                report.failure = Some(reason.clone());
                return Ok((failed(status, reason), report));
            }
        };
        let feed = match parse(&response.body, response.content_type.as_deref()) {
            Ok(feed) => feed,
            Err(e) => {
                let reason = format!(
                    "{} is not a feed masthead can read: {e}",
                    response.final_url
                );
                report.failure = Some(reason.clone());
                return Ok((failed(status, reason), report));
            }
        };
        let Some(sections) = self.sections(&rules).await? else {
            let reason =
                "the site has no sections yet: add one, or set the source's section".to_owned();
            report.failure = Some(reason.clone());
            return Ok((failed(status, reason), report));
        };
        let total = feed.entries.len();
        report.seen = feed.dropped_over_cap;
        report.skipped = feed.dropped_over_cap;
        let context = Batch {
            source,
            rules: &rules,
        };
        let url = response.final_url.to_string();
        let (mut staged, stager) = stage::spawn(feed, rules.clone(), url, sections, BATCH);
        let mut done = 0;
        while let Some(batch) = staged.recv().await {
            done += batch.entries;
            report.seen += batch.entries;
            report.skipped += batch.skipped;
            self.store_batch(&context, batch.items, &mut report).await?;
            if let Some(progress) = progress {
                progress(done, total);
            }
        }
        if let Err(e) = stager.await {
            // Not expected (the thread has no panicking path): say so rather than report a
            // partial pull as whole.
            let reason = format!("reading the feed's items stopped half-way ({e}); try again");
            report.failure = Some(reason.clone());
            return Ok((failed(status, reason), report));
        }
        let record = FetchRecord {
            status,
            outcome: FetchOutcome::Fetched {
                etag: response.etag.clone(),
                last_modified: response.last_modified.clone(),
                seen: report.seen as i64,
                created: report.created as i64,
                updated: report.updated as i64,
            },
        };
        Ok((record, report))
    }

    /// The site's sections and the source's default among them (its own, else the site's
    /// first); `None` when the site has none.
    async fn sections(&self, rules: &SourceRules) -> Result<Option<Sections>, IngestError> {
        let all = self.store.sections().await?;
        let by_slug: HashMap<String, SectionId> =
            all.iter().map(|s| (s.slug.to_string(), s.id)).collect();
        let default = rules
            .default_section
            .as_ref()
            .and_then(|slug| by_slug.get(slug.as_str()).copied())
            .or_else(|| all.iter().map(|s| s.id).min());
        Ok(default.map(|default| Sections { by_slug, default }))
    }

    /// The item's lead image fetched into the media library, if it has one and this pull
    /// keeps images; a failure is counted and noted, and the story goes without.
    async fn lead_image(
        &self,
        item: &WireItem,
        now: DateTime<Utc>,
        report: &mut PullReport,
    ) -> Option<MediaId> {
        let (media, lead) = (self.media.as_ref()?, item.lead_image.as_ref()?);
        match import_lead_image(&self.store, &self.fetcher, media, lead, now).await {
            Ok(id) => Some(id),
            Err(e) => {
                report.image_failures += 1;
                report.note(format!("{}: lead image not kept: {e}", item.title));
                None
            }
        }
    }

    /// What an item changed at the source does to its story's lead image: `None` keeps it
    /// (the same address as before, no media library, or the new one failed), `Some(None)`
    /// drops it (gone from the feed), `Some(Some(id))` is the new one, fetched now.
    async fn changed_image(
        &self,
        item: &WireItem,
        stored: &StoredWireItem,
        now: DateTime<Utc>,
        report: &mut PullReport,
    ) -> Option<Option<MediaId>> {
        let before = serde_json::from_str::<WireItem>(&stored.item_json)
            .ok()
            .and_then(|w| w.lead_image)
            .map(|l| l.url);
        let after = item.lead_image.as_ref().map(|l| l.url.clone());
        if before == after || self.media.is_none() {
            return None;
        }
        match after {
            None => Some(None),
            Some(_) => self.lead_image(item, now, report).await.map(Some),
        }
    }

    /// Stores one batch: what is known is read first, lead images of new items are fetched
    /// (outside any transaction: the network is slow), then one transaction writes them.
    async fn store_batch(
        &self,
        context: &Batch<'_>,
        batch: Vec<StagedItem>,
        report: &mut PullReport,
    ) -> Result<(), IngestError> {
        let source = context.source;
        let keys: Vec<String> = batch.iter().map(|i| i.item.identity.key()).collect();
        let known = self.store.wire_items_known(source.id, &keys).await?;
        let now = self.clock.now();
        let actor = wire_actor(&source.name);
        let mut news = Vec::new();
        let mut changed = Vec::new();
        for (StagedItem { item, prepared }, key) in batch.into_iter().zip(keys) {
            match known.get(&key) {
                Some(stored)
                    if stored.content_hash == item.content_hash
                        || stored.state == WireItemState::Discarded =>
                {
                    report.unchanged += 1;
                }
                Some(stored) => {
                    let image = self.changed_image(&item, stored, now, report).await;
                    changed.push((item, stored.clone(), image));
                }
                None => {
                    let with_image = match (prepared, self.lead_image(&item, now, report).await) {
                        (Ok(prepared), Some(image)) => {
                            let credit = item.lead_image.as_ref().map(|l| l.credit.as_str());
                            prepared
                                .with_lead_image(image, credit.unwrap_or_default())
                                .map_err(|e| e.to_string())
                        }
                        (prepared, _) => prepared,
                    };
                    match with_image {
                        Ok(prepared) => news.push((key, item, prepared)),
                        Err(e) => {
                            report.skipped += 1;
                            report.note(format!("{}: refused: {e}", item.title));
                        }
                    }
                }
            }
        }
        if news.is_empty() && changed.is_empty() {
            return Ok(());
        }
        let mut write = self.store.write_story().await?;
        let mut tally = PullReport::default();
        let written = async {
            new_items(&mut write, context, news, &actor, now, &mut tally).await?;
            for (item, stored, image) in &changed {
                let story = ChangedStory {
                    item,
                    stored,
                    image: *image,
                };
                changed_item(&mut write, context, story, &actor, now, &mut tally).await?;
            }
            Ok::<_, IngestError>(())
        }
        .await;
        match written {
            Ok(()) => write.commit().await?,
            Err(e) => {
                if let Err(rollback) = write.rollback().await {
                    tracing::warn!(error = %rollback, "could not roll back a wire batch");
                }
                return Err(e);
            }
        }
        report.created += tally.created;
        report.queued += tally.queued;
        report.updated += tally.updated;
        report.flagged += tally.flagged;
        report.unchanged += tally.unchanged;
        report.skipped += tally.skipped;
        for e in tally.errors {
            report.note(e);
        }
        Ok(())
    }
}

/// A failed fetch's record.
fn failed(status: Option<u16>, reason: String) -> FetchRecord {
    FetchRecord {
        status,
        outcome: FetchOutcome::Failed { reason },
    }
}

/// What every item of a pull shares.
struct Batch<'a> {
    source: &'a WireSource,
    rules: &'a SourceRules,
}

/// The wire record of `item` as it now stands.
fn record_of(
    item: &WireItem,
    context: &Batch<'_>,
    article: Option<masthead_core::ArticleId>,
    state: WireItemState,
    version: i64,
    note: String,
    now: DateTime<Utc>,
) -> WireItemRecord {
    WireItemRecord {
        content_hash: item.content_hash.clone(),
        article_id: article,
        state,
        ingested_version: version,
        needs_alt: item.lead_image.as_ref().is_some_and(|l| l.needs_alt),
        note,
        title: item.title.clone(),
        item_json: serde_json::to_string(item).unwrap_or_else(|_| "{}".into()),
        expires_at: item
            .expires_at
            .or_else(|| context.rules.expiry_from(item.published.unwrap_or(now))),
    }
}

/// Writes the batch's new items: claims their wire records (those a concurrent pull took
/// first are left to it), creates their stories through the desk's rules in one go, and
/// settles each record with its story and state. An item the rules refuse is kept as
/// discarded with the reason, so later pulls leave it alone until it changes at the source.
async fn new_items(
    write: &mut masthead_store::StoryWrite<'_>,
    context: &Batch<'_>,
    news: Vec<(String, WireItem, Prepared)>,
    actor: &masthead_store::Actor,
    now: DateTime<Utc>,
    tally: &mut PullReport,
) -> Result<(), IngestError> {
    if news.is_empty() {
        return Ok(());
    }
    let source = context.source;
    let claims: Vec<(String, WireItemRecord)> = news
        .iter()
        .map(|(key, item, _)| {
            let claim = record_of(
                item,
                context,
                None,
                WireItemState::Queued,
                0,
                String::new(),
                now,
            );
            (key.clone(), claim)
        })
        .collect();
    let claimed = write.claim_wire_identities(source.id, &claims, now).await?;
    let mut ours = Vec::with_capacity(claimed.len());
    let mut stories = Vec::with_capacity(claimed.len());
    for (key, item, prepared) in news {
        let Some(id) = claimed.get(&key) else {
            // Stored meanwhile by another pull of the same feed.
            tally.unchanged += 1;
            continue;
        };
        let publish_at = match source.mode {
            WireMode::Auto => Some(item.published.unwrap_or(now)),
            WireMode::Review => None,
        };
        stories.push((prepared, publish_at));
        ours.push((*id, item));
    }
    let outcomes = create_wire_stories(write, stories, actor, now).await?;
    let mut settled = Vec::with_capacity(ours.len());
    for ((id, item), outcome) in ours.into_iter().zip(outcomes) {
        settled.push(match outcome {
            Ok(created) => {
                let (state, note) = match (created.published, created.held) {
                    (true, _) => (WireItemState::Published, String::new()),
                    (false, Some(why)) => (
                        WireItemState::Queued,
                        format!("not published automatically: {why}"),
                    ),
                    (false, None) => (WireItemState::Queued, String::new()),
                };
                if state == WireItemState::Queued {
                    tally.queued += 1;
                }
                tally.created += 1;
                Settled {
                    id,
                    article_id: Some(created.id),
                    state,
                    ingested_version: created.version,
                    note,
                }
            }
            Err(refused) => {
                tally.skipped += 1;
                tally.note(format!("{}: refused: {refused}", item.title));
                Settled {
                    id,
                    article_id: None,
                    state: WireItemState::Discarded,
                    ingested_version: 0,
                    note: format!("refused: {refused}"),
                }
            }
        });
    }
    write.settle_wire_items(&settled, now).await?;
    Ok(())
}

/// An item changed at the source, with what it does to the story's lead image (see
/// `Ingest::changed_image`).
struct ChangedStory<'a> {
    item: &'a WireItem,
    stored: &'a StoredWireItem,
    image: Option<Option<MediaId>>,
}

async fn changed_item(
    write: &mut masthead_store::StoryWrite<'_>,
    context: &Batch<'_>,
    changed: ChangedStory<'_>,
    actor: &masthead_store::Actor,
    now: DateTime<Utc>,
    tally: &mut PullReport,
) -> Result<(), IngestError> {
    let ChangedStory {
        item,
        stored,
        image,
    } = changed;
    let Some(article) = stored.article_id else {
        // Refused before, or its story was deleted: remember the new hash only.
        let record = record_of(
            item,
            context,
            None,
            stored.state,
            0,
            stored.note.clone(),
            now,
        );
        write
            .update_wire_item(stored.id, &stored.content_hash, &record, now)
            .await?;
        tally.unchanged += 1;
        return Ok(());
    };
    let flag = |tally: &mut PullReport| {
        tally.flagged += 1;
        record_of(
            item,
            context,
            Some(article),
            WireItemState::UpdatedAtSource,
            stored.ingested_version,
            "changed at the source after an edit here: the edit was kept; compare and \
             update by hand"
                .into(),
            now,
        )
    };
    let record = match edited_since(write, article, stored.ingested_version).await? {
        None => record_of(item, context, None, stored.state, 0, String::new(), now),
        Some((true, _)) => flag(tally),
        Some((false, version)) => {
            let change = |fields: &mut ArticleFields| {
                item.write_text_to(fields);
                if let Some(image) = image {
                    fields.image = image;
                    fields.image_caption = match (image, &item.lead_image) {
                        (Some(_), Some(lead)) => lead.credit.clone(),
                        _ => String::new(),
                    };
                }
            };
            match update_wire_story(write, article, version, change, actor, now).await {
                Ok(WireUpdate::Updated { version }) => {
                    tally.updated += 1;
                    record_of(
                        item,
                        context,
                        Some(article),
                        stored.state,
                        version,
                        stored.note.clone(),
                        now,
                    )
                }
                Ok(WireUpdate::Changed) => flag(tally),
                Ok(WireUpdate::Gone) => {
                    record_of(item, context, None, stored.state, 0, String::new(), now)
                }
                Err(DeskError::Store(e)) => return Err(e.into()),
                Err(refused) => {
                    tally.skipped += 1;
                    tally.note(format!("{}: update refused: {refused}", item.title));
                    return Ok(());
                }
            }
        }
    };
    write
        .update_wire_item(stored.id, &stored.content_hash, &record, now)
        .await?;
    Ok(())
}
