//! Hostile and broken documents: refused with a clear error, never a panic, nothing from a
//! refused document kept.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::{items, skipped};
use masthead_wire::{
    ParseError, ParseLimits, SkipReason, SourceRules, normalise, parse, parse_with,
};

const BILLION_LAUGHS: &str = r#"<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<rss version="2.0"><channel><title>Bomb</title>
<item><title>&lol9;</title><link>https://x.example/1</link></item>
</channel></rss>"#;

const EXTERNAL_ENTITY: &str = r#"<?xml version="1.0"?>
<!DOCTYPE rss [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<rss version="2.0"><channel><title>XXE</title>
<item><title>Leak &xxe;</title><description>&xxe;</description><link>https://x.example/1</link></item>
</channel></rss>"#;

#[test]
fn billion_laughs_is_refused() {
    let err = parse(BILLION_LAUGHS.as_bytes(), Some("application/rss+xml")).unwrap_err();
    assert!(matches!(err, ParseError::EntityDeclarations), "{err:?}");
    assert!(err.to_string().contains("entity bombs"), "{err}");
}

#[test]
fn external_entity_is_refused_and_the_file_never_read() {
    let err = parse(EXTERNAL_ENTITY.as_bytes(), None).unwrap_err();
    assert!(matches!(err, ParseError::EntityDeclarations), "{err:?}");
    assert!(!err.to_string().contains("root:"), "{err}");
}

/// What the guard protects against if it were ever bypassed: feed-rs itself (through
/// quick-xml 0.42) expands neither kind of entity and reads no file; it keeps the
/// reference as literal text. Pinned so an upgrade that changes this is noticed.
#[test]
fn feed_rs_alone_keeps_unknown_entities_literal() {
    for doc in [BILLION_LAUGHS, EXTERNAL_ENTITY] {
        let feed = feed_rs::parser::parse(doc.as_bytes()).unwrap();
        let entry = &feed.entries[0];
        let title = &entry.title.as_ref().unwrap().content;
        assert!(title.len() < 64, "expanded: {} bytes", title.len());
        assert!(
            title.contains("&lol9;") || title.contains("&xxe;"),
            "{title}"
        );
        let all = format!("{entry:?}");
        assert!(!all.contains("root:x:0"), "the file was read: {all}");
    }
}

#[test]
fn a_plain_public_doctype_is_accepted() {
    // Old RSS 0.91 feeds carry Netscape's DOCTYPE; quick-xml never fetches it.
    let doc = r#"<?xml version="1.0"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old</title><link>https://old.example/</link><description>d</description>
<item><title>Hello</title><link>https://old.example/1</link></item></channel></rss>"#;
    let feed = parse(doc.as_bytes(), None).unwrap();
    assert_eq!(feed.entries.len(), 1);
}

#[test]
fn deep_xml_nesting_is_refused_without_overflowing_the_stack() {
    let depth = 200_000;
    let mut doc = String::from("<rss version=\"2.0\"><channel><item><description>");
    doc.push_str(&"<div>".repeat(depth));
    doc.push_str(&"</div>".repeat(depth));
    doc.push_str("</description></item></channel></rss>");
    let err = parse(doc.as_bytes(), None).unwrap_err();
    assert!(matches!(err, ParseError::TooDeep { limit: 100 }), "{err:?}");
    assert!(err.to_string().contains("100 levels"), "{err}");
}

#[test]
fn deep_json_nesting_is_refused() {
    let doc = format!(
        "{{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":[{}{}]}}",
        "[".repeat(50_000),
        "]".repeat(50_000)
    );
    let err = parse(doc.as_bytes(), None).unwrap_err();
    assert!(matches!(err, ParseError::TooDeep { .. }), "{err:?}");
}

#[test]
fn an_html_page_is_not_a_feed() {
    for page in [
        "<!DOCTYPE html><html><head><title>News</title></head><body>hi</body></html>",
        "\n  <html lang=en><body><p>Home</p></body></html>",
        "<?xml version=\"1.0\"?><!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" \"x.dtd\"><html xmlns=\"http://www.w3.org/1999/xhtml\"><body/></html>",
        "<?xml version=\"1.0\"?><html><body/></html>",
    ] {
        let err = parse(page.as_bytes(), Some("text/html; charset=utf-8")).unwrap_err();
        assert!(
            err.to_string().contains("it looks like an HTML page"),
            "{page}: {err}"
        );
    }
}

#[test]
fn other_non_feeds_say_what_they_are() {
    let err = parse(b"", None).unwrap_err();
    assert!(matches!(err, ParseError::Empty));
    let err = parse(b"   \n ", None).unwrap_err();
    assert!(matches!(err, ParseError::Empty));
    let err = parse(b"\x89PNG\r\n\x1a\n....", Some("image/png")).unwrap_err();
    assert!(err.to_string().contains("neither XML nor JSON"), "{err}");
    let err = parse(b"<note><to>x</to></note>", None).unwrap_err();
    assert!(err.to_string().contains("not RSS, RDF or Atom"), "{err}");
    let err = parse(b"{\"hello\": 1}", None).unwrap_err();
    assert!(
        matches!(err, ParseError::NotAFeed(_) | ParseError::Malformed(_)),
        "{err:?}"
    );
    let err = parse(
        b"<rss version=\"2.0\"><channel><item><title>x</wrong>",
        None,
    )
    .unwrap_err();
    assert!(matches!(err, ParseError::Malformed(_)), "{err:?}");
}

#[test]
fn a_document_over_the_size_cap_is_refused() {
    let limits = ParseLimits {
        max_bytes: 1_000,
        ..ParseLimits::default()
    };
    let doc = format!(
        "<rss version=\"2.0\"><channel>{}</channel></rss>",
        " ".repeat(2_000)
    );
    let err = parse_with(doc.as_bytes(), None, &limits).unwrap_err();
    assert!(
        matches!(err, ParseError::TooLarge { limit: 1_000, .. }),
        "{err:?}"
    );
}

#[test]
fn duplicate_guids_keep_the_first_and_report_the_rest() {
    let doc = r#"<rss version="2.0"><channel><title>W</title>
<item><guid>a</guid><title>First</title><link>https://w.example/1</link></item>
<item><guid>b</guid><title>Other</title><link>https://w.example/2</link></item>
<item><guid>a</guid><title>First again, edited</title><link>https://w.example/1</link></item>
</channel></rss>"#;
    let feed = parse(doc.as_bytes(), None).unwrap();
    let out = normalise(&feed, &SourceRules::default(), "https://w.example/feed");
    let got = items(&out);
    assert_eq!(
        got.iter().map(|i| i.title.as_str()).collect::<Vec<_>>(),
        ["First", "Other"]
    );
    assert_eq!(skipped(&out), [(2, SkipReason::Duplicate { first: 0 })]);
}

#[test]
fn missing_guid_falls_back_to_the_link_not_to_a_generated_id() {
    let doc = r#"<rss version="2.0"><channel><title>W</title>
<item><title>No guid</title><link>/stories/7</link></item>
<item><title>No guid, no link</title><description>Only text.</description></item>
</channel></rss>"#;
    let feed = parse(doc.as_bytes(), None).unwrap();
    assert_eq!(feed.entries[0].guid, None, "feed-rs's invented id leaked");
    let out = normalise(&feed, &SourceRules::default(), "https://w.example/feed.xml");
    let got = items(&out);
    assert_eq!(got[0].identity.key(), "link:https://w.example/stories/7");
    assert!(got[1].identity.key().starts_with("hash:sha256:"));
    // The same document pulled again gives the same identities (nothing random).
    let again = normalise(
        &parse(doc.as_bytes(), None).unwrap(),
        &SourceRules::default(),
        "https://w.example/feed.xml",
    );
    assert_eq!(items(&again)[1].identity, got[1].identity);
}

#[test]
fn malformed_and_missing_dates_never_panic() {
    let doc = r#"<rss version="2.0"><channel><title>W</title>
<item><guid>1</guid><title>a</title><pubDate>Thu, 31 Feb 2026 99:99:99 XYZ</pubDate></item>
<item><guid>2</guid><title>b</title><pubDate></pubDate></item>
<item><guid>3</guid><title>c</title><pubDate>0001-01-01T00:00:00Z</pubDate></item>
<item><guid>4</guid><title>d</title><pubDate>2026-03-01</pubDate></item>
<item><guid>5</guid><title>e</title></item>
</channel></rss>"#;
    let feed = parse(doc.as_bytes(), None).unwrap();
    let out = normalise(&feed, &SourceRules::default(), "https://w.example/");
    let got = items(&out);
    assert_eq!(got.len(), 5);
    assert_eq!(got[0].published, None);
    assert_eq!(got[1].published, None);
    assert_eq!(
        got[2].published, None,
        "year 1 is a placeholder, not a date"
    );
    assert_eq!(got[4].published, None);
}

#[test]
fn items_over_the_cap_are_counted_not_kept() {
    let mut doc = String::from("<rss version=\"2.0\"><channel><title>W</title>");
    for i in 0..30 {
        doc.push_str(&format!("<item><guid>{i}</guid><title>t{i}</title></item>"));
    }
    doc.push_str("</channel></rss>");
    let limits = ParseLimits {
        max_items: 20,
        ..ParseLimits::default()
    };
    let feed = parse_with(doc.as_bytes(), None, &limits).unwrap();
    assert_eq!(feed.entries.len(), 20);
    assert_eq!(feed.dropped_over_cap, 10);
}
