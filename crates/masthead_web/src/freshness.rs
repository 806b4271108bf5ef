//! When cached pages and page parts go stale.
//!
//! A cache entry is tagged with the *generation* current when it was made; it is served only
//! while the generation is unchanged. The generation moves on when
//! - the database's content version changes (a write on this or any other app server: each
//!   server polls the version every [`POLL_INTERVAL`], so servers sharing PostgreSQL see each
//!   other's writes within a second), or
//! - the clock passes the next time-driven change (a scheduled story coming due, an event
//!   starting or ending), checked on every request so nothing appears late or early.

use chrono::{DateTime, Utc};
use masthead_store::{ContentState, Store, StoreError};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

/// How often the content version is polled.
pub const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// `next_change` once [`ContentWatch::generation`] has moved the generation on for it and
/// the following change is not known yet (the next poll reads it).
const CONSUMED: i64 = i64::MAX - 1;

/// The shared view of the content version and the next time-driven change.
#[derive(Debug)]
pub struct ContentWatch {
    generation: AtomicU64,
    version: AtomicI64,
    /// Unix microseconds of the next time-driven change; `i64::MAX` when none is known.
    next_change: AtomicI64,
    /// The last entry of the comment-change log already acted on; -1 before the first poll.
    comment_seq: AtomicI64,
}

impl Default for ContentWatch {
    fn default() -> Self {
        Self::new()
    }
}

impl ContentWatch {
    /// A watch that knows nothing yet (the first refresh sets it).
    pub fn new() -> Self {
        Self {
            generation: AtomicU64::new(1),
            version: AtomicI64::new(-1),
            next_change: AtomicI64::new(i64::MIN),
            comment_seq: AtomicI64::new(-1),
        }
    }

    /// The generation valid at `now`, moving it on if a time-driven change has come due.
    pub fn generation(&self, now: DateTime<Utc>) -> u64 {
        let due = self.next_change.load(Ordering::Acquire);
        if now.timestamp_micros() >= due
            && self
                .next_change
                .compare_exchange(due, CONSUMED, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
        {
            // The next poll learns the following change, and moves the generation on once
            // more: another change may come due before it (two stories a few seconds apart),
            // and pages rendered in between would otherwise outlive it.
            return self.generation.fetch_add(1, Ordering::AcqRel) + 1;
        }
        self.generation.load(Ordering::Acquire)
    }

    /// The generation as it stands, without looking at the clock (see
    /// [`ContentWatch::generation`]).
    pub fn current(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The content version last seen, if any.
    pub fn version(&self) -> Option<i64> {
        let v = self.version.load(Ordering::Acquire);
        (v >= 0).then_some(v)
    }

    /// The last comment-change entry acted on, if any poll has run.
    pub fn comment_seq(&self) -> Option<i64> {
        let v = self.comment_seq.load(Ordering::Acquire);
        (v >= 0).then_some(v)
    }

    /// Notes that comment changes up to `seq` have been acted on.
    pub fn set_comment_seq(&self, seq: i64) {
        self.comment_seq.fetch_max(seq, Ordering::AcqRel);
    }

    /// Moves the generation on (every cached page and part goes stale).
    pub fn bump(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Reads the content state and moves the generation on if it changed.
    pub async fn refresh(&self, store: &Store, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.apply(store.content_state(now).await?, now);
        Ok(())
    }

    /// Takes in a content state read at `now`, moving the generation on if it changed.
    pub fn apply(&self, state: ContentState, now: DateTime<Utc>) {
        let next = state.next_change.map_or(i64::MAX, |t| t.timestamp_micros());
        let old_version = self.version.swap(state.version, Ordering::AcqRel);
        let old_next = self.next_change.swap(next, Ordering::AcqRel);
        if old_version != state.version
            || old_next == CONSUMED
            || old_next <= now.timestamp_micros()
        {
            self.generation.fetch_add(1, Ordering::AcqRel);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(seconds: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + seconds, 0)
            .single()
            .unwrap_or_default()
    }

    fn state(version: i64, next: Option<i64>) -> ContentState {
        ContentState {
            version,
            next_change: next.map(at),
            comment_seq: 0,
        }
    }

    /// Two stories due a few seconds apart, both before the next poll: a page rendered
    /// between them was kept after the second came due, because the poll learned only of
    /// later changes and saw no reason to move the generation.
    #[test]
    fn a_change_due_between_a_time_bump_and_the_next_poll_still_turns_the_cache_over() {
        let watch = ContentWatch::new();
        watch.apply(state(7, Some(10)), at(0));
        let before = watch.generation(at(5));
        let first = watch.generation(at(10));
        assert_eq!(first, before + 1, "the first story came due");
        // A page rendered at 10.5 s lacks the second story (due at 11 s) and is cached
        // under `first`. The poll at 11.2 s sees the next change after that, at 60 s.
        assert_eq!(
            watch.generation(at(11)),
            first,
            "nothing known to be due yet"
        );
        watch.apply(state(7, Some(60)), at(11));
        assert!(
            watch.generation(at(11)) > first,
            "the poll turns the cache over"
        );
        let settled = watch.generation(at(12));
        watch.apply(state(7, Some(60)), at(12));
        assert_eq!(watch.generation(at(12)), settled, "and then stays put");
        assert!(watch.generation(at(60)) > settled);
    }
}
