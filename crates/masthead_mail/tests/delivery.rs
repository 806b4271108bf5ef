//! A message built by `build_message` reaches a real SMTP server (aiosmtpd on loopback) with
//! every header and both parts intact, as Python's email parser reads them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use masthead_mail::{SmtpConnection, build_message, send_one};
use masthead_testkit::SmtpSink;
use std::time::Duration;

#[tokio::test]
async fn a_digest_arrives_with_its_headers_and_parts() {
    let sink = SmtpSink::start(&[]);
    let m = digest("ann@reader.example", 1);
    let raw = build_message(&m, None).unwrap();
    let reply = send_one(&settings(&sink.url()), HELLO, FROM, &m.to_address, &raw)
        .await
        .unwrap();
    assert!(reply.starts_with("250 OK queued as"), "{reply}");

    let got = sink.wait_for_messages(1, Duration::from_secs(10)).await;
    let got = &got[0];
    assert_eq!(got.mail_from, FROM);
    assert_eq!(got.rcpt_tos, ["ann@reader.example"]);
    let h = &got.headers;
    assert_eq!(h["From"], "Riverside Gazette <news@gazette.example.org>");
    assert_eq!(h["To"], "Ann Reader <ann@reader.example>");
    assert_eq!(h["Subject"], m.subject);
    assert_eq!(h["Message-ID"], "<s1.i1.ab12@gazette.example.org>");
    assert_eq!(h["List-Id"], "Daily digest <daily.gazette.example.org>");
    assert_eq!(h["List-Unsubscribe"], format!("<{UNSUBSCRIBE}>"));
    assert_eq!(h["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click");
    assert!(h.contains_key("Date"), "{h:?}");
    assert!(
        h["Content-Type"].starts_with("multipart/alternative"),
        "{h:?}"
    );
    assert_eq!(lf(got.text.as_deref().unwrap()), m.text);
    assert_eq!(lf(got.html.as_deref().unwrap()), m.html);
    // What the server stored is what we built (dot-stuffing undone; lettre's end-of-data
    // adds one empty line, which DKIM's body canonicalisation ignores).
    let stored = String::from_utf8(got.raw.clone()).unwrap();
    assert_eq!(
        stored.trim_end(),
        String::from_utf8(raw).unwrap().trim_end()
    );
}

#[tokio::test]
async fn one_connection_carries_many_messages() {
    let sink = SmtpSink::start(&[]);
    let mut c = SmtpConnection::open(&settings(&sink.url()), HELLO)
        .await
        .unwrap();
    for n in 0..5 {
        let to = format!("reader{n}@reader.example");
        c.envelope(FROM, &to).await.unwrap();
        c.data(&build_message(&digest(&to, n), None).unwrap())
            .await
            .unwrap();
    }
    assert!(!c.is_broken());
    c.quit().await;
    let got = sink.wait_for_messages(5, Duration::from_secs(10)).await;
    let to: Vec<&str> = got.iter().map(|m| m.rcpt_tos[0].as_str()).collect();
    assert_eq!(
        to,
        [
            "reader0@reader.example",
            "reader1@reader.example",
            "reader2@reader.example",
            "reader3@reader.example",
            "reader4@reader.example"
        ]
    );
}

#[tokio::test]
async fn an_internationalised_address_goes_through_with_smtputf8() {
    let sink = SmtpSink::start(&[]);
    let to = "jürgen@bücher.example";
    let mut m = digest(to, 2);
    m.to_name = "Jürgen Müller".into();
    let raw = build_message(&m, None).unwrap();
    send_one(&settings(&sink.url()), HELLO, FROM, to, &raw)
        .await
        .unwrap();
    let got = sink.wait_for_messages(1, Duration::from_secs(10)).await;
    assert_eq!(got[0].rcpt_tos, [to]);
    assert!(
        got[0].mail_options.iter().any(|o| o == "SMTPUTF8"),
        "{:?}",
        got[0].mail_options
    );
    assert!(got[0].headers["To"].contains(to), "{:?}", got[0].headers);
    assert_eq!(lf(got[0].text.as_deref().unwrap()), m.text);
}
