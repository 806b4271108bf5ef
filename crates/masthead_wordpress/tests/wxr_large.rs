//! A large export streams in bounded memory: 20,000 generated items (about 100 MB, made on
//! the fly so the input itself takes no memory) read with the peak resident memory of the
//! process (VmHWM) growing by less than a bound far below what holding the items would
//! take; and a billion-laughs document leaves the peak where it was.
//!
//! One test in its own binary, so no other test's allocations move the peak.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufReader, Read};

use masthead_wordpress::wxr::{Record, WxrError, WxrLimits, WxrReader};

const ITEMS: u64 = 20_000;
/// Peak memory may grow by this much while the whole export is read.
const BOUND_KB: u64 = 8 * 1024;

/// An export written on demand, one item at a time.
struct GeneratedExport {
    chunk: Vec<u8>,
    at: usize,
    next_item: u64,
    items: u64,
    done: bool,
    written: u64,
}

impl GeneratedExport {
    fn new(items: u64) -> Self {
        let header = r#"<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0"
	xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:wp="http://wordpress.org/export/1.2/"
>
<channel>
	<title>The Big Archive</title>
	<link>https://archive.example</link>
	<language>en-US</language>
	<wp:wxr_version>1.2</wp:wxr_version>
	<wp:base_site_url>https://archive.example</wp:base_site_url>
	<wp:base_blog_url>https://archive.example</wp:base_blog_url>
		<wp:author><wp:author_id>1</wp:author_id><wp:author_login><![CDATA[archivist]]></wp:author_login></wp:author>
"#;
        Self {
            chunk: header.as_bytes().to_vec(),
            at: 0,
            next_item: 1,
            items,
            done: false,
            written: 0,
        }
    }

    fn item(id: u64) -> String {
        let paragraph = format!(
            "<!-- wp:paragraph -->\n<p>Story {id}: the council met on Tuesday to discuss the budget, \
             the road repairs on Main Street and the library&#8217;s hours. Residents spoke for \
             two hours; the vote was postponed to next month.</p>\n<!-- /wp:paragraph -->\n\n"
        );
        let comments: String = (0..3)
            .map(|c| {
                format!(
                    "\t\t<wp:comment>\n\t\t\t<wp:comment_id>{}</wp:comment_id>\n\t\t\t<wp:comment_author><![CDATA[Reader {c}]]></wp:comment_author>\n\t\t\t<wp:comment_content><![CDATA[Comment {c} on story {id}: thanks for covering this.]]></wp:comment_content>\n\t\t\t<wp:comment_approved><![CDATA[1]]></wp:comment_approved>\n\t\t\t<wp:comment_parent>0</wp:comment_parent>\n\t\t</wp:comment>\n",
                    id * 10 + c
                )
            })
            .collect();
        format!(
            "\t<item>\n\t\t<title><![CDATA[Story {id}]]></title>\n\t\t<link>https://archive.example/?p={id}</link>\n\t\t<dc:creator><![CDATA[archivist]]></dc:creator>\n\t\t<guid isPermaLink=\"false\">https://archive.example/?p={id}</guid>\n\t\t<content:encoded><![CDATA[{}]]></content:encoded>\n\t\t<excerpt:encoded><![CDATA[]]></excerpt:encoded>\n\t\t<wp:post_id>{id}</wp:post_id>\n\t\t<wp:post_date><![CDATA[2020-01-01 10:00:00]]></wp:post_date>\n\t\t<wp:status><![CDATA[publish]]></wp:status>\n\t\t<wp:post_type><![CDATA[post]]></wp:post_type>\n\t\t<category domain=\"category\" nicename=\"news\"><![CDATA[News]]></category>\n\t\t<wp:postmeta>\n\t\t<wp:meta_key><![CDATA[_edit_last]]></wp:meta_key>\n\t\t<wp:meta_value><![CDATA[1]]></wp:meta_value>\n\t\t</wp:postmeta>\n{comments}\t</item>\n",
            paragraph.repeat(16)
        )
    }
}

impl Read for GeneratedExport {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.chunk.len() {
            if self.next_item <= self.items {
                self.chunk = Self::item(self.next_item).into_bytes();
                self.next_item += 1;
            } else if !self.done {
                self.chunk = b"</channel>\n</rss>\n".to_vec();
                self.done = true;
            } else {
                return Ok(0);
            }
            self.at = 0;
        }
        let n = out.len().min(self.chunk.len() - self.at);
        out[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        self.written += n as u64;
        Ok(n)
    }
}

/// The process's peak resident memory so far, in kB.
fn peak_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn twenty_thousand_items_stream_in_bounded_memory() {
    // Warm up: one small export read whole, so first-use allocations are behind us.
    for record in WxrReader::new(
        BufReader::new(GeneratedExport::new(10)),
        WxrLimits::default(),
    ) {
        record.unwrap();
    }
    let before = peak_kb();

    let mut reader = WxrReader::new(
        BufReader::new(GeneratedExport::new(ITEMS)),
        WxrLimits::default(),
    );
    let mut items = 0u64;
    let mut text_bytes = 0u64;
    let mut last_progress = 0;
    while let Some(record) = reader.next() {
        match record.unwrap() {
            Record::Item(item) => {
                items += 1;
                assert_eq!(item.post_id, items);
                assert_eq!(item.comments.len(), 3);
                assert_eq!(item.meta("_edit_last"), Some("1"));
                text_bytes += item.content.len() as u64
                    + item
                        .comments
                        .iter()
                        .map(|c| c.content.len() as u64)
                        .sum::<u64>();
            }
            Record::Site(site) => assert_eq!(site.title, "The Big Archive"),
            _ => {}
        }
        assert!(reader.bytes_read() >= last_progress);
        last_progress = reader.bytes_read();
    }
    let grown = peak_kb().saturating_sub(before);
    assert_eq!(items, ITEMS);
    // Holding the items would take at least their text: far more than the bound.
    assert!(
        text_bytes / 1024 > 8 * BOUND_KB,
        "the export is too small to show anything ({text_bytes} bytes of text)"
    );
    assert!(
        grown < BOUND_KB,
        "peak memory grew by {grown} kB reading {items} items ({} MB of text)",
        text_bytes >> 20
    );
    eprintln!(
        "read {items} items, {} MB of input, {} MB of text; peak memory grew by {grown} kB",
        last_progress >> 20,
        text_bytes >> 20
    );

    // A billion-laughs document: refused at its DOCTYPE, the peak unmoved.
    let before = peak_kb();
    let mut bomb = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n<!ENTITY l0 \"lol\">\n");
    for level in 1..=12 {
        let prev = format!("&l{};", level - 1);
        bomb.push_str(&format!("<!ENTITY l{level} \"{}\">\n", prev.repeat(10)));
    }
    bomb.push_str("]>\n<rss version=\"2.0\"><channel><title>&l12;</title></channel></rss>");
    let errors: Vec<WxrError> = WxrReader::new(bomb.as_bytes(), WxrLimits::default())
        .filter_map(Result::err)
        .collect();
    assert!(matches!(errors.as_slice(), [WxrError::Doctype { .. }]));
    let grown = peak_kb().saturating_sub(before);
    assert!(grown < 1024, "peak memory grew by {grown} kB on the bomb");
}
