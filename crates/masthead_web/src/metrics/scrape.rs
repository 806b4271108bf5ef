//! One scrape: what is read when `/metrics` is asked for, and its encoding by
//! prometheus-client's Prometheus text encoder (a [`Collector`] over the values read).

use super::requests::RouteSnapshot;
use super::{Metrics, QUEUES_FOR};
use crate::AppState;
use masthead_core::jobs::JobSnapshot;
use masthead_store::{DirectReadCounts, PoolUse, QueueLengths};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric, NoLabelSet};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::Registry;
use std::time::Instant;

/// The values of one scrape.
#[derive(Debug)]
struct Scrape {
    routes: Vec<RouteSnapshot>,
    cache: crate::cache::CacheStats,
    pools: Vec<PoolUse>,
    /// SQLite's direct reads (`masthead_store` `direct.rs`); `None` on PostgreSQL.
    direct_reads: Option<DirectReadCounts>,
    queues: Option<QueueLengths>,
    jobs: Vec<(&'static str, JobSnapshot)>,
    started_at: f64,
    uptime: f64,
    /// Public reads by where they went (`replica_reads.rs`); empty without replicas.
    replica_reads: Vec<(&'static str, u64)>,
    /// Each replica: its URL (password hidden), up, the content version it reported.
    replicas: Vec<(String, bool, i64)>,
}

/// Reads everything and encodes it in the Prometheus text format.
pub(crate) async fn render(state: &AppState) -> Result<String, std::fmt::Error> {
    let metrics = &state.metrics;
    let scrape = Scrape {
        routes: metrics.requests.snapshot(),
        cache: state.cache.stats(),
        pools: state.store.pool_use(),
        direct_reads: state.store.direct_read_counts(),
        queues: queues(state, metrics).await,
        jobs: metrics
            .jobs
            .each()
            .into_iter()
            .map(|(name, runs)| (name, runs.snapshot()))
            .collect(),
        started_at: metrics.started_at,
        uptime: metrics.started.elapsed().as_secs_f64(),
        replica_reads: match state.store.replicas() {
            Some(_) => metrics.replica_reads.snapshot().to_vec(),
            None => Vec::new(),
        },
        replicas: state.store.replicas().map_or_else(Vec::new, |r| {
            r.list()
                .iter()
                .map(|r| (r.label.clone(), !r.is_down(), r.version()))
                .collect()
        }),
    };
    let mut registry = Registry::default();
    registry.register(
        "masthead_build",
        "The version of masthead running",
        Info::new(vec![("version", env!("CARGO_PKG_VERSION"))]),
    );
    registry.register_collector(Box::new(scrape));
    let mut text = String::with_capacity(16 * 1024);
    prometheus_client::encoding::prometheus_text::encode(&mut text, &registry)?;
    Ok(text)
}

/// The queue lengths, counted at most every [`QUEUES_FOR`]; `None` when the database did not
/// answer (logged once per period, then tried again).
async fn queues(state: &AppState, metrics: &Metrics) -> Option<QueueLengths> {
    let mut last = metrics.queues.lock().await;
    if let Some((at, lengths)) = *last
        && at.elapsed() < QUEUES_FOR
    {
        return lengths;
    }
    let lengths = match state.store.queue_lengths(state.clock.now()).await {
        Ok(lengths) => Some(lengths),
        Err(e) => {
            tracing::warn!(error = %e, "metrics: cannot count the work queues; they are left out until the database answers");
            None
        }
    };
    *last = Some((Instant::now(), lengths));
    lengths
}

/// `name`'s descriptor, then one value per label set.
fn family<'a, V>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    kind: MetricType,
    values: impl IntoIterator<Item = (Vec<(&'a str, &'a str)>, V)>,
) -> Result<(), std::fmt::Error>
where
    V: EncodeMetric,
{
    let mut metric = encoder.encode_descriptor(name, help, None, kind)?;
    for (labels, value) in values {
        value.encode(metric.encode_family(&labels)?)?;
    }
    Ok(())
}

fn counter(n: u64) -> ConstCounter<u64> {
    ConstCounter::new(n)
}

fn gauge(n: i64) -> ConstGauge<i64> {
    ConstGauge::new(n)
}

impl Scrape {
    /// Hits in the middleware, and every answer before routing (the `cache` route).
    fn cache_hits(&self) -> u64 {
        let before_routing = self
            .routes
            .iter()
            .find(|r| r.route == super::requests::CACHE_ROUTE)
            .map_or(0, super::requests::RouteSnapshot::total);
        self.cache.routed_hits + before_routing
    }
}

impl Collector for Scrape {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let e = &mut encoder;
        let codes: Vec<Vec<(String, u64)>> = self
            .routes
            .iter()
            .map(|r| {
                r.statuses
                    .iter()
                    .map(|(code, n)| (code.to_string(), *n))
                    .collect()
            })
            .collect();
        family(
            e,
            "masthead_http_requests",
            "HTTP requests answered, by route template (cache: a page answered from the page \
             cache before routing; none: no route matched) and status code",
            MetricType::Counter,
            self.routes.iter().zip(&codes).flat_map(|(r, codes)| {
                codes.iter().map(|(code, n)| {
                    (
                        vec![("route", r.route.as_str()), ("status", code.as_str())],
                        counter(*n),
                    )
                })
            }),
        )?;
        {
            let mut metric = e.encode_descriptor(
                "masthead_http_request_duration_seconds",
                "Time from a request's arrival to its response's head, by route template",
                None,
                MetricType::Histogram,
            )?;
            for r in &self.routes {
                let labels = [("route", r.route.as_str())];
                let mut m = metric.encode_family(&labels)?;
                m.encode_histogram::<NoLabelSet>(
                    r.latency.sum,
                    r.latency.count,
                    &r.latency.buckets,
                    None,
                )?;
            }
        }
        if !self.replica_reads.is_empty() {
            family(
                e,
                "masthead_replica_reads",
                "Public reads by where they went: replica; behind or down (the primary, no \
                 replica caught up or none answering); retried (failed on a replica, answered \
                 by the primary)",
                MetricType::Counter,
                self.replica_reads
                    .iter()
                    .map(|(outcome, n)| (vec![("outcome", *outcome)], counter(*n))),
            )?;
            family(
                e,
                "masthead_replica_up",
                "Whether a read replica answers (1) or is marked down (0)",
                MetricType::Gauge,
                self.replicas.iter().map(|(label, up, _)| {
                    (vec![("replica", label.as_str())], gauge(i64::from(*up)))
                }),
            )?;
            family(
                e,
                "masthead_replica_content_version",
                "The content version a read replica last reported (-1 before it answered)",
                MetricType::Gauge,
                self.replicas
                    .iter()
                    .map(|(label, _, v)| (vec![("replica", label.as_str())], gauge(*v))),
            )?;
        }
        family(
            e,
            "masthead_page_cache_hits",
            "Requests answered from the page cache",
            MetricType::Counter,
            [(vec![], counter(self.cache_hits()))],
        )?;
        family(
            e,
            "masthead_page_cache_misses",
            "Cacheable requests rendered because the page cache held no current copy",
            MetricType::Counter,
            [(vec![], counter(self.cache.misses))],
        )?;
        family(
            e,
            "masthead_page_cache_pages",
            "Pages held in the page cache",
            MetricType::Gauge,
            [(vec![], gauge(self.cache.pages as i64))],
        )?;
        family(
            e,
            "masthead_page_cache_bytes",
            "Bytes held in the page cache, compressed copies included",
            MetricType::Gauge,
            [(vec![], gauge(self.cache.bytes as i64))],
        )?;
        family(
            e,
            "masthead_db_pool_connections",
            "Database connections open, by pool (SQLite: read, write; PostgreSQL: shared) and \
             state (idle, in_use)",
            MetricType::Gauge,
            self.pools.iter().flat_map(|p| {
                [
                    (
                        vec![("pool", p.name), ("state", "idle")],
                        gauge(i64::from(p.idle)),
                    ),
                    (
                        vec![("pool", p.name), ("state", "in_use")],
                        gauge(i64::from(p.size.saturating_sub(p.idle))),
                    ),
                ]
            }),
        )?;
        if let Some(direct) = self.direct_reads {
            family(
                e,
                "masthead_sqlite_direct_reads",
                "SQLite reads behind the public pages by outcome: answered on a direct \
                 connection, or passed on to the pool (the database was busy or the read \
                 failed; the log says which)",
                MetricType::Counter,
                [
                    (vec![("outcome", "answered")], counter(direct.answered)),
                    (vec![("outcome", "passed_on")], counter(direct.passed_on)),
                ],
            )?;
        }
        family(
            e,
            "masthead_db_pool_max_connections",
            "The most connections each database pool opens",
            MetricType::Gauge,
            self.pools
                .iter()
                .map(|p| (vec![("pool", p.name)], gauge(i64::from(p.max)))),
        )?;
        if let Some(q) = self.queues {
            family(
                e,
                "masthead_queue_length",
                "Work waiting, counted at most every 10 s: newsletter_mails_due (one-off mails \
                 due now), newsletter_items_queued (readers' copies of sends not yet sent), \
                 wire_sources_due (feeds due for a pull), stories_scheduled (stories waiting \
                 for their time)",
                MetricType::Gauge,
                [
                    ("newsletter_mails_due", q.newsletter_mails_due),
                    ("newsletter_items_queued", q.newsletter_items_queued),
                    ("wire_sources_due", q.wire_sources_due),
                    ("stories_scheduled", q.stories_scheduled),
                ]
                .map(|(name, n)| (vec![("queue", name)], gauge(n))),
            )?;
        }
        family(
            e,
            "masthead_job_runs",
            "Rounds of each background job since start",
            MetricType::Counter,
            self.jobs
                .iter()
                .map(|(job, s)| (vec![("job", *job)], counter(s.runs))),
        )?;
        family(
            e,
            "masthead_job_failures",
            "Rounds of each background job that met an error (see the log)",
            MetricType::Counter,
            self.jobs
                .iter()
                .map(|(job, s)| (vec![("job", *job)], counter(s.failures))),
        )?;
        let seconds = |t: Option<chrono::DateTime<chrono::Utc>>| {
            t.map(|t| ConstGauge::new(t.timestamp_micros() as f64 / 1e6))
        };
        family(
            e,
            "masthead_job_last_run_timestamp_seconds",
            "When each background job last ended a round (Unix time; absent before the first)",
            MetricType::Gauge,
            self.jobs
                .iter()
                .filter_map(|(job, s)| Some((vec![("job", *job)], seconds(s.last_run)?))),
        )?;
        family(
            e,
            "masthead_job_last_success_timestamp_seconds",
            "When each background job last ended a round without an error (Unix time)",
            MetricType::Gauge,
            self.jobs
                .iter()
                .filter_map(|(job, s)| Some((vec![("job", *job)], seconds(s.last_success)?))),
        )?;
        family(
            e,
            "masthead_process_start_time_seconds",
            "When this process started (Unix time)",
            MetricType::Gauge,
            [(vec![], ConstGauge::new(self.started_at))],
        )?;
        family(
            e,
            "masthead_process_uptime_seconds",
            "Seconds since this process started",
            MetricType::Gauge,
            [(vec![], ConstGauge::new(self.uptime))],
        )?;
        Ok(())
    }
}
