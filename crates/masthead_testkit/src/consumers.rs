//! Readers of what the site publishes that are not ours: Python's feedparser for RSS and
//! Atom and the JSON Feed 1.1 schema (with jsonschema) for JSON Feed (`consumers/read_feeds.py`),
//! `xmllint --schema` for sitemaps, and Python's icalendar (with python-dateutil's rrule for
//! recurrence) for iCalendar files (`consumers/read_calendars.py`). `scripts/test.sh`
//! installs them, pinned, and sets `MASTHEAD_TEST_FEED_TOOLS`,
//! `MASTHEAD_TEST_JSONFEED_SCHEMA`, `MASTHEAD_TEST_SITEMAP_XSD` and
//! `MASTHEAD_TEST_CALENDAR_TOOLS`; and Python's prometheus_client for `/metrics`
//! (`consumers/read_metrics.py`, `MASTHEAD_TEST_METRICS_TOOLS`).

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The feedparser release `scripts/test.sh` pins.
pub const FEEDPARSER_VERSION: &str = "6.0.14";

fn env(name: &str, what: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set. Run the suite with scripts/test.sh, which installs {what}.")
    })
}

/// What the readers saw in each feed (by file name: `*.xml` is RSS or Atom, `*.json` JSON
/// Feed): `bozo` and `bozo_exception`, `version`, `title`, `link`, `language`, `entries`
/// (`id`, `title`, `link`, `published`, `updated`, `authors`, `content`, `enclosures`,
/// `media`, `image`, `attachments`, `tags`) and `schema_errors` (JSON Feed).
pub fn read_feeds(feeds: &BTreeMap<String, String>) -> BTreeMap<String, Value> {
    let tools = env("MASTHEAD_TEST_FEED_TOOLS", "feedparser and jsonschema");
    let schema = env("MASTHEAD_TEST_JSONFEED_SCHEMA", "the JSON Feed schema");
    let dir = tempfile::tempdir().expect("temporary directory");
    for (name, body) in feeds {
        std::fs::write(dir.path().join(name), body).expect("write feed");
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/consumers/read_feeds.py");
    let out = Command::new("python3")
        .env("PYTHONPATH", &tools)
        .arg(script)
        .arg(dir.path())
        .arg(&schema)
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "the feed readers failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("the readers' JSON");
    assert_eq!(
        report["feedparser"], FEEDPARSER_VERSION,
        "the pinned feedparser"
    );
    let read: BTreeMap<String, Value> =
        serde_json::from_value(report["feeds"].clone()).expect("one report per feed");
    assert_eq!(read.len(), feeds.len(), "every feed read");
    read
}

/// The icalendar release `scripts/test.sh` pins.
pub const ICALENDAR_VERSION: &str = "7.3.2";

/// What Python's icalendar read in each `.ics` file (by file name): `version`, `prodid`,
/// `name`, and `events`, each with `uid`, `summary`, `description`, `location`, `url`,
/// `status`, `start` and `end` (`{date}` or `{utc, zone, local}`), `dtstamp`, `keys`, and
/// for a series its `rrule` and the `dates` python-dateutil expands it to. A file it cannot
/// parse fails the test with the reader's error.
pub fn read_calendars(files: &BTreeMap<String, String>) -> BTreeMap<String, Value> {
    let tools = env("MASTHEAD_TEST_CALENDAR_TOOLS", "icalendar");
    let dir = tempfile::tempdir().expect("temporary directory");
    for (name, body) in files {
        std::fs::write(dir.path().join(name), body).expect("write calendar");
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/consumers/read_calendars.py");
    let out = Command::new("python3")
        .env("PYTHONPATH", &tools)
        .arg(script)
        .arg(dir.path())
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "icalendar could not read our calendars: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("the reader's JSON");
    assert_eq!(
        report["icalendar"], ICALENDAR_VERSION,
        "the pinned icalendar"
    );
    let read: BTreeMap<String, Value> =
        serde_json::from_value(report["calendars"].clone()).expect("one report per file");
    assert_eq!(read.len(), files.len(), "every calendar read");
    read
}

/// The sitemap schemas side by side in a temporary directory, as xmllint resolves them:
/// sitemaps.org's `sitemap.xsd` (npm `sitemap`), our `siteindex.xsd` (which includes it) and
/// `sitemap-news.xsd`, and `news-sitemap.xsd` importing both namespaces.
pub struct SitemapSchemas {
    dir: tempfile::TempDir,
}

impl Default for SitemapSchemas {
    fn default() -> Self {
        Self::new()
    }
}

impl SitemapSchemas {
    pub fn new() -> Self {
        let sitemap = env(
            "MASTHEAD_TEST_SITEMAP_XSD",
            "sitemaps.org's schema from npm",
        );
        let dir = tempfile::tempdir().expect("temporary directory");
        std::fs::copy(&sitemap, dir.path().join("sitemap.xsd")).expect("copy sitemap.xsd");
        let ours = Path::new(env!("CARGO_MANIFEST_DIR")).join("consumers");
        for file in ["siteindex.xsd", "sitemap-news.xsd"] {
            std::fs::copy(ours.join(file), dir.path().join(file)).expect("copy a schema");
        }
        std::fs::write(
            dir.path().join("news-sitemap.xsd"),
            r#"<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:import namespace="http://www.sitemaps.org/schemas/sitemap/0.9" schemaLocation="sitemap.xsd"/>
  <xs:import namespace="http://www.google.com/schemas/sitemap-news/0.9" schemaLocation="sitemap-news.xsd"/>
</xs:schema>
"#,
        )
        .expect("write news-sitemap.xsd");
        SitemapSchemas { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Validates `xml` with `xmllint --schema SCHEMA` (`sitemap.xsd`, `siteindex.xsd` or
    /// `news-sitemap.xsd`); panics with xmllint's report.
    pub fn validate(&self, schema: &str, what: &str, xml: &str) {
        let file = self.dir.path().join("doc.xml");
        std::fs::write(&file, xml).expect("write the document");
        let out = Command::new("xmllint")
            .args(["--noout", "--nonet", "--schema"])
            .arg(self.path(schema))
            .arg(&file)
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run xmllint (scripts/test.sh installs libxml2-utils): {e}")
            });
        assert!(
            out.status.success(),
            "{what} is not valid against {schema}:\n{}\n{xml}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The prometheus_client release `scripts/test.sh` pins.
pub const PROMETHEUS_CLIENT_VERSION: &str = "0.26.0";

/// A `/metrics` answer as the Prometheus project's Python client read it
/// (`consumers/read_metrics.py`, with `MASTHEAD_TEST_METRICS_TOOLS`).
#[derive(Debug, Clone)]
pub struct ReadMetrics {
    /// Each family: `name`, `type`, `help`, `samples` (`name`, `labels`, `value`).
    pub families: Vec<Value>,
}

/// Parses `text` with prometheus_client's text-format parser; a document it cannot parse
/// fails the test with the parser's error.
pub fn read_metrics(text: &str) -> ReadMetrics {
    use std::io::Write;
    let tools = env("MASTHEAD_TEST_METRICS_TOOLS", "prometheus_client");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/consumers/read_metrics.py");
    let mut child = Command::new("python3")
        .env("PYTHONPATH", &tools)
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run python3");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write the metrics to the parser");
    let out = child.wait_with_output().expect("the parser's output");
    assert!(
        out.status.success(),
        "prometheus_client could not parse our metrics: {}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("the parser's JSON");
    assert_eq!(
        report["prometheus_client"], PROMETHEUS_CLIENT_VERSION,
        "the pinned prometheus_client"
    );
    ReadMetrics {
        families: report["families"]
            .as_array()
            .expect("a list of families")
            .clone(),
    }
}

impl ReadMetrics {
    /// The family named `name` (as the parser names it: counters without `_total`).
    pub fn family(&self, name: &str) -> &Value {
        self.families
            .iter()
            .find(|f| f["name"] == name)
            .unwrap_or_else(|| panic!("no metric family {name:?} in {:#?}", self.names()))
    }

    /// Every family's name.
    pub fn names(&self) -> Vec<&str> {
        self.families
            .iter()
            .filter_map(|f| f["name"].as_str())
            .collect()
    }

    /// Every sample named `sample` whose labels include all of `labels`: (labels, value).
    pub fn samples(&self, sample: &str, labels: &[(&str, &str)]) -> Vec<(Value, f64)> {
        self.families
            .iter()
            .flat_map(|f| f["samples"].as_array().into_iter().flatten())
            .filter(|s| s["name"] == sample)
            .filter(|s| labels.iter().all(|(k, v)| s["labels"][*k] == *v))
            .map(|s| (s["labels"].clone(), s["value"].as_f64().expect("a number")))
            .collect()
    }

    /// The value of the one sample named `sample` with at least `labels`; `None`
    /// when there is none; panics when several match.
    pub fn value(&self, sample: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let found = self.samples(sample, labels);
        assert!(
            found.len() <= 1,
            "several {sample} samples match {labels:?}: {found:?}"
        );
        found.first().map(|(_, v)| *v)
    }

    /// The sum of the samples named `sample` with at least `labels`.
    pub fn sum(&self, sample: &str, labels: &[(&str, &str)]) -> f64 {
        self.samples(sample, labels).iter().map(|(_, v)| v).sum()
    }
}
