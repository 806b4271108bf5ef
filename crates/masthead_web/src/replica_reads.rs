//! Which database a public read uses: a read replica when one is caught up, else the
//! primary (`database_read_url`; see `docs/ARCHITECTURE.md`, "Read replicas").
//!
//! [`route`] sits on the public pages, feeds, sitemaps, search and the API's anonymous
//! `GET`s; on pages, inside the page cache (so after the cache has read the generation the
//! page will be kept under). For an
//! anonymous `GET` or `HEAD` it picks a replica whose content version is at least the
//! version the primary last reported to this server's poll, and runs the handler with that
//! replica in scope; handlers read through [`AppState::reads`], which is the primary
//! anywhere else (the desk, the API with a token, every write, background jobs).
//!
//! A page kept for generation G therefore never comes from a replica that has not
//! replayed the writes G stands for. A write committed by this server since its last poll
//! sends reads to the primary until the poll has seen it (an editor reads what they just
//! wrote). A request that fails on a replica (5xx) is marked against it and answered again
//! from the primary, so a replica that goes away costs readers no error.

use crate::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::Response;
use masthead_store::{Pick, Store};
use std::sync::atomic::{AtomicU64, Ordering};

tokio::task_local! {
    /// The replica the current public request reads from, when one was picked.
    static READS: Store;
}

/// Where public reads went, since start (see `/metrics`).
#[derive(Debug, Default)]
pub struct ReadCounts {
    /// Answered from a replica.
    pub replica: AtomicU64,
    /// From the primary: every replica that answers was behind (or this server wrote since
    /// its last poll).
    pub behind: AtomicU64,
    /// From the primary: no replica answers.
    pub down: AtomicU64,
    /// Failed on a replica and answered again from the primary.
    pub retried: AtomicU64,
}

impl ReadCounts {
    /// Each count under its `outcome` label.
    pub(crate) fn snapshot(&self) -> [(&'static str, u64); 4] {
        let n = |c: &AtomicU64| c.load(Ordering::Relaxed);
        [
            ("replica", n(&self.replica)),
            ("behind", n(&self.behind)),
            ("down", n(&self.down)),
            ("retried", n(&self.retried)),
        ]
    }
}

impl AppState {
    /// The store public reads use: the replica [`route`] picked for this request, or the
    /// primary.
    pub fn reads(&self) -> Store {
        READS
            .try_with(Store::clone)
            .unwrap_or_else(|_| self.store.clone())
    }

    /// Notes what the poll read, for [`route`]: the last comment change on the primary, and
    /// the commit count this server had before it read the version. Called by
    /// [`AppState::refresh`] after it applied the version, before it drops the pages whose
    /// comments changed (so no page rendered after that comes from a replica without them).
    pub(crate) fn note_poll(&self, commits: u64, comment_seq: i64) {
        self.polled_comment_seq
            .fetch_max(comment_seq, Ordering::AcqRel);
        self.polled_commits.store(commits, Ordering::Release);
    }

    /// Reads every replica's content version (run every poll by the replica watcher).
    pub async fn probe_replicas(&self) {
        if let Some(replicas) = self.store.replicas() {
            replicas.probe().await;
        }
    }

    /// Probes the replicas every [`crate::freshness::POLL_INTERVAL`] until dropped.
    pub async fn watch_replicas(self) {
        if self.store.replicas().is_none() {
            return;
        }
        let mut ticker = tokio::time::interval(crate::freshness::POLL_INTERVAL);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            self.probe_replicas().await;
        }
    }
}

/// What a replica must have replayed to serve this server now: the content version and
/// the last comment change its last poll read, if no write was committed here since;
/// `None`: read from the primary.
fn mark_needed(state: &AppState) -> Option<(i64, i64)> {
    // The commit count first: it is stored after the version it goes with.
    let polled = state.polled_commits.load(Ordering::Acquire);
    let comments = state.polled_comment_seq.load(Ordering::Acquire);
    let version = state.watch.version()?;
    (state.store.commits() == polled).then_some((version, comments))
}

/// Whether the request is a stranger's read: `GET`/`HEAD` without a session cookie or a
/// token (staff read the primary, so they see their own writes however far a replica is).
fn anonymous(state: &AppState, request: &Request) -> bool {
    matches!(*request.method(), Method::GET | Method::HEAD)
        && !request.headers().contains_key(header::AUTHORIZATION)
        && crate::admin::session::cookie_value(state, request.headers()).is_none()
}

/// Runs the request with a caught-up replica in scope, or on the primary (see the module
/// docs).
pub(crate) async fn route(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(replicas) = state.store.replicas() else {
        return next.run(request).await;
    };
    if !anonymous(&state, &request) {
        return next.run(request).await;
    }
    let counts = &state.metrics.replica_reads;
    let Some((version, comment_seq)) = mark_needed(&state) else {
        counts.behind.fetch_add(1, Ordering::Relaxed);
        return next.run(request).await;
    };
    let replica = match replicas.pick(version, comment_seq) {
        Pick::Replica(replica) => replica,
        Pick::Behind => {
            counts.behind.fetch_add(1, Ordering::Relaxed);
            return next.run(request).await;
        }
        Pick::Down => {
            counts.down.fetch_add(1, Ordering::Relaxed);
            return next.run(request).await;
        }
    };
    // A GET has no body worth keeping: the request can be made again for the primary.
    let (parts, body) = request.into_parts();
    let again = Request::from_parts(parts.clone(), Body::empty());
    let response = READS
        .scope(
            replica.store().clone(),
            next.clone().run(Request::from_parts(parts, body)),
        )
        .await;
    if !response.status().is_server_error() {
        counts.replica.fetch_add(1, Ordering::Relaxed);
        return response;
    }
    counts.retried.fetch_add(1, Ordering::Relaxed);
    replica.mark_down(&format!(
        "a public read failed on it ({})",
        response.status()
    ));
    next.run(again).await
}
