//! Issue 16, item 4: `/metrics`, read by the Prometheus project's own parser (Python's
//! prometheus_client), on SQLite and PostgreSQL, over real HTTP. Requests count under their
//! route's template and status (a page from the page cache under `cache`), with latency
//! histograms; the page cache's hits and misses, the pools, the queues and the jobs are
//! there; the token is asked for and checked; the separate listener serves only the
//! metrics; without either, `/metrics` is a 404. Every answer carries a request id.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Duration;
use masthead_core::ArticleStatus;
use masthead_testkit::{
    ArticleBuilder, Desk, HttpClient, HttpResponse, ReadMetrics, TestApp, TestServer, app_tests,
    insert_all, read_metrics, t0,
};
use masthead_web::AppState;
use masthead_web::metrics::endpoint;
use std::net::{Ipv4Addr, SocketAddr};
use tokio::net::TcpListener;

app_tests!(
    requests_the_cache_the_pools_the_queues_and_the_jobs_are_counted,
    the_token_is_asked_for_and_checked,
    without_a_token_metrics_is_not_found,
    the_separate_listener_serves_the_metrics_and_nothing_else,
    concurrent_requests_are_each_counted_once,
    error_pages_quote_the_request_id_and_a_scrape_survives_the_database,
);

const TOKEN: &str = "a-metrics-token-for-the-tests-0123";

/// One published story (`/stories/budget-vote`) and one scheduled for later.
async fn stories(app: &TestApp) {
    let desk = Desk::create(app.store()).await;
    insert_all(
        app.store(),
        vec![
            ArticleBuilder::new("Budget vote", desk.news)
                .slug("budget-vote")
                .author(desk.reporter)
                .body("The board voted on the budget.")
                .published(t0() - Duration::hours(1))
                .build(),
            ArticleBuilder::new("Tomorrow's hearing", desk.news)
                .slug("tomorrows-hearing")
                .author(desk.reporter)
                .body("A hearing tomorrow.")
                .status(ArticleStatus::Scheduled)
                .published(t0() + Duration::hours(5))
                .build(),
        ],
    )
    .await;
    app.refresh().await;
}

/// The app's state with `/metrics` on its own listener for [`TOKEN`].
fn with_token(app: &TestApp) -> AppState {
    app.state.clone().with_metrics_token(TOKEN)
}

async fn get(client: &mut HttpClient, path: &str, headers: &[(&str, &str)]) -> HttpResponse {
    client.send("GET", path, headers, "").await
}

/// Scrapes with the token and reads the answer with prometheus_client.
async fn scrape(client: &mut HttpClient) -> ReadMetrics {
    let bearer = format!("Bearer {TOKEN}");
    let r = get(client, "/metrics", &[("authorization", &bearer)]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.headers["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    assert_eq!(r.headers["cache-control"], "no-store");
    read_metrics(&r.body)
}

fn request_id(r: &HttpResponse) -> &str {
    r.headers
        .get("x-request-id")
        .expect("every answer has an X-Request-Id")
        .to_str()
        .unwrap()
}

fn requests(m: &ReadMetrics, route: &str, status: &str) -> Option<f64> {
    m.value(
        "masthead_http_requests_total",
        &[("route", route), ("status", status)],
    )
}

async fn requests_the_cache_the_pools_the_queues_and_the_jobs_are_counted(app: TestApp) {
    stories(&app).await;
    let server = TestServer::state(with_token(&app)).await;
    let mut client = HttpClient::connect(&server).await;

    let first = get(&mut client, "/stories/budget-vote", &[]).await;
    assert_eq!(
        (
            first.status.as_u16(),
            first.headers["x-cache"].to_str().unwrap()
        ),
        (200, "miss")
    );
    let id = request_id(&first);
    assert!(
        id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit()),
        "a new id: {id}"
    );
    let second = get(&mut client, "/stories/budget-vote", &[]).await;
    assert_eq!(
        (
            second.status.as_u16(),
            second.headers["x-cache"].to_str().unwrap()
        ),
        (200, "hit")
    );
    assert_ne!(
        request_id(&second),
        id,
        "each request its own id, cached ones too"
    );
    let given = get(
        &mut client,
        "/stories/budget-vote",
        &[("x-request-id", "edge-42.a_b")],
    )
    .await;
    assert_eq!(
        request_id(&given),
        "edge-42.a_b",
        "a safe incoming id is kept"
    );
    let unsafe_id = get(
        &mut client,
        "/healthz",
        &[("x-request-id", "forged\"}, \"level\":\"ERROR")],
    )
    .await;
    assert_eq!(unsafe_id.status, 200);
    assert_eq!(request_id(&unsafe_id).len(), 16, "an unsafe id is replaced");
    let etag = second.headers["etag"].to_str().unwrap().to_owned();
    let revalidated = get(
        &mut client,
        "/stories/budget-vote",
        &[("if-none-match", &etag)],
    )
    .await;
    assert_eq!(revalidated.status, 304);
    let missing = get(&mut client, "/no-such-page", &[]).await;
    assert_eq!(missing.status, 404);
    let post = client.send("POST", "/stories/budget-vote", &[], "").await;
    assert_eq!(post.status, 405);
    let api = get(&mut client, "/api/v1/no/such/thing", &[]).await;
    assert_eq!(api.status, 404);

    // Housekeeping runs a round at once (its ticker's first tick), recorded at the clock's
    // time.
    let upkeep = tokio::spawn(masthead_web::housekeeping::run(app.state.clone()));
    let jobs = &app.state.metrics.jobs;
    for _ in 0..500 {
        if jobs.housekeeping.snapshot().runs > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    upkeep.abort();

    let m = scrape(&mut client).await;
    // Requests by route template and status: never the address asked for.
    assert_eq!(requests(&m, "/stories/{slug}", "200"), Some(1.0));
    assert_eq!(requests(&m, "cache", "200"), Some(2.0));
    assert_eq!(requests(&m, "cache", "304"), Some(1.0), "a revalidation");
    assert_eq!(requests(&m, "/healthz", "200"), Some(1.0));
    assert_eq!(requests(&m, "/{*path}", "404"), Some(1.0));
    assert_eq!(requests(&m, "/stories/{slug}", "405"), Some(1.0));
    assert_eq!(
        requests(&m, "/api/v1/{*rest}", "404"),
        Some(1.0),
        "a nested router's template, with its prefix"
    );
    assert!(
        m.samples("masthead_http_requests_total", &[])
            .iter()
            .all(
                |(labels, _)| !labels["route"].as_str().unwrap().contains("budget-vote")
                    && !labels["route"].as_str().unwrap().contains("no-such")
            ),
        "no raw address as a label"
    );
    assert_eq!(m.family("masthead_http_requests")["type"], "counter");
    // Latency histograms per route, their buckets agreeing with their counts.
    let hist = "masthead_http_request_duration_seconds";
    assert_eq!(m.family(hist)["type"], "histogram");
    for (route, n) in [("/stories/{slug}", 2.0), ("cache", 3.0), ("/healthz", 1.0)] {
        let count = m.value(&format!("{hist}_count"), &[("route", route)]);
        assert_eq!(count, Some(n), "{route}");
        let inf = m.value(
            &format!("{hist}_bucket"),
            &[("route", route), ("le", "+Inf")],
        );
        assert_eq!(inf, Some(n), "{route}");
        let sum = m
            .value(&format!("{hist}_sum"), &[("route", route)])
            .unwrap();
        assert!(sum > 0.0 && sum < 10.0 * n, "{route}: {sum}");
    }
    // The page cache: the second, third and fourth reads of the story were hits.
    assert_eq!(m.value("masthead_page_cache_hits_total", &[]), Some(3.0));
    let misses = m.value("masthead_page_cache_misses_total", &[]).unwrap();
    assert!(misses >= 1.0, "the first read of the story: {misses}");
    assert_eq!(m.value("masthead_page_cache_pages", &[]), Some(1.0));
    assert!(m.value("masthead_page_cache_bytes", &[]).unwrap() > 0.0);
    // The pools: SQLite reads and writes apart, PostgreSQL one pool.
    let pools: Vec<String> = m
        .samples("masthead_db_pool_max_connections", &[])
        .iter()
        .map(|(labels, max)| {
            assert!(*max >= 1.0);
            labels["pool"].as_str().unwrap().to_owned()
        })
        .collect();
    let expected = match app.store().backend() {
        masthead_store::Backend::Sqlite => vec!["read", "write"],
        masthead_store::Backend::Postgres => vec!["shared"],
    };
    assert_eq!(pools, expected);
    for pool in expected {
        let max = m
            .value("masthead_db_pool_max_connections", &[("pool", pool)])
            .unwrap();
        let open = m.sum("masthead_db_pool_connections", &[("pool", pool)]);
        assert!(open >= 1.0 && open <= max, "{pool}: {open} of {max}");
    }
    // SQLite's direct reads: the story's page was read on one, and none was passed on.
    let direct = |outcome| {
        m.value(
            "masthead_sqlite_direct_reads_total",
            &[("outcome", outcome)],
        )
    };
    match app.store().backend() {
        masthead_store::Backend::Sqlite => {
            assert!(direct("answered").unwrap() >= 1.0);
            assert_eq!(direct("passed_on"), Some(0.0));
        }
        masthead_store::Backend::Postgres => assert_eq!(direct("answered"), None),
    }
    // The queues: one story waits for its time; nothing else waits.
    let queue = |name| m.value("masthead_queue_length", &[("queue", name)]);
    assert_eq!(queue("stories_scheduled"), Some(1.0));
    assert_eq!(queue("wire_sources_due"), Some(0.0));
    assert_eq!(queue("newsletter_mails_due"), Some(0.0));
    assert_eq!(queue("newsletter_items_queued"), Some(0.0));
    // The jobs: housekeeping ran one round, at the clock's time; the others none.
    let job = |name, metric| m.value(metric, &[("job", name)]);
    assert_eq!(job("housekeeping", "masthead_job_runs_total"), Some(1.0));
    assert_eq!(
        job("housekeeping", "masthead_job_failures_total"),
        Some(0.0)
    );
    let t0_secs = t0().timestamp() as f64;
    assert_eq!(
        job("housekeeping", "masthead_job_last_run_timestamp_seconds"),
        Some(t0_secs)
    );
    assert_eq!(
        job(
            "housekeeping",
            "masthead_job_last_success_timestamp_seconds"
        ),
        Some(t0_secs)
    );
    assert_eq!(job("wire", "masthead_job_runs_total"), Some(0.0));
    assert_eq!(
        job("wire", "masthead_job_last_run_timestamp_seconds"),
        None,
        "no time before a first round"
    );
    // The process.
    assert_eq!(
        m.value(
            "masthead_build_info",
            &[("version", env!("CARGO_PKG_VERSION"))]
        ),
        Some(1.0)
    );
    assert_eq!(
        m.value("masthead_process_start_time_seconds", &[]),
        Some(t0_secs)
    );
    assert!(m.value("masthead_process_uptime_seconds", &[]).unwrap() >= 0.0);

    // A second scrape counts the first under its own route.
    let again = scrape(&mut client).await;
    assert_eq!(requests(&again, "/metrics", "200"), Some(1.0));
}

async fn the_token_is_asked_for_and_checked(app: TestApp) {
    let server = TestServer::state(with_token(&app)).await;
    let mut client = HttpClient::connect(&server).await;
    let wrong = format!("Bearer {TOKEN}x");
    let short = format!("Bearer {}", &TOKEN[..TOKEN.len() - 1]);
    for headers in [
        vec![],
        vec![("authorization", wrong.as_str())],
        vec![("authorization", short.as_str())],
        vec![("authorization", TOKEN)],
        vec![("x-metrics-token", TOKEN)],
    ] {
        let r = get(&mut client, "/metrics", &headers).await;
        assert_eq!(r.status, 401, "{headers:?}");
        assert!(
            r.body.contains("Authorization: Bearer <token>") && r.body.contains("metrics_token"),
            "says what to send: {}",
            r.body
        );
        assert_eq!(r.headers["www-authenticate"], "Bearer realm=\"metrics\"");
        assert!(
            r.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain")
        );
        assert!(!r.body.contains("masthead_http_requests"));
    }
    let lower = format!("bearer {TOKEN}");
    let r = get(&mut client, "/metrics", &[("authorization", &lower)]).await;
    assert_eq!(r.status, 200, "the scheme's name in any case");
    let m = scrape(&mut client).await;
    assert_eq!(requests(&m, "/metrics", "401"), Some(5.0));
}

async fn without_a_token_metrics_is_not_found(app: TestApp) {
    let r = app.get("/metrics").await;
    assert_eq!(r.status, 404);
    let bearer = format!("Bearer {TOKEN}");
    let server = TestServer::app(&app).await;
    let mut client = HttpClient::connect(&server).await;
    let r = get(&mut client, "/metrics", &[("authorization", &bearer)]).await;
    assert_eq!(r.status, 404, "like any address without a page");
    assert!(!r.body.contains("masthead_http_requests"));
    assert!(
        masthead_desk::pages::is_reserved("metrics"),
        "no static page may take it"
    );
}

/// A blocking GET over a real socket to `addr`.
async fn raw_get(addr: SocketAddr, path: &str) -> masthead_testkit::RawResponse {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || {
        masthead_testkit::http(&addr.to_string(), "GET", &path, &[], b"").unwrap()
    })
    .await
    .unwrap()
}

async fn the_separate_listener_serves_the_metrics_and_nothing_else(app: TestApp) {
    stories(&app).await;
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
    let metrics_addr = listener.local_addr().unwrap();
    let metrics = tokio::spawn(endpoint::serve(
        listener,
        app.state.clone(),
        std::future::pending(),
    ));
    // The site itself has no token, so no /metrics.
    let site = TestServer::app(&app).await;
    let mut client = HttpClient::connect(&site).await;
    assert_eq!(get(&mut client, "/metrics", &[]).await.status, 404);
    assert_eq!(
        get(&mut client, "/stories/budget-vote", &[]).await.status,
        200
    );

    let r = raw_get(metrics_addr, "/metrics").await;
    assert_eq!(r.status, 200, "no token on the separate address");
    let m = read_metrics(&r.body);
    assert_eq!(requests(&m, "/stories/{slug}", "200"), Some(1.0));
    assert_eq!(
        requests(&m, "/{*path}", "404"),
        Some(1.0),
        "the site's /metrics"
    );
    for path in ["/", "/stories/budget-vote", "/healthz", "/admin"] {
        assert_eq!(raw_get(metrics_addr, path).await.status, 404, "{path}");
    }
    metrics.abort();
}

async fn concurrent_requests_are_each_counted_once(app: TestApp) {
    stories(&app).await;
    let server = TestServer::state(with_token(&app)).await;
    const CLIENTS: usize = 8;
    const EACH: usize = 60;
    let paths = ["/stories/budget-vote", "/healthz", "/no-such-page"];
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let mut client = HttpClient::connect(&server).await;
        tasks.push(tokio::spawn(async move {
            for i in 0..EACH {
                let path = paths[(c + i) % paths.len()];
                let r = client.send("GET", path, &[], "").await;
                assert!(r.headers.contains_key("x-request-id"));
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let mut client = HttpClient::connect(&server).await;
    let m = scrape(&mut client).await;
    let all = m.sum("masthead_http_requests_total", &[]);
    assert_eq!(all as usize, CLIENTS * EACH, "every request counted once");
    let per_path = CLIENTS * EACH / paths.len();
    let story = requests(&m, "/stories/{slug}", "200").unwrap_or(0.0)
        + requests(&m, "cache", "200").unwrap_or(0.0);
    assert_eq!(story as usize, per_path);
    assert_eq!(requests(&m, "/healthz", "200"), Some(per_path as f64));
    assert_eq!(requests(&m, "/{*path}", "404"), Some(per_path as f64));
    let observed = m.sum("masthead_http_request_duration_seconds_count", &[]);
    assert_eq!(
        observed as usize,
        CLIENTS * EACH,
        "every request timed once"
    );
    // Hits before routing, and any the middleware had (a page kept by a concurrent
    // request between the two looks).
    let hits = m.value("masthead_page_cache_hits_total", &[]).unwrap();
    assert!(hits >= requests(&m, "cache", "200").unwrap_or(0.0));
}

async fn error_pages_quote_the_request_id_and_a_scrape_survives_the_database(app: TestApp) {
    stories(&app).await;
    let server = TestServer::state(with_token(&app)).await;
    let mut client = HttpClient::connect(&server).await;
    assert_eq!(get(&mut client, "/latest", &[]).await.status, 200);
    app.store().close().await;
    let failed = get(
        &mut client,
        "/section/news",
        &[("x-request-id", "trace-me-1")],
    )
    .await;
    assert!(failed.status.is_server_error(), "{}", failed.status);
    assert_eq!(request_id(&failed), "trace-me-1");
    assert!(
        failed.body.contains("<code>trace-me-1</code>"),
        "the error page quotes the request's id: {}",
        failed.body
    );
    // The API's JSON error names the same id.
    let api = get(
        &mut client,
        "/api/v1/search?q=budget",
        &[("x-request-id", "trace-me-2")],
    )
    .await;
    assert!(api.status.is_server_error(), "{}", api.status);
    assert_eq!(request_id(&api), "trace-me-2");
    let body: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(body["error"]["request_id"], "trace-me-2", "{body}");
    // The metrics still answer: the queues (a query) are left out, the rest is there.
    let m = scrape(&mut client).await;
    assert!(m.samples("masthead_queue_length", &[]).is_empty());
    let status = failed.status.as_str();
    assert_eq!(requests(&m, "/section/{slug}", status), Some(1.0));
    assert!(
        !m.samples("masthead_db_pool_max_connections", &[])
            .is_empty()
    );
}
