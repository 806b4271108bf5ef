//! `/metrics` in the Prometheus text format (version 0.0.4), encoded by prometheus-client:
//! requests by route and status with their latency, the page cache's hits and misses, the
//! database pools' use, the work queues' lengths, the background jobs' rounds, and the
//! process's start, uptime and version. See `docs/ARCHITECTURE.md`, "Observability".
//!
//! Cost on the request path: [`crate::App`] records each request with relaxed atomic
//! additions; the cached path's counters are reached without a lookup, in shards by thread
//! (so cores do not pass their cache lines back and forth), the router's under a read lock
//! on the table of routes. Everything else is read when `/metrics` is asked for,
//! and the queue counts (one statement on indexes) at most every [`QUEUES_FOR`], so scrapes
//! cannot be used to load the database.
//!
//! `/metrics` is not public: it needs the `metrics_token` as a bearer token, or is served
//! alone on the `metrics_addr` listener ([`endpoint`]); with neither, it is a 404 like any
//! address without a page.

pub mod endpoint;
mod histogram;
pub(crate) mod requests;
mod scrape;

use masthead_core::jobs::JobRuns;
use masthead_store::QueueLengths;
use requests::Requests;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long counted queue lengths are reused.
pub const QUEUES_FOR: Duration = Duration::from_secs(10);

/// Everything counted since start. One per process, in [`crate::AppState`].
#[derive(Debug)]
pub struct Metrics {
    pub(crate) requests: Requests,
    /// The background jobs' rounds, recorded by the jobs themselves.
    pub jobs: Jobs,
    /// Where public reads went with read replicas configured (see `replica_reads.rs`).
    pub replica_reads: crate::replica_reads::ReadCounts,
    started: Instant,
    /// The start as Unix seconds (from the app's clock).
    started_at: f64,
    /// The last queue count and when it was made; the lock makes concurrent scrapes wait
    /// for one count instead of each running its own.
    queues: tokio::sync::Mutex<Option<(Instant, Option<QueueLengths>)>>,
}

/// The background jobs whose rounds are counted.
#[derive(Debug, Default)]
pub struct Jobs {
    /// `housekeeping::run`: promoting due stories and the rest of the upkeep.
    pub housekeeping: Arc<JobRuns>,
    /// The wire desk's worker (`masthead_wire::worker::run`).
    pub wire: Arc<JobRuns>,
    /// The newsletter's sends (`newsletter::worker`).
    pub newsletter_sends: Arc<JobRuns>,
    /// The newsletter's one-off mails (confirmations).
    pub newsletter_mails: Arc<JobRuns>,
}

impl Jobs {
    fn each(&self) -> [(&'static str, &JobRuns); 4] {
        [
            ("housekeeping", &self.housekeeping),
            ("wire", &self.wire),
            ("newsletter_sends", &self.newsletter_sends),
            ("newsletter_mails", &self.newsletter_mails),
        ]
    }
}

impl Metrics {
    /// Counting from now; `now` is the clock's time, reported as the start time.
    pub fn new(now: chrono::DateTime<chrono::Utc>) -> Self {
        Self {
            requests: Requests::default(),
            jobs: Jobs::default(),
            replica_reads: Default::default(),
            started: Instant::now(),
            started_at: now.timestamp_micros() as f64 / 1e6,
            queues: tokio::sync::Mutex::new(None),
        }
    }
}
