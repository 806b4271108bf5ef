//! The background worker `masthead serve` runs: every [`TICK`] it claims due sources one at a
//! time (at most [`SOURCES_PER_TICK`] a tick) and pulls each, then takes down wire stories
//! whose licence has run out.
//!
//! Several app servers may run it on one database: a source is pulled by the one server
//! whose conditional `UPDATE` claimed it (`Store::claim_due_wire_source`), so each feed is
//! requested once per interval whichever servers are up; no lock is held across servers.
//! Expiry is safe from all of them at once: taking a story down claims its version, so one
//! server does it and the others find it done.

use crate::ingest::Ingest;
use chrono::Duration as ChronoDuration;
use masthead_core::jobs::JobRuns;
use masthead_desk::wire::{expire_wire_story, wire_actor};
use masthead_store::WireItemState;
use std::sync::Arc;
use std::time::Duration;

/// How often the worker looks for due sources.
pub const TICK: Duration = Duration::from_secs(5);
/// Most sources one server pulls in a tick (the rest wait for the next, or another server).
pub const SOURCES_PER_TICK: usize = 10;
/// How long a claim lasts if the server dies mid-pull: longer than any pull (a fetch is cut
/// at 30 s; a 10,000-item feed is stored in seconds).
pub const LEASE: ChronoDuration = ChronoDuration::minutes(10);
/// Most stories taken down per tick.
const EXPIRE_PER_TICK: u16 = 100;

/// Runs until the task is dropped, recording each round in `runs` (for `/metrics`).
pub async fn run(ingest: Ingest, runs: Arc<JobRuns>) {
    let mut ticker = tokio::time::interval(TICK);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let ok = tick(&ingest).await;
        runs.record(ok, ingest.clock.now());
    }
}

/// One round: the due sources, then expiry. Errors are logged; the next tick tries again.
/// Returns `false` when the round met an error of ours (the database, a pull that broke
/// off); a feed that failed is the source's state, shown on the desk, not the worker's.
pub async fn tick(ingest: &Ingest) -> bool {
    let mut ok = true;
    for _ in 0..SOURCES_PER_TICK {
        let now = ingest.clock.now();
        let source = match ingest.store.claim_due_wire_source(now, LEASE).await {
            Ok(Some(source)) => source,
            Ok(None) => break,
            Err(e) => {
                tracing::warn!(error = %e, "could not look for due wire sources; will retry");
                ok = false;
                break;
            }
        };
        match ingest.pull(&source, None).await {
            Ok(report) => match &report.failure {
                Some(reason) => {
                    tracing::warn!(source = %source.name, %reason, "wire source failed")
                }
                None => tracing::info!(
                    source = %source.name,
                    created = report.created,
                    updated = report.updated,
                    unchanged = report.unchanged,
                    not_modified = report.not_modified,
                    "wire source pulled"
                ),
            },
            Err(e) => {
                tracing::warn!(source = %source.name, error = %e, "wire pull failed; the claim runs out and it is tried again");
                ok = false;
            }
        }
    }
    expire_due(ingest).await;
    ok
}

/// Takes down the wire stories whose licence's time has come; returns how many.
pub async fn expire_due(ingest: &Ingest) -> usize {
    let now = ingest.clock.now();
    let due = match ingest.store.wire_items_expired(now, EXPIRE_PER_TICK).await {
        Ok(due) => due,
        Err(e) => {
            tracing::warn!(error = %e, "could not read expired wire stories; will retry");
            return 0;
        }
    };
    let mut done = 0;
    for item in due {
        let Some(article) = item.article_id else {
            continue;
        };
        let actor = wire_actor(&item.source_name);
        match expire_wire_story(&ingest.store, article, &actor, now).await {
            Ok(taken_down) => {
                done += usize::from(taken_down);
                if let Err(e) = ingest
                    .store
                    .set_wire_item_state(item.id, WireItemState::Expired, None, now)
                    .await
                {
                    tracing::warn!(error = %e, "could not mark a wire item expired");
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, story = %article, "could not take down an expired wire story")
            }
        }
    }
    if done > 0 {
        tracing::info!(count = done, "expired wire stories taken down");
    }
    done
}
