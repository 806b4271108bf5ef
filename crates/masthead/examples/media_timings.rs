//! The figures in docs/PERFORMANCE.md ("Media on object storage"): upload time and
//! `/media/NAME` latency with images in a Garage bucket on loopback against local files, one
//! `masthead serve` each on SQLite, one request at a time. A measurement, not a test: run it
//! with `bench/media_s3.sh`, which builds the binary and this example and passes the
//! binary's path.
//!
//! usage: `media_timings MASTHEAD_BINARY [UPLOADS] [GETS]` (defaults 10 and 300)
#![allow(clippy::unwrap_used, clippy::expect_used)]

use masthead_core::Role;
use masthead_testkit::{Garage, RunningBinary, TestDb, upload_image};
use std::time::{Duration, Instant};

/// A real photo from the demo (800×450), so uploads get resized copies (320 and 640 wide).
const PHOTO: &[u8] = include_bytes!("../demo/images/gavel.jpg");

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(bin) = args.next() else {
        eprintln!("usage: media_timings MASTHEAD_BINARY [UPLOADS] [GETS]");
        std::process::exit(2);
    };
    let uploads: usize = args
        .next()
        .map_or(10, |n| n.parse().expect("UPLOADS: a number"));
    let gets: usize = args
        .next()
        .map_or(300, |n| n.parse().expect("GETS: a number"));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let garage = Garage::start();
    garage.bucket("timing");
    for (label, env) in [
        ("local files", Vec::new()),
        ("Garage (S3)", garage.media_env("timing", "")),
    ] {
        let db = runtime.block_on(TestDb::sqlite());
        let (_, token) = runtime.block_on(db.staff_with_token("ed@example.org", Role::Admin));
        let data = db.dir.path().join("data");
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let server = RunningBinary::start(
            &bin,
            &[
                "--data-dir",
                data.to_str().unwrap(),
                "--database-url",
                &db.url,
                "--base-url",
                "http://news.example.test",
            ],
            &env,
        );
        let mut upload_times = Vec::new();
        let mut names = Vec::new();
        for i in 0..uploads {
            let started = Instant::now();
            let r = upload_image(
                &server.addr,
                &token,
                "gavel.jpg",
                PHOTO,
                &format!("Photo {i}"),
            );
            upload_times.push(started.elapsed());
            assert_eq!(r.status, 201, "{}", r.body);
            let answer: serde_json::Value = serde_json::from_slice(&r.bytes).unwrap();
            names.push(answer["url"].as_str().unwrap().to_owned());
        }
        let mut get_times = Vec::new();
        let mut revalidations = Vec::new();
        for round in 0..gets {
            let path = &names[round % names.len()];
            let started = Instant::now();
            let r = server.request("GET", path, &[], b"").unwrap();
            get_times.push(started.elapsed());
            assert_eq!(r.status, 200);
            let etag = r.header("etag").unwrap().to_owned();
            let started = Instant::now();
            let r = server
                .request("GET", path, &[("If-None-Match", &etag)], b"")
                .unwrap();
            revalidations.push(started.elapsed());
            assert_eq!(r.status, 304);
        }
        println!(
            "{label}: upload median {:?} p90 {:?}; GET original median {:?} p95 {:?}; \
             304 revalidation median {:?}",
            percentile(&mut upload_times, 50),
            percentile(&mut upload_times, 90),
            percentile(&mut get_times, 50),
            percentile(&mut get_times, 95),
            percentile(&mut revalidations, 50),
        );
        server.stop();
    }
}

/// The `p`th percentile of `times` (sorting them).
fn percentile(times: &mut [Duration], p: usize) -> Duration {
    times.sort();
    times[(times.len() * p / 100).min(times.len() - 1)]
}
