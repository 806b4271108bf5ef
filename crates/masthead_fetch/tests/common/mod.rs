//! Real local servers for the fetcher's tests, all on loopback port 0: an axum app, a
//! raw TCP server that answers with hand-written bytes (slow, endless or compressed
//! bodies), and a listener that only counts the connections it receives.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use masthead_fetch::FetchPolicy;
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// The default policy, as the program builds it.
pub fn policy() -> FetchPolicy {
    FetchPolicy::new("https://news.example.org")
}

/// The default policy with `allow_local` on: what `--allow-local-fetch` gives.
pub fn local_policy() -> FetchPolicy {
    FetchPolicy {
        allow_local: true,
        ..policy()
    }
}

/// Serves `app` on 127.0.0.1 and returns its address.
pub async fn serve(app: axum::Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// Serves each connection with `handler`, after reading the request's head.
pub async fn serve_raw<F, Fut>(handler: F) -> SocketAddr
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            read_head(&mut stream).await;
            tokio::spawn(handler(stream));
        }
    });
    addr
}

/// Reads up to the blank line that ends a request's head (at most 64 KB).
async fn read_head(stream: &mut TcpStream) {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") && seen.len() < 65_536 {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
}

/// A listener that accepts and drops connections, counting them.
pub struct CountingListener {
    pub addr: SocketAddr,
    accepted: watch::Receiver<usize>,
}

impl CountingListener {
    /// Binds `ip` port 0, e.g. "127.0.0.1" or "[::1]".
    pub async fn bind(ip: &str) -> CountingListener {
        let listener = TcpListener::bind(format!("{ip}:0")).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, accepted) = watch::channel(0usize);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tx.send_modify(|n| *n += 1);
                drop(stream);
            }
        });
        CountingListener { addr, accepted }
    }

    /// How many connections arrived before this call, without sleeping: connects once
    /// itself and waits for that connection to be counted; connections are accepted
    /// in order, so any earlier one has been counted by then.
    pub async fn connections_before_now(&mut self) -> usize {
        let before = *self.accepted.borrow();
        let _sentinel = TcpStream::connect(self.addr).await.unwrap();
        let counted = tokio::time::timeout(
            Duration::from_secs(10),
            self.accepted.wait_for(|n| *n > before),
        )
        .await
        .expect("the sentinel connection was never accepted");
        let total = *counted.unwrap();
        total - 1
    }
}
