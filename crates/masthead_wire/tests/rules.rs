//! Per-source rules and licence terms applied to real parsed items.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::{fixture, items, skipped};
use masthead_core::Slug;
use masthead_wire::{
    LicenceTerms, SectionRule, SkipReason, SourceRules, WireItem, credit, normalise, parse,
};
use pulldown_cmark::{Parser, html};

const FEED_URL: &str = "https://prairienews.example/feed/";

fn run(rules: &SourceRules) -> Vec<masthead_wire::Outcome> {
    let feed = parse(&fixture("state_news_rss2.xml"), None).unwrap();
    normalise(&feed, rules, FEED_URL)
}

fn slug(s: &str) -> Slug {
    Slug::parse(s).unwrap()
}

#[test]
fn categories_map_to_sections_case_insensitively_with_a_default() {
    let rules = SourceRules {
        sections: vec![
            SectionRule {
                category: "  statehouse ".into(),
                section: slug("politics"),
            },
            SectionRule {
                category: "ENVIRONMENT".into(),
                section: slug("environment"),
            },
        ],
        default_section: Some(slug("state")),
        ..SourceRules::default()
    };
    let out = run(&rules);
    let got = items(&out);
    let sections: Vec<_> = got
        .iter()
        .map(|i| i.section.as_ref().map(Slug::as_str))
        .collect();
    assert_eq!(
        sections,
        [Some("politics"), Some("environment"), Some("state")]
    );
}

#[test]
fn include_and_exclude_filters_use_whole_words() {
    let rules = SourceRules {
        exclude_keywords: vec!["sports".into()],
        ..SourceRules::default()
    };
    let out = run(&rules);
    // "sports authority" in the third item's text; "Stadium" alone would not match "stad".
    assert_eq!(items(&out).len(), 2);
    assert!(
        matches!(&skipped(&out)[..], [(2, SkipReason::Filtered(why))] if why.contains("\"sports\""))
    );

    let rules = SourceRules {
        include_keywords: vec!["emergency loans".into(), "governor".into()],
        ..SourceRules::default()
    };
    let out = run(&rules);
    assert_eq!(
        items(&out).iter().map(|i| i.index).collect::<Vec<_>>(),
        [0, 1]
    );

    // Part of a word is not a word.
    let rules = SourceRules {
        include_keywords: vec!["gov".into()],
        ..SourceRules::default()
    };
    assert!(items(&run(&rules)).is_empty());
}

#[test]
fn byline_template_is_not_doubled_by_the_site() {
    let authors = vec!["Maria Alvarez".to_owned()];
    let c = credit("By {author} | {wire}", &authors, "PSNS");
    // The site prints "By {byline} | {source_name}": the same words once.
    assert_eq!(
        (c.byline.as_str(), c.source_name.as_str()),
        ("Maria Alvarez", "PSNS")
    );
    assert_eq!(format!("By {} | {}", c.byline, c.source_name), c.display);

    let c = credit("{author}, {wire} correspondent", &authors, "PSNS");
    assert_eq!(c.byline, "Maria Alvarez, PSNS correspondent");
    assert_eq!(c.display, "Maria Alvarez, PSNS correspondent");

    let two = vec!["A".to_owned(), "B".to_owned(), "C".to_owned()];
    assert_eq!(
        credit("By {author} — {wire}", &two, "W").byline,
        "A, B and C"
    );
    assert_eq!(credit("By {author}", &[], "W").display, "W");
}

fn licensed(terms: LicenceTerms) -> Vec<WireItem> {
    let rules = SourceRules {
        wire_name: "Prairie State News Service".into(),
        licence: terms,
        ..SourceRules::default()
    };
    items(&run(&rules)).into_iter().cloned().collect()
}

#[test]
fn attribution_goes_first_and_locks_follow_the_licence() {
    let got = licensed(LicenceTerms {
        attribution: "This story was first published by {wire} <ok>. Original: {url}".into(),
        canonical_to_original: true,
        headline_editable: false,
        no_derivatives: true,
        expire_after_days: Some(30),
        ..LicenceTerms::default()
    });
    let first = &got[0];
    assert!(
        first.body_html.starts_with(
            "<p><em>This story was first published by Prairie State News Service &lt;ok&gt;. \
             Original: <a href=\"https://prairienews.example/2026/03/04/school-funding/\">"
        ),
        "{}",
        first.body_html
    );
    assert!(first.body_locked && first.headline_locked && first.source_canonical);
    assert_eq!(
        first.expires_at.unwrap().to_rfc3339(),
        "2026-04-03T20:30:00+00:00"
    );
    let open = licensed(LicenceTerms::default());
    assert!(!open[0].body_locked && !open[0].headline_locked && !open[0].source_canonical);
    assert!(
        open[0].body_html.starts_with("<p>SPRINGFIELD"),
        "{}",
        open[0].body_html
    );
}

#[test]
fn only_the_sources_own_tracking_pixel_passes_and_only_when_asked() {
    let without = licensed(LicenceTerms::default());
    assert!(!without[0].body_html.contains("pixel.gif"));
    let with = licensed(LicenceTerms {
        pass_tracking_pixel: true,
        ..LicenceTerms::default()
    });
    let body = &with[0].body_html;
    assert!(
        body.ends_with(
            "<img src=\"https://pixel.prairienews.example/pixel.gif?id=0412\" alt=\"\" width=\"1\" height=\"1\">"
        ),
        "{body}"
    );
    assert!(!body.contains("adnetwork"), "{body}");
    assert_eq!(body.matches("width=\"1\"").count(), 1, "{body}");
}

#[test]
fn the_content_hash_follows_the_story_not_the_noise() {
    let base = r#"<rss version="2.0"><channel><title>W</title><item><guid>g1</guid>
<title>Council votes</title><link>https://w.example/1</link>
<pubDate>Tue, 03 Mar 2026 09:00:00 GMT</pubDate>
<description><![CDATA[<p>The council voted.</p><p>Next meeting in April.</p>]]></description>
</item></channel></rss>"#;
    let hash = |doc: &str| {
        let feed = parse(doc.as_bytes(), None).unwrap();
        items(&normalise(
            &feed,
            &SourceRules::default(),
            "https://w.example/",
        ))[0]
            .content_hash
            .clone()
    };
    let h = hash(base);
    assert!(h.starts_with("sha256:") && h.len() == 7 + 64, "{h}");
    // Same story, re-indented, re-dated, with a channel-level change: same hash.
    let noisy = base
        .replace("<p>Next", "\n   <p>Next")
        .replace("09:00:00", "11:15:00")
        .replace("<title>W</title>", "<title>W (updated)</title><ttl>5</ttl>")
        .replace("voted.</p>", "voted.</p>\n\n");
    assert_eq!(hash(&noisy), h);
    assert_eq!(
        items(&normalise(
            &parse(base.as_bytes(), None).unwrap(),
            &SourceRules::default(),
            "https://w.example/"
        ))[0]
            .summary,
        "The council voted. Next meeting in April.",
        "summary_paragraphs_are_separated_by_a_space"
    );
    // A changed word in the body, or a changed headline: a new hash.
    assert_ne!(hash(&base.replace("April", "May")), h);
    assert_ne!(hash(&base.replace("Council votes", "Council vote")), h);
}

/// The body stored as Markdown renders to the same HTML, whatever Markdown characters the
/// text holds and however many blank lines the feed's HTML had.
#[test]
fn markdown_passes_the_body_through_verbatim() {
    let doc = r#"<rss version="2.0"><channel><title>W</title><item><guid>g</guid><title>t</title>
<description><![CDATA[<p>Costs 5 * 3 = 15 _million_ # not a heading &lt;tag&gt; [x](y)</p>


<pre>line one

    line three *</pre>

<ul><li>**a**</li></ul>

<p>`code` ~~no~~ &amp; done</p>]]></description></item></channel></rss>"#;
    let feed = parse(doc.as_bytes(), None).unwrap();
    let item = items(&normalise(
        &feed,
        &SourceRules::default(),
        "https://w.example/",
    ))[0]
        .clone();
    let mut rendered = String::new();
    html::push_html(&mut rendered, Parser::new(&item.body_md));
    let reparsed = rendered.trim_end().replace("&#10;", "\n");
    assert_eq!(
        reparsed,
        format!("<div>{}</div>", item.body_html),
        "{}",
        item.body_md
    );
    for text in [
        "5 * 3 = 15 _million_ # not a heading &lt;tag&gt; [x](y)",
        "**a**",
        "`code` ~~no~~ &amp; done",
        "line one\n\n    line three *",
    ] {
        assert!(reparsed.contains(text), "{text:?} not in {reparsed}");
    }
    assert!(!item.body_md.trim_end().contains('\n'), "{}", item.body_md);
}
