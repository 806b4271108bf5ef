//! The 10,000-item feed of the issue's performance case, shared by `tests/large.rs` and
//! `examples/time_10k.rs`.

/// An RSS 2.0 feed of `n` full items.
pub fn big_feed(n: usize) -> String {
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
