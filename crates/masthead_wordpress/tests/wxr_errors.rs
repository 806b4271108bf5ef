//! Files that are not WordPress exports, cut off, malformed or with bad numbers: each is
//! refused with an error that says what is wrong, where, and what to do — never a panic,
//! and never a record invented past the fault.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod wxr_common;
use wxr_common::{
    Trickle, error_of, export_with, fixture, item_xml, items, read_all, read_until_error,
};

use masthead_wordpress::wxr::{ItemRef, Place, WxrError, WxrLimits, WxrReader};

const NOT_AN_EXPORT: &str =
    "this is not a WordPress export: in WordPress use Tools → Export → All content";

fn not_wordpress(bytes: &[u8]) -> String {
    let error = error_of(bytes);
    let message = error.to_string();
    let WxrError::NotWordPress { found } = error else {
        panic!("expected NotWordPress, got {message}");
    };
    assert!(message.starts_with(NOT_AN_EXPORT), "{message}");
    found
}

// --- Not an export ---------------------------------------------------------------------

#[test]
fn a_ghost_json_export_is_not_xml() {
    let found = not_wordpress(br#"{"db":[{"meta":{"exported_on":1700000000000,"version":"5.75.0"},"data":{"posts":[]}}]}"#);
    assert!(found.contains("JSON, not XML"), "{found}");
}

#[test]
fn plain_text_is_not_xml() {
    let found = not_wordpress(b"Title: Council meeting\nDate: 2026-03-01\n\nThe council met.");
    assert!(found.contains("text, not XML"), "{found}");
}

#[test]
fn an_image_is_not_xml() {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x04\xb0\0\0\x03 \x08\x02\0\0\0\xff\xfe";
    let found = not_wordpress(png);
    assert!(found.contains("not XML"), "{found}");
}

#[test]
fn an_empty_file() {
    assert_eq!(not_wordpress(b""), "an empty file");
    assert!(not_wordpress(b"  \n\t").contains("no XML element"));
}

#[test]
fn a_zip_or_gzip_of_the_export_says_to_unpack_it() {
    let zip = b"PK\x03\x04\x14\0\0\0\x08\0riversideledger.WordPress.2026-11-28.xml";
    assert!(not_wordpress(zip).contains("unzip it"));
    let gz = b"\x1f\x8b\x08\0\0\0\0\0\0\x03";
    assert!(not_wordpress(gz).contains("gunzip"));
}

#[test]
fn a_blogger_atom_export_is_not_a_wordpress_export() {
    let atom = r#"<?xml version='1.0' encoding='UTF-8'?><feed xmlns='http://www.w3.org/2005/Atom' xmlns:blogger='http://schemas.google.com/blogger/2018'><id>tag:blogger.com,1999:blog-123</id><title type='text'>Valley Notes</title><entry><id>tag:blogger.com,1999:blog-123.post-9</id><title>Hello</title></entry></feed>"#;
    assert!(not_wordpress(atom.as_bytes()).contains("Atom feed"));
}

#[test]
fn an_rss_feed_is_not_an_export() {
    let feed = r#"<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Drupal County News</title><link>https://county.example</link>
<item><title>Road work on Main</title><link>https://county.example/node/12</link>
<dc:creator>admin</dc:creator><content:encoded><![CDATA[<p>Crews start Monday.</p>]]></content:encoded>
<pubDate>Mon, 02 Mar 2026 10:00:00 +0000</pubDate><guid isPermaLink="false">12 at https://county.example</guid></item>
</channel></rss>"#;
    let found = not_wordpress(feed.as_bytes());
    assert!(found.contains("an RSS feed"), "{found}");
    // Nothing of it is yielded, not even a site.
    let (records, _) = read_until_error(feed.as_bytes(), WxrLimits::default());
    assert!(records.is_empty());
}

#[test]
fn an_rss_feed_with_no_items_is_not_an_export() {
    let feed = r#"<rss version="2.0"><channel><title>Empty</title></channel></rss>"#;
    assert!(not_wordpress(feed.as_bytes()).contains("an RSS feed"));
}

#[test]
fn another_cms_xml_export_is_not_a_wordpress_export() {
    let joomla = r#"<?xml version="1.0" encoding="utf-8"?>
<j2xml version="19.2.0"><content><id>12</id><title><![CDATA[Road work]]></title></content></j2xml>"#;
    let found = not_wordpress(joomla.as_bytes());
    assert!(found.contains("root element is <j2xml>"), "{found}");
    let no_channel = r#"<rss version="2.0"><item><title>x</title></item></rss>"#;
    assert!(not_wordpress(no_channel.as_bytes()).contains("without a <channel>"));
}

#[test]
fn an_item_with_wp_elements_makes_an_export_even_without_wxr_version() {
    // Some tools that write WXR leave out <wp:wxr_version>; their items still say wp:.
    let xml = r#"<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel>
<title>Converted</title><item><title>One</title><wp:post_id>1</wp:post_id></item>
<item><title>Two</title><wp:post_id>2</wp:post_id></item></channel></rss>"#;
    let records = read_all(xml.as_bytes()).unwrap();
    assert_eq!(records.len(), 3);
    assert_eq!(items(&records)[1].post_id, 2);
}

// --- Cut off ---------------------------------------------------------------------------

fn cut_before(bytes: &[u8], marker: &str) -> Vec<u8> {
    let at = bytes
        .windows(marker.len())
        .position(|w| w == marker.as_bytes())
        .unwrap();
    bytes[..at].to_vec()
}

#[test]
fn cut_off_inside_an_item_names_the_last_whole_item_and_the_cut_one() {
    let whole = fixture("newsroom_6x.xml");
    let cut = cut_before(&whole, "ميزانية المدارس 📚");
    let (records, error) = read_until_error(&cut, WxrLimits::default());
    // Every item before the cut was read whole.
    let ids: Vec<u64> = items(&records).iter().map(|i| i.post_id).collect();
    assert_eq!(ids, [101, 102, 2, 3, 140]);
    let error = error.unwrap();
    let message = error.to_string();
    let WxrError::Truncated {
        offset,
        cut_off,
        last_complete,
    } = error
    else {
        panic!("{message}")
    };
    assert_eq!(offset, cut.len() as u64);
    assert_eq!(
        cut_off,
        Place::Item(ItemRef {
            index: 6,
            post_id: None,
            title: "مجلس المدينة يناقش ميزانية المدارس 🏫".into(),
        })
    );
    assert_eq!(
        last_complete,
        Some(ItemRef {
            index: 5,
            post_id: Some(140),
            title: String::new(),
        })
    );
    assert!(
        message.contains(&format!("cut off at byte {}", cut.len())),
        "{message}"
    );
    assert!(
        message.contains("inside item 6 (post_id not read yet, \"مجلس المدينة"),
        "{message}"
    );
    assert!(
        message.contains("the last complete item is item 5 (post_id 140, untitled)"),
        "{message}"
    );
    assert!(message.contains("export again"), "{message}");
}

#[test]
fn cut_off_after_the_last_item_says_before_rss() {
    let whole = fixture("newsroom_6x.xml");
    let cut = cut_before(&whole, "</channel>");
    let (records, error) = read_until_error(&cut, WxrLimits::default());
    assert_eq!(items(&records).len(), 14);
    let message = error.unwrap().to_string();
    assert!(message.contains("before </rss>"), "{message}");
    assert!(
        message.contains("item 14 (post_id 201, \"Obituaries\")"),
        "{message}"
    );
}

#[test]
fn cut_off_inside_a_tag_or_cdata_is_cut_off_too() {
    let whole = fixture("newsroom_6x.xml");
    // Inside a start tag.
    let mut cut = cut_before(&whole, "post_id>160<");
    cut.truncate(cut.len() - 3);
    assert!(matches!(
        error_of(&cut),
        WxrError::Truncated {
            cut_off: Place::Item(ItemRef { index: 7, .. }),
            ..
        }
    ));
    // Inside a CDATA section.
    let cut = cut_before(&whole, "a $48 million budget");
    let error = error_of(&cut);
    assert!(
        matches!(
            &error,
            WxrError::Truncated {
                cut_off: Place::Item(ItemRef { index: 1, .. }),
                last_complete: None,
                ..
            }
        ),
        "{error}"
    );
    assert!(error.to_string().contains("no item was read whole"));
    // Between the header and the first record.
    let cut = cut_before(&whole, "<wp:author>");
    let (records, error) = read_until_error(&cut, WxrLimits::default());
    assert!(records.is_empty());
    assert!(matches!(
        error,
        Some(WxrError::Truncated {
            cut_off: Place::Channel,
            ..
        })
    ));
}

#[test]
fn cut_off_inside_an_author_or_a_term_names_it() {
    let whole = fixture("newsroom_6x.xml");
    let cut = cut_before(&whole, "mona.haddad@");
    let message = error_of(&cut).to_string();
    assert!(
        message.contains("inside author 2 (\"mhaddad\")"),
        "{message}"
    );
    let cut = cut_before(&whole, "<wp:cat_name><![CDATA[City Hall");
    let error = error_of(&cut);
    assert!(
        matches!(&error, WxrError::Truncated { cut_off: Place::Term { index: 3, slug }, .. } if slug == "city-hall"),
        "{error}"
    );
}

#[test]
fn after_an_error_the_reader_ends() {
    let whole = fixture("newsroom_6x.xml");
    let cut = cut_before(&whole, "</channel>");
    let mut reader = WxrReader::new(&cut[..], WxrLimits::default());
    let errors = reader.by_ref().filter(Result::is_err).count();
    assert_eq!(errors, 1);
    assert!(reader.next().is_none());
}

// --- Malformed -------------------------------------------------------------------------

fn malformed(bytes: &[u8]) -> (Place, String, String) {
    let error = error_of(bytes);
    let message = error.to_string();
    match error {
        WxrError::Malformed { place, detail, .. } => (place, detail, message),
        other => panic!("expected Malformed, got {other}"),
    }
}

#[test]
fn mismatched_tags_name_the_item() {
    let xml = export_with(&format!(
        "{}{}",
        item_xml(1, "Fine", ""),
        item_xml(
            2,
            "Broken",
            "<wp:postmeta><wp:meta_key>k</wp:meta_value></wp:postmeta>"
        )
    ));
    let (place, detail, message) = malformed(xml.as_bytes());
    let Place::Item(item) = place else {
        panic!("{message}")
    };
    assert_eq!(
        (item.index, item.post_id, item.title.as_str()),
        (2, Some(2), "Broken")
    );
    assert!(detail.contains("wp:meta_key"), "{detail}");
    assert!(message.contains("malformed XML at byte"), "{message}");
    assert!(
        message.contains("in item 2 (post_id 2, \"Broken\")"),
        "{message}"
    );
    assert!(message.contains("export again"), "{message}");
}

#[test]
fn bytes_that_are_not_utf8_are_malformed() {
    let mut xml = export_with(&item_xml(3, "Caf", "")).into_bytes();
    let at = xml.windows(3).position(|w| w == b"Caf").unwrap() + 3;
    xml.insert(at, 0xe9); // Latin-1 é in a UTF-8 file
    let (place, detail, _) = malformed(&xml);
    assert!(matches!(place, Place::Item(ItemRef { index: 1, .. })));
    assert!(detail.contains("not valid UTF-8"), "{detail}");
}

#[test]
fn an_unknown_entity_is_malformed_and_names_itself() {
    let xml = export_with(&item_xml(
        4,
        "x",
        "<wp:post_password>a&nbsp;b</wp:post_password>",
    ));
    let (_, detail, _) = malformed(xml.as_bytes());
    assert!(detail.contains("unknown entity &nbsp;"), "{detail}");
}

#[test]
fn a_character_reference_to_no_character_is_malformed() {
    for bad in ["&#0;", "&#xD800;", "&#x110000;", "&#xZZ;"] {
        let xml = export_with(&item_xml(5, "x", &format!("<wp:status>{bad}</wp:status>")));
        let (_, detail, _) = malformed(xml.as_bytes());
        assert!(detail.contains("character reference"), "{bad}: {detail}");
    }
}

#[test]
fn a_bare_angle_bracket_is_malformed() {
    let xml = export_with(&item_xml(6, "x", "<wp:status>a < b</wp:status>"));
    let (_, detail, _) = malformed(xml.as_bytes());
    assert!(detail.contains("a `<` that opens no element"), "{detail}");
}

#[test]
fn a_bare_ampersand_reads_as_itself_as_wordpress_writes_comment_urls() {
    // `sanitize_url` keeps `&` raw in <wp:comment_author_url>: real exports have it.
    let xml = export_with(&item_xml(
        6,
        "x",
        "<wp:comment><wp:comment_author_url>https://a.example/?x=1&y=2&z</wp:comment_author_url></wp:comment>\
         <wp:post_password>R&D &amp; more</wp:post_password>",
    ));
    let records = read_all(xml.as_bytes()).unwrap();
    let item = items(&records)[0];
    assert_eq!(item.comments[0].author_url, "https://a.example/?x=1&y=2&z");
    assert_eq!(item.post_password, "R&D & more");
}

#[test]
fn an_element_inside_a_text_field_is_malformed() {
    let xml = export_with(&item_xml(
        7,
        "x",
        "<wp:post_name><b>slug</b></wp:post_name>",
    ));
    let (_, detail, _) = malformed(xml.as_bytes());
    assert!(detail.contains("<b> inside <wp:post_name>"), "{detail}");
}

#[test]
fn an_element_after_rss_is_malformed() {
    let xml = format!("{}<rss/>", export_with(""));
    let (place, detail, _) = malformed(xml.as_bytes());
    assert_eq!(place, Place::Channel);
    assert!(detail.contains("after </rss>"), "{detail}");
}

// --- Numbers ---------------------------------------------------------------------------

fn number_error(extra: &str) -> (String, String, String) {
    let xml = export_with(&item_xml(8, "Numbers", extra));
    let error = error_of(xml.as_bytes());
    let message = error.to_string();
    match error {
        WxrError::Number {
            place: Place::Item(item),
            element,
            value,
            ..
        } => {
            assert_eq!(item.title, "Numbers");
            (element.to_owned(), value, message)
        }
        other => panic!("expected Number, got {other}"),
    }
}

#[test]
fn an_unparsable_number_names_the_item_and_the_element() {
    let (element, value, message) = number_error("<wp:post_parent>12a</wp:post_parent>");
    assert_eq!(
        (element.as_str(), value.as_str()),
        ("wp:post_parent", "12a")
    );
    assert!(
        message.contains("in item 1 (post_id 8, \"Numbers\")"),
        "{message}"
    );
    assert!(
        message.contains("<wp:post_parent> is \"12a\", which is not a whole number"),
        "{message}"
    );
    let (element, _, _) = number_error(
        "<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_parent>-1</wp:comment_parent></wp:comment>",
    );
    assert_eq!(element, "wp:comment_parent");
    let (element, _, _) = number_error("<wp:is_sticky>yes</wp:is_sticky>");
    assert_eq!(element, "wp:is_sticky");
    let (element, _, _) = number_error("<wp:menu_order>first</wp:menu_order>");
    assert_eq!(element, "wp:menu_order");
}

#[test]
fn an_unparsable_post_id_names_the_item_by_title() {
    let xml = export_with(&item_xml(9, "Bad id", "").replace(
        "<wp:post_id>9</wp:post_id>",
        "<wp:post_id>9 10</wp:post_id>",
    ));
    let message = error_of(xml.as_bytes()).to_string();
    assert!(
        message.contains("in item 1 (post_id not read yet, \"Bad id\")"),
        "{message}"
    );
}

#[test]
fn empty_numbers_are_zero_and_spaces_are_trimmed() {
    let xml = export_with(
        &item_xml(10, "x", "<wp:comment><wp:comment_id> 31 </wp:comment_id><wp:comment_parent></wp:comment_parent><wp:comment_user_id/></wp:comment>")
            .replace("<wp:post_parent>0</wp:post_parent>", "<wp:post_parent></wp:post_parent>")
            .replace("<wp:menu_order>0</wp:menu_order>", "<wp:menu_order>-2</wp:menu_order>")
            .replace("<wp:is_sticky>0</wp:is_sticky>", "<wp:is_sticky></wp:is_sticky>"),
    );
    let records = read_all(xml.as_bytes()).unwrap();
    let item = items(&records)[0];
    assert_eq!(
        (item.post_parent, item.menu_order, item.is_sticky),
        (0, -2, false)
    );
    let c = &item.comments[0];
    assert_eq!((c.id, c.parent, c.user_id), (31, 0, 0));
}

#[test]
fn a_bad_term_id_names_the_term() {
    let xml = export_with(
        "<wp:category><wp:category_nicename>news</wp:category_nicename><wp:term_id>x</wp:term_id></wp:category>",
    );
    let message = error_of(xml.as_bytes()).to_string();
    assert!(message.contains("in term 1 (\"news\")"), "{message}");
}

// --- Encoding --------------------------------------------------------------------------

/// `text` in windows-1252 (what WordPress's "ISO-8859-1" blogs hold).
fn windows_1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '\u{2019}' => 0x92,
            '\u{2013}' => 0x96,
            '\u{20ac}' => 0x80,
            c if (c as u32) < 0x100 => c as u8,
            c => panic!("{c} is not in windows-1252"),
        })
        .collect()
}

#[test]
fn a_latin1_export_is_transcoded() {
    let xml = export_with(&item_xml(1, "Café Ñandú – it’s back, €5", ""))
        .replace("encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\"");
    let bytes = windows_1252(&xml);
    let mut reader = WxrReader::new(&bytes[..], WxrLimits::default());
    let records: Vec<_> = reader.by_ref().collect::<Result<_, _>>().unwrap();
    assert_eq!(items(&records)[0].title, "Café Ñandú – it’s back, €5");
    assert_eq!(reader.bytes_read(), bytes.len() as u64);
    // The declaration is found however small the chunks the file comes in.
    let trickle = Trickle {
        bytes: &bytes,
        chunk: 1,
        interrupt: true,
    };
    let trickled: Vec<_> = WxrReader::new(trickle, WxrLimits::default())
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(trickled, records);
}

#[test]
fn bytes_invalid_in_the_declared_encoding_are_malformed() {
    // 0xA1 is not a character of ISO-8859-8.
    let xml =
        export_with(&item_xml(1, "@", "")).replace("encoding=\"UTF-8\"", "encoding=\"ISO-8859-8\"");
    let bytes: Vec<u8> = xml
        .bytes()
        .map(|b| if b == b'@' { 0xa1 } else { b })
        .collect();
    let error = error_of(&bytes);
    let message = error.to_string();
    let WxrError::Malformed {
        offset,
        place,
        detail,
        ..
    } = error
    else {
        panic!("{message}")
    };
    assert_eq!(
        offset,
        bytes.iter().position(|b| *b == 0xa1).unwrap() as u64
    );
    assert!(
        matches!(place, Place::Item(ItemRef { index: 1, .. })),
        "{message}"
    );
    assert!(detail.contains("not valid ISO-8859-8"), "{detail}");
}

#[test]
fn an_unknown_encoding_says_how_to_convert_it() {
    let xml = export_with("").replace("encoding=\"UTF-8\"", "encoding=\"x-klingon\"");
    let error = error_of(xml.as_bytes());
    let message = error.to_string();
    assert!(matches!(&error, WxrError::Encoding { declared } if declared == "x-klingon"));
    assert!(message.contains("iconv -f x-klingon -t UTF-8"), "{message}");
}

#[test]
fn a_utf16_export_says_how_to_convert_it() {
    let mut bytes = vec![0xff, 0xfe];
    for unit in export_with("").encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    assert!(matches!(error_of(&bytes), WxrError::Encoding { declared } if declared == "UTF-16LE"));
}

#[test]
fn a_utf8_byte_order_mark_is_fine() {
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend_from_slice(export_with(&item_xml(1, "BOM", "")).as_bytes());
    let records = read_all(&bytes).unwrap();
    assert_eq!(items(&records)[0].title, "BOM");
    // The mark outranks a declaration that says otherwise.
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend_from_slice(
        export_with(&item_xml(1, "Café", ""))
            .replace("encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\"")
            .as_bytes(),
    );
    let records = read_all(&bytes).unwrap();
    assert_eq!(items(&records)[0].title, "Café");
}
