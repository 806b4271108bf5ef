//! The XML layer under the record parsers: quick-xml's events turned into start, end and
//! text, with namespaces classified, references resolved, limits kept and every parser
//! error turned into a [`WxrError`] that says where it happened. One buffer is reused for
//! every event, and it is shrunk again after a large one.

use std::io::{self, BufRead};
use std::sync::Arc;

use encoding_rs::{Encoding, REPLACEMENT, UTF_8};
use quick_xml::XmlVersion;
use quick_xml::errors::{Error as XmlError, IllFormedError, SyntaxError};
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::NsReader;

use super::error::{ItemRef, LimitKind, Place, WxrError};
use super::input::Input;
use super::limits::WxrLimits;
use super::names::{Ns, classify};
use super::text::{TextFault, push_piece, push_reference};

/// The buffer is shrunk back to this after an event larger than [`SHRINK_ABOVE`].
const BUFFER_KEEP: usize = 64 * 1024;
const SHRINK_ABOVE: usize = 1024 * 1024;
/// Markup (a tag with its attributes) may take this much more than a field's text.
const MARKUP_SLACK: u64 = 64 * 1024;

/// A start tag: its vocabulary, local name, and for `<category>` its two attributes.
#[derive(Debug)]
pub(crate) struct Tag {
    pub(crate) ns: Ns,
    pub(crate) local: String,
    /// `domain="…"` of an item's `<category>`.
    pub(crate) domain: String,
    /// `nicename="…"` of an item's `<category>`.
    pub(crate) nicename: String,
}

impl Tag {
    pub(crate) fn is(&self, ns: Ns, local: &str) -> bool {
        self.ns == ns && self.local == local
    }
}

/// What the record parsers see.
#[derive(Debug)]
pub(crate) enum Tok {
    Start(Tag),
    End,
    Eof,
}

/// The parser and what an error needs to say where it is.
pub(crate) struct Xml<R> {
    reader: NsReader<Input<R>>,
    buf: Vec<u8>,
    /// Qualified names of the open elements, outermost first.
    open: Vec<String>,
    /// An empty element `<x/>` was returned as a start; its end comes next.
    pending_end: bool,
    started: bool,
    decl_seen: bool,
    root_seen: bool,
    /// The file starts with a UTF-8 byte order mark, which outranks any declaration.
    utf8_bom: bool,
    pub(crate) limits: WxrLimits,
    /// The record being read.
    pub(crate) place: Place,
    /// The last item read whole.
    pub(crate) last_item: Option<ItemRef>,
    /// How many `wp:` elements were seen: an RSS feed without any is not an export.
    pub(crate) wp_elements: u64,
}

impl<R: BufRead> Xml<R> {
    pub(crate) fn new(reader: R, limits: WxrLimits) -> Self {
        let cap = (limits.max_field_bytes as u64).saturating_add(MARKUP_SLACK);
        let mut reader = NsReader::from_reader(Input::new(reader, cap));
        let config = reader.config_mut();
        config.check_end_names = true;
        // WordPress writes `<wp:comment_author_url>` unescaped (`sanitize_url` keeps a raw
        // `&`), so a commenter's `?a=1&b=2` makes a bare `&` in every export that has one:
        // read it as itself, as the WordPress importer's fallback parsers do.
        config.allow_dangling_amp = true;
        config.expand_empty_elements = false;
        config.trim_text(false);
        Self {
            reader,
            buf: Vec::with_capacity(BUFFER_KEEP),
            open: Vec::new(),
            pending_end: false,
            started: false,
            decl_seen: false,
            root_seen: false,
            utf8_bom: false,
            limits,
            place: Place::Channel,
            last_item: None,
            wp_elements: 0,
        }
    }

    /// Bytes of the input consumed so far.
    pub(crate) fn bytes_read(&self) -> u64 {
        self.reader.get_ref().bytes_read()
    }

    /// The next start or end, with the text in between appended to `text` (or checked and
    /// dropped when `text` is `None`).
    pub(crate) fn next(&mut self, mut text: Option<&mut String>) -> Result<Tok, WxrError> {
        if !self.started {
            self.started = true;
            self.sniff()?;
        }
        if self.pending_end {
            self.pending_end = false;
            self.open.pop();
            return Ok(Tok::End);
        }
        let mut buf = std::mem::take(&mut self.buf);
        let result = loop {
            if buf.capacity() > SHRINK_ABOVE {
                buf = Vec::with_capacity(BUFFER_KEEP);
            }
            buf.clear();
            match self.step(&mut buf, text.as_deref_mut()) {
                Ok(Some(tok)) => break Ok(tok),
                Ok(None) => {}
                Err(error) => break Err(error),
            }
        };
        self.buf = buf;
        result
    }

    /// Reads one event: a start or end, or `None` for text, a comment, the declaration.
    fn step(
        &mut self,
        buf: &mut Vec<u8>,
        text: Option<&mut String>,
    ) -> Result<Option<Tok>, WxrError> {
        let max = self.limits.max_field_bytes;
        self.reader.get_mut().mark();
        let event_offset = self.bytes_read();
        let event = match self.reader.read_event_into(buf) {
            Ok(event) => event,
            Err(e) => return Err(self.parser_error(e)),
        };
        let fault = match event {
            Event::Start(start) => return self.start(&start, false).map(Some),
            Event::Empty(start) => return self.start(&start, true).map(Some),
            Event::End(_) => {
                self.open.pop();
                return Ok(Some(Tok::End));
            }
            Event::Text(t) => {
                let piece = t.xml10_content();
                match text {
                    Some(out) => push_piece(out, &piece, max).err(),
                    None if !self.root_seen && !piece.trim().is_empty() => {
                        return Err(not_xml(&piece));
                    }
                    None => None,
                }
            }
            Event::CData(c) => match text {
                Some(out) => push_piece(out, &c.xml10_content(), max).err(),
                None => None,
            },
            Event::GeneralRef(r) => match text {
                Some(out) => push_reference(out, &r, max).err(),
                None => push_reference(&mut String::new(), &r, max).err(),
            },
            Event::DocType(_) => {
                return Err(WxrError::Doctype {
                    offset: event_offset,
                });
            }
            Event::Decl(decl) => {
                self.decl_seen = true;
                if let Some(Ok(encoding)) = decl.encoding()
                    && !is_utf8(&encoding)
                    && !self.utf8_bom
                    && !self.reader.get_ref().transcoding()
                {
                    return Err(WxrError::Encoding {
                        declared: encoding.into_owned(),
                    });
                }
                None
            }
            Event::Comment(_) | Event::PI(_) => None,
            Event::Eof if self.open.is_empty() => return Ok(Some(Tok::Eof)),
            Event::Eof => return Err(self.truncated()),
        };
        match fault {
            Some(fault) => Err(self.text_error(fault)),
            None => Ok(None),
        }
    }

    /// The text of the element just started, up to its end.
    pub(crate) fn read_text(&mut self) -> Result<String, WxrError> {
        let mut text = String::new();
        match self.next(Some(&mut text))? {
            Tok::End => Ok(text),
            Tok::Start(_) => {
                let inner = self.open.last().cloned().unwrap_or_default();
                let outer = self.open.iter().rev().nth(1).cloned().unwrap_or_default();
                Err(self.malformed(
                    format!("<{inner}> inside <{outer}>, which holds only text"),
                    None,
                ))
            }
            Tok::Eof => Err(self.truncated()),
        }
    }

    /// Skips the element just started, with everything in it.
    pub(crate) fn skip(&mut self) -> Result<(), WxrError> {
        let mut depth = 1usize;
        loop {
            match self.next(None)? {
                Tok::Start(_) => depth += 1,
                Tok::End => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                Tok::Eof => return Err(self.truncated()),
            }
        }
    }

    fn start(&mut self, start: &BytesStart<'_>, empty: bool) -> Result<Tok, WxrError> {
        let qualified: &str = start.name().0;
        if qualified.is_empty() {
            return Err(self.malformed(
                "a `<` that opens no element (in text it must be written &lt;)".to_owned(),
                None,
            ));
        }
        if self.open.len() >= self.limits.max_depth {
            return Err(self.limit(LimitKind::Depth, self.limits.max_depth));
        }
        let (resolved, _) = self.reader.resolver().resolve_element(start.name());
        let ns = classify(qualified, &resolved);
        let local = qualified.rsplit_once(':').map_or(qualified, |(_, l)| l);
        let mut tag = Tag {
            ns,
            local: local.to_owned(),
            domain: String::new(),
            nicename: String::new(),
        };
        if tag.is(Ns::Rss, "category") {
            for attr in start.attributes() {
                let attr = attr.map_err(|e| self.malformed(e.to_string(), None))?;
                let value = attr
                    .normalized_value(XmlVersion::Implicit1_0)
                    .map_err(|e| self.malformed(format!("in <category>: {e}"), Some(e)))?;
                match attr.key.0 {
                    "domain" => tag.domain = value.into_owned(),
                    "nicename" => tag.nicename = value.into_owned(),
                    _ => {}
                }
            }
        }
        if ns == Ns::Wp {
            self.wp_elements += 1;
        }
        self.root_seen = true;
        self.open.push(qualified.to_owned());
        self.pending_end = empty;
        Ok(Tok::Start(tag))
    }

    /// Refuses, before parsing, the files that are plainly something else.
    fn sniff(&mut self) -> Result<(), WxrError> {
        let offset = self.bytes_read();
        let head = match self.reader.get_mut().peek() {
            Ok(head) => head,
            Err(source) => return Err(WxrError::Io { offset, source }),
        };
        let found = |what: &str| WxrError::NotWordPress {
            found: what.to_owned(),
        };
        let encoding = |what: &str| WxrError::Encoding {
            declared: what.to_owned(),
        };
        match head {
            [b'P', b'K', 3, 4, ..] => Err(found(
                "a zip archive: unzip it and import the .xml file inside",
            )),
            [0x1f, 0x8b, ..] => Err(found(
                "a gzip-compressed file: decompress it (gunzip) and import the .xml file",
            )),
            [0xff, 0xfe, ..] | [b'<', 0, b'?', 0, ..] => Err(encoding("UTF-16LE")),
            [0xfe, 0xff, ..] | [0, b'<', 0, b'?', ..] => Err(encoding("UTF-16BE")),
            [] => Err(found("an empty file")),
            [0xef, 0xbb, 0xbf, ..] => {
                self.utf8_bom = true;
                Ok(())
            }
            _ => {
                let Some(label) = declared_encoding(head).filter(|l| !is_utf8(l)) else {
                    return Ok(());
                };
                match Encoding::for_label(label.trim().as_bytes()) {
                    Some(encoding) if encoding == UTF_8 => Ok(()),
                    Some(encoding) if encoding.is_ascii_compatible() && encoding != REPLACEMENT => {
                        self.reader.get_mut().transcode_from(encoding);
                        Ok(())
                    }
                    _ => Err(WxrError::Encoding {
                        declared: label.to_owned(),
                    }),
                }
            }
        }
    }

    fn parser_error(&mut self, error: XmlError) -> WxrError {
        let offset = self.reader.error_position();
        let unclosed = matches!(
            &error,
            XmlError::Syntax(
                SyntaxError::UnclosedPI
                    | SyntaxError::UnclosedXmlDecl
                    | SyntaxError::UnclosedComment
                    | SyntaxError::UnclosedDoctype
                    | SyntaxError::UnclosedCData
                    | SyntaxError::UnclosedTag
                    | SyntaxError::UnclosedSingleQuotedAttributeValue
                    | SyntaxError::UnclosedDoubleQuotedAttributeValue
            )
        );
        match error {
            XmlError::Io(_) if self.reader.get_ref().undecodable().is_some() => {
                let (encoding, at) = self
                    .reader
                    .get_ref()
                    .undecodable()
                    .map_or(("", offset), |(e, at)| (e.name(), at));
                WxrError::Malformed {
                    offset: at,
                    place: self.place.clone(),
                    detail: format!(
                        "bytes that are not valid {encoding}, the encoding the file declares"
                    ),
                    source: Some(Box::new(error)),
                }
            }
            XmlError::Io(_) if self.reader.get_ref().over_cap() => {
                let element = self.open.last().cloned().unwrap_or_default();
                self.limit(
                    LimitKind::MarkupBytes { element },
                    self.limits.max_field_bytes,
                )
            }
            XmlError::Io(source) => WxrError::Io {
                offset: self.bytes_read(),
                source: Arc::try_unwrap(source)
                    .unwrap_or_else(|shared| io::Error::new(shared.kind(), shared.to_string())),
            },
            _ if unclosed && (self.root_seen || self.decl_seen) => self.truncated(),
            XmlError::Encoding(_) if !self.root_seen => WxrError::NotWordPress {
                found: "binary data, not XML text".to_owned(),
            },
            _ if !self.root_seen => WxrError::NotWordPress {
                found: format!("not XML: {error} at byte {offset}"),
            },
            XmlError::Encoding(_) => WxrError::Malformed {
                offset,
                place: self.place.clone(),
                detail:
                    "the text is not valid UTF-8 (bytes of another encoding, or a damaged file)"
                        .to_owned(),
                source: Some(Box::new(error)),
            },
            XmlError::IllFormed(IllFormedError::UnclosedReference) => WxrError::Malformed {
                offset,
                place: self.place.clone(),
                detail: "a bare `&` (in text it must be written &amp;)".to_owned(),
                source: Some(Box::new(error)),
            },
            _ => WxrError::Malformed {
                offset,
                place: self.place.clone(),
                detail: error.to_string(),
                source: Some(Box::new(error)),
            },
        }
    }

    fn text_error(&self, fault: TextFault) -> WxrError {
        match fault {
            TextFault::TooLong => self.limit(field_kind(&self.open), self.limits.max_field_bytes),
            TextFault::UnknownEntity(name) => self.malformed(
                format!(
                    "unknown entity &{name}; (an export may use only &amp; &lt; &gt; &quot; \
                     &apos; and numeric character references such as &#160;)"
                ),
                None,
            ),
            TextFault::BadCharRef(name) => self.malformed(
                format!("the character reference &{name}; names no character XML allows"),
                None,
            ),
        }
    }

    pub(crate) fn malformed(&self, detail: String, source: Option<XmlError>) -> WxrError {
        WxrError::Malformed {
            offset: self.reader.buffer_position(),
            place: self.place.clone(),
            detail,
            source: source.map(Box::new),
        }
    }

    pub(crate) fn limit(&self, what: LimitKind, max: usize) -> WxrError {
        WxrError::Limit {
            offset: self.reader.buffer_position(),
            place: self.place.clone(),
            what,
            max: max as u64,
        }
    }

    pub(crate) fn number(
        &self,
        element: &'static str,
        value: &str,
        expected: &'static str,
    ) -> WxrError {
        WxrError::Number {
            offset: self.reader.buffer_position(),
            place: self.place.clone(),
            element,
            value: super::error::shorten(value, 60),
            expected,
        }
    }

    pub(crate) fn truncated(&self) -> WxrError {
        WxrError::Truncated {
            offset: self.bytes_read(),
            cut_off: self.place.clone(),
            last_complete: self.last_item.clone(),
        }
    }
}

fn field_kind(open: &[String]) -> LimitKind {
    LimitKind::FieldBytes {
        element: open.last().cloned().unwrap_or_default(),
    }
}

fn is_utf8(encoding: &str) -> bool {
    ["utf-8", "utf8", "us-ascii", "ascii"]
        .iter()
        .any(|name| encoding.trim().eq_ignore_ascii_case(name))
}

/// The `encoding` of an XML declaration at the start of `head`, if it is all there.
fn declared_encoding(head: &[u8]) -> Option<&str> {
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = head.windows(2).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(&head[..end]).ok()?;
    let after = decl[decl.find("encoding")? + "encoding".len()..].trim_start();
    let after = after.strip_prefix('=')?.trim_start();
    let quote = after.chars().next().filter(|q| *q == '"' || *q == '\'')?;
    let value = &after[1..];
    Some(&value[..value.find(quote)?])
}

fn not_xml(text: &str) -> WxrError {
    let start = text.trim_start();
    let found = if start.starts_with('{') || start.starts_with('[') {
        "JSON, not XML (Ghost and some other systems export JSON)".to_owned()
    } else {
        format!(
            "text, not XML: it starts with {:?}",
            super::error::shorten(start, 40)
        )
    };
    WxrError::NotWordPress { found }
}
