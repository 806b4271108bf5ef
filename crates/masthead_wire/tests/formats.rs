//! Every format parses to the right items, through the real parser and the fixtures.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::{fixture, items};
use masthead_wire::{FeedFormat, IdentityKind, SourceRules, normalise, parse};

fn rules() -> SourceRules {
    SourceRules {
        wire_name: "Prairie State News Service".into(),
        ..SourceRules::default()
    }
}

#[test]
fn rss2_with_content_encoded_media_and_dc_creator() {
    let feed = parse(&fixture("state_news_rss2.xml"), Some("application/rss+xml")).unwrap();
    assert_eq!(feed.format, FeedFormat::Rss2);
    assert_eq!(feed.entries.len(), 3);
    let out = normalise(&feed, &rules(), "https://prairienews.example/feed/");
    let got = items(&out);
    assert_eq!(got.len(), 3);

    let first = got[0];
    assert_eq!(first.identity.kind, IdentityKind::Guid);
    assert_eq!(first.identity.value, "psns-2026-0412");
    assert_eq!(
        first.title,
        "Legislature passes school funding bill & sends it to governor"
    );
    assert_eq!(
        first.slug.as_str(),
        "legislature-passes-school-funding-bill-and-sends-it-to-governor"
    );
    assert_eq!(first.authors, ["Maria Alvarez"]);
    assert_eq!(first.credit.byline, "Maria Alvarez");
    assert_eq!(first.credit.source_name, "Prairie State News Service");
    assert_eq!(
        first.credit.display,
        "By Maria Alvarez | Prairie State News Service"
    );
    assert_eq!(
        first.published.unwrap().to_rfc3339(),
        "2026-03-04T20:30:00+00:00"
    );
    assert_eq!(first.updated, first.published);
    assert_eq!(
        first.link.as_deref(),
        Some("https://prairienews.example/2026/03/04/school-funding/")
    );
    assert_eq!(
        first.summary,
        "The House voted 61-38 to send the bill to the governor."
    );
    assert_eq!(first.categories, ["Education", "Statehouse"]);
    assert_eq!(first.tags, ["Education", "Statehouse"]);
    let image = first.lead_image.as_ref().unwrap();
    assert_eq!(
        image.url,
        "https://prairienews.example/wp-content/uploads/2026/03/vote.jpg"
    );
    assert_eq!(image.alt, "Lawmakers vote on the House floor");
    assert!(!image.needs_alt);
    assert_eq!(image.credit, "Jo Park / Prairie State News Service");

    let body = &first.body_html;
    assert!(body.contains("SPRINGFIELD"), "{body}");
    for bad in [
        "<script",
        "onclick",
        "javascript:",
        "alert(",
        "adnetwork",
        "pixel.prairienews",
    ] {
        assert!(!body.contains(bad), "{bad} in {body}");
    }

    // No GUID: identity is the link; media:thumbnail is the lead image, with no alt.
    let second = got[1];
    assert_eq!(second.identity.kind, IdentityKind::Link);
    assert_eq!(
        second.identity.value,
        "https://prairienews.example/2026/03/03/drought/"
    );
    let thumb = second.lead_image.as_ref().unwrap();
    assert_eq!(thumb.url, "https://prairienews.example/thumbs/drought.jpg");
    assert!(thumb.needs_alt && thumb.alt.is_empty());
    assert_eq!(second.credit.byline, "Sam Okafor");
    // The description is the body when there is no content:encoded.
    assert!(second.body_html.contains("emergency loans"));

    // A pubDate that is not a date: no date, no panic, the enclosure is the image.
    let third = got[2];
    assert_eq!(third.published, None);
    assert_eq!(third.updated, None);
    assert_eq!(third.expires_at, None);
    assert_eq!(
        third.lead_image.as_ref().unwrap().url,
        "https://prairienews.example/img/stadium.png"
    );
    // No author: the credit is the wire alone.
    assert_eq!(third.credit.byline, "");
    assert_eq!(third.credit.display, "Prairie State News Service");
}

#[test]
fn atom_with_xml_base_html_title_and_two_authors() {
    let feed = parse(&fixture("county_atom.xml"), None).unwrap();
    assert_eq!(feed.format, FeedFormat::Atom);
    let out = normalise(
        &feed,
        &SourceRules::default(),
        "https://countywire.example/feeds/all.atom",
    );
    let got = items(&out);
    assert_eq!(got.len(), 2);
    let first = got[0];
    assert_eq!(first.title, "Library reopens after flood");
    assert_eq!(first.identity.kind, IdentityKind::Guid);
    assert_eq!(
        first.link.as_deref(),
        Some("https://countywire.example/news/library-reopens")
    );
    // The wire's name falls back to the feed's title.
    assert_eq!(
        first.credit.display,
        "By Lee Chen and Ana Ruiz | County Wire"
    );
    assert_eq!(first.credit.byline, "Lee Chen and Ana Ruiz");
    assert_eq!(first.categories, ["Community"]);
    assert_eq!(
        first.published.unwrap().to_rfc3339(),
        "2026-03-05T15:00:00+00:00"
    );
    assert_eq!(
        first.updated.unwrap().to_rfc3339(),
        "2026-03-05T17:00:00+00:00"
    );
    // Relative link and image resolved against the item's link.
    assert!(
        first
            .body_html
            .contains("href=\"https://countywire.example/news/hours.html\""),
        "{}",
        first.body_html
    );
    let image = first.lead_image.as_ref().unwrap();
    assert_eq!(image.url, "https://countywire.example/news/img/lib.jpg");
    assert!(image.needs_alt);
    assert_eq!(
        first.body_images_without_alt,
        std::slice::from_ref(&image.url)
    );

    let second = got[1];
    assert!(
        second.body_html.contains("<strong>$4.1 million</strong>"),
        "{}",
        second.body_html
    );
    // Only an updated date: published falls back to it.
    assert_eq!(second.published, second.updated);
    assert!(second.published.is_some());
    // No summary in the feed: an excerpt of the body.
    assert_eq!(
        second.summary,
        "The council approved a $4.1 million budget."
    );
}

#[test]
fn rss1_rdf_items() {
    let feed = parse(&fixture("rss1.rdf"), Some("application/rdf+xml")).unwrap();
    assert_eq!(feed.format, FeedFormat::Rss1);
    let out = normalise(
        &feed,
        &SourceRules::default(),
        "https://valleyreport.example/rss",
    );
    let got = items(&out);
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].title, "Bridge repairs begin");
    assert_eq!(
        got[0].link.as_deref(),
        Some("https://valleyreport.example/a/1")
    );
    assert_eq!(got[0].authors, ["Pat Doyle"]);
    assert!(got[0].published.is_some());
    assert_eq!(got[1].title, "Farmers market moves indoors");
    assert_ne!(got[0].identity, got[1].identity);
}

#[test]
fn json_feed_1_1_html_and_text_content() {
    let feed = parse(&fixture("feed.json"), Some("application/feed+json")).unwrap();
    assert_eq!(feed.format, FeedFormat::JsonFeed);
    let out = normalise(
        &feed,
        &SourceRules::default(),
        "https://lakeshore.example/feed.json",
    );
    let got = items(&out);
    assert_eq!(got.len(), 2);
    let first = got[0];
    assert_eq!(first.identity.value, "https://lakeshore.example/p/100");
    assert_eq!(first.authors, ["Kim Berg"]);
    assert_eq!(first.tags, ["Transit", "Lakeshore"]);
    assert_eq!(first.summary, "More morning runs.");
    let image = first.lead_image.as_ref().unwrap();
    assert_eq!(image.url, "https://lakeshore.example/img/ferry.jpg");
    assert!(image.needs_alt);
    // content_text becomes escaped paragraphs; a malformed date is no date.
    let second = got[1];
    assert!(
        second.body_html.contains("<p>Bring gloves &amp; bags.</p>"),
        "{}",
        second.body_html
    );
    assert_eq!(second.published, None);
    // Items without their own author inherit the feed's (JSON Feed's rule).
    assert_eq!(second.authors, ["Lakeshore Staff"]);
}
