//! What a background job (housekeeping, the wire worker, the newsletter's loops) has done
//! since the process started: rounds run, rounds that failed, and when the last round and
//! the last good round ended. Plain atomics, written by the job and read by `/metrics`, so
//! recording a round takes no lock and the crates that run jobs need no metrics library.

use chrono::{DateTime, Utc};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

/// One job's rounds. Shared between the job and whoever reports on it (`Arc<JobRuns>`).
#[derive(Debug, Default)]
pub struct JobRuns {
    runs: AtomicU64,
    failures: AtomicU64,
    /// Unix microseconds; 0 until a round ended.
    last_run: AtomicI64,
    /// Unix microseconds; 0 until a round succeeded.
    last_success: AtomicI64,
}

/// A copy of [`JobRuns`] at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobSnapshot {
    /// Rounds ended, failed or not.
    pub runs: u64,
    /// Rounds with at least one error.
    pub failures: u64,
    /// When the last round ended.
    pub last_run: Option<DateTime<Utc>>,
    /// When the last round without errors ended.
    pub last_success: Option<DateTime<Utc>>,
}

impl JobRuns {
    /// Records a round that ended at `at`, with (`ok == false`) or without errors.
    pub fn record(&self, ok: bool, at: DateTime<Utc>) {
        let micros = at.timestamp_micros();
        self.runs.fetch_add(1, Ordering::Relaxed);
        self.last_run.store(micros, Ordering::Relaxed);
        if ok {
            self.last_success.store(micros, Ordering::Relaxed);
        } else {
            self.failures.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// What has been recorded so far.
    pub fn snapshot(&self) -> JobSnapshot {
        let time = |micros: i64| {
            if micros == 0 {
                None
            } else {
                DateTime::from_timestamp_micros(micros)
            }
        };
        JobSnapshot {
            runs: self.runs.load(Ordering::Relaxed),
            failures: self.failures.load(Ordering::Relaxed),
            last_run: time(self.last_run.load(Ordering::Relaxed)),
            last_success: time(self.last_success.load(Ordering::Relaxed)),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::JobRuns;
    use chrono::DateTime;

    #[test]
    fn rounds_and_failures_are_counted_with_their_times() {
        let runs = JobRuns::default();
        assert_eq!(runs.snapshot().runs, 0);
        assert_eq!(runs.snapshot().last_run, None);
        let t1 = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let t2 = DateTime::from_timestamp(1_700_000_010, 0).unwrap();
        runs.record(true, t1);
        runs.record(false, t2);
        let s = runs.snapshot();
        assert_eq!((s.runs, s.failures), (2, 1));
        assert_eq!(s.last_run, Some(t2));
        assert_eq!(s.last_success, Some(t1));
    }
}
