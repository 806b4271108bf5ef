//! Bytes to [`ParsedFeed`]: the guard's checks, then feed-rs, then a copy of what the
//! normaliser needs in types of our own, so feed-rs stays an implementation detail.
//!
//! feed-rs invents an id for an entry that has none (a hash of its link and title, or a
//! random UUID). That would make identity depend on the title and, for link-less entries,
//! change on every pull; so the parser is given an id generator that returns nothing and an
//! entry without a GUID arrives here with `guid: None` (`missing_guid_falls_back_to_the_link`).

use crate::error::ParseError;
use crate::guard::{self, ParseLimits, Syntax};
use chrono::{DateTime, Utc};
use feed_rs::model::{Entry, FeedType, MediaObject, Text};
use feed_rs::parser::{ParseErrorKind, ParseFeedError};
use serde::{Deserialize, Serialize};

/// Which syndication format a feed was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedFormat {
    /// RSS 2.0.
    Rss2,
    /// RSS 1.0 (RDF).
    Rss1,
    /// RSS 0.9x.
    Rss0,
    /// Atom 1.0.
    Atom,
    /// JSON Feed 1.x.
    JsonFeed,
}

/// A feed as read, before any per-source rule applies.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedFeed {
    /// The format it was written in.
    pub format: FeedFormat,
    /// The feed's own title, as written (may hold markup).
    pub title: String,
    /// The feed's website, if it names one.
    pub link: Option<String>,
    /// Its items, in feed order, at most [`ParseLimits::max_items`].
    pub entries: Vec<RawEntry>,
    /// How many items past the cap were not kept.
    pub dropped_over_cap: usize,
}

/// One item as the feed wrote it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RawEntry {
    /// The GUID (RSS `guid`, Atom `id`, JSON `id`); `None` when the feed gave none.
    pub guid: Option<String>,
    /// Its links in feed order (the first is taken as the original's address).
    pub links: Vec<String>,
    /// The headline as written: may hold HTML or entities.
    pub title: Option<String>,
    /// The summary or description, as HTML.
    pub summary: Option<String>,
    /// The full content (`content:encoded`, Atom `content`, JSON `content_html`), as HTML;
    /// plain-text content arrives here already escaped into paragraphs.
    pub content: Option<String>,
    /// Writers' names (`dc:creator`, `author`, Atom and JSON authors).
    pub authors: Vec<String>,
    /// Category names.
    pub categories: Vec<String>,
    /// When it was published, if the feed said and the date could be read.
    pub published: Option<DateTime<Utc>>,
    /// When it was last updated, if the feed said and the date could be read.
    pub updated: Option<DateTime<Utc>>,
    /// Attached media (`media:content`, `media:thumbnail`, enclosures), in feed order.
    pub media: Vec<RawMedia>,
}

/// An attached media object.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RawMedia {
    /// Its address.
    pub url: String,
    /// Its declared type (`image/jpeg`), if any.
    pub content_type: Option<String>,
    /// Whether it came from a thumbnail element.
    pub thumbnail: bool,
    /// Its description (`media:description`), the usual home of alt text.
    pub description: Option<String>,
    /// Its title (`media:title`).
    pub title: Option<String>,
    /// Its credit (`media:credit`).
    pub credit: Option<String>,
}

/// Parses a feed with the default [`ParseLimits`].
///
/// `content_type` is the `Content-Type` the server sent, used only to word the error when
/// the bytes are not a feed; the format is always sniffed from the bytes.
pub fn parse(bytes: &[u8], content_type: Option<&str>) -> Result<ParsedFeed, ParseError> {
    parse_with(bytes, content_type, &ParseLimits::default())
}

/// Parses a feed within `limits`.
pub fn parse_with(
    bytes: &[u8],
    content_type: Option<&str>,
    limits: &ParseLimits,
) -> Result<ParsedFeed, ParseError> {
    let (syntax, prescan) = guard::check(bytes, content_type, limits)?;
    let parser = feed_rs::parser::Builder::new()
        .id_generator(|_, _, _| String::new())
        .sanitize_content(false)
        .build();
    let feed = parser.parse(bytes).map_err(|e| explain(e, syntax))?;
    let format = match feed.feed_type {
        FeedType::Atom => FeedFormat::Atom,
        FeedType::JSON => FeedFormat::JsonFeed,
        FeedType::RSS0 => FeedFormat::Rss0,
        FeedType::RSS1 => FeedFormat::Rss1,
        FeedType::RSS2 => FeedFormat::Rss2,
    };
    let total = feed.entries.len();
    // The pre-scan's thumbnails line up with feed-rs's entries only if both saw the same
    // items; when the counts differ, they are not used.
    let lone_thumbnails = if prescan.thumbnails.len() == total {
        prescan.thumbnails
    } else {
        Vec::new()
    };
    let mut lone_thumbnails = lone_thumbnails.into_iter();
    let entries: Vec<RawEntry> = feed
        .entries
        .into_iter()
        .take(limits.max_items)
        .map(|e| {
            let mut raw = raw_entry(e);
            if let Some(Some(url)) = lone_thumbnails.next()
                && !raw.media.iter().any(|m| m.url == url)
            {
                raw.media.push(RawMedia {
                    url,
                    thumbnail: true,
                    ..RawMedia::default()
                });
            }
            raw
        })
        .collect();
    Ok(ParsedFeed {
        format,
        title: feed.title.map(|t| t.content).unwrap_or_default(),
        link: feed
            .links
            .iter()
            .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
            .map(|l| l.href.clone()),
        dropped_over_cap: total.saturating_sub(entries.len()),
        entries,
    })
}

/// Words feed-rs's errors for an editor.
fn explain(e: ParseFeedError, syntax: Syntax) -> ParseError {
    match e {
        ParseFeedError::ParseError(ParseErrorKind::NoFeedRoot) => ParseError::NotAFeed(
            match syntax {
                Syntax::Xml => {
                    "it is XML, but not RSS, RDF or Atom (no <rss>, <rdf:RDF> or <feed> root)"
                }
                Syntax::Json => "it is JSON, but not a JSON Feed",
            }
            .into(),
        ),
        ParseFeedError::JsonUnsupportedVersion(v) => ParseError::NotAFeed(format!(
            "it is JSON but not a JSON Feed 1.x (its version is {v:?})"
        )),
        other => ParseError::Malformed(other.to_string()),
    }
}

fn text_of(t: Option<Text>) -> Option<String> {
    t.map(|t| t.content).filter(|s| !s.trim().is_empty())
}

fn raw_entry(e: Entry) -> RawEntry {
    let guid = Some(e.id.trim().to_owned()).filter(|s| !s.is_empty());
    let content = e.content.and_then(|c| {
        let plain = c.content_type.essence().to_string() == "text/plain";
        c.body
            .filter(|b| !b.trim().is_empty())
            .map(|b| if plain { plain_to_html(&b) } else { b })
    });
    let mut media = Vec::new();
    for m in e.media {
        push_media(m, &mut media);
    }
    RawEntry {
        guid,
        links: e
            .links
            .into_iter()
            .filter(|l| {
                l.rel
                    .as_deref()
                    .is_none_or(|r| r == "alternate" || r == "self")
            })
            .map(|l| l.href)
            .collect(),
        title: text_of(e.title),
        summary: text_of(e.summary),
        content,
        authors: e
            .authors
            .into_iter()
            .filter_map(|p| p.name)
            .filter(|n| !n.trim().is_empty())
            .collect(),
        categories: e
            .categories
            .into_iter()
            .map(|c| c.label.unwrap_or(c.term))
            .filter(|c| !c.trim().is_empty())
            .collect(),
        published: e.published,
        updated: e.updated,
        media,
    }
}

fn push_media(m: MediaObject, out: &mut Vec<RawMedia>) {
    let description = text_of(m.description);
    let title = text_of(m.title);
    let credit = m.credits.first().map(|c| c.entity.clone());
    for c in m.content {
        if let Some(url) = c.url {
            out.push(RawMedia {
                url: url.to_string(),
                content_type: c.content_type.map(|t| t.to_string()),
                thumbnail: false,
                description: description.clone(),
                title: title.clone(),
                credit: credit.clone(),
            });
        }
    }
    for t in m.thumbnails {
        out.push(RawMedia {
            url: t.image.uri,
            content_type: None,
            thumbnail: true,
            description: description.clone(),
            title: title.clone(),
            credit: credit.clone(),
        });
    }
}

/// Plain text (JSON Feed `content_text`) as HTML paragraphs, escaped.
fn plain_to_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for para in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        out.push_str("<p>");
        out.push_str(&crate::html::escape(para));
        out.push_str("</p>");
    }
    out
}
