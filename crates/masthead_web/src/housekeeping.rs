//! Upkeep every app server runs in the background: recording scheduled stories as published
//! once their time has come, deleting expired sessions and old login-attempt counts, and
//! deleting the files of uploads a crash interrupted (`media_upkeep.rs`).
//!
//! Readers see a due story whether or not this has run (the visibility rule covers it);
//! promotion records the change in the story's status and the audit log, exactly once across
//! all servers (see `Store::promote_due`). Running it at start catches up on stories that came
//! due while no server was running.

use crate::AppState;
use std::time::Duration;

/// How often due stories are promoted.
pub const PROMOTE_EVERY: Duration = Duration::from_secs(10);

/// Expired sessions are purged every this many promotion rounds (about ten minutes).
const PURGE_EVERY_ROUNDS: u32 = 60;

/// Promotes every scheduled story that is due now; returns how many.
pub async fn promote_due(state: &AppState) -> usize {
    match state.store.promote_due(state.clock.now()).await {
        Ok(ids) => {
            if !ids.is_empty() {
                tracing::info!(count = ids.len(), "scheduled stories published");
            }
            ids.len()
        }
        Err(e) => {
            tracing::warn!(error = %e, "could not promote scheduled stories; will retry");
            0
        }
    }
}

/// Runs the upkeep until the task is dropped.
pub async fn run(state: AppState) {
    let mut ticker = tokio::time::interval(PROMOTE_EVERY);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut round: u32 = 0;
    loop {
        ticker.tick().await;
        promote_due(&state).await;
        round = round.wrapping_add(1);
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
            let grace = crate::media_upkeep::UPLOAD_GRACE;
            if let Err(e) =
                crate::media_upkeep::sweep(&state.store, state.media.as_ref(), grace, now).await
            {
                tracing::warn!(error = %e, "could not clean up after interrupted uploads");
            }
        }
    }
}
