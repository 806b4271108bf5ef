//! What each kind of server failure becomes: a verdict the sender can act on, and a connection
//! that is either still usable or marked broken.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use masthead_mail::{SmtpConnection, Step, Verdict, build_message, send_one};
use masthead_testkit::SmtpSink;
use std::time::Duration;

#[tokio::test]
async fn a_bad_address_is_a_hard_bounce_and_the_session_goes_on() {
    let sink = SmtpSink::start(&["--reject", "gone@reader.example=550"]);
    let mut c = SmtpConnection::open(&settings(&sink.url()), HELLO)
        .await
        .unwrap();
    let err = c.envelope(FROM, "gone@reader.example").await.unwrap_err();
    assert_eq!(
        (err.step, err.code, err.enhanced.as_deref()),
        (Step::Rcpt, Some(550), Some("5.1.1"))
    );
    assert_eq!(err.verdict(), Verdict::HardBounce, "{err}");
    assert!(!c.is_broken());
    c.reset().await.unwrap();
    c.envelope(FROM, "ann@reader.example").await.unwrap();
    let reply = c
        .data(&build_message(&digest("ann@reader.example", 2), None).unwrap())
        .await
        .unwrap();
    assert!(reply.starts_with("250"), "{reply}");
    c.quit().await;
    let got = sink.wait_for_messages(1, Duration::from_secs(10)).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].rcpt_tos, ["ann@reader.example"]);
    assert_eq!(
        sink.rcpt_log(),
        ["gone@reader.example", "ann@reader.example"]
    );
}

#[tokio::test]
async fn a_4xx_is_retry() {
    let sink = SmtpSink::start(&[
        "--reject",
        "busy@reader.example=451",
        "--fail-times",
        "later@reader.example=1",
    ]);
    let mut c = SmtpConnection::open(&settings(&sink.url()), HELLO)
        .await
        .unwrap();
    for to in ["busy@reader.example", "later@reader.example"] {
        let err = c.envelope(FROM, to).await.unwrap_err();
        assert_eq!(
            (err.step, err.code, err.verdict()),
            (Step::Rcpt, Some(451), Verdict::Retry),
            "{err}"
        );
        c.reset().await.unwrap();
    }
    // The second time, the server takes it.
    c.envelope(FROM, "later@reader.example").await.unwrap();
    c.data(&build_message(&digest("later@reader.example", 3), None).unwrap())
        .await
        .unwrap();
    c.quit().await;
}

#[tokio::test]
async fn no_reply_after_the_body_is_uncertain_and_the_connection_broken() {
    let sink = SmtpSink::start(&["--data-delay", "5"]);
    let s = settings(&sink.url()).with_timeouts(quick(Duration::from_millis(500)));
    let mut c = SmtpConnection::open(&s, HELLO).await.unwrap();
    c.envelope(FROM, "ann@reader.example").await.unwrap();
    let err = c
        .data(&build_message(&digest("ann@reader.example", 4), None).unwrap())
        .await
        .unwrap_err();
    assert_eq!(
        (err.step, err.timed_out, err.body_written),
        (Step::Data, true, true),
        "{err}"
    );
    assert_eq!(err.verdict(), Verdict::Uncertain, "{err}");
    assert!(err.to_string().contains("never confirmed"), "{err}");
    assert!(c.is_broken());
}

#[tokio::test]
async fn a_connection_dropped_after_the_body_is_uncertain() {
    let sink = SmtpSink::start(&["--drop-after-data", "ann@reader.example"]);
    let mut c = SmtpConnection::open(&settings(&sink.url()), HELLO)
        .await
        .unwrap();
    c.envelope(FROM, "ann@reader.example").await.unwrap();
    let err = c
        .data(&build_message(&digest("ann@reader.example", 5), None).unwrap())
        .await
        .unwrap_err();
    assert_eq!(
        (err.step, err.timed_out, err.verdict()),
        (Step::Data, false, Verdict::Uncertain),
        "{err}"
    );
    assert!(c.is_broken());
    // It did arrive: exactly the case the sender must not resend on its own.
    assert_eq!(
        sink.wait_for_messages(1, Duration::from_secs(10))
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn a_closed_port_is_retry_at_connect() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("smtp://127.0.0.1:{port}?tls=none");
    let m = digest("ann@reader.example", 6);
    let err = send_one(
        &settings(&url),
        HELLO,
        FROM,
        &m.to_address,
        &build_message(&m, None).unwrap(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        (err.step, err.verdict()),
        (Step::Connect, Verdict::Retry),
        "{err}"
    );
    assert!(
        err.to_string()
            .starts_with("could not connect to the SMTP server"),
        "{err}"
    );
}

#[tokio::test]
async fn a_message_sent_without_smtputf8_must_be_ascii() {
    let sink = SmtpSink::start(&[]);
    let mut c = SmtpConnection::open(&settings(&sink.url()), HELLO)
        .await
        .unwrap();
    c.envelope(FROM, "ann@reader.example").await.unwrap();
    let err = c
        .data("Subject: Café\r\n\r\nraw UTF-8\r\n".as_bytes())
        .await
        .unwrap_err();
    assert_eq!(
        (err.step, err.body_written, err.verdict()),
        (Step::Data, false, Verdict::Refused),
        "{err}"
    );
    assert!(!c.is_broken());
    c.reset().await.unwrap();
    c.quit().await;
    assert!(sink.messages().is_empty());
}
