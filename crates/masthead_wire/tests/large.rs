//! The performance case: a 10,000-item feed parses and normalises, every item kept.
//! (The time is measured by hand in release mode and recorded in docs/PERFORMANCE.md; a
//! test asserts only that it works.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::items;
use masthead_wire::{SourceRules, normalise, parse};
use proptest::prelude::*;

#[path = "common/big_feed.rs"]
mod big_feed;
use big_feed::big_feed;

#[test]
fn a_10000_item_feed_parses_and_normalises() {
    let doc = big_feed(10_000);
    let feed = parse(doc.as_bytes(), None).unwrap();
    assert_eq!(feed.entries.len(), 10_000);
    let out = normalise(&feed, &SourceRules::default(), "https://big.example/feed");
    let got = items(&out);
    assert_eq!(got.len(), 10_000);
    assert_eq!(got[9_999].title, "Story number 9999 & more");
    assert_eq!(
        got[9_999].lead_image.as_ref().unwrap().url,
        "https://big.example/img/9999.jpg"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn parse_never_panics_on_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        if let Ok(feed) = parse(&bytes, None) {
            let _ = normalise(&feed, &SourceRules::default(), "https://x.example/");
        }
    }

    #[test]
    fn parse_never_panics_on_feedlike_text(
        head in prop_oneof![Just("<rss version=\"2.0\"><channel>"), Just("<feed xmlns=\"http://www.w3.org/2005/Atom\">"), Just("{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":[")],
        body in "[<>/&;\"'a-z0-9 =!\\[\\]{}:,#*_-]{0,400}",
    ) {
        let doc = format!("{head}{body}");
        if let Ok(feed) = parse(doc.as_bytes(), None) {
            let _ = normalise(&feed, &SourceRules::default(), "https://x.example/");
        }
    }
}
