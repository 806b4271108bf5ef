//! How long converting a typical post takes (a benchmark, not a test: performance targets
//! live in benchmarks). 100,000 posts are to be imported in under five minutes in all, so
//! converting one must cost well under a millisecond.
//!
//! `cargo run --release -p masthead_wordpress --example body_speed`. It counts the time the thread spent on a CPU (Linux's schedstat) where it can, so builds
//! running beside it do not count; elsewhere the time on the clock.
//!
//! Measured 2026-12-03 in release on the project's 2-core machine with other builds running:
//! 0.27 ms of CPU (0.79 ms on the clock) for the 5.3 KB block-editor post, 0.35 ms of CPU
//! for the 4.3 KB classic one (`wpautop`'s regular expressions are most of the difference):
//! 100,000 posts in well under a minute of converting.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use masthead_wordpress::body::{ConvertOptions, convert};
use std::time::{Duration, Instant};

/// Time this thread has spent on a CPU, where Linux tells it.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// A block-editor post and a classic one, each about 5 KB.
fn posts() -> [String; 2] {
    let gutenberg = include_str!("../tests/fixtures/gutenberg.html");
    let classic = include_str!("../tests/fixtures/classic.html");
    let filler = "<!-- wp:paragraph -->\n<p>The <strong>county</strong> commission met for three hours on Tuesday and heard from residents about the <a href=\"https://example.org/plan\">road plan</a>, which would widen Main Street.</p>\n<!-- /wp:paragraph -->\n\n";
    let classic_filler = "Residents asked about the schedule, the cost and the detours.\nThe engineer said work would start in <em>April</em>.\n\n";
    [
        format!("{gutenberg}{}", filler.repeat(8)),
        format!("{classic}{}", classic_filler.repeat(30)),
    ]
}

fn main() {
    let options = ConvertOptions::default();
    for post in posts() {
        assert!((4_000..7_000).contains(&post.len()), "{}", post.len());
        for _ in 0..50 {
            convert(&post, &options);
        }
        let runs = 2_000;
        let (start, cpu_start) = (Instant::now(), cpu_time());
        for _ in 0..runs {
            std::hint::black_box(convert(std::hint::black_box(&post), &options));
        }
        let wall = start.elapsed() / runs;
        let each = match (cpu_start, cpu_time()) {
            (Some(a), Some(b)) => (b - a) / runs,
            _ => wall,
        };
        println!(
            "{} bytes: {each:?} of CPU ({wall:?} on the clock) a post",
            post.len()
        );
        if each.as_micros() >= 1_000 {
            println!("  over the budget of 1 ms a post");
        }
    }
}
