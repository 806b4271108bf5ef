//! PostgreSQL read replicas for public reads (`database_read_url`).
//!
//! The primary [`Store`] may carry [`Replicas`]: one [`Store`] per streaming replica whose
//! reads go to the replica and whose writes still go to the primary (its writer pool is the
//! primary's). The web layer asks [`Replicas::pick`] for one per public request, giving the
//! content version the page must reflect; a replica is chosen only if its own content
//! version, read by [`Replicas::probe`] (run by the app every poll), is at least that.
//! Replicas only move forward, so a version read a moment ago is a safe lower bound.
//!
//! A replica that fails to answer within [`REPLICA_TIMEOUT`] is marked down, logged once,
//! and probed again after a back-off that doubles from one second to [`MAX_BACKOFF`]; while
//! it is down every read goes to the primary. Among the healthy, caught-up replicas reads
//! are spread round robin.

use crate::db::{backend_of, redact_url, replica_pool};
use crate::{Backend, Result, Store, StoreError};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long a replica has to give a connection or answer a probe before it counts as down.
pub const REPLICA_TIMEOUT: Duration = Duration::from_secs(1);
/// The longest wait before a down replica is tried again.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// The replicas of one primary.
#[derive(Debug)]
pub struct Replicas {
    list: Vec<Replica>,
    /// Where the next round-robin turn starts.
    next: AtomicUsize,
}

/// One replica: its store, the content version it last reported, and whether it is down.
#[derive(Debug)]
pub struct Replica {
    /// The replica's URL with its password hidden, for logs.
    pub label: String,
    store: Store,
    /// The content version the replica reported at its last probe; -1 before any.
    version: AtomicI64,
    /// The last comment change it reported (0 for none); -1 before any probe.
    comment_seq: AtomicI64,
    health: Mutex<Health>,
    /// Reads sent to it since start.
    reads: AtomicU64,
}

#[derive(Debug, Default)]
struct Health {
    /// While set, the replica is down and is not probed before this moment.
    down_until: Option<Instant>,
    /// The wait before the next probe after a failure.
    backoff: Duration,
}

/// What [`Replicas::pick`] found.
#[derive(Debug)]
pub enum Pick<'a> {
    /// Read from this replica.
    Replica(&'a Replica),
    /// Every replica that answers is behind the version asked for: read from the primary.
    Behind,
    /// No replica answers: read from the primary.
    Down,
}

impl Store {
    /// This store with read replicas at `urls` (PostgreSQL only). Connections open lazily,
    /// so a replica that is down at start is only marked down by the first probe.
    pub fn with_replicas(mut self, urls: &[String]) -> Result<Self> {
        if urls.is_empty() {
            return Ok(self);
        }
        if self.backend() != Backend::Postgres {
            return Err(StoreError::Config(
                "read replicas need PostgreSQL: database_url is SQLite, so remove \
                 database_read_url (or move the site to PostgreSQL first)"
                    .into(),
            ));
        }
        let mut list = Vec::with_capacity(urls.len());
        for url in urls {
            if backend_of(url)? != Backend::Postgres {
                return Err(StoreError::Config(format!(
                    "database_read_url {} is not PostgreSQL: read replicas need PostgreSQL \
                     (postgres://USER:PASSWORD@HOST:PORT/DB)",
                    redact_url(url)
                )));
            }
            let store = self.reading_from(replica_pool(url)?);
            list.push(Replica {
                label: redact_url(url),
                store,
                version: AtomicI64::new(-1),
                comment_seq: AtomicI64::new(-1),
                health: Mutex::default(),
                reads: AtomicU64::new(0),
            });
        }
        self.replicas = Some(Arc::new(Replicas {
            list,
            next: AtomicUsize::new(0),
        }));
        Ok(self)
    }

    /// The read replicas, if any were configured.
    pub fn replicas(&self) -> Option<&Replicas> {
        self.replicas.as_deref()
    }

    /// How many write transactions this process has committed since start.
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::Acquire)
    }
}

impl Replicas {
    /// The replicas, in the configured order.
    pub fn list(&self) -> &[Replica] {
        &self.list
    }

    /// A healthy replica whose content version is at least `version` and whose last
    /// comment change is at least `comment_seq`, round robin; else why none is.
    pub fn pick(&self, version: i64, comment_seq: i64) -> Pick<'_> {
        let n = self.list.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let mut any_up = false;
        for i in 0..n {
            let replica = &self.list[(start + i) % n];
            if replica.is_down() {
                continue;
            }
            any_up = true;
            // The comment mark first: the probe stores it before the version.
            if replica.comment_seq.load(Ordering::Acquire) >= comment_seq
                && replica.version.load(Ordering::Acquire) >= version
            {
                replica.reads.fetch_add(1, Ordering::Relaxed);
                return Pick::Replica(replica);
            }
        }
        if any_up { Pick::Behind } else { Pick::Down }
    }

    /// Reads every replica's content version (those down only once their back-off is
    /// over), marking down those that do not answer within [`REPLICA_TIMEOUT`] and up
    /// again those that do.
    pub async fn probe(&self) {
        for replica in &self.list {
            if replica.waiting() {
                continue;
            }
            let read = tokio::time::timeout(REPLICA_TIMEOUT, replica.store.replay_mark());
            match read.await {
                Ok(Ok((version, comment_seq))) => {
                    replica.comment_seq.store(comment_seq, Ordering::Release);
                    replica.version.store(version, Ordering::Release);
                    replica.mark_up();
                }
                Ok(Err(e)) => replica.mark_down(&e.to_string()),
                Err(_) => replica.mark_down("no answer within a second"),
            }
        }
    }
}

impl Replica {
    /// The store that reads from this replica (and writes to the primary).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The content version it last reported (-1 before its first answer).
    pub fn version(&self) -> i64 {
        self.version.load(Ordering::Acquire)
    }

    /// Reads sent to it since start.
    pub fn reads(&self) -> u64 {
        self.reads.load(Ordering::Relaxed)
    }

    /// Whether it is marked down.
    pub fn is_down(&self) -> bool {
        self.health().down_until.is_some()
    }

    /// Down, and its back-off not over yet.
    fn waiting(&self) -> bool {
        self.health()
            .down_until
            .is_some_and(|until| Instant::now() < until)
    }

    fn health(&self) -> std::sync::MutexGuard<'_, Health> {
        self.health
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Marks it down after a failed read or probe (`why`); logged when it goes down, not
    /// again while it stays down.
    pub fn mark_down(&self, why: &str) {
        let mut health = self.health();
        let was_up = health.down_until.is_none();
        health.backoff = if was_up {
            Duration::from_secs(1)
        } else {
            (health.backoff * 2).min(MAX_BACKOFF)
        };
        health.down_until = Some(Instant::now() + health.backoff);
        drop(health);
        if was_up {
            tracing::warn!(replica = %self.label, error = %why,
                "a read replica is not answering; public reads go to the primary until it does \
                 (tried again after a back-off of up to 30 s)");
        }
    }

    fn mark_up(&self) {
        let mut health = self.health();
        if health.down_until.take().is_some() {
            health.backoff = Duration::ZERO;
            drop(health);
            tracing::info!(replica = %self.label, "a read replica answers again; public reads use it");
        }
    }
}
