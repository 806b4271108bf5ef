//! [`WxrReader`]: the export as an iterator of records. It reads the channel's own fields
//! into [`Site`] up to the first record, then one author, term or item per call, and holds
//! nothing of a record once it has been returned.

use std::io::BufRead;
use std::iter::FusedIterator;

use super::error::{ItemRef, Place, WxrError};
use super::limits::WxrLimits;
use super::model::{Record, Site};
use super::names::Ns;
use super::records::{self, TermKind};
use super::xml::{Tag, Tok, Xml};

/// Reads a WordPress export (WXR 1.0, 1.1 or 1.2) from `R` one [`Record`] at a time:
/// [`Record::Site`] first, then every author, category, tag, term and item in file order.
///
/// Memory is bounded by one item (and [`WxrLimits`]), whatever the size of the file. After
/// an error the iterator ends: an export is not read past a fault. An error after some
/// records leaves those records valid; [`WxrError::Truncated`] names the last whole item.
///
/// ```no_run
/// # use masthead_wordpress::wxr::{WxrReader, WxrLimits, Record};
/// let file = std::io::BufReader::new(std::fs::File::open("export.xml")?);
/// for record in WxrReader::new(file, WxrLimits::default()) {
///     if let Record::Item(item) = record? {
///         println!("{} {}", item.post_id, item.title);
///     }
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct WxrReader<R: BufRead> {
    xml: Xml<R>,
    state: State,
    /// A record whose start tag ended the channel header; read on the next call.
    pending: Option<Kind>,
    /// A record read whole while deciding whether the file is an export at all.
    stash: Option<Record>,
    authors: u64,
    terms: u64,
    items: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Nothing returned yet: the site comes next.
    Header,
    /// Inside `<channel>`.
    Records,
    /// `</channel>` read; `</rss>` and the end of the file come next.
    AfterChannel,
    /// The end of the export, or an error.
    Done,
}

/// The elements that make a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Author,
    Term(TermKind),
    Item,
}

impl<R: BufRead> WxrReader<R> {
    /// A reader over `reader`, which should be buffered (a `BufReader` over the file).
    pub fn new(reader: R, limits: WxrLimits) -> Self {
        Self {
            xml: Xml::new(reader, limits),
            state: State::Header,
            pending: None,
            stash: None,
            authors: 0,
            terms: 0,
            items: 0,
        }
    }

    /// Bytes of the input read so far, to draw progress against the file's size.
    pub fn bytes_read(&self) -> u64 {
        self.xml.bytes_read()
    }

    fn advance(&mut self) -> Result<Option<Record>, WxrError> {
        if self.state == State::Header {
            return self.header().map(Some);
        }
        if let Some(record) = self.stash.take() {
            return Ok(Some(record));
        }
        if let Some(kind) = self.pending.take() {
            return self.record(kind).map(Some);
        }
        loop {
            match (self.state, self.xml.next(None)?) {
                (State::Records, Tok::Start(tag)) => match kind_of(&tag) {
                    Some(kind) => return self.record(kind).map(Some),
                    None => self.xml.skip()?,
                },
                (State::Records, Tok::End) => self.state = State::AfterChannel,
                (State::AfterChannel, Tok::Start(_)) => self.xml.skip()?,
                (State::AfterChannel, Tok::End) => return self.end_of_file(),
                (_, Tok::Eof) | (State::Header | State::Done, _) => {
                    return Err(self.xml.truncated());
                }
            }
        }
    }

    /// The root, the channel, and its fields up to the first record: the site.
    fn header(&mut self) -> Result<Record, WxrError> {
        let root = match self.xml.next(None)? {
            Tok::Start(tag) => tag,
            Tok::End | Tok::Eof => {
                return Err(WxrError::NotWordPress {
                    found: "a file with no XML element in it".to_owned(),
                });
            }
        };
        if !root.is(Ns::Rss, "rss") {
            return Err(WxrError::NotWordPress {
                found: describe_root(&root),
            });
        }
        loop {
            match self.xml.next(None)? {
                Tok::Start(tag) if tag.is(Ns::Rss, "channel") => break,
                Tok::Start(_) => self.xml.skip()?,
                Tok::End | Tok::Eof => {
                    return Err(WxrError::NotWordPress {
                        found: "an RSS document without a <channel>".to_owned(),
                    });
                }
            }
        }
        let mut site = Site::default();
        loop {
            let tag = match self.xml.next(None)? {
                Tok::Start(tag) => tag,
                Tok::End => {
                    self.require_wordpress()?;
                    self.state = State::AfterChannel;
                    return Ok(Record::Site(site));
                }
                Tok::Eof => return Err(self.xml.truncated()),
            };
            if let Some(kind) = kind_of(&tag) {
                if self.xml.wp_elements == 0 {
                    // An `<item>` before any `wp:` element: a feed, unless the item has some.
                    self.stash = Some(self.record(kind)?);
                    self.require_wordpress()?;
                } else {
                    self.pending = Some(kind);
                }
                self.state = State::Records;
                return Ok(Record::Site(site));
            }
            let slot = match (tag.ns, tag.local.as_str()) {
                (Ns::Rss, "title") => &mut site.title,
                (Ns::Rss, "link") => &mut site.link,
                (Ns::Rss, "language") => &mut site.language,
                (Ns::Wp, "wxr_version") => &mut site.wxr_version,
                (Ns::Wp, "base_site_url") => &mut site.base_site_url,
                (Ns::Wp, "base_blog_url") => &mut site.base_blog_url,
                _ => {
                    self.xml.skip()?;
                    continue;
                }
            };
            *slot = self.xml.read_text()?;
        }
    }

    fn require_wordpress(&self) -> Result<(), WxrError> {
        if self.xml.wp_elements == 0 {
            return Err(WxrError::NotWordPress {
                found: "an RSS feed: it has no <wp:wxr_version> and no wp: elements".to_owned(),
            });
        }
        Ok(())
    }

    fn record(&mut self, kind: Kind) -> Result<Record, WxrError> {
        let record = match kind {
            Kind::Author => {
                self.authors += 1;
                Record::Author(records::author(&mut self.xml, self.authors)?)
            }
            Kind::Term(term_kind) => {
                self.terms += 1;
                let term = records::term(&mut self.xml, term_kind, self.terms)?;
                match term_kind {
                    TermKind::Category => Record::Category(term),
                    TermKind::Tag => Record::Tag(term),
                    TermKind::Term => Record::Term(term),
                }
            }
            Kind::Item => {
                self.items += 1;
                let item = records::item(&mut self.xml, self.items)?;
                self.xml.last_item = Some(ItemRef {
                    index: self.items,
                    post_id: Some(item.post_id),
                    title: item.title.clone(),
                });
                Record::Item(Box::new(item))
            }
        };
        self.xml.place = Place::Channel;
        Ok(record)
    }

    /// After `</rss>`: only comments and whitespace may follow.
    fn end_of_file(&mut self) -> Result<Option<Record>, WxrError> {
        match self.xml.next(None)? {
            Tok::Eof => Ok(None),
            Tok::Start(_) | Tok::End => Err(self
                .xml
                .malformed("an element after </rss>".to_owned(), None)),
        }
    }
}

impl<R: BufRead> Iterator for WxrReader<R> {
    type Item = Result<Record, WxrError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.state == State::Done {
            return None;
        }
        match self.advance() {
            Ok(Some(record)) => Some(Ok(record)),
            Ok(None) => {
                self.state = State::Done;
                None
            }
            Err(error) => {
                self.state = State::Done;
                Some(Err(error))
            }
        }
    }
}

impl<R: BufRead> FusedIterator for WxrReader<R> {}

impl<R: BufRead> std::fmt::Debug for WxrReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WxrReader")
            .field("state", &self.state)
            .field("bytes_read", &self.bytes_read())
            .field("authors", &self.authors)
            .field("terms", &self.terms)
            .field("items", &self.items)
            .finish_non_exhaustive()
    }
}

fn kind_of(tag: &Tag) -> Option<Kind> {
    match (tag.ns, tag.local.as_str()) {
        (Ns::Wp, "author") => Some(Kind::Author),
        (Ns::Wp, "category") => Some(Kind::Term(TermKind::Category)),
        (Ns::Wp, "tag") => Some(Kind::Term(TermKind::Tag)),
        (Ns::Wp, "term") => Some(Kind::Term(TermKind::Term)),
        (Ns::Rss, "item") => Some(Kind::Item),
        _ => None,
    }
}

fn describe_root(root: &Tag) -> String {
    match root.local.as_str() {
        "feed" => "an Atom feed (<feed>), such as a Blogger export".to_owned(),
        "RDF" => "an RSS 1.0 (RDF) feed".to_owned(),
        "html" => "a web page (HTML)".to_owned(),
        "urlset" | "sitemapindex" => "a sitemap".to_owned(),
        other => format!("an XML document whose root element is <{other}>, not <rss>"),
    }
}
