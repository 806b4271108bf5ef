//! Reading real-shaped exports: a WordPress 6.x newsroom (WXR 1.2), a WordPress 2.8 blog
//! (WXR 1.0) and a WordPress 3.3 site (WXR 1.1), field by field.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod wxr_common;
use wxr_common::{Trickle, export_with, fixture, item, item_xml, items, read_all};

use masthead_wordpress::wxr::{Record, WxrLimits, WxrReader};

fn newsroom() -> Vec<Record> {
    read_all(&fixture("newsroom_6x.xml")).unwrap()
}

fn kind(record: &Record) -> &'static str {
    match record {
        Record::Site(_) => "site",
        Record::Author(_) => "author",
        Record::Category(_) => "category",
        Record::Tag(_) => "tag",
        Record::Term(_) => "term",
        Record::Item(_) => "item",
    }
}

#[test]
fn site_comes_first_then_every_record_in_file_order() {
    let records = newsroom();
    let kinds: Vec<&str> = records.iter().map(kind).collect();
    let mut expected = vec!["site"];
    expected.extend(["author"; 3]);
    expected.extend(["category"; 5]);
    expected.extend(["tag"; 3]);
    expected.extend(["term"; 3]);
    expected.extend(["item"; 14]);
    assert_eq!(kinds, expected);

    let Record::Site(site) = &records[0] else {
        unreachable!()
    };
    assert_eq!(site.title, "The Riverside Ledger");
    assert_eq!(site.link, "https://riversideledger.example");
    assert_eq!(site.language, "en-US");
    assert_eq!(site.wxr_version, "1.2");
    assert_eq!(site.base_site_url, "https://riversideledger.example/wp");
    assert_eq!(site.base_blog_url, "https://riversideledger.example");

    let ids: Vec<u64> = items(&records).iter().map(|i| i.post_id).collect();
    assert_eq!(
        ids,
        [
            101, 102, 2, 3, 140, 150, 160, 170, 180, 181, 182, 183, 200, 201
        ]
    );
}

#[test]
fn authors_keep_logins_and_rtl_display_names() {
    let records = newsroom();
    let authors: Vec<_> = records
        .iter()
        .filter_map(|r| match r {
            Record::Author(a) => Some(a),
            _ => None,
        })
        .collect();
    assert_eq!(authors[0].id, 1);
    assert_eq!(authors[0].login, "ledger-admin");
    assert_eq!(authors[0].first_name, "");
    assert_eq!(authors[1].id, 4);
    assert_eq!(authors[1].display_name, "منى حداد");
    assert_eq!(authors[1].email, "mona.haddad@riversideledger.example");
    assert_eq!(authors[2].last_name, "O'Brien");
}

#[test]
fn terms_keep_parents_descriptions_and_percent_encoded_slugs() {
    let records = newsroom();
    let terms: Vec<(&str, &masthead_wordpress::wxr::Term)> = records
        .iter()
        .filter_map(|r| match r {
            Record::Category(t) => Some(("category", t)),
            Record::Tag(t) => Some(("tag", t)),
            Record::Term(t) => Some(("term", t)),
            _ => None,
        })
        .collect();
    let city_hall = terms.iter().find(|(_, t)| t.slug == "city-hall").unwrap().1;
    assert_eq!(
        (
            city_hall.id,
            city_hall.parent.as_str(),
            city_hall.name.as_str()
        ),
        (3, "news", "City Hall")
    );
    assert_eq!(city_hall.taxonomy, "category");

    let arabic = terms.iter().find(|(_, t)| t.id == 9).unwrap().1;
    assert_eq!(arabic.slug, "%d8%a7%d9%84%d8%a3%d8%ae%d8%a8%d8%a7%d8%b1");
    assert_eq!(arabic.name, "الأخبار");
    assert_eq!(arabic.description, "أخبار الجالية العربية في ريفرسايد");

    // `&amp;` inside CDATA is text, as WordPress stored it.
    let sports = terms.iter().find(|(_, t)| t.slug == "sports").unwrap().1;
    assert_eq!(sports.name, "Sports &amp; Recreation");

    let (k, school) = terms
        .iter()
        .find(|(_, t)| t.slug == "school-board")
        .unwrap();
    assert_eq!(*k, "tag");
    assert_eq!(school.taxonomy, "post_tag");
    assert_eq!(school.description, "Riverside Unified board meetings");
    let hebrew = terms.iter().find(|(_, t)| t.id == 12).unwrap().1;
    assert_eq!(hebrew.name, "חדשות");

    let (k, menu) = terms.iter().find(|(_, t)| t.slug == "main-menu").unwrap();
    assert_eq!(*k, "term");
    assert_eq!((menu.id, menu.taxonomy.as_str()), (8, "nav_menu"));
    assert_eq!(menu.name, "Main menu");
    let region = terms.iter().find(|(_, t)| t.id == 15).unwrap().1;
    assert_eq!(region.taxonomy, "region");
    assert_eq!(region.parent, "riverside-county");
    assert_eq!(region.description, "Towns north of the river");
}

#[test]
fn cdata_split_around_a_closing_bracket_pair_joins_back_exactly() {
    let records = newsroom();
    let post = item(&records, 101);
    let expected = "<!-- wp:paragraph -->\n\
<p>The Riverside City Council voted 4–3 shortly after midnight to pass a $48 million budget.</p>\n\
<!-- /wp:paragraph -->\n\
\n\
<!-- wp:code -->\n\
<pre class=\"wp-block-code\"><code>if (a[b[0]]> 1) { return \"]]>\"; }</code></pre>\n\
<!-- /wp:code -->\n\
\n\
<!-- wp:image {\"id\":102,\"sizeSlug\":\"large\"} -->\n\
<figure class=\"wp-block-image size-large\"><img src=\"https://riversideledger.example/wp-content/uploads/2026/03/council.jpg\" alt=\"\" class=\"wp-image-102\"/></figure>\n\
<!-- /wp:image -->";
    assert_eq!(post.content, expected);
}

#[test]
fn a_published_post_with_all_its_fields() {
    let records = newsroom();
    let post = item(&records, 101);
    assert_eq!(
        post.title,
        "Council passes $48M budget after late-night vote"
    );
    assert_eq!(post.post_type, "post");
    assert_eq!(post.status, "publish");
    assert_eq!(post.creator, "d.obrien");
    assert_eq!(
        post.link,
        "https://riversideledger.example/2026/03/council-passes-budget/"
    );
    assert_eq!(post.guid, "https://riversideledger.example/?p=101");
    assert_eq!(post.pub_date, "Wed, 11 Mar 2026 06:12:00 +0000");
    assert_eq!(post.excerpt, "Council approves spending plan, 4–3.");
    assert_eq!(post.post_date, "2026-03-10 23:12:00");
    assert_eq!(post.post_date_gmt, "2026-03-11 06:12:00");
    assert_eq!(post.post_modified, "2026-03-11 08:40:51");
    assert_eq!(post.post_modified_gmt, "2026-03-11 15:40:51");
    assert_eq!(post.comment_status, "open");
    assert_eq!(post.post_name, "council-passes-budget");
    assert!(post.is_sticky);
    assert_eq!(post.post_parent, 0);
    assert_eq!(post.post_password, "");
    let terms: Vec<(&str, &str, &str)> = post
        .terms
        .iter()
        .map(|t| (t.domain.as_str(), t.slug.as_str(), t.name.as_str()))
        .collect();
    assert_eq!(
        terms,
        [
            ("category", "city-hall", "City Hall"),
            ("post_tag", "budget", "budget"),
            ("category", "news", "News"),
        ]
    );
    assert_eq!(post.meta("_edit_last"), Some("7"));
    assert_eq!(post.meta("_thumbnail_id"), Some("102"));
    assert_eq!(post.terms_of("category").count(), 2);
}

#[test]
fn comments_keep_threads_pingbacks_and_moderation_states() {
    let records = newsroom();
    let comments = &item(&records, 101).comments;
    let shape: Vec<(u64, u64, &str, &str)> = comments
        .iter()
        .map(|c| (c.id, c.parent, c.approved.as_str(), c.kind.as_str()))
        .collect();
    assert_eq!(
        shape,
        [
            (21, 0, "1", "comment"),
            (22, 21, "1", "comment"),
            (23, 0, "1", "pingback"),
            (24, 0, "trash", "comment"),
            (25, 22, "0", "comment"),
        ]
    );
    let rosa = &comments[0];
    assert_eq!(rosa.author, "Rosa Delgado");
    // WordPress writes a commenter's URL unescaped: its bare `&` reads as itself.
    assert_eq!(
        rosa.author_url,
        "https://rosa.example/?ref=ledger&src=comment"
    );
    assert_eq!(rosa.author_ip, "203.0.113.17");
    assert_eq!(rosa.date, "2026-03-11 07:30:02");
    assert_eq!(rosa.date_gmt, "2026-03-11 14:30:02");
    assert_eq!(rosa.user_id, 0);
    assert_eq!(comments[1].user_id, 7);
    // Entities inside CDATA are the text WordPress stored.
    assert_eq!(comments[2].author, "Valley Watchdog &raquo; Budget roundup");
    assert_eq!(
        comments[2].content,
        "[&#8230;] the Ledger reported the council&#8217;s 4–3 vote [&#8230;]"
    );
}

#[test]
fn an_attachment_with_its_file_alt_text_and_serialized_metadata() {
    let records = newsroom();
    let image = item(&records, 102);
    assert_eq!(image.post_type, "attachment");
    assert_eq!(image.status, "inherit");
    assert_eq!(image.post_parent, 101);
    assert_eq!(
        image.attachment_url,
        "https://riversideledger.example/wp-content/uploads/2026/03/council.jpg"
    );
    assert_eq!(image.meta("_wp_attached_file"), Some("2026/03/council.jpg"));
    assert_eq!(
        image.meta("_wp_attachment_image_alt"),
        Some("Seven council members seated at the dais under the city seal")
    );
    let metadata = image.meta("_wp_attachment_metadata").unwrap();
    assert!(metadata.starts_with(r#"a:5:{s:5:"width";i:1200;s:6:"height";i:800;"#));
    assert!(metadata.ends_with(r#"s:9:"copyright";s:19:"The Riverside Ledger";}}"#));
    assert_eq!(image.excerpt, "Photo: Dan O'Brien / The Riverside Ledger");
}

#[test]
fn pages_keep_their_parent_and_order() {
    let records = newsroom();
    let about = item(&records, 2);
    let staff = item(&records, 3);
    assert_eq!((about.post_type.as_str(), about.post_parent), ("page", 0));
    assert_eq!(about.menu_order, 1);
    assert_eq!(about.meta("_wp_page_template"), Some("default"));
    assert_eq!((staff.post_parent, staff.menu_order), (2, 3));
    assert_eq!(staff.status, "private");
}

#[test]
fn a_draft_with_no_title_no_body_and_zero_dates() {
    let records = newsroom();
    let draft = item(&records, 140);
    assert_eq!(draft.status, "draft");
    assert_eq!(draft.title, "");
    assert_eq!(draft.content, "");
    assert_eq!(draft.post_name, "");
    assert_eq!(draft.post_date, "2026-04-02 10:14:09");
    assert_eq!(draft.post_date_gmt, "0000-00-00 00:00:00");
    // `esc_url` writes `&` as `&#038;`.
    assert_eq!(
        draft.link,
        "https://riversideledger.example/?p=140&preview=true"
    );
    assert_eq!(draft.post_modified_gmt, "0000-00-00 00:00:00");
}

#[test]
fn rtl_text_emoji_and_percent_encoded_slugs_are_kept_as_written() {
    let records = newsroom();
    let post = item(&records, 150);
    assert_eq!(post.title, "مجلس المدينة يناقش ميزانية المدارس 🏫");
    assert!(
        post.content
            .contains("ناقش مجلس المدينة مساء الإثنين ميزانية المدارس 📚")
    );
    assert!(post.content.contains("«נמשיך לדון בזה» 👍🏽"));
    assert_eq!(
        post.post_name,
        "%d9%85%d8%ac%d9%84%d8%b3-%d8%a7%d9%84%d9%85%d8%af%d9%8a%d9%86%d8%a9"
    );
    assert_eq!(
        post.terms[0].slug,
        "%d8%a7%d9%84%d8%a3%d8%ae%d8%a8%d8%a7%d8%b1"
    );
    assert_eq!(post.terms[0].name, "الأخبار");
    assert_eq!(post.terms[1].name, "חדשות");
}

#[test]
fn a_540_character_title_is_read_whole() {
    let records = newsroom();
    let post = item(&records, 160);
    assert_eq!(post.title.chars().count(), 540);
    assert_eq!(
        post.terms_of("post_format").next().unwrap().slug,
        "post-format-gallery"
    );
    assert!(
        post.title
            .starts_with("Riverside County Fair 2026 results:")
    );
    assert!(post.title.ends_with("with all 148 photos"));
}

#[test]
fn password_and_every_status_wordpress_exports() {
    let records = newsroom();
    assert_eq!(item(&records, 170).post_password, "ledger-members-2026");
    let status = |id| item(&records, id).status.clone();
    assert_eq!(status(180), "future");
    assert_eq!(status(181), "private");
    assert_eq!(status(182), "pending");
    assert_eq!(status(183), "trash");
    assert_eq!(
        item(&records, 183).meta("_wp_trash_meta_status"),
        Some("publish")
    );
    assert_eq!(item(&records, 182).post_date_gmt, "0000-00-00 00:00:00");
}

#[test]
fn nav_menu_items_keep_their_menu_and_menu_meta() {
    let records = newsroom();
    let page_link = item(&records, 200);
    assert_eq!(page_link.post_type, "nav_menu_item");
    assert_eq!(page_link.title, "");
    assert_eq!(page_link.content, " ");
    let menu: Vec<_> = page_link.terms_of("nav_menu").collect();
    assert_eq!(menu.len(), 1);
    assert_eq!(menu[0].slug, "main-menu");
    assert_eq!(page_link.meta("_menu_item_object_id"), Some("2"));
    assert_eq!(
        page_link.meta("_menu_item_classes"),
        Some(r#"a:1:{i:0;s:0:"";}"#)
    );
    assert_eq!(page_link.meta.len(), 7);
    let custom = item(&records, 201);
    assert_eq!(custom.meta("_menu_item_menu_item_parent"), Some("200"));
    assert_eq!(
        custom.meta("_menu_item_url"),
        Some("https://legacy.example/riverside-ledger")
    );
}

#[test]
fn wxr_1_0_from_wordpress_2_8() {
    let records = read_all(&fixture("wxr_1_0_wp28.xml")).unwrap();
    let Record::Site(site) = &records[0] else {
        unreachable!()
    };
    assert_eq!(site.wxr_version, "1.0");
    assert_eq!(site.title, "Valley Weekly");
    // WXR 1.0 has no authors and no term ids.
    assert!(!records.iter().any(|r| matches!(r, Record::Author(_))));
    let Record::Category(fire) = &records[2] else {
        unreachable!()
    };
    assert_eq!((fire.id, fire.slug.as_str()), (0, "fire-rescue"));
    // WXR 1.0 names the parent by its name, not its slug.
    assert_eq!(fire.parent, "News");
    let Record::Tag(tag) = &records[3] else {
        unreachable!()
    };
    assert_eq!(tag.slug, "ridge-road");

    let post = item(&records, 12);
    assert_eq!(post.title, "Fire crews\u{2019} long night on Ridge Road");
    assert_eq!(post.creator, "editor");
    assert!(
        post.content
            .contains("<strong>No homes were lost.</strong>")
    );
    assert_eq!(post.excerpt, "Three stations, no homes lost.");
    assert_eq!(post.post_modified, "");
    assert!(!post.is_sticky);
    // WXR 1.0 writes each term twice, once without a domain, and tags as `tag`.
    let domains: Vec<&str> = post.terms.iter().map(|t| t.domain.as_str()).collect();
    assert_eq!(domains, ["", "category", "tag", "tag"]);
    assert_eq!(post.terms[1].name, "Fire &amp; Rescue");
    assert_eq!(post.meta("_edit_lock"), Some("1255366389"));
    assert_eq!(
        post.comments[0].content,
        "Thank you to the firefighters & volunteers!"
    );
    assert_eq!(post.comments[0].kind, "");
    // WordPress 2.8 exported spam too (later versions leave it out), URLs unescaped.
    assert_eq!(post.comments[1].approved, "spam");
    assert_eq!(
        post.comments[1].author_url,
        "http://spam.example/?id=7&ref=vw"
    );
}

#[test]
fn wxr_1_1_from_wordpress_3_3() {
    let records = read_all(&fixture("wxr_1_1_wp33.xml")).unwrap();
    let Record::Site(site) = &records[0] else {
        unreachable!()
    };
    assert_eq!(site.wxr_version, "1.1");
    let Record::Author(author) = &records[1] else {
        unreachable!()
    };
    assert_eq!((author.id, author.login.as_str()), (2, "pkowalski"));
    assert_eq!(author.display_name, "Piotr Kowalski");
    let post = item(&records, 88);
    assert_eq!(
        post.title,
        "Ferry schedule cut to two runs & a weekend special"
    );
    assert_eq!(post.creator, "pkowalski");
    assert_eq!(
        post.content,
        "The island ferry will run twice a day from March 1."
    );
    assert_eq!(post.excerpt, "Two runs a day from March.");
    assert_eq!(post.terms_of("post_tag").next().unwrap().slug, "ferry");
}

#[test]
fn other_prefixes_bound_to_the_wordpress_namespaces_read_the_same() {
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:w="http://wordpress.org/export/1.2/"
     xmlns:ex="http://wordpress.org/export/1.2/excerpt/"
     xmlns:c="http://purl.org/rss/1.0/modules/content/"
     xmlns:creator="http://purl.org/dc/elements/1.1/">
<channel><title>Renamed</title><w:wxr_version>1.2</w:wxr_version>
<item><title>One</title><creator:creator>ed</creator:creator>
<c:encoded><![CDATA[<p>Body</p>]]></c:encoded><ex:encoded>Short</ex:encoded>
<w:post_id>5</w:post_id><w:post_password/></item>
</channel></rss>"#;
    let records = read_all(xml.as_bytes()).unwrap();
    let post = item(&records, 5);
    assert_eq!(post.content, "<p>Body</p>");
    assert_eq!(post.excerpt, "Short");
    assert_eq!(post.creator, "ed");
    assert_eq!(post.post_password, "");
}

#[test]
fn a_prefix_bound_elsewhere_is_not_read_as_wordpress() {
    // `wp:` bound to another vocabulary: its post_id is someone else's element.
    let xml = export_with(&item_xml(
        7,
        "Seven",
        "<x:post_id xmlns:x=\"urn:other\">99</x:post_id>",
    ));
    let records = read_all(xml.as_bytes()).unwrap();
    assert_eq!(items(&records)[0].post_id, 7);
}

#[test]
fn character_references_and_predefined_entities_resolve_in_text() {
    let xml = export_with(&item_xml(
        9,
        "x",
        "<wp:postmeta><wp:meta_key>quote</wp:meta_key>\
         <wp:meta_value>&lt;b&gt;Tom&apos;s &quot;&#x1F4F0;&quot; &amp; more&#8230;&lt;/b&gt;</wp:meta_value></wp:postmeta>",
    ));
    let records = read_all(xml.as_bytes()).unwrap();
    assert_eq!(
        item(&records, 9).meta("quote"),
        Some("<b>Tom's \"📰\" & more…</b>")
    );
}

#[test]
fn bytes_read_grows_to_the_file_size() {
    let bytes = fixture("newsroom_6x.xml");
    let mut reader = WxrReader::new(&bytes[..], WxrLimits::default());
    assert_eq!(reader.bytes_read(), 0);
    let mut last = 0;
    let mut steps = 0;
    while let Some(record) = reader.next() {
        record.unwrap();
        assert!(reader.bytes_read() >= last);
        last = reader.bytes_read();
        steps += 1;
    }
    assert_eq!(steps, 29);
    assert_eq!(reader.bytes_read(), bytes.len() as u64);
}

#[test]
fn an_export_with_no_items_is_just_the_site() {
    let records = read_all(export_with("").as_bytes()).unwrap();
    assert_eq!(records.len(), 1);
    assert!(matches!(&records[0], Record::Site(s) if s.title == "Test site"));
}

#[test]
fn line_ends_are_normalised_as_xml_requires() {
    // A post saved from a Windows browser keeps CRLF in the database; XML reads it as LF.
    let xml = export_with(&item_xml(
        11,
        "x",
        "<wp:postmeta><wp:meta_key>k</wp:meta_key><wp:meta_value><![CDATA[one\r\ntwo\rthree]]>\r\nfour</wp:meta_value></wp:postmeta>",
    ));
    let records = read_all(xml.as_bytes()).unwrap();
    assert_eq!(item(&records, 11).meta("k"), Some("one\ntwo\nthree\nfour"));
}

#[test]
fn comments_and_processing_instructions_inside_a_field_are_not_text() {
    let xml = export_with(&item_xml(
        12,
        "x",
        "<wp:post_password>a<!-- note -->b<?php echo 1; ?>c</wp:post_password>",
    ));
    let records = read_all(xml.as_bytes()).unwrap();
    assert_eq!(item(&records, 12).post_password, "abc");
}

#[test]
fn elements_a_plugin_adds_are_skipped_whole() {
    let xml = export_with(&item_xml(
        13,
        "Kept",
        "<yoast:focus xmlns:yoast=\"urn:yoast\"><yoast:kw>budget</yoast:kw><title>Not the title</title></yoast:focus>\
         <wp:postmeta><wp:meta_key>after</wp:meta_key><wp:meta_value>yes</wp:meta_value></wp:postmeta>",
    ));
    let records = read_all(xml.as_bytes()).unwrap();
    let post = item(&records, 13);
    assert_eq!(post.title, "Kept");
    assert_eq!(post.meta("after"), Some("yes"));
}

#[test]
fn a_reader_that_trickles_and_is_interrupted_reads_the_same() {
    for name in ["newsroom_6x.xml", "wxr_1_0_wp28.xml"] {
        let bytes = fixture(name);
        let whole = read_all(&bytes).unwrap();
        for chunk in [1, 3, 7] {
            let trickle = Trickle {
                bytes: &bytes,
                chunk,
                interrupt: true,
            };
            let mut reader = WxrReader::new(trickle, WxrLimits::default());
            let records: Vec<Record> = reader.by_ref().collect::<Result<_, _>>().unwrap();
            assert_eq!(records, whole, "{name} in chunks of {chunk}");
            assert_eq!(reader.bytes_read(), bytes.len() as u64);
        }
    }
}
