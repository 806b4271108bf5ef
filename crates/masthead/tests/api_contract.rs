//! The API contract, checked by a schema-driven fuzzer that is not ours: Schemathesis
//! (from PyPI; `scripts/test.sh` installs the pinned version and sets
//! `MASTHEAD_TEST_SCHEMATHESIS`) reads the OpenAPI document the real binary serves and sends
//! it generated requests, on SQLite and on PostgreSQL, as an admin, against the demo
//! newsroom. It fails the test, with Schemathesis's report, on:
//!
//! - `not_a_server_error`: any 5xx (and any request the server drops unanswered);
//! - `status_code_conformance`: a status the operation does not document;
//! - `response_schema_conformance`: a body that does not fit the documented schema;
//! - `content_type_conformance`: a `Content-Type` the operation does not document;
//! - `positive_data_acceptance`: a schema-valid request refused. The few rules a schema
//!   cannot state (an id that names nothing, a time in the past, a file that is not an
//!   image) are listed per operation, with reasons, in `api_contract/schemathesis.toml`.
//!
//! The API has no operation that deletes anything or touches tokens or accounts, so nothing
//! it generates can lock the run out; the test still proves the token and the site work
//! after it, and that the server logged no panic.
//!
//! The run is bounded (`MAX_EXAMPLES` per operation and phase) and seeded: the same seed
//! sends the same requests. `MASTHEAD_CONTRACT_SEED=<n>` explores with another one.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use masthead_testkit::{RunningBinary, TestDb, http, run_command};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const BIN: &str = env!("CARGO_BIN_EXE_masthead");
/// The fixed part of Schemathesis's configuration: rules the document cannot state.
const CONFIG: &str = include_str!("api_contract/schemathesis.toml");
/// Schemathesis hooks: rules between parameters.
const HOOKS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/api_contract/hooks.py");
const CHECKS: &str = "not_a_server_error,status_code_conformance,response_schema_conformance,\
                      content_type_conformance,positive_data_acceptance";
/// Test cases per operation in each phase: enough to reach every documented status, few
/// enough that a run takes well under two minutes on a busy two-core machine.
const MAX_EXAMPLES: &str = "40";
const DEFAULT_SEED: &str = "20261202";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_keeps_its_contract_on_sqlite() {
    let db = TestDb::sqlite().await;
    let (url, dir) = (db.url.clone(), db.dir.path().to_owned());
    tokio::task::spawn_blocking(move || contract("SQLite", &url, &dir))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_keeps_its_contract_on_postgres() {
    let db = TestDb::postgres().await;
    let (url, dir) = (db.url.clone(), db.dir.path().to_owned());
    tokio::task::spawn_blocking(move || contract("PostgreSQL", &url, &dir))
        .await
        .unwrap();
}

/// Where Schemathesis is installed (a `pip --target` directory).
fn schemathesis_dir() -> PathBuf {
    let dir = std::env::var_os("MASTHEAD_TEST_SCHEMATHESIS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            panic!(
                "MASTHEAD_TEST_SCHEMATHESIS is not set. Run the suite with scripts/test.sh, which \
             installs Schemathesis from PyPI and sets it to the install directory."
            )
        });
    assert!(
        dir.join("bin/schemathesis").is_file(),
        "no Schemathesis in {} (MASTHEAD_TEST_SCHEMATHESIS); scripts/test.sh installs it",
        dir.display()
    );
    dir
}

/// Runs Schemathesis against a demo newsroom served from `db_url`, and everything around it.
fn contract(label: &str, db_url: &str, dir: &Path) {
    let schemathesis = schemathesis_dir();
    let data = dir.join("data");
    let flags = [
        "--data-dir",
        data.to_str().unwrap(),
        "--database-url",
        db_url,
    ];
    let token = admin_token(dir, &flags);

    let mut args = vec!["--demo"];
    args.extend(flags);
    let server = RunningBinary::start(BIN, &args, &[]);
    let base = format!("http://{}/api/v1", server.addr);
    let auth = format!("Bearer {token}");
    let get = |path: &str| -> Value {
        let r = http(
            &server.addr,
            "GET",
            &format!("/api/v1{path}"),
            &[("Authorization", &auth)],
            b"",
        )
        .unwrap();
        assert_eq!(r.status, 200, "GET {path}: {}", r.body);
        serde_json::from_str(&r.body).unwrap()
    };
    let operations = operations(&get("/openapi.json"));

    // Ids that exist, for the fuzzer to draw from (`[parameters]` in the configuration).
    let ids = |list: &Value| -> Vec<i64> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_i64().unwrap())
            .collect()
    };
    let articles = ids(&get("/articles")["items"]);
    let images: Vec<i64> = articles
        .iter()
        .take(20)
        .filter_map(|id| get(&format!("/articles/{id}"))["image"].as_i64())
        .collect();
    let events = get("/events?per_page=100");
    let dictionaries = [
        ("articles", articles),
        ("sections", ids(&get("/sections"))),
        ("authors", ids(&get("/authors"))),
        ("images", images),
        ("events", ids(&events["items"])),
    ];
    let mut config = CONFIG.to_owned();
    for (name, values) in &dictionaries {
        assert!(!values.is_empty(), "the demo newsroom has {name}");
        let values: Vec<String> = values.iter().map(i64::to_string).collect();
        config.push_str(&format!(
            "\n[dictionaries.{name}]\nvalues = [{}]\n",
            values.join(", ")
        ));
    }
    // The demo calendar's slugs, for `GET /events/{slug}` (text, so quoted).
    let slugs: Vec<String> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{:?}", e["slug"].as_str().unwrap()))
        .collect();
    assert!(!slugs.is_empty(), "the demo newsroom has events");
    config.push_str(&format!(
        "\n[dictionaries.event_slugs]\nvalues = [{}]\n",
        slugs.join(", ")
    ));
    let config_file = dir.join("schemathesis.toml");
    std::fs::write(&config_file, config).unwrap();

    let seed = std::env::var("MASTHEAD_CONTRACT_SEED").unwrap_or_else(|_| DEFAULT_SEED.into());
    let started = Instant::now();
    let out = Command::new("python3")
        .arg(schemathesis.join("bin/schemathesis"))
        .args(["--config-file", config_file.to_str().unwrap(), "run"])
        .arg(format!("{base}/openapi.json"))
        .args(["--header", &format!("Authorization: {auth}")])
        .args([
            "--checks",
            CHECKS,
            "--max-examples",
            MAX_EXAMPLES,
            "--seed",
            &seed,
        ])
        .args(["--generation-database", "none", "--no-color"])
        .env("PYTHONPATH", &schemathesis)
        .env("SCHEMATHESIS_HOOKS", HOOKS)
        .current_dir(dir)
        .output()
        .expect("run python3 (Schemathesis needs it)");
    let took = started.elapsed();
    let report = String::from_utf8_lossy(&out.stdout);
    let cases = report
        .lines()
        .skip_while(|l| !l.starts_with("Test cases:"))
        .nth(1)
        .unwrap_or_default()
        .trim();
    eprintln!("Schemathesis on {label}: {took:.1?}, seed {seed}: {cases}");
    assert!(
        out.status.success(),
        "Schemathesis found the API breaking its contract on {label} (seed {seed}):\n{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A run that tested nothing passes too: prove it reached every operation.
    assert!(
        report.contains(&format!("Tested: {operations}")),
        "Schemathesis did not test all {operations} operations:\n{report}"
    );

    // Nothing it sent broke the site: the token still works, pages are served, and no
    // request panicked (a panic in a task of its own answers nothing Schemathesis can see).
    get("/sections");
    assert_eq!(server.get("/").0, 200);
    let log = server.stop();
    assert!(!log.contains("panicked"), "the server panicked:\n{log}");
}

/// An admin account and an API token for it, made with the CLI.
fn admin_token(dir: &Path, flags: &[&str]) -> String {
    let mut args = vec![
        "user",
        "add",
        "--email",
        "contract@example.org",
        "--name",
        "Contract Test",
        "--role",
        "admin",
        "--password-stdin",
    ];
    args.extend(flags);
    let out = run_command(BIN, &args, dir, Some("correct horse battery staple"));
    assert!(out.status.success(), "{out:?}");
    let mut args = vec!["token", "create", "--user", "contract@example.org"];
    args.extend(flags);
    let out = run_command(BIN, &args, dir, None);
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// How many operations the document describes, leaving out the one that serves it
/// (Schemathesis does not test where it read the document from).
fn operations(doc: &Value) -> usize {
    doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(path, _)| !path.ends_with("/openapi.json"))
        .map(|(_, item)| item.as_object().unwrap().len())
        .sum()
}
