//! STARTTLS, implicit TLS and AUTH against a real server with its own test CA; a refused
//! login, an untrusted certificate and a server without STARTTLS are errors at the right
//! step, and nothing goes out in the clear.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use masthead_mail::{SmtpConnection, Step, Verdict, build_message, send_one};
use masthead_testkit::SmtpSink;
use std::time::Duration;

fn tls_sink(extra: &[&str]) -> SmtpSink {
    let (cert, key) = (asset("certs/server.pem"), asset("certs/server.key"));
    let mut args = vec![
        "--cert",
        cert.as_str(),
        "--key",
        key.as_str(),
        "--auth",
        "news@gazette:p@ss w:rd",
    ];
    args.extend_from_slice(extra);
    SmtpSink::start(&args)
}

#[tokio::test]
async fn starttls_and_auth_with_a_percent_encoded_password() {
    let sink = tls_sink(&[]);
    let url = format!(
        "smtp://news%40gazette:p%40ss%20w%3Ard@localhost:{}",
        sink.port()
    );
    let s = settings(&url).with_root_certificate(&ca()).unwrap();
    let m = digest("ann@reader.example", 1);
    send_one(
        &s,
        HELLO,
        FROM,
        &m.to_address,
        &build_message(&m, None).unwrap(),
    )
    .await
    .unwrap();
    let got = sink.wait_for_messages(1, Duration::from_secs(10)).await;
    assert!(got[0].tls && got[0].authenticated, "{:?}", got[0]);
}

#[tokio::test]
async fn implicit_tls_with_smtps() {
    let sink = tls_sink(&["--implicit-tls"]);
    // 127.0.0.1 checks the certificate's IP address name.
    let url = format!(
        "smtps://news%40gazette:p%40ss%20w%3Ard@127.0.0.1:{}",
        sink.port()
    );
    let s = settings(&url).with_root_certificate(&ca()).unwrap();
    let mut c = SmtpConnection::open(&s, HELLO).await.unwrap();
    for n in 0..3 {
        c.envelope(FROM, "ann@reader.example").await.unwrap();
        c.data(&build_message(&digest("ann@reader.example", n), None).unwrap())
            .await
            .unwrap();
    }
    c.quit().await;
    let got = sink.wait_for_messages(3, Duration::from_secs(10)).await;
    assert!(got.iter().all(|m| m.tls && m.authenticated));
}

#[tokio::test]
async fn a_wrong_password_is_a_server_problem_at_auth() {
    let sink = tls_sink(&[]);
    let url = format!("smtp://news%40gazette:wrong@localhost:{}", sink.port());
    let s = settings(&url).with_root_certificate(&ca()).unwrap();
    let err = SmtpConnection::open(&s, HELLO)
        .await
        .expect_err("the login is refused");
    assert_eq!(
        (err.step, err.code, err.verdict()),
        (Step::Auth, Some(535), Verdict::ServerProblem),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("check the user and password in smtp_url"),
        "{err}"
    );
    assert!(!err.to_string().contains("wrong"), "{err}");
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused() {
    let sink = tls_sink(&[]);
    let url = format!(
        "smtp://news%40gazette:p%40ss%20w%3Ard@localhost:{}",
        sink.port()
    );
    let err = SmtpConnection::open(&settings(&url), HELLO)
        .await
        .expect_err("the test CA is not trusted");
    assert_eq!(
        (err.step, err.verdict()),
        (Step::Tls, Verdict::ServerProblem),
        "{err}"
    );
    assert!(sink.rcpt_log().is_empty());
}

#[tokio::test]
async fn no_starttls_means_nothing_is_sent() {
    let sink = SmtpSink::start(&[]);
    let url = format!("smtp://news:secret@127.0.0.1:{}", sink.port());
    let m = digest("ann@reader.example", 1);
    let err = send_one(
        &settings(&url),
        HELLO,
        FROM,
        &m.to_address,
        &build_message(&m, None).unwrap(),
    )
    .await
    .expect_err("a server without STARTTLS is refused");
    assert_eq!(
        (err.step, err.verdict()),
        (Step::Tls, Verdict::ServerProblem),
        "{err}"
    );
    assert!(err.to_string().contains("STARTTLS"), "{err}");
    assert!(sink.rcpt_log().is_empty());
    assert!(sink.messages().is_empty());
}
