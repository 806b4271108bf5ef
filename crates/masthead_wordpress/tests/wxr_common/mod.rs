//! Helpers shared by the WXR reader's tests: fixtures, and reading a whole export into
//! its records and the error that ended it.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use masthead_wordpress::wxr::{Item, Record, WxrError, WxrLimits, WxrReader};

/// The bytes of `tests/fixtures/wxr/<name>`.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/wxr/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every record, or the first error.
pub fn read_all(bytes: &[u8]) -> Result<Vec<Record>, WxrError> {
    WxrReader::new(bytes, WxrLimits::default()).collect()
}

/// The records read before the reader stopped, and the error it stopped on.
pub fn read_until_error(bytes: &[u8], limits: WxrLimits) -> (Vec<Record>, Option<WxrError>) {
    let mut records = Vec::new();
    for record in WxrReader::new(bytes, limits) {
        match record {
            Ok(record) => records.push(record),
            Err(error) => return (records, Some(error)),
        }
    }
    (records, None)
}

/// The error reading `bytes` ends with; panics when it reads whole.
pub fn error_of(bytes: &[u8]) -> WxrError {
    error_with(bytes, WxrLimits::default())
}

/// The error reading `bytes` under `limits` ends with; panics when it reads whole.
pub fn error_with(bytes: &[u8], limits: WxrLimits) -> WxrError {
    match read_until_error(bytes, limits) {
        (_, Some(error)) => error,
        (records, None) => panic!("read whole, {} records", records.len()),
    }
}

/// The items among `records`.
pub fn items(records: &[Record]) -> Vec<&Item> {
    records
        .iter()
        .filter_map(|r| match r {
            Record::Item(item) => Some(&**item),
            _ => None,
        })
        .collect()
}

/// The item with `post_id`.
pub fn item(records: &[Record], post_id: u64) -> &Item {
    items(records)
        .into_iter()
        .find(|i| i.post_id == post_id)
        .unwrap_or_else(|| panic!("no item {post_id}"))
}

/// A minimal WXR 1.2 export around `items` (raw XML of `<item>` elements).
pub fn export_with(items: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0"
	xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:wp="http://wordpress.org/export/1.2/"
>
<channel>
	<title>Test site</title>
	<link>https://test.example</link>
	<language>en-US</language>
	<wp:wxr_version>1.2</wp:wxr_version>
	<wp:base_site_url>https://test.example</wp:base_site_url>
	<wp:base_blog_url>https://test.example</wp:base_blog_url>
{items}
</channel>
</rss>
"#
    )
}

/// One `<item>` with `post_id`, `title` and `extra` XML inside, shaped as WordPress 6 writes it.
pub fn item_xml(post_id: u64, title: &str, extra: &str) -> String {
    format!(
        r#"	<item>
		<title><![CDATA[{title}]]></title>
		<link>https://test.example/?p={post_id}</link>
		<pubDate>Mon, 02 Mar 2026 10:00:00 +0000</pubDate>
		<dc:creator><![CDATA[editor]]></dc:creator>
		<guid isPermaLink="false">https://test.example/?p={post_id}</guid>
		<description></description>
		<content:encoded><![CDATA[<p>Body of {post_id}.</p>]]></content:encoded>
		<excerpt:encoded><![CDATA[]]></excerpt:encoded>
		<wp:post_id>{post_id}</wp:post_id>
		<wp:post_date><![CDATA[2026-03-02 02:00:00]]></wp:post_date>
		<wp:post_date_gmt><![CDATA[2026-03-02 10:00:00]]></wp:post_date_gmt>
		<wp:post_name><![CDATA[post-{post_id}]]></wp:post_name>
		<wp:status><![CDATA[publish]]></wp:status>
		<wp:post_parent>0</wp:post_parent>
		<wp:menu_order>0</wp:menu_order>
		<wp:post_type><![CDATA[post]]></wp:post_type>
		<wp:is_sticky>0</wp:is_sticky>
{extra}
	</item>
"#
    )
}

/// A reader that hands out `chunk` bytes at a time and is interrupted before every chunk,
/// as a pipe or a slow disk may be.
pub struct Trickle<'a> {
    pub bytes: &'a [u8],
    pub chunk: usize,
    pub interrupt: bool,
}

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let available = std::io::BufRead::fill_buf(self)?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        std::io::BufRead::consume(self, n);
        Ok(n)
    }
}

impl std::io::BufRead for Trickle<'_> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.interrupt {
            self.interrupt = false;
            return Err(std::io::ErrorKind::Interrupted.into());
        }
        Ok(&self.bytes[..self.chunk.min(self.bytes.len())])
    }

    fn consume(&mut self, amount: usize) {
        self.bytes = &self.bytes[amount..];
        self.interrupt = true;
    }
}
