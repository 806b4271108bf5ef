//! Times parse + normalise of a 10,000-item feed, the same feed as `tests/large.rs`:
//! `cargo run --release -p masthead_wire --example time_10k` (figures in docs/PERFORMANCE.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

/// An RSS 2.0 feed of `n` full items.
fn big_feed(n: usize) -> String {
    let mut doc = String::with_capacity(n * 1_200);
    doc.push_str(r#"<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Big Wire</title><link>https://big.example/</link>"#);
    for i in 0..n {
        doc.push_str(&format!(
            "<item><guid>big-{i}</guid><title>Story number {i} &amp; more</title>\
             <link>https://big.example/s/{i}</link><dc:creator>Writer {w}</dc:creator>\
             <pubDate>Tue, 03 Mar 2026 09:00:00 GMT</pubDate><category>Cat {c}</category>\
             <content:encoded><![CDATA[<p>Paragraph one of story {i}, with <a href=\"/rel/{i}\">a link</a>.</p>\
             <p>Paragraph two holds more words about the county board and its budget.</p>\
             <img src=\"/img/{i}.jpg\" alt=\"Picture {i}\"><p>Paragraph three ends it.</p>]]></content:encoded></item>",
            w = i % 40,
            c = i % 7
        ));
    }
    doc.push_str("</channel></rss>");
    doc
}

fn main() {
    let doc = big_feed(10_000);
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let feed = masthead_wire::parse(doc.as_bytes(), None).unwrap();
        let parsed = t.elapsed();
        let rules = masthead_wire::SourceRules::default();
        let out = masthead_wire::normalise(&feed, &rules, "https://big.example/feed");
        println!(
            "{} bytes, {} outcomes: parse {:?}, parse + normalise {:?}",
            doc.len(),
            out.len(),
            parsed,
            t.elapsed()
        );
    }
}
