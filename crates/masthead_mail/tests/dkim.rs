//! DKIM signatures checked by dkimpy, a verifier that is not ours: each key format we accept,
//! the list headers covered (an altered List-Unsubscribe fails), and a signature that survives
//! the trip through a real SMTP server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use masthead_mail::{Dkim, build_message, send_one};
use masthead_testkit::SmtpSink;
use std::time::Duration;

fn key(name: &str) -> (Dkim, String) {
    let pem = std::fs::read_to_string(asset(&format!("keys/{name}.pem"))).unwrap();
    let txt = std::fs::read_to_string(asset(&format!("keys/{name}.txt"))).unwrap();
    (
        Dkim::load("gazette.example.org", "mh2026", &pem).unwrap(),
        txt,
    )
}

fn altered(raw: &[u8]) -> Vec<u8> {
    let text = String::from_utf8(raw.to_vec()).unwrap();
    assert!(text.contains(UNSUBSCRIBE));
    text.replace(UNSUBSCRIBE, "https://evil.example/unsubscribe")
        .into_bytes()
}

#[test]
fn every_accepted_key_format_verifies_and_covers_list_unsubscribe() {
    for (name, algorithm) in [
        ("rsa_pkcs1", "rsa-sha256"),
        ("rsa_pkcs8", "rsa-sha256"),
        ("ed25519", "ed25519-sha256"),
    ] {
        let (dkim, txt) = key(name);
        assert_eq!(dkim.algorithm(), algorithm);
        let raw = build_message(&digest("ann@reader.example", 1), Some(&dkim)).unwrap();
        let unfolded = String::from_utf8_lossy(&raw)
            .replace("\r\n ", " ")
            .replace("\r\n\t", " ");
        let signature = unfolded
            .lines()
            .find(|l| l.starts_with("DKIM-Signature"))
            .unwrap()
            .to_owned();
        assert!(
            signature.contains(&format!("a={algorithm}"))
                && signature.contains("c=relaxed/relaxed"),
            "{signature}"
        );
        assert!(
            SmtpSink::verify_dkim(&raw, &txt),
            "{name}: dkimpy refused our signature"
        );
        assert!(
            !SmtpSink::verify_dkim(&altered(&raw), &txt),
            "{name}: an altered List-Unsubscribe still verified"
        );
    }
}

#[test]
fn the_signature_names_the_list_headers() {
    let (dkim, _) = key("ed25519");
    let raw =
        String::from_utf8(build_message(&digest("ann@reader.example", 1), Some(&dkim)).unwrap())
            .unwrap();
    let unfolded = raw.replace("\r\n ", " ").replace("\r\n\t", " ");
    let h = unfolded
        .lines()
        .find(|l| l.starts_with("DKIM-Signature"))
        .unwrap()
        .split("h=")
        .nth(1)
        .unwrap();
    let h: String = h
        .split(';')
        .next()
        .unwrap()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert_eq!(
        h,
        "from:to:subject:date:message-id:list-id:list-unsubscribe:list-unsubscribe-post"
    );
}

#[test]
fn a_confirmation_mail_without_list_headers_verifies() {
    let (dkim, txt) = key("rsa_pkcs8");
    let mut m = digest("ann@reader.example", 1);
    m.list = None;
    let raw = build_message(&m, Some(&dkim)).unwrap();
    assert!(SmtpSink::verify_dkim(&raw, &txt));
}

#[tokio::test]
async fn the_signature_survives_a_real_server() {
    let sink = SmtpSink::start(&[]);
    let (dkim, txt) = key("rsa_pkcs1");
    let m = digest("ann@reader.example", 1);
    let raw = build_message(&m, Some(&dkim)).unwrap();
    send_one(&settings(&sink.url()), HELLO, FROM, &m.to_address, &raw)
        .await
        .unwrap();
    let got = sink.wait_for_messages(1, Duration::from_secs(10)).await;
    assert!(SmtpSink::verify_dkim(&got[0].raw, &txt));
}

#[test]
fn unusable_keys_name_the_accepted_formats() {
    let ec = std::fs::read_to_string(asset("certs/server.key")).unwrap();
    for pem in [
        "",
        "not a key",
        "-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----",
        ec.as_str(),
    ] {
        let err = Dkim::load("gazette.example.org", "mh2026", pem).unwrap_err();
        assert!(err.contains("PKCS#1") && err.contains("Ed25519"), "{err}");
    }
    let pem = std::fs::read_to_string(asset("keys/ed25519.pem")).unwrap();
    assert!(
        Dkim::load("gazette example", "mh2026", &pem)
            .unwrap_err()
            .contains("domain")
    );
    assert!(
        Dkim::load("gazette.example.org", "a;b", &pem)
            .unwrap_err()
            .contains("selector")
    );
    assert!(
        !format!(
            "{:?}",
            Dkim::load("gazette.example.org", "mh2026", &pem).unwrap()
        )
        .contains("PRIVATE")
    );
}
