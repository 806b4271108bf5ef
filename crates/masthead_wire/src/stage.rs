//! The CPU half of a pull, on a thread of its own: the feed's items are normalised
//! (sanitized, credited, identified) and each one's story validated and rendered, a batch
//! at a time, while the pull writes the batch before. A 10,000-item feed spends about as
//! long in this half as in the database's, so running them side by side rather than one
//! after the other takes most of one off the pull (docs/PERFORMANCE.md, "Wire feeds").
//!
//! At most two batches wait ahead of the writer, so memory stays bounded by the parsed
//! feed plus three batches. The writer dropping its end (a database error) stops the thread
//! at its next batch.

use crate::normalise::Normaliser;
use crate::{Outcome, ParsedFeed, SourceRules, WireItem};
use masthead_core::{ArticleKind, SectionId, Slug};
use masthead_desk::wire::{Prepared, prepare};
use masthead_store::{ArticleFields, KindParts};
use std::collections::HashMap;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// The site's sections, by slug, and the one for items no rule places.
#[derive(Debug, Clone)]
pub(crate) struct Sections {
    pub by_slug: HashMap<String, SectionId>,
    pub default: SectionId,
}

/// One batch of a feed's outcomes, ready to write.
pub(crate) struct Staged {
    /// The feed's entries this batch covers (its items and its skipped entries).
    pub entries: usize,
    /// Of those, the entries skipped (filtered out, duplicates, unreadable).
    pub skipped: usize,
    /// The items, each with its story prepared (or why the desk's rules refused it).
    pub items: Vec<StagedItem>,
}

/// An item and its story, validated and rendered without its lead image (fetched later,
/// only if the item is new).
pub(crate) struct StagedItem {
    pub item: WireItem,
    pub prepared: Result<Prepared, String>,
}

/// Starts normalising and preparing `feed` in batches of `batch` entries; the batches
/// arrive on the receiver in feed order, and the handle ends when the last is sent.
pub(crate) fn spawn(
    feed: ParsedFeed,
    rules: SourceRules,
    feed_url: String,
    sections: Sections,
    batch: usize,
) -> (mpsc::Receiver<Staged>, JoinHandle<()>) {
    let (tx, rx) = mpsc::channel(2);
    let handle = tokio::task::spawn_blocking(move || {
        let mut outcomes = Normaliser::new(&feed, &rules, &feed_url);
        loop {
            let mut staged = Staged {
                entries: 0,
                skipped: 0,
                items: Vec::with_capacity(batch),
            };
            for outcome in outcomes.by_ref().take(batch) {
                staged.entries += 1;
                match outcome {
                    Outcome::Item(item) => {
                        let fields = fields_of(&item, &sections);
                        let prepared = prepare(fields).map_err(|e| e.to_string());
                        staged.items.push(StagedItem {
                            item: *item,
                            prepared,
                        });
                    }
                    Outcome::Skipped { .. } => staged.skipped += 1,
                }
            }
            if staged.entries == 0 || tx.blocking_send(staged).is_err() {
                return;
            }
        }
    });
    (rx, handle)
}

/// The story's fields from a wire item, without a lead image.
pub(crate) fn fields_of(item: &WireItem, sections: &Sections) -> ArticleFields {
    let section = item
        .section
        .as_ref()
        .and_then(|s: &Slug| sections.by_slug.get(s.as_str()).copied())
        .unwrap_or(sections.default);
    let mut fields = ArticleFields::news(&item.title, item.slug.clone(), section);
    debug_assert_eq!(fields.kind(), ArticleKind::News);
    fields.parts = KindParts::News;
    item.write_text_to(&mut fields);
    fields
}
