//! Requests counted by route and status, with their latency, for `/metrics`.
//!
//! The route is the router's template (`/stories/{slug}`), never the address asked for, so
//! the labels are bounded by the route table however many addresses strangers try. A page
//! answered from the page cache before routing counts as `cache`; a request no route
//! matched (an unknown method, a timeout answered outside the router) as `none`. The route
//! travels from the router to [`crate::App`], which records every request, on the response:
//! [`carry_route`] copies axum's `MatchedPath` there.

use super::histogram::{Histogram, HistogramSnapshot};
use axum::extract::{MatchedPath, Request};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The label of pages answered from the page cache before routing.
pub(crate) const CACHE_ROUTE: &str = "cache";
/// The label of requests no route matched.
pub(crate) const NO_ROUTE: &str = "none";
/// Routes counted one by one; more (the route table is far smaller) count as [`NO_ROUTE`].
const MAX_ROUTES: usize = 1_000;
/// Status codes from 100 to 599 each have a counter; others count as 599.
const STATUSES: usize = 500;
/// Copies of the cached path's counters, each used by some of the threads: one copy shared
/// by every core would bounce its cache lines between them on every hit.
const CACHE_SHARDS: usize = 16;

/// One route's requests: a counter per status code and a latency histogram.
#[derive(Debug)]
pub(crate) struct RouteStats {
    statuses: Box<[AtomicU64]>,
    latency: Histogram,
}

impl RouteStats {
    fn new() -> Self {
        Self {
            statuses: (0..STATUSES).map(|_| AtomicU64::new(0)).collect(),
            latency: Histogram::default(),
        }
    }

    /// Counts one request answered with `status` after `elapsed`.
    pub(crate) fn record(&self, status: StatusCode, elapsed: Duration) {
        let slot = usize::from(status.as_u16().clamp(100, 599) - 100);
        self.statuses[slot].fetch_add(1, Ordering::Relaxed);
        self.latency.observe(elapsed);
    }

    fn snapshot(&self, route: &str) -> RouteSnapshot {
        let statuses = self
            .statuses
            .iter()
            .enumerate()
            .filter_map(|(i, n)| {
                let n = n.load(Ordering::Relaxed);
                (n > 0).then_some((i as u16 + 100, n))
            })
            .collect();
        RouteSnapshot {
            route: route.to_owned(),
            statuses,
            latency: self.latency.snapshot(),
        }
    }
}

/// One route's counts at one moment.
#[derive(Debug, Clone)]
pub(crate) struct RouteSnapshot {
    pub route: String,
    /// `(status code, requests)`, only codes seen, in order.
    pub statuses: Vec<(u16, u64)>,
    pub latency: HistogramSnapshot,
}

impl RouteSnapshot {
    /// Requests of every status.
    pub(crate) fn total(&self) -> u64 {
        self.statuses.iter().map(|(_, n)| n).sum()
    }

    /// The counts of `self` and `other` (another shard of the same route) together.
    fn merge(mut self, other: RouteSnapshot) -> Self {
        let mut statuses: std::collections::BTreeMap<u16, u64> =
            self.statuses.into_iter().collect();
        for (code, n) in other.statuses {
            *statuses.entry(code).or_default() += n;
        }
        self.statuses = statuses.into_iter().collect();
        self.latency = self.latency.merge(&other.latency);
        self
    }
}

/// A shard of the cached path's counters, on cache lines of its own.
#[derive(Debug)]
#[repr(align(128))]
struct Padded(RouteStats);

/// The shard of the cached path's counters this thread uses.
fn cache_shard() -> usize {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    thread_local! {
        static SHARD: usize = (NEXT.fetch_add(1, Ordering::Relaxed) as usize) % CACHE_SHARDS;
    }
    SHARD.with(|s| *s)
}

/// Every route's counts since start.
#[derive(Debug)]
pub(crate) struct Requests {
    /// The cached path's own, reached without a lookup, in shards by thread.
    cache: Box<[Padded]>,
    none: RouteStats,
    routes: RwLock<HashMap<Box<str>, RouteStats>>,
}

impl Default for Requests {
    fn default() -> Self {
        Self {
            cache: (0..CACHE_SHARDS)
                .map(|_| Padded(RouteStats::new()))
                .collect(),
            none: RouteStats::new(),
            routes: RwLock::default(),
        }
    }
}

impl Requests {
    /// The counts of pages answered from the page cache (this thread's shard).
    pub(crate) fn cache(&self) -> &RouteStats {
        &self.cache[cache_shard()].0
    }

    /// Counts a request the router answered; `route` is the template it matched, if any.
    pub(crate) fn record(&self, route: Option<&str>, status: StatusCode, elapsed: Duration) {
        let Some(route) = route else {
            self.none.record(status, elapsed);
            return;
        };
        // The common case: a route seen before, under the read lock, without allocating.
        {
            let routes = self.routes.read().unwrap_or_else(|p| p.into_inner());
            if let Some(stats) = routes.get(route) {
                stats.record(status, elapsed);
                return;
            }
        }
        let mut routes = self.routes.write().unwrap_or_else(|p| p.into_inner());
        if routes.len() >= MAX_ROUTES && !routes.contains_key(route) {
            drop(routes);
            self.none.record(status, elapsed);
            return;
        }
        routes
            .entry(route.into())
            .or_insert_with(RouteStats::new)
            .record(status, elapsed);
    }

    /// Every route's counts now, `cache` and `none` included, sorted by route.
    pub(crate) fn snapshot(&self) -> Vec<RouteSnapshot> {
        let cache = self
            .cache
            .iter()
            .map(|shard| shard.0.snapshot(CACHE_ROUTE))
            .reduce(RouteSnapshot::merge);
        let mut all: Vec<RouteSnapshot> = cache.into_iter().collect();
        all.push(self.none.snapshot(NO_ROUTE));
        let routes = self.routes.read().unwrap_or_else(|p| p.into_inner());
        all.extend(routes.iter().map(|(route, stats)| stats.snapshot(route)));
        all.sort_by(|a, b| a.route.cmp(&b.route));
        all
    }
}

/// Middleware, the router's outermost layer: puts the route the request matched on its
/// response, for [`crate::App`] to count it under.
pub(crate) async fn carry_route(request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().cloned();
    let mut response = next.run(request).await;
    if let Some(route) = route {
        response.extensions_mut().insert(route);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_per_route_and_status() {
        let r = Requests::default();
        let ms = Duration::from_millis(1);
        r.record(Some("/stories/{slug}"), StatusCode::OK, ms);
        r.record(Some("/stories/{slug}"), StatusCode::OK, ms);
        r.record(Some("/stories/{slug}"), StatusCode::NOT_FOUND, ms);
        r.record(None, StatusCode::METHOD_NOT_ALLOWED, ms);
        r.cache().record(StatusCode::NOT_MODIFIED, ms);
        // Another thread counts in its own shard; the snapshot adds them up.
        std::thread::scope(|s| {
            s.spawn(|| r.cache().record(StatusCode::OK, ms));
            s.spawn(|| r.cache().record(StatusCode::OK, ms));
        });
        let all = r.snapshot();
        let routes: Vec<&str> = all.iter().map(|s| s.route.as_str()).collect();
        assert_eq!(routes, ["/stories/{slug}", "cache", "none"]);
        assert_eq!(all[0].statuses, [(200, 2), (404, 1)]);
        assert_eq!(all[0].latency.count, 3);
        assert_eq!(all[1].statuses, [(200, 2), (304, 1)]);
        assert_eq!(all[1].latency.count, 3);
        assert_eq!(all[1].total(), 3);
        assert_eq!(all[2].statuses, [(405, 1)]);
    }
}
