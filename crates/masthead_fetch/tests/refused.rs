//! The default policy refuses local addresses before any connection: a listener on
//! each refused address must receive no connection at all.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{CountingListener, policy};
use masthead_fetch::{AddressClass, Conditional, FetchError, Fetcher};

async fn refused(fetcher: &Fetcher, url: &str) -> masthead_fetch::Refusal {
    match fetcher.get(url, &Conditional::default()).await {
        Err(FetchError::Refused(r)) => r,
        other => panic!("{url}: expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn default_policy_refuses_loopback_and_the_listener_gets_no_connection() {
    let mut listener = CountingListener::bind("127.0.0.1").await;
    let port = listener.addr.port();
    let fetcher = Fetcher::new(policy()).unwrap();

    for url in [
        format!("http://127.0.0.1:{port}/feed.xml"),
        format!("http://127.9.9.9:{port}/"),
        // Decimal, hex and short spellings: the url crate turns them into 127.0.0.1.
        format!("http://2130706433:{port}/"),
        format!("http://0x7f.1:{port}/"),
        format!("http://[::ffff:127.0.0.1]:{port}/"),
        format!("http://0.0.0.0:{port}/"),
    ] {
        let r = refused(&fetcher, &url).await;
        assert!(r.literal, "{url}");
        assert!(
            matches!(r.class, AddressClass::Loopback | AddressClass::Unspecified),
            "{url}: {:?}",
            r.class
        );
    }

    // A name goes through the guarded resolver instead of the literal check.
    let r = refused(&fetcher, &format!("http://localhost:{port}/feed.xml")).await;
    assert_eq!(r.class, AddressClass::Loopback);
    assert!(!r.literal);
    let message = FetchError::Refused(r).to_string();
    assert!(message.starts_with("localhost resolves to "), "{message}");
    assert!(
        message.ends_with(
            "a loopback address: masthead does not fetch from this machine \
             (an operator can allow it with --allow-local-fetch)"
        ),
        "{message}"
    );

    assert_eq!(listener.connections_before_now().await, 0);
}

#[tokio::test]
async fn default_policy_refuses_ipv6_loopback_and_the_listener_gets_no_connection() {
    let mut listener = CountingListener::bind("[::1]").await;
    let port = listener.addr.port();
    let fetcher = Fetcher::new(policy()).unwrap();
    for url in [
        format!("http://[::1]:{port}/"),
        format!("https://[0:0:0:0:0:0:0:1]:{port}/"),
    ] {
        let r = refused(&fetcher, &url).await;
        assert_eq!(r.class, AddressClass::Loopback, "{url}");
        assert_eq!(r.host, "[::1]");
    }
    assert_eq!(listener.connections_before_now().await, 0);
}

#[tokio::test]
async fn link_local_stays_refused_with_allow_local() {
    let fetcher = Fetcher::new(common::local_policy()).unwrap();
    let r = refused(&fetcher, "http://169.254.169.254/latest/meta-data/").await;
    assert_eq!(r.class, AddressClass::LinkLocal);
    assert!(
        FetchError::Refused(r)
            .to_string()
            .ends_with("(not even with --allow-local-fetch)")
    );
}

#[tokio::test]
async fn only_http_and_https_are_fetched() {
    let fetcher = Fetcher::new(common::local_policy()).unwrap();
    for url in [
        "ftp://127.0.0.1/feed.xml",
        "file:///etc/passwd",
        "gopher://127.0.0.1:70/",
        "data:text/plain,hello",
    ] {
        match fetcher.get(url, &Conditional::default()).await {
            Err(e @ FetchError::Scheme { .. }) => {
                assert!(
                    e.to_string().contains("fetches only http: and https:"),
                    "{e}"
                );
            }
            other => panic!("{url}: expected a scheme error, got {other:?}"),
        }
    }
    assert!(matches!(
        fetcher.get("not a url", &Conditional::default()).await,
        Err(FetchError::BadUrl { .. })
    ));
}
