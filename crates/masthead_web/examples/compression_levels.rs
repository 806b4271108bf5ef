//! Size and time of each brotli quality and gzip level on saved pages, the measurement behind
//! the levels `compress.rs` uses (`docs/PERFORMANCE.md`, "Compression").
//!
//! usage: cargo run --release -p masthead_web --example compression_levels -- PAGE.html...
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::time::Instant;

fn main() {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        eprintln!("usage: compression_levels PAGE.html...");
        std::process::exit(2);
    }
    println!("| page | bytes | coding | level | bytes out | ms per page |");
    println!("| --- | ---: | --- | ---: | ---: | ---: |");
    for file in files {
        let body = std::fs::read(&file).expect("a readable page");
        let name = std::path::Path::new(&file)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for quality in [4u32, 5, 6, 9, 11] {
            let (size, ms) = timed(|| {
                let mut out = Vec::new();
                {
                    let mut w = brotli::CompressorWriter::new(&mut out, 4096, quality, 22);
                    w.write_all(&body).unwrap();
                    w.flush().unwrap();
                }
                out.len()
            });
            println!(
                "| {name} | {} | br | {quality} | {size} | {ms:.2} |",
                body.len()
            );
        }
        for level in [1u32, 6, 9] {
            let (size, ms) = timed(|| {
                let mut e =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
                e.write_all(&body).unwrap();
                e.finish().unwrap().len()
            });
            println!(
                "| {name} | {} | gzip | {level} | {size} | {ms:.2} |",
                body.len()
            );
        }
    }
}

/// The result of `f` and its median time in milliseconds over 21 runs.
fn timed(f: impl Fn() -> usize) -> (usize, f64) {
    let mut times = Vec::new();
    let mut size = 0;
    for _ in 0..21 {
        let start = Instant::now();
        size = f();
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    (size, times[times.len() / 2])
}
