//! Shared fixtures for the mail tests: a newsletter message, paths of the test certificates
//! and keys, and settings for a sink.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use masthead_mail::{ListHeaders, OutgoingMessage, SmtpSettings, Timeouts};
use std::time::Duration;

pub const HELLO: &str = "gazette.example.org";
pub const FROM: &str = "bounces@gazette.example.org";
pub const UNSUBSCRIBE: &str = "https://gazette.example.org/newsletter/unsubscribe/dG9rZW4";

/// A digest for `to`, numbered `n` in its Message-ID.
pub fn digest(to: &str, n: u32) -> OutgoingMessage {
    OutgoingMessage {
        from_name: "Riverside Gazette".into(),
        from_address: "news@gazette.example.org".into(),
        to_name: "Ann Reader".into(),
        to_address: to.into(),
        subject: "Tuesday’s digest: floods, the budget & more".into(),
        text: "Good morning.\n\nThe council approved the budget — 5 votes to 2.\n.\nA line with only a dot.\n".into(),
        html: "<p>Good morning.</p>\n<p>The council approved the budget &mdash; 5 votes to 2. Café.</p>\n".into(),
        message_id: format!("s1.i{n}.ab12@gazette.example.org"),
        list: Some(ListHeaders {
            list_id: "Daily digest <daily.gazette.example.org>".into(),
            unsubscribe_url: UNSUBSCRIBE.into(),
        }),
    }
}

/// Short limits, so a test about a slow server is quick.
pub fn quick(data: Duration) -> Timeouts {
    Timeouts {
        connect: Duration::from_secs(5),
        command: Duration::from_secs(10),
        data,
    }
}

pub fn settings(url: &str) -> SmtpSettings {
    SmtpSettings::parse(url)
        .unwrap()
        .with_timeouts(quick(Duration::from_secs(20)))
}

pub fn asset(path: &str) -> String {
    format!("{}/tests/{path}", env!("CARGO_MANIFEST_DIR"))
}

/// The CA that signed the sink's certificate.
pub fn ca() -> Vec<u8> {
    std::fs::read(asset("certs/ca.pem")).unwrap()
}

/// Line ends as Python hands the decoded parts back may be CRLF or LF: compare on LF.
pub fn lf(s: &str) -> String {
    s.replace("\r\n", "\n")
}
