//! What search indexes of a story, and indexing the stories written before search existed.
//!
//! Search reads plain text, not Markdown or HTML: the body rendered to its words (no tags,
//! no link addresses), then a roundup's items (headline and text) and a meeting's body and
//! decisions. [`search_body`] makes it when a story is saved (through [`crate::render`]),
//! and [`index_backlog`] for stories stored before the search migration, which SQL alone
//! cannot render.

use crate::DeskError;
use masthead_render::markdown::plain_text;
use masthead_store::{ArticleFields, KindParts, SearchText, Store};

/// Stories indexed per transaction by [`index_backlog`]: a batch holds the write lock for
/// tens of milliseconds, so saves in between wait little.
const BACKLOG_BATCH: u32 = 200;

/// The words of a story's body and kind-specific parts, as plain text.
pub fn search_body(fields: &ArticleFields) -> String {
    let mut text = plain_text(&fields.body_md);
    let mut add = |part: &str| {
        let part = part.trim();
        if !part.is_empty() {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(part);
        }
    };
    match &fields.parts {
        KindParts::Roundup { items } => {
            for item in items {
                add(&item.headline);
                add(&plain_text(&item.body_md));
            }
        }
        KindParts::MeetingBrief { meeting } => {
            add(&meeting.body);
            for decision in &meeting.decisions {
                add(&decision.motion);
            }
        }
        KindParts::News | KindParts::Opinion | KindParts::Video { .. } => {}
    }
    text
}

/// Indexes every story written before search existed, newest first, a batch per
/// transaction, until none is left; returns how many were indexed. Safe to run while the
/// site serves and saves (a story saved meanwhile keeps the text its save indexed) and to
/// interrupt: the next run goes on where this one stopped.
pub async fn index_backlog(store: &Store) -> Result<u64, DeskError> {
    let mut done = 0;
    while let Some(upto) = store.search_backlog().await? {
        let stories = store.backlog_stories(upto, BACKLOG_BATCH).await?;
        let texts: Vec<_> = stories
            .iter()
            .map(|(id, fields)| (*id, SearchText::new(fields, &search_body(fields))))
            .collect();
        let next = match stories.last() {
            Some((lowest, _)) if stories.len() == BACKLOG_BATCH as usize && lowest.0 > 1 => {
                Some(masthead_core::ArticleId(lowest.0 - 1))
            }
            _ => None,
        };
        done += store.index_backlog(&texts, next).await?;
    }
    Ok(done)
}
