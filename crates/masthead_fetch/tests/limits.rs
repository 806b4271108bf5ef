//! The caps hold against hostile servers: a slow drip fails at the total time limit, an
//! endless body and a gzip bomb fail at the size cap, quickly, without reading on.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::{local_policy, serve_raw};
use flate2::{Compress, Compression, FlushCompress};
use masthead_fetch::{Conditional, FetchError, FetchPolicy, Fetcher};
use tokio::io::AsyncWriteExt;

const CHUNKED_HEAD: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n";

#[tokio::test]
async fn a_slow_drip_fails_at_the_total_time_limit() {
    // One byte a second, for at most a minute (the fetch gives up long before).
    let addr = serve_raw(|mut stream| async move {
        if stream.write_all(CHUNKED_HEAD).await.is_err() {
            return;
        }
        for _ in 0..60 {
            if stream.write_all(b"1\r\nx\r\n").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    })
    .await;
    let policy = FetchPolicy {
        total_timeout: Duration::from_secs(2),
        ..local_policy()
    };
    let fetcher = Fetcher::new(policy).unwrap();
    let started = Instant::now();
    let err = fetcher
        .get(&format!("http://{addr}/drip"), &Conditional::default())
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert!(matches!(err, FetchError::TimedOut { .. }), "{err:?}");
    assert!(err.to_string().contains("took longer than 2 s"), "{err}");
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(4),
        "{took:?}"
    );
}

#[tokio::test]
async fn an_endless_body_fails_at_the_size_cap_fast() {
    // 64 KB chunks as fast as the client reads, up to 1 GB.
    let addr = serve_raw(|mut stream| async move {
        if stream.write_all(CHUNKED_HEAD).await.is_err() {
            return;
        }
        let mut chunk = b"10000\r\n".to_vec();
        chunk.extend(std::iter::repeat_n(b'a', 0x10000));
        chunk.extend_from_slice(b"\r\n");
        for _ in 0..16_384 {
            if stream.write_all(&chunk).await.is_err() {
                return;
            }
        }
    })
    .await;
    let policy = FetchPolicy {
        max_body_bytes: 1_000_000,
        ..local_policy()
    };
    let fetcher = Fetcher::new(policy).unwrap();
    let started = Instant::now();
    let err = fetcher
        .get(&format!("http://{addr}/endless"), &Conditional::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            FetchError::TooLarge {
                limit: 1_000_000,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("is larger than 1 MB"), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_declared_length_over_the_cap_fails_before_the_body() {
    let addr = serve_raw(|mut stream| async move {
        let _ = stream
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 50000000\r\n\r\nabc")
            .await;
        // Hold the connection open: the fetch must not wait for the body.
        tokio::time::sleep(Duration::from_secs(30)).await;
    })
    .await;
    let fetcher = Fetcher::new(local_policy()).unwrap();
    let started = Instant::now();
    let err = fetcher
        .get(&format!("http://{addr}/big"), &Conditional::default())
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::TooLarge { .. }), "{err:?}");
    assert!(err.to_string().contains("is larger than 10 MB"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

const BLOCK: usize = 64 * 1024;

/// A valid gzip file of `blocks` × 64 KiB of zeros, built without compressing all of
/// it: after a full flush the compressor starts afresh, so one compressed 64 KiB block
/// can be repeated. 1 GiB comes to about 1 MB.
fn gzip_bomb(blocks: usize) -> Vec<u8> {
    let zeros = vec![0u8; BLOCK];
    let mut compress = Compress::new(Compression::best(), false);
    let mut one = Vec::with_capacity(BLOCK);
    compress
        .compress_vec(&zeros, &mut one, FlushCompress::Full)
        .unwrap();
    assert_eq!(
        compress.total_in(),
        BLOCK as u64,
        "one call compresses the whole block"
    );
    let mut end = Vec::with_capacity(64);
    compress
        .compress_vec(&[], &mut end, FlushCompress::Finish)
        .unwrap();

    // The CRC of n blocks, by doubling (crc32fast's combine), so nothing hashes 1 GiB.
    let mut crc = crc32fast::Hasher::new();
    let mut power = crc32fast::Hasher::new();
    power.update(&zeros);
    let mut n = blocks;
    while n > 0 {
        if n & 1 == 1 {
            crc.combine(&power);
        }
        let twice = power.clone();
        power.combine(&twice);
        n >>= 1;
    }

    let mut out = Vec::with_capacity(10 + one.len() * blocks + end.len() + 8);
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 0xff]);
    for _ in 0..blocks {
        out.extend_from_slice(&one);
    }
    out.extend_from_slice(&end);
    out.extend_from_slice(&crc.finalize().to_le_bytes());
    // ISIZE: the length modulo 2^32.
    out.extend_from_slice(&((blocks * BLOCK) as u32).to_le_bytes());
    out
}

/// The bomb builder is honest: a small one decodes, CRC and length checked, to zeros.
#[test]
fn the_gzip_bomb_is_valid_gzip() {
    use std::io::Read;
    let small = gzip_bomb(5);
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(&small[..])
        .read_to_end(&mut decoded)
        .unwrap();
    assert_eq!(decoded.len(), 5 * BLOCK);
    assert!(decoded.iter().all(|&b| b == 0));
}

#[tokio::test]
async fn a_gzip_bomb_fails_at_the_cap_quickly() {
    // 1 GiB of zeros, about 1 MB on the wire.
    let bomb = std::sync::Arc::new(gzip_bomb(16_384));
    assert!(bomb.len() < 2_000_000, "{}", bomb.len());
    let addr = serve_raw(move |mut stream| {
        let bomb = bomb.clone();
        async move {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n\
                 Content-Encoding: gzip\r\nContent-Length: {}\r\n\r\n",
                bomb.len()
            );
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let _ = stream.write_all(&bomb).await;
        }
    })
    .await;
    // The default cap: 10 MB of the 1 GiB.
    let fetcher = Fetcher::new(local_policy()).unwrap();
    let started = Instant::now();
    let err = fetcher
        .get(&format!("http://{addr}/bomb.xml"), &Conditional::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            FetchError::TooLarge {
                limit: 10_000_000,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

/// The cap counts decompressed bytes: a small gzip body under the cap decodes whole.
#[tokio::test]
async fn a_gzip_body_under_the_cap_is_decoded() {
    let body = std::sync::Arc::new(gzip_bomb(2));
    let addr = serve_raw(move |mut stream| {
        let body = body.clone();
        async move {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(&body).await;
        }
    })
    .await;
    let fetcher = Fetcher::new(local_policy()).unwrap();
    let got = fetcher
        .get(
            &format!("http://{addr}/small.xml.gz"),
            &Conditional::default(),
        )
        .await
        .unwrap();
    assert_eq!(got.body.len(), 2 * BLOCK);
    let tight = Fetcher::new(FetchPolicy {
        max_body_bytes: (2 * BLOCK - 1) as u64,
        ..local_policy()
    })
    .unwrap();
    assert!(matches!(
        tight
            .get(
                &format!("http://{addr}/small.xml.gz"),
                &Conditional::default()
            )
            .await,
        Err(FetchError::TooLarge { .. })
    ));
}
