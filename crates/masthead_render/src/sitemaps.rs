//! Sitemaps (<https://www.sitemaps.org/protocol.html>) and the Google News extension, written
//! element by element with quick-xml's writer, which escapes every value. A [`UrlSet`] hands
//! over what it has written so far ([`UrlSet::take`]), so a sitemap of 50,000 addresses is
//! sent in pieces as its rows arrive and never held whole.

use chrono::{DateTime, SecondsFormat, Utc};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use std::io;

/// The sitemap protocol's namespace.
pub const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
/// Google's News sitemap extension's namespace.
pub const NEWS_NS: &str = "http://www.google.com/schemas/sitemap-news/0.9";

/// A `<urlset>` being written.
pub struct UrlSet {
    writer: Writer<Vec<u8>>,
}

impl std::fmt::Debug for UrlSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UrlSet").finish_non_exhaustive()
    }
}

/// The W3C date-time a sitemap's `lastmod` and `news:publication_date` take.
pub fn w3c_datetime(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The publication language as Google News takes it: an ISO 639 code, or `zh-cn`/`zh-tw`.
pub fn news_language(tag: &str) -> String {
    let tag = tag.to_ascii_lowercase();
    if tag == "zh-cn" || tag == "zh-tw" {
        return tag;
    }
    tag.split('-').next().unwrap_or("en").to_owned()
}

impl UrlSet {
    /// Starts a sitemap; with `news`, one that declares the News namespace.
    pub fn start(news: bool) -> io::Result<Self> {
        let mut writer = Writer::new(Vec::with_capacity(16 * 1024));
        writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        let mut urlset = BytesStart::new("urlset");
        urlset.push_attribute(("xmlns", SITEMAP_NS));
        if news {
            urlset.push_attribute(("xmlns:news", NEWS_NS));
        }
        writer.write_event(Event::Start(urlset))?;
        Ok(UrlSet { writer })
    }

    /// One page: its absolute address and when it last changed.
    pub fn url(&mut self, loc: &str, lastmod: Option<DateTime<Utc>>) -> io::Result<()> {
        self.writer.create_element("url").write_inner_content(|w| {
            w.create_element("loc")
                .write_text_content(BytesText::new(loc))?;
            if let Some(at) = lastmod {
                w.create_element("lastmod")
                    .write_text_content(BytesText::new(&w3c_datetime(at)))?;
            }
            Ok(())
        })?;
        Ok(())
    }

    /// One story of a Google News sitemap.
    pub fn news_url(
        &mut self,
        loc: &str,
        publication: &str,
        language: &str,
        published: DateTime<Utc>,
        title: &str,
    ) -> io::Result<()> {
        self.writer.create_element("url").write_inner_content(|w| {
            w.create_element("loc")
                .write_text_content(BytesText::new(loc))?;
            w.create_element("news:news").write_inner_content(|w| {
                w.create_element("news:publication")
                    .write_inner_content(|w| {
                        w.create_element("news:name")
                            .write_text_content(BytesText::new(publication))?;
                        w.create_element("news:language")
                            .write_text_content(BytesText::new(language))?;
                        Ok(())
                    })?;
                w.create_element("news:publication_date")
                    .write_text_content(BytesText::new(&w3c_datetime(published)))?;
                w.create_element("news:title")
                    .write_text_content(BytesText::new(title))?;
                Ok(())
            })?;
            Ok(())
        })?;
        Ok(())
    }

    /// What has been written since the last call (the caller sends it on).
    pub fn take(&mut self) -> Vec<u8> {
        std::mem::take(self.writer.get_mut())
    }

    /// Closes the `<urlset>` and returns what was not yet taken.
    pub fn finish(mut self) -> io::Result<Vec<u8>> {
        self.writer
            .write_event(Event::End(BytesEnd::new("urlset")))?;
        Ok(self.writer.into_inner())
    }
}

/// A sitemap index over `sitemaps` (absolute addresses, with when each last changed if
/// known).
pub fn sitemap_index(sitemaps: &[(String, Option<DateTime<Utc>>)]) -> io::Result<String> {
    let mut writer = Writer::new(Vec::new());
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    writer
        .create_element("sitemapindex")
        .with_attribute(("xmlns", SITEMAP_NS))
        .write_inner_content(|w| {
            for (loc, lastmod) in sitemaps {
                w.create_element("sitemap").write_inner_content(|w| {
                    w.create_element("loc")
                        .write_text_content(BytesText::new(loc))?;
                    if let Some(at) = lastmod {
                        w.create_element("lastmod")
                            .write_text_content(BytesText::new(&w3c_datetime(*at)))?;
                    }
                    Ok(())
                })?;
            }
            Ok(())
        })?;
    String::from_utf8(writer.into_inner()).map_err(io::Error::other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_escaped_and_streamed_in_pieces() {
        let Ok(mut set) = UrlSet::start(false) else {
            panic!("start");
        };
        let head = set.take();
        assert!(
            String::from_utf8_lossy(&head).ends_with(&format!("<urlset xmlns=\"{SITEMAP_NS}\">"))
        );
        assert!(set.url("https://x.example/a?b=1&c=<2>", None).is_ok());
        let piece = String::from_utf8_lossy(&set.take()).into_owned();
        assert_eq!(
            piece,
            "<url><loc>https://x.example/a?b=1&amp;c=&lt;2&gt;</loc></url>"
        );
        assert!(set.take().is_empty(), "taken once");
        let tail = set.finish().unwrap_or_default();
        assert_eq!(tail, b"</urlset>");
    }

    #[test]
    fn news_languages_are_what_google_news_takes() {
        assert_eq!(news_language("en"), "en");
        assert_eq!(news_language("en-us"), "en");
        assert_eq!(news_language("zh-CN"), "zh-cn");
        assert_eq!(news_language("haw"), "haw");
    }
}
