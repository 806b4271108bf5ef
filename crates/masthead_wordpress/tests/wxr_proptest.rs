//! Property tests: the reader never panics and always ends, on random bytes (in UTF-8 or
//! a declared encoding), on mutated and cut-off copies of a real export and on random
//! WXR-shaped markup; a cut-off export never reads as complete; text split into any CDATA
//! and escaped pieces joins back exactly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod wxr_common;
use wxr_common::{export_with, fixture, item_xml, items, read_all};

use masthead_wordpress::wxr::{Record, WxrError, WxrLimits, WxrReader};
use proptest::prelude::*;

/// Reads `bytes` to the end: the records and the error, if any. Panics if the reader goes
/// on after an error, or yields more records than the input has bytes (it would never end).
fn drain(bytes: &[u8], limits: WxrLimits) -> (usize, Option<WxrError>) {
    let mut reader = WxrReader::new(bytes, limits);
    let mut records = 0usize;
    let mut error = None;
    for result in reader.by_ref() {
        match result {
            Ok(_) => records += 1,
            Err(e) => {
                // Every error renders, and says something.
                assert!(e.to_string().len() > 20);
                error = Some(e);
                break;
            }
        }
        assert!(records <= bytes.len() + 1, "records without end");
    }
    assert!(reader.next().is_none(), "the reader went on after it ended");
    assert!(reader.bytes_read() <= bytes.len() as u64);
    (records, error)
}

fn small_limits() -> WxrLimits {
    WxrLimits {
        max_field_bytes: 4096,
        max_item_bytes: 16 * 1024,
        max_comments_per_item: 8,
        max_meta_per_item: 8,
        max_terms_per_item: 8,
        max_depth: 12,
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Delete(usize, usize),
    Insert(usize, Vec<u8>),
    Duplicate(usize, usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Mutation::Flip(at, b)),
        (any::<usize>(), 1usize..64).prop_map(|(at, n)| Mutation::Delete(at, n)),
        (
            any::<usize>(),
            proptest::collection::vec(any::<u8>(), 1..16)
        )
            .prop_map(|(at, b)| Mutation::Insert(at, b)),
        (any::<usize>(), 1usize..400, any::<usize>())
            .prop_map(|(from, n, to)| Mutation::Duplicate(from, n, to)),
    ]
}

fn apply(bytes: &mut Vec<u8>, mutation: &Mutation) {
    let len = bytes.len();
    match mutation {
        Mutation::Flip(at, b) => bytes[at % len] = *b,
        Mutation::Delete(at, n) => {
            let at = at % len;
            let end = (at + n).min(len);
            bytes.drain(at..end);
        }
        Mutation::Insert(at, new) => {
            let at = at % (len + 1);
            bytes.splice(at..at, new.iter().copied());
        }
        Mutation::Duplicate(from, n, to) => {
            let from = from % len;
            let slice = bytes[from..(from + n).min(len)].to_vec();
            let to = to % (len + 1);
            bytes.splice(to..to, slice);
        }
    }
}

/// Markup that looks like WXR, in any order.
fn wxr_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("<item>".to_owned()),
        Just("</item>".to_owned()),
        Just("<wp:post_id>".to_owned()),
        Just("</wp:post_id>".to_owned()),
        Just("<wp:comment>".to_owned()),
        Just("</wp:comment>".to_owned()),
        Just("<wp:postmeta><wp:meta_key>k</wp:meta_key>".to_owned()),
        Just("</wp:postmeta>".to_owned()),
        Just("<title>".to_owned()),
        Just("</title>".to_owned()),
        Just("<category domain=\"post_tag\" nicename=\"a&amp;b\">".to_owned()),
        Just("</category>".to_owned()),
        Just("<![CDATA[".to_owned()),
        Just("]]>".to_owned()),
        Just("<wp:author>".to_owned()),
        Just("</wp:author>".to_owned()),
        Just("<!DOCTYPE x>".to_owned()),
        Just("&amp;".to_owned()),
        Just("&#x1F4F0;".to_owned()),
        Just("&bogus;".to_owned()),
        "[a-z0-9 <>&;/\\]\\[!]{0,12}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        drain(&bytes, WxrLimits::default());
        drain(&bytes, small_limits());
    }

    #[test]
    fn random_bytes_after_a_real_header_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let mut bytes = export_with("").into_bytes();
        let at = bytes.windows(10).position(|w| w == b"</channel>").unwrap();
        bytes.truncate(at);
        bytes.extend_from_slice(&tail);
        drain(&bytes, small_limits());
    }

    #[test]
    fn random_bytes_in_a_declared_encoding_never_panic(
        encoding in prop_oneof![
            Just("ISO-8859-1"), Just("ISO-8859-8"), Just("Shift_JIS"), Just("EUC-KR"),
            Just("windows-1251"), Just("UTF-16"), Just("x-klingon"), Just("utf-8"),
        ],
        tail in proptest::collection::vec(any::<u8>(), 0..2048),
    ) {
        let mut bytes = format!("<?xml version=\"1.0\" encoding=\"{encoding}\"?>\n").into_bytes();
        bytes.extend_from_slice(
            export_with(&item_xml(1, "x", "")).split_once("?>").unwrap().1.as_bytes(),
        );
        let at = bytes.len() / 2;
        bytes.splice(at..at, tail);
        drain(&bytes, small_limits());
    }

    #[test]
    fn mutated_exports_never_panic(mutations in proptest::collection::vec(mutation(), 1..6)) {
        let mut bytes = fixture("newsroom_6x.xml");
        for m in &mutations {
            apply(&mut bytes, m);
        }
        drain(&bytes, WxrLimits::default());
        drain(&bytes, small_limits());
    }

    #[test]
    fn wxr_shaped_markup_never_panics(pieces in proptest::collection::vec(wxr_piece(), 0..60)) {
        let xml = export_with(&pieces.concat());
        drain(xml.as_bytes(), small_limits());
        let bare = format!("<rss><channel>{}", pieces.concat());
        drain(bare.as_bytes(), small_limits());
    }

    #[test]
    fn a_cut_off_export_never_reads_as_complete(at in any::<usize>()) {
        let whole = fixture("newsroom_6x.xml");
        let end = whole.windows(6).rposition(|w| w == b"</rss>").unwrap() + 6;
        let cut = &whole[..at % end];
        let (records, error) = drain(cut, WxrLimits::default());
        prop_assert!(error.is_some(), "cut at {} read whole ({records} records)", at % end);
    }

    #[test]
    fn text_split_into_cdata_and_escaped_pieces_joins_back_exactly(
        text in prop_oneof!["[\\]\\[>a&<é🏫\n ]{0,40}", "[^\r\u{0}]{0,80}"],
        cuts in proptest::collection::vec(any::<usize>(), 0..6),
        escaped in proptest::collection::vec(any::<bool>(), 6),
    ) {
        // Cut the text at char boundaries into pieces, and write each piece as WordPress
        // would (CDATA with `]]>` split) or as escaped text.
        let chars: Vec<char> = text.chars().collect();
        let mut points: Vec<usize> = cuts.iter().map(|c| c % (chars.len() + 1)).collect();
        points.push(0);
        points.push(chars.len());
        points.sort_unstable();
        let mut field = String::new();
        for (i, pair) in points.windows(2).enumerate() {
            let piece: String = chars[pair[0]..pair[1]].iter().collect();
            if escaped[i % escaped.len()] {
                field.push_str(&piece.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;"));
            } else {
                field.push_str("<![CDATA[");
                field.push_str(&piece.replace("]]>", "]]]]><![CDATA[>"));
                field.push_str("]]>");
            }
        }
        let xml = export_with(&item_xml(1, "t", &format!(
            "<wp:postmeta><wp:meta_key>k</wp:meta_key><wp:meta_value>{field}</wp:meta_value></wp:postmeta>"
        )));
        let records = read_all(xml.as_bytes()).unwrap();
        prop_assert_eq!(items(&records)[0].meta("k"), Some(text.as_str()));
        prop_assert!(matches!(records[0], Record::Site(_)));
    }
}
