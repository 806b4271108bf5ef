//! Proxy settings in the environment are ignored: with `HTTP_PROXY` and friends
//! pointing at a listener, the fetch still goes straight to the server and the
//! "proxy" receives no connection. (A proxy would connect wherever it liked, past
//! every check.) The environment is set on a child process running this same test
//! (changing this process's environment needs `unsafe` in Rust 2024): the test is the
//! parent without `MASTHEAD_FETCH_TEST_TARGET`, and the child with it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;

use common::{CountingListener, local_policy, serve};
use masthead_fetch::{Conditional, Fetcher};

const TARGET: &str = "MASTHEAD_FETCH_TEST_TARGET";

#[tokio::test]
async fn proxy_variables_in_the_environment_are_ignored() {
    if let Ok(target) = std::env::var(TARGET) {
        return fetch_in_a_proxied_environment(&target).await;
    }
    let mut proxy = CountingListener::bind("127.0.0.1").await;
    let server =
        serve(axum::Router::new().route("/feed.xml", axum::routing::get(|| async { "direct" })))
            .await;
    let proxy_url = format!("http://{}", proxy.addr);
    let exe = std::env::current_exe().unwrap();
    let mut c = Command::new(exe);
    c.args([
        "--exact",
        "proxy_variables_in_the_environment_are_ignored",
        "--nocapture",
    ])
    .env(TARGET, format!("http://{server}/feed.xml"))
    .env("NO_PROXY", "")
    .env("no_proxy", "");
    for var in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        c.env(var, &proxy_url);
    }
    // The child's server is this process's: keep this runtime free to serve it.
    let child = tokio::task::spawn_blocking(move || c.output())
        .await
        .unwrap()
        .unwrap();
    let out = String::from_utf8_lossy(&child.stdout);
    assert!(
        child.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&child.stderr)
    );
    assert!(out.contains("fetched directly"), "{out}");
    assert_eq!(proxy.connections_before_now().await, 0);
}

/// The child: the parent set the proxy variables and the target.
async fn fetch_in_a_proxied_environment(target: &str) {
    let fetcher = Fetcher::new(local_policy()).unwrap();
    let got = fetcher.get(target, &Conditional::default()).await.unwrap();
    assert_eq!(got.body, "direct".as_bytes());
    println!("fetched directly");
}
