//! Unit tests for `SmtpSettings::parse` and its printing.

use super::*;

#[test]
fn smtp_means_starttls_on_587() {
    let s = SmtpSettings::parse("smtp://news:secret@mail.example.org").unwrap();
    assert_eq!(
        (s.host.as_str(), s.port, s.security),
        ("mail.example.org", 587, Security::StartTls)
    );
    assert_eq!(s.credentials(), Some(("news", "secret")));
    assert_eq!(s.timeouts, Timeouts::default());
    let s = SmtpSettings::parse("smtp://news:secret@mail.example.org:2525").unwrap();
    assert_eq!(s.port, 2525);
}

#[test]
fn smtps_means_implicit_tls_on_465() {
    let s = SmtpSettings::parse("smtps://news:secret@mail.example.org").unwrap();
    assert_eq!((s.port, s.security), (465, Security::Implicit));
}

#[test]
fn plaintext_only_to_loopback() {
    for url in [
        "smtp://127.0.0.1:2525?tls=none",
        "smtp://127.9.9.9:25?tls=none",
        "smtp://[::1]:25?tls=none",
        "smtp://LocalHost:25?tls=none",
    ] {
        assert_eq!(
            SmtpSettings::parse(url).unwrap().security,
            Security::Plain,
            "{url}"
        );
    }
    let err = SmtpSettings::parse("smtp://u:p@mail.example.org:25?tls=none").unwrap_err();
    assert!(
        err.contains("not this machine") && err.contains("remove ?tls=none"),
        "{err}"
    );
    assert!(SmtpSettings::parse("smtp://10.0.0.1:25?tls=none").is_err());
    assert!(SmtpSettings::parse("smtps://127.0.0.1:25?tls=none").is_err());
    assert!(SmtpSettings::parse("smtp://127.0.0.1:25?tls=maybe").is_err());
}

#[test]
fn other_mistakes_name_the_fix() {
    for url in [
        "http://u:p@host",
        "smtp://",
        "not a url",
        "smtp://u@host",
        "smtp://:p@host",
        "smtp://u:p@host/path",
    ] {
        let err = SmtpSettings::parse(url).unwrap_err();
        assert!(err.contains("smtp"), "{url}: {err}");
    }
}

#[test]
fn user_and_password_are_percent_decoded() {
    let s = SmtpSettings::parse("smtp://news%40example.org:p%40ss%3Aw%2Fd%25@mail.example.org")
        .unwrap();
    assert_eq!(s.credentials(), Some(("news@example.org", "p@ss:w/d%")));
    assert_eq!(
        s.to_string(),
        "smtp://news%40example.org@mail.example.org:587"
    );
}

#[test]
fn the_password_is_never_printed() {
    let s = SmtpSettings::parse("smtps://news:Hunter2%21@mail.example.org").unwrap();
    let shown = format!("{s} {s:?} {s:#?}");
    assert!(!shown.contains("Hunter2"), "{shown}");
    assert_eq!(s.to_string(), "smtps://news@mail.example.org:465");
    let plain = SmtpSettings::parse("smtp://[::1]:2525?tls=none").unwrap();
    assert_eq!(plain.to_string(), "smtp://[::1]:2525?tls=none");
    let err = SmtpSettings::parse("smtp://news:Hunter2@mail.example.org?tls=none").unwrap_err();
    assert!(!err.contains("Hunter2"), "{err}");
}

#[test]
fn root_certificate_must_be_pem() {
    let s = SmtpSettings::parse("smtp://u:p@localhost").unwrap();
    assert!(
        s.clone()
            .with_root_certificate(b"not a certificate")
            .is_err()
    );
    let pem = include_bytes!("../tests/certs/ca.pem");
    assert!(
        s.with_root_certificate(pem)
            .unwrap()
            .root_certificate()
            .is_some()
    );
}
