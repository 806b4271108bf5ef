//! Times parse + normalise of a 10,000-item feed, the same feed as `tests/large.rs`:
//! `cargo run --release -p masthead_wire --example time_10k` (figures in docs/PERFORMANCE.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/common/big_feed.rs"]
mod big_feed;
use big_feed::big_feed;

fn main() {
    let doc = big_feed(10_000);
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let feed = masthead_wire::parse(doc.as_bytes(), None).unwrap();
        let parsed = t.elapsed();
        let rules = masthead_wire::SourceRules::default();
        let out = masthead_wire::normalise(&feed, &rules, "https://big.example/feed");
        println!(
            "{} bytes, {} outcomes: parse {:?}, parse + normalise {:?}",
            doc.len(),
            out.len(),
            parsed,
            t.elapsed()
        );
    }
}
