//! Upkeep every app server runs in the background: recording scheduled stories as published
//! once their time has come, deleting expired sessions and old login-attempt counts, and
//! deleting the files of uploads a crash interrupted (`media_upkeep.rs`), and keeping
//! SQLite's full-text index merged ([`merge_search_index`]), and bringing stories saved
//! under an older rendering of Markdown up to date ([`rerender_stored`]).
//!
//! Readers see a due story whether or not this has run (the visibility rule covers it);
//! promotion records the change in the story's status and the audit log, exactly once across
//! all servers (see `Store::promote_due`). Running it at start catches up on stories that came
//! due while no server was running.

use crate::AppState;
use masthead_store::{MERGE_PAGES, MERGED_SEGMENTS, MergeStep};
use std::time::{Duration, Instant};

/// How often due stories are promoted.
pub const PROMOTE_EVERY: Duration = Duration::from_secs(10);

/// Redirects' hits are written every this many promotion rounds (once a minute).
const REDIRECT_HITS_EVERY_ROUNDS: u32 = 6;

/// Expired sessions are purged every this many promotion rounds (about ten minutes).
const PURGE_EVERY_ROUNDS: u32 = 60;

/// Promotes every scheduled story that is due now; returns how many.
pub async fn promote_due(state: &AppState) -> usize {
    try_promote_due(state).await.unwrap_or(0)
}

/// As [`promote_due`]; `None` when the store failed (logged).
async fn try_promote_due(state: &AppState) -> Option<usize> {
    match state.store.promote_due(state.clock.now()).await {
        Ok(ids) => {
            if !ids.is_empty() {
                tracing::info!(count = ids.len(), "scheduled stories published");
            }
            Some(ids.len())
        }
        Err(e) => {
            tracing::warn!(error = %e, "could not promote scheduled stories; will retry");
            None
        }
    }
}

/// The most time one round spends merging the search index; an index left unmerged
/// (a large import, or an archive from before the merging) is merged over several rounds.
pub const MERGE_TIME_PER_ROUND: Duration = Duration::from_secs(2);

/// Merges SQLite's full-text index (see `masthead_store::search_merge`) for up to `budget`:
/// bounded steps until one finds nothing to merge, then, if that leaves more than
/// [`MERGED_SEGMENTS`] segments, a merge of the whole index into one. After each step it
/// waits as long as the step took, so merging takes at most half a core and writers, queued
/// for the one writer connection, go between steps. Returns whether the index is merged (a
/// later round goes on otherwise). Nothing to do on PostgreSQL.
pub async fn merge_search_index(state: &AppState, budget: Duration) -> bool {
    let started = Instant::now();
    let mut whole = false;
    loop {
        let step_started = Instant::now();
        let step = if whole {
            state.store.optimize_search_index_step(MERGE_PAGES).await
        } else {
            state.store.merge_search_index_step(MERGE_PAGES).await
        };
        match step {
            Ok(MergeStep::Worked) => {}
            Ok(MergeStep::Done) if whole => return true,
            Ok(MergeStep::Done) => match state.store.search_index_segments().await {
                Ok(segments) if segments > MERGED_SEGMENTS => whole = true,
                Ok(_) => return true,
                Err(e) => {
                    tracing::warn!(error = %e, "could not count the search index's segments");
                    return false;
                }
            },
            Err(e) => {
                tracing::warn!(error = %e, "could not merge the search index; will retry");
                return false;
            }
        }
        if started.elapsed() >= budget {
            return false;
        }
        tokio::time::sleep(step_started.elapsed()).await;
    }
}

/// Renders stored stories again, 200 at a time, while their HTML is from an older rendering
/// than [`masthead_render::RENDER_VERSION`] (see `masthead_store::rerender`), then the
/// static pages, for up to
/// `budget`, resting as long as each batch took so readers and writers go between batches.
/// Returns whether every story is up to date. Progress is stored, so a restart goes on
/// where this stopped; two servers doing it at once write the same HTML.
pub async fn rerender_stored(state: &AppState, budget: Duration) -> bool {
    let started = Instant::now();
    loop {
        let batch_started = Instant::now();
        match rerender_batch(state).await {
            Ok(true) => return true,
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(error = %e, "could not render stored stories again; will retry");
                return false;
            }
        }
        if started.elapsed() >= budget {
            return false;
        }
        tokio::time::sleep(batch_started.elapsed()).await;
    }
}

/// One batch of [`rerender_stored`]; `true` when there is nothing (left) to do.
async fn rerender_batch(state: &AppState) -> Result<bool, masthead_store::StoreError> {
    let current = masthead_render::RENDER_VERSION;
    let at = state.store.render_state().await?;
    if at.version >= current {
        return Ok(true);
    }
    let texts = state.store.stored_texts_after(at.cursor).await?;
    let Some(last) = texts.last().map(|t| t.id.0) else {
        // The static pages last, all at once (a site has a few dozen), before the new
        // version is recorded: a failure here is retried by the next round.
        let pages: Vec<_> = state
            .store
            .page_texts()
            .await?
            .into_iter()
            .map(|(id, md, version)| (id, masthead_render::render_markdown(&md), version))
            .collect();
        state.store.store_page_html(&pages).await?;
        let done = masthead_store::RenderState {
            version: current,
            cursor: 0,
        };
        state.store.store_rerendered(&[], done).await?;
        tracing::info!(version = current, "stored stories rendered again");
        return Ok(true);
    };
    let pairs: Vec<_> = texts
        .into_iter()
        .map(|t| {
            let html = masthead_desk::rerender(&t);
            (t, html)
        })
        .collect();
    let next = masthead_store::RenderState {
        version: at.version,
        cursor: last,
    };
    state.store.store_rerendered(&pairs, next).await?;
    tracing::info!(through = last, "rendering stored stories again");
    Ok(false)
}

/// Writes the redirects' hits counted since the last call (see
/// `site::old_addresses::RedirectHits`); on failure they are lost, not retried: a count is a
/// hint for the desk, not a record.
pub async fn write_redirect_hits(state: &AppState) {
    let hits = state.redirect_hits.take();
    if let Err(e) = state.store.add_redirect_hits(&hits).await {
        tracing::warn!(error = %e, "could not write the redirects' hit counts");
    }
}

/// Runs the upkeep until the task is dropped.
pub async fn run(state: AppState) {
    let mut ticker = tokio::time::interval(PROMOTE_EVERY);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut round: u32 = 0;
    loop {
        ticker.tick().await;
        // A round counts as failed (in `/metrics`) when promoting due stories failed: the
        // one part readers would notice.
        let promoted = try_promote_due(&state).await;
        state
            .metrics
            .jobs
            .housekeeping
            .record(promoted.is_some(), state.clock.now());
        merge_search_index(&state, MERGE_TIME_PER_ROUND).await;
        rerender_stored(&state, MERGE_TIME_PER_ROUND).await;
        round = round.wrapping_add(1);
        if round.is_multiple_of(REDIRECT_HITS_EVERY_ROUNDS) {
            write_redirect_hits(&state).await;
        }
        if round.is_multiple_of(PURGE_EVERY_ROUNDS) {
            let now = state.clock.now();
            match state.store.purge_sessions(now).await {
                Ok(n) if n > 0 => tracing::info!(count = n, "expired sessions deleted"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "could not delete expired sessions"),
            }
            if let Err(e) = state
                .store
                .purge_attempts(now - chrono::Duration::hours(1))
                .await
            {
                tracing::warn!(error = %e, "could not delete old login attempt counts");
            }
            // A used form's nonce matters only while its token could still be sent back.
            let nonce_age = masthead_core::form_token::MAX_AGE + chrono::Duration::hours(1);
            if let Err(e) = state.store.purge_form_nonces(now - nonce_age).await {
                tracing::warn!(error = %e, "could not delete old form nonces");
            }
            if let Err(e) = state.store.purge_preview_links(now).await {
                tracing::warn!(error = %e, "could not delete expired preview links");
            }
            let grace = crate::media_upkeep::UPLOAD_GRACE;
            if let Err(e) =
                crate::media_upkeep::sweep(&state.store, state.media.as_ref(), grace, now).await
            {
                tracing::warn!(error = %e, "could not clean up after interrupted uploads");
            }
        }
    }
}
