//! Header injection: text from readers and editors (names, subjects) never adds a header or a
//! recipient, and no input makes building a message panic (lettre panics on a CR or LF in a
//! display name unless we clean it first).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use masthead_mail::{Dkim, ListHeaders, OutgoingMessage, build_message, send_one};
use masthead_testkit::SmtpSink;
use proptest::prelude::*;
use std::time::Duration;

const EVIL: &str = "\r\nBcc: x@evil.test\r\n\r\nbody";

/// The header names in `raw`'s top-level header block (folded lines skipped).
fn header_names(raw: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(raw);
    let head = text.split("\r\n\r\n").next().unwrap_or_default();
    head.split("\r\n")
        .filter(|l| !l.starts_with([' ', '\t']))
        .map(|l| l.split(':').next().unwrap_or_default().to_ascii_lowercase())
        .collect()
}

const ALLOWED: [&str; 11] = [
    "from",
    "to",
    "subject",
    "message-id",
    "list-id",
    "list-unsubscribe",
    "list-unsubscribe-post",
    "mime-version",
    "date",
    "content-type",
    "dkim-signature",
];

#[tokio::test]
async fn crlf_in_a_subject_or_name_adds_no_header_and_no_recipient() {
    let sink = SmtpSink::start(&[]);
    let mut m = digest("ann@reader.example", 1);
    m.subject = format!("Budget news{EVIL}");
    m.from_name = format!("Gazette{EVIL}");
    m.to_name = "Ann\nBcc: y@evil.test\r".to_owned();
    let raw = build_message(&m, None).unwrap();
    for name in header_names(&raw) {
        assert!(
            ALLOWED.contains(&name.as_str()),
            "unexpected header {name:?} in\n{}",
            String::from_utf8_lossy(&raw)
        );
    }
    send_one(&settings(&sink.url()), HELLO, FROM, &m.to_address, &raw)
        .await
        .unwrap();
    let got = sink.wait_for_messages(1, Duration::from_secs(10)).await;
    assert_eq!(got[0].rcpt_tos, ["ann@reader.example"]);
    assert_eq!(sink.rcpt_log(), ["ann@reader.example"]);
    assert!(
        !got[0]
            .header_names
            .iter()
            .any(|h| h.eq_ignore_ascii_case("bcc")),
        "{:?}",
        got[0].header_names
    );
    assert_eq!(
        got[0].headers["Subject"],
        "Budget news Bcc: x@evil.test body"
    );
    assert_eq!(
        got[0].headers["To"],
        "\"Ann Bcc: y@evil.test\" <ann@reader.example>"
    );
}

#[test]
fn values_we_write_ourselves_are_refused_when_malformed() {
    let base = digest("ann@reader.example", 1);
    let list = |list_id: &str, url: &str| {
        Some(ListHeaders {
            list_id: list_id.into(),
            unsubscribe_url: url.into(),
        })
    };
    let cases = [
        OutgoingMessage {
            message_id: format!("a@b{EVIL}"),
            ..base.clone()
        },
        OutgoingMessage {
            message_id: "<a@b>".into(),
            ..base.clone()
        },
        OutgoingMessage {
            to_address: format!("a@b.test{EVIL}"),
            ..base.clone()
        },
        OutgoingMessage {
            list: list(&format!("News <x.example>{EVIL}"), UNSUBSCRIBE),
            ..base.clone()
        },
        OutgoingMessage {
            list: list("News <x.example>", "mailto:leave@gazette.example.org"),
            ..base.clone()
        },
        OutgoingMessage {
            list: list(
                "News <x.example>",
                "https://x.example/u\r\nBcc: x@evil.test",
            ),
            ..base.clone()
        },
    ];
    for m in cases {
        let result = build_message(&m, None);
        match result {
            Err(e) => assert!(!e.is_empty()),
            Ok(raw) => panic!("built {:?}", String::from_utf8_lossy(&raw)),
        }
    }
}

/// Text with the characters an attacker reaches for, mixed with anything at all.
fn hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\r\n".to_owned()),
        Just("\n".to_owned()),
        Just("\r".to_owned()),
        Just("Bcc: x@evil.test".to_owned()),
        Just("\"<>,;:\\".to_owned()),
        Just("=?utf-8?q?x?=".to_owned()),
        "[\\x00-\\x1f\\x7f ]{1,4}",
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..6).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]
    #[test]
    fn no_name_or_subject_panics_or_adds_a_header(
        from_name in hostile(), to_name in hostile(), subject in hostile(), list_name in hostile(),
        text in any::<String>(), html in hostile(),
    ) {
        let dkim = Dkim::load("gazette.example.org", "test", &std::fs::read_to_string(asset("keys/ed25519.pem")).unwrap()).unwrap();
        let mut m = digest("ann@reader.example", 1);
        m.from_name = from_name;
        m.to_name = to_name;
        m.subject = subject;
        m.text = text;
        m.html = html;
        if let Some(list) = &mut m.list {
            list.list_id = format!("{list_name} <daily.gazette.example.org>");
        }
        let raw = build_message(&m, Some(&dkim)).unwrap();
        for name in header_names(&raw) {
            prop_assert!(ALLOWED.contains(&name.as_str()), "unexpected header {:?}", name);
        }
    }
}

/// A site still on http (in development) gets the plain RFC 2369 link, never the one-click
/// header, which RFC 8058 allows for https only.
#[test]
fn an_http_unsubscribe_link_is_not_a_one_click_target() {
    let m = OutgoingMessage {
        list: Some(masthead_mail::ListHeaders {
            list_id: "News <x.example>".into(),
            unsubscribe_url: "http://gazette.example.org/u".into(),
        }),
        ..digest("ann@reader.example", 1)
    };
    let raw = String::from_utf8(build_message(&m, None).unwrap()).unwrap();
    assert!(raw.contains("List-Unsubscribe: <http://gazette.example.org/u>"));
    assert!(!raw.contains("List-Unsubscribe-Post"));
}
