//! Hostile exports: a DOCTYPE (the billion-laughs entity bomb, an external entity reading
//! /etc/passwd) is refused before anything it declares is expanded, and every limit of
//! `WxrLimits` stops the read with an error naming the item and the limit.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod wxr_common;
use wxr_common::{error_with, export_with, item_xml, read_until_error};

use std::io::{BufReader, Cursor, Read};

use masthead_wordpress::wxr::{ItemRef, LimitKind, Place, WxrError, WxrLimits, WxrReader};

const BILLION_LAUGHS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE rss [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>&lol9;</title><wp:wxr_version>1.2</wp:wxr_version>
<item><title>&lol9;</title><content:encoded>&lol9;&lol9;&lol9;</content:encoded><wp:post_id>1</wp:post_id></item>
</channel></rss>"#;

const EXTERNAL_ENTITY: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE rss [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Leak &xxe;</title><wp:wxr_version>1.2</wp:wxr_version>
<item><title>&xxe;</title><wp:post_id>1</wp:post_id></item>
</channel></rss>"#;

/// Reads `document` and expects a DOCTYPE refusal with nothing yielded and nothing read
/// past the DOCTYPE's closing `]>`.
fn refused_at_doctype(document: &str) -> WxrError {
    let mut reader = WxrReader::new(document.as_bytes(), WxrLimits::default());
    let first = reader.next().unwrap();
    let error = first.unwrap_err();
    let doctype_at = document.find("<!DOCTYPE").unwrap() as u64;
    let doctype_end = document.find("]>").unwrap() as u64 + 2;
    assert!(
        matches!(error, WxrError::Doctype { offset } if offset == doctype_at),
        "{error:?}"
    );
    // The reader stopped at the DOCTYPE: no element, no entity reference was read.
    assert_eq!(reader.bytes_read(), doctype_end);
    assert!(reader.next().is_none());
    error
}

#[test]
fn billion_laughs_is_refused_before_any_entity_is_expanded() {
    let error = refused_at_doctype(BILLION_LAUGHS);
    let message = error.to_string();
    assert!(message.contains("<!DOCTYPE> at byte 39"), "{message}");
    assert!(message.contains("WordPress never writes"), "{message}");
    assert!(message.contains("Export again"), "{message}");
}

#[test]
fn an_external_entity_is_refused_and_nothing_of_the_file_leaks() {
    let error = refused_at_doctype(EXTERNAL_ENTITY);
    let message = format!("{error} {error:?}");
    assert!(!message.contains("root:"), "{message}");
    assert!(!message.contains("passwd"), "{message}");
}

#[test]
fn even_a_harmless_doctype_is_refused() {
    let xml = export_with("").replacen("<rss", "<!DOCTYPE rss>\n<rss", 1);
    let mut reader = WxrReader::new(xml.as_bytes(), WxrLimits::default());
    assert!(matches!(reader.next(), Some(Err(WxrError::Doctype { .. }))));
}

#[test]
fn billion_laughs_scaled_past_memory_is_still_only_its_own_bytes() {
    // lol30 would be 3 × 10^30 bytes if expanded. Reading must stay at the DOCTYPE.
    let mut doc = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n<!ENTITY l0 \"lol\">\n");
    for level in 1..=30 {
        let prev = format!("&l{};", level - 1);
        doc.push_str(&format!("<!ENTITY l{level} \"{}\">\n", prev.repeat(10)));
    }
    doc.push_str("]>\n<rss version=\"2.0\"><channel><title>&l30;</title></channel></rss>");
    refused_at_doctype(&doc);
}

// --- Limits ----------------------------------------------------------------------------

fn limit_error(xml: &str, limits: WxrLimits) -> (Place, LimitKind, u64, String) {
    let error = error_with(xml.as_bytes(), limits);
    let message = error.to_string();
    match error {
        WxrError::Limit {
            place, what, max, ..
        } => (place, what, max, message),
        other => panic!("expected Limit, got {other}"),
    }
}

fn comment(id: u64) -> String {
    format!(
        "<wp:comment><wp:comment_id>{id}</wp:comment_id><wp:comment_content><![CDATA[Comment {id}]]></wp:comment_content><wp:comment_approved>1</wp:comment_approved><wp:comment_parent>0</wp:comment_parent></wp:comment>"
    )
}

fn meta(key: u64) -> String {
    format!(
        "<wp:postmeta><wp:meta_key><![CDATA[k{key}]]></wp:meta_key><wp:meta_value><![CDATA[v]]></wp:meta_value></wp:postmeta>"
    )
}

#[test]
fn a_field_over_max_field_bytes_names_the_field_and_the_item() {
    let body = "<p>Long read.</p>".repeat(100);
    let xml = export_with(&item_xml(
        3,
        "Long read",
        &format!(
            "<wp:postmeta><wp:meta_key>big</wp:meta_key><wp:meta_value><![CDATA[{body}]]></wp:meta_value></wp:postmeta>"
        ),
    ));
    let limits = WxrLimits {
        max_field_bytes: 1000,
        ..WxrLimits::default()
    };
    let (place, what, max, message) = limit_error(&xml, limits);
    assert!(matches!(
        place,
        Place::Item(ItemRef {
            index: 1,
            post_id: Some(3),
            ..
        })
    ));
    assert_eq!(
        what,
        LimitKind::FieldBytes {
            element: "wp:meta_value".into()
        }
    );
    assert_eq!(max, 1000);
    assert!(
        message.contains("the text of <wp:meta_value> is over the limit of 1000 bytes (WxrLimits::max_field_bytes)"),
        "{message}"
    );
    assert!(
        message.contains("in item 1 (post_id 3, \"Long read\")"),
        "{message}"
    );
    // The same export under the default limits reads whole.
    assert!(
        read_until_error(xml.as_bytes(), WxrLimits::default())
            .1
            .is_none()
    );
}

#[test]
fn a_field_split_into_many_pieces_is_counted_whole() {
    // 600 CDATA sections of 10 bytes: no piece is large, the field is.
    let body = "<![CDATA[0123456789]]>".repeat(600);
    let xml = export_with(&item_xml(
        4,
        "Pieces",
        &format!("<wp:post_password>{body}</wp:post_password>"),
    ));
    let limits = WxrLimits {
        max_field_bytes: 5000,
        ..WxrLimits::default()
    };
    let (_, what, _, _) = limit_error(&xml, limits);
    assert_eq!(
        what,
        LimitKind::FieldBytes {
            element: "wp:post_password".into()
        }
    );
}

#[test]
fn an_endless_text_run_is_refused_without_reading_it_into_memory() {
    // 200 MB of text with no `<`: quick-xml would gather it all into one event.
    let head = export_with(&item_xml(5, "Endless", "<wp:post_password>"));
    let head = &head[..head.find("<wp:post_password>").unwrap() + "<wp:post_password>".len()];
    let endless =
        Cursor::new(head.as_bytes().to_vec()).chain(std::io::repeat(b'a').take(200 << 20));
    let limits = WxrLimits {
        max_field_bytes: 1 << 20,
        ..WxrLimits::default()
    };
    let mut reader = WxrReader::new(BufReader::new(endless), limits);
    let error = reader.find_map(Result::err).unwrap();
    let message = error.to_string();
    assert!(
        matches!(&error, WxrError::Limit { what: LimitKind::MarkupBytes { element }, .. } if element == "wp:post_password"),
        "{message}"
    );
    assert!(message.contains("inside <wp:post_password>"), "{message}");
    // It stopped about one limit in, not at the end of the 200 MB.
    assert!(reader.bytes_read() < head.len() as u64 + (1 << 20) + (128 << 10));
}

#[test]
fn a_huge_start_tag_is_refused_by_the_same_limit() {
    let attr = "x".repeat(300_000);
    let xml = export_with(&item_xml(
        6,
        "Attr",
        &format!("<category domain=\"{attr}\">n</category>"),
    ));
    let limits = WxrLimits {
        max_field_bytes: 100_000,
        ..WxrLimits::default()
    };
    let (_, what, _, _) = limit_error(&xml, limits);
    assert_eq!(
        what,
        LimitKind::MarkupBytes {
            element: "item".into()
        }
    );
}

#[test]
fn too_many_comments_on_one_item() {
    let comments: String = (1..=4).map(comment).collect();
    let xml = export_with(&format!(
        "{}{}",
        item_xml(1, "Quiet", &comment(1)),
        item_xml(2, "Busy", &comments)
    ));
    let limits = WxrLimits {
        max_comments_per_item: 3,
        ..WxrLimits::default()
    };
    let (place, what, max, message) = limit_error(&xml, limits);
    assert!(matches!(
        place,
        Place::Item(ItemRef {
            index: 2,
            post_id: Some(2),
            ..
        })
    ));
    assert_eq!((what, max), (LimitKind::Comments, 3));
    assert!(
        message.contains("the number of comments is over the limit of 3 comments"),
        "{message}"
    );
    assert!(
        message.contains("WxrLimits::max_comments_per_item"),
        "{message}"
    );
    // Three comments are within the limit.
    let three: String = (1..=3).map(comment).collect();
    let xml = export_with(&item_xml(2, "Busy", &three));
    assert!(read_until_error(xml.as_bytes(), limits).1.is_none());
}

#[test]
fn too_many_postmeta_on_one_item() {
    let metas: String = (1..=6).map(meta).collect();
    let xml = export_with(&item_xml(7, "Builder page", &metas));
    let limits = WxrLimits {
        max_meta_per_item: 5,
        ..WxrLimits::default()
    };
    let (place, what, max, message) = limit_error(&xml, limits);
    assert!(matches!(
        place,
        Place::Item(ItemRef {
            post_id: Some(7),
            ..
        })
    ));
    assert_eq!((what, max), (LimitKind::Meta, 5));
    assert!(
        message.contains("WxrLimits::max_meta_per_item"),
        "{message}"
    );
}

#[test]
fn too_many_terms_on_one_item() {
    let terms: String = (1..=3)
        .map(|n| {
            format!("<category domain=\"post_tag\" nicename=\"t{n}\"><![CDATA[T{n}]]></category>")
        })
        .collect();
    let xml = export_with(&item_xml(8, "Tagged", &terms));
    let limits = WxrLimits {
        max_terms_per_item: 2,
        ..WxrLimits::default()
    };
    let (_, what, max, _) = limit_error(&xml, limits);
    assert_eq!((what, max), (LimitKind::Terms, 2));
}

#[test]
fn an_item_over_max_item_bytes() {
    let comments: String = (1..=50).map(comment).collect();
    let xml = export_with(&item_xml(9, "Thread", &comments));
    let limits = WxrLimits {
        max_item_bytes: 500,
        ..WxrLimits::default()
    };
    let (place, what, _, _) = limit_error(&xml, limits);
    assert!(matches!(
        place,
        Place::Item(ItemRef {
            post_id: Some(9),
            ..
        })
    ));
    assert_eq!(what, LimitKind::ItemBytes);
}

#[test]
fn elements_nested_past_max_depth() {
    let nested = format!(
        "{}{}",
        "<x:a xmlns:x=\"urn:plugin\">".repeat(40),
        "</x:a>".repeat(40)
    );
    let xml = export_with(&item_xml(10, "Deep", &nested));
    let (place, what, max, message) = limit_error(&xml, WxrLimits::default());
    assert!(matches!(
        place,
        Place::Item(ItemRef {
            post_id: Some(10),
            ..
        })
    ));
    assert_eq!((what, max), (LimitKind::Depth, 32));
    assert!(
        message.contains("the nesting of elements is over the limit of 32 levels"),
        "{message}"
    );
    // WordPress's own nesting (6 levels) is far inside it.
    let shallow = format!(
        "{}{}",
        "<x:a xmlns:x=\"urn:plugin\">".repeat(20),
        "</x:a>".repeat(20)
    );
    let xml = export_with(&item_xml(10, "Deep", &shallow));
    assert!(
        read_until_error(xml.as_bytes(), WxrLimits::default())
            .1
            .is_none()
    );
}
