//! Issue 16, item 4, on the real binary: `MASTHEAD_LOG_FORMAT=json` makes every line on
//! stderr a JSON object, and the lines logged while serving a request carry the id the
//! client got back in `X-Request-Id`; `metrics_addr` serves `/metrics` (read by Python's
//! prometheus_client) on an address of its own, and `metrics_token` guards it on the site's;
//! settings that cannot work are refused with what to do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use masthead_testkit::{RunningBinary, read_metrics};
use serde_json::Value;
use std::process::Command;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_masthead");
const TOKEN: &str = "binary-metrics-token-0123456789";

/// The value of `name` in a response's header block.
fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|line| {
        let (k, v) = line.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// Whether a JSON log line was logged inside the span of the request with `id`.
fn in_request(line: &Value, id: &str) -> bool {
    line["span"]["request_id"] == id
        || line["spans"]
            .as_array()
            .is_some_and(|spans| spans.iter().any(|s| s["request_id"] == id))
}

#[test]
fn json_logs_carry_each_requests_id_and_metrics_serve_on_their_own_address() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = RunningBinary::start(
        BIN,
        &["--data-dir", data.to_str().unwrap()],
        &[
            ("MASTHEAD_LOG_FORMAT", "json"),
            // tower-http's per-request lines ("finished processing request"): the access log.
            ("MASTHEAD_LOG", "info,tower_http=debug"),
            ("MASTHEAD_METRICS_ADDR", "127.0.0.1:0"),
            ("MASTHEAD_METRICS_TOKEN", TOKEN),
        ],
    );
    let metrics_url =
        server.wait_for_output("masthead: metrics on http://", Duration::from_secs(10));
    let metrics_addr = metrics_url
        .strip_suffix("/metrics")
        .expect("…/metrics")
        .to_owned();

    // An id from a proxy in front is kept; a request without one gets one.
    let given = server
        .request("GET", "/healthz", &[("X-Request-Id", "lb-7f3a.2")], b"")
        .unwrap();
    assert_eq!(given.status, 200);
    assert_eq!(header(&given.head, "x-request-id"), Some("lb-7f3a.2"));
    let made = server.request("GET", "/no-such-page", &[], b"").unwrap();
    assert_eq!(made.status, 404);
    let made_id = header(&made.head, "x-request-id")
        .expect("an id")
        .to_owned();
    assert_eq!(made_id.len(), 16);
    let long = "x".repeat(65);
    let replaced = server
        .request("GET", "/healthz", &[("X-Request-Id", &long)], b"")
        .unwrap();
    let replaced_id = header(&replaced.head, "x-request-id").unwrap().to_owned();
    assert_eq!(replaced_id.len(), 16, "a long id is replaced");

    // The site's own /metrics wants the token.
    let refused = server.request("GET", "/metrics", &[], b"").unwrap();
    assert_eq!(refused.status, 401);
    assert!(refused.body.contains("Authorization: Bearer"));
    let bearer = format!("Bearer {TOKEN}");
    let allowed = server
        .request("GET", "/metrics", &[("Authorization", &bearer)], b"")
        .unwrap();
    assert_eq!(allowed.status, 200);

    // The separate address: no token, nothing but /metrics.
    let scraped = masthead_testkit::http(&metrics_addr, "GET", "/metrics", &[], b"").unwrap();
    assert_eq!(scraped.status, 200);
    let m = read_metrics(&scraped.body);
    let healthz = m.value(
        "masthead_http_requests_total",
        &[("route", "/healthz"), ("status", "200")],
    );
    assert_eq!(healthz, Some(2.0));
    assert_eq!(
        m.value(
            "masthead_http_requests_total",
            &[("route", "/metrics"), ("status", "401")]
        ),
        Some(1.0)
    );
    assert!(
        m.value("masthead_queue_length", &[("queue", "stories_scheduled")])
            .is_some(),
        "the queues are counted on the real database"
    );
    let site_page = masthead_testkit::http(&metrics_addr, "GET", "/", &[], b"").unwrap();
    assert_eq!(site_page.status, 404);

    let log = server.stop();
    let lines: Vec<Value> = log
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(lines.len() >= 4, "{log}");
    for line in &lines {
        assert!(
            line["timestamp"].is_string() && line["level"].is_string(),
            "{line}"
        );
    }
    for id in ["lb-7f3a.2", made_id.as_str(), replaced_id.as_str()] {
        let of_request: Vec<&Value> = lines.iter().filter(|l| in_request(l, id)).collect();
        assert!(
            !of_request.is_empty(),
            "no log line carries request id {id}:\n{log}"
        );
        assert!(
            of_request
                .iter()
                .any(|l| l["fields"]["message"] == "finished processing request"),
            "the request's access line carries {id}"
        );
    }
}

/// Runs `masthead serve` with `envs`, expecting it to refuse to start; returns its stderr.
fn refused(envs: &[(&str, &str)]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(BIN);
    cmd.args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path().join("data"))
        .current_dir(dir.path())
        .env_remove("MASTHEAD_DATABASE_URL")
        .env_remove("MASTHEAD_DATA_DIR");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert!(!out.status.success(), "{envs:?} should refuse to start");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn settings_that_cannot_work_are_refused_with_what_to_do() {
    let err = refused(&[("MASTHEAD_LOG_FORMAT", "xml")]);
    assert!(
        err.contains("MASTHEAD_LOG_FORMAT must be \"json\" or \"text\""),
        "{err}"
    );
    let err = refused(&[("MASTHEAD_METRICS_TOKEN", "short")]);
    assert!(
        err.contains("metrics_token must be at least 16 characters")
            && err.contains("openssl rand"),
        "{err}"
    );
    assert!(!err.contains("short\""), "the token is not printed: {err}");
    // An address that is taken: the error names the setting to change.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let err = refused(&[("MASTHEAD_METRICS_ADDR", &addr)]);
    assert!(
        err.contains("cannot listen for /metrics") && err.contains("MASTHEAD_METRICS_ADDR"),
        "{err}"
    );
}
