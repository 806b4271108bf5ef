//! The store probe behind `/healthz`, reused for a moment so a public URL cannot turn into
//! a stream of write-lock probes.

use masthead_store::{Store, StoreError};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How long a passed probe is reused: `/healthz` is public, and each probe takes the
/// SQLite write lock for a moment, so however often it is asked the store is probed at most
/// once a second (concurrent requests wait for the one probe in flight). A failed probe is
/// never reused: the next request probes again, so recovery shows at once.
const PROBE_REUSE: Duration = Duration::from_secs(1);

/// The last time the store passed its probe, shared by the app server's requests, and how
/// many probes have run.
#[derive(Debug, Default)]
pub(crate) struct HealthProbe {
    last_ok: tokio::sync::Mutex<Option<Instant>>,
    probes: AtomicU64,
}

impl HealthProbe {
    /// Probes the store unless it passed less than [`PROBE_REUSE`] ago.
    pub(crate) async fn check(&self, store: &Store) -> Result<(), StoreError> {
        let mut last_ok = self.last_ok.lock().await;
        if last_ok.is_some_and(|at| at.elapsed() < PROBE_REUSE) {
            return Ok(());
        }
        self.probes.fetch_add(1, Ordering::Relaxed);
        let outcome = store.check_health().await;
        *last_ok = outcome.is_ok().then(Instant::now);
        outcome
    }

    /// How many probes have run since start.
    pub(crate) fn count(&self) -> u64 {
        self.probes.load(Ordering::Relaxed)
    }
}
