//! The checks a document passes before the feed parser sees it: a size cap, a sniff that
//! tells an HTML page (the most common wrong address) from a feed, a refusal of XML entity
//! declarations, and a nesting-depth cap for XML and JSON.
//!
//! Why a pre-scan, when feed-rs already ignores DTDs: feed-rs 3 (through quick-xml 0.42)
//! neither expands declared entities nor reads external ones — an unknown `&lol9;` is kept
//! as the literal text `&lol9;` (`feed_rs_alone_keeps_unknown_entities_literal` pins that).
//! But a document that declares entities is never a real feed and always an attack, and
//! letting it through would publish `&xxe;` as a headline; refusing it names the problem.
//! Depth: feed-rs walks elements in a loop, but quick-xml keeps a stack of open names per
//! level and serde_json stops at 128 levels with a terse message; one cap here gives one
//! clear error for both.

use crate::error::ParseError;
use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::encoding::DecodingReader;
use quick_xml::events::Event;

/// The caps the parser works within.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseLimits {
    /// The largest document read, in bytes.
    pub max_bytes: usize,
    /// The deepest nesting of XML elements or JSON arrays and objects.
    pub max_depth: usize,
    /// The most items kept from one feed; the rest are counted in
    /// [`crate::ParsedFeed::dropped_over_cap`].
    pub max_items: usize,
}

/// 32 MiB: a 10,000-item feed of full stories is about 25 MB.
pub const DEFAULT_MAX_BYTES: usize = 32 * 1024 * 1024;
/// Feeds nest a handful of levels; XHTML bodies in Atom a few dozen at most.
pub const DEFAULT_MAX_DEPTH: usize = 100;
/// The largest case.
pub const DEFAULT_MAX_ITEMS: usize = 10_000;

impl Default for ParseLimits {
    fn default() -> Self {
        Self {
            max_bytes: DEFAULT_MAX_BYTES,
            max_depth: DEFAULT_MAX_DEPTH,
            max_items: DEFAULT_MAX_ITEMS,
        }
    }
}

/// Which kind of document passed the guard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Syntax {
    Xml,
    Json,
}

const HTML_PAGE: &str = "it looks like an HTML page (a web page, not its feed); open the \
                         page and look for its RSS or Atom link";

/// What the XML pre-scan noticed that feed-rs drops.
#[derive(Debug, Default)]
pub(crate) struct Prescan {
    /// Per `<item>`/`<entry>`, in order, the first `media:thumbnail` address in it. feed-rs
    /// 3 keeps a thumbnail only beside a `media:content`, and wires often send a lone one.
    pub thumbnails: Vec<Option<String>>,
}

/// Checks `bytes` and says whether to read them as XML or JSON.
pub(crate) fn check(
    bytes: &[u8],
    content_type: Option<&str>,
    limits: &ParseLimits,
) -> Result<(Syntax, Prescan), ParseError> {
    if bytes.len() > limits.max_bytes {
        return Err(ParseError::TooLarge {
            size: bytes.len(),
            limit: limits.max_bytes,
        });
    }
    let utf16 = bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]);
    let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    let start = body.iter().position(|b| !b.is_ascii_whitespace());
    let Some(start) = start else {
        return Err(ParseError::Empty);
    };
    let body = &body[start..];
    if utf16 {
        // Decoded by quick-xml exactly as feed-rs will decode it.
        return Ok((Syntax::Xml, check_xml(bytes, limits)?));
    }
    match body[0] {
        b'{' => {
            check_json_depth(body, limits.max_depth)?;
            Ok((Syntax::Json, Prescan::default()))
        }
        b'<' => {
            let head: Vec<u8> = body.iter().take(64).map(u8::to_ascii_lowercase).collect();
            if head.starts_with(b"<!doctype html") || head.starts_with(b"<html") {
                return Err(ParseError::NotAFeed(HTML_PAGE.into()));
            }
            Ok((Syntax::Xml, check_xml(bytes, limits)?))
        }
        _ => Err(ParseError::NotAFeed(not_xml_or_json(body, content_type))),
    }
}

/// Says what a document that is neither XML nor JSON seems to be.
fn not_xml_or_json(body: &[u8], content_type: Option<&str>) -> String {
    let hint = content_type.unwrap_or("").to_ascii_lowercase();
    if hint.contains("html") {
        return HTML_PAGE.into();
    }
    let opening: String = String::from_utf8_lossy(&body[..body.len().min(24)])
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    if hint.is_empty() {
        format!("it is neither XML nor JSON (it starts with {opening:?})")
    } else {
        format!(
            "it is neither XML nor JSON (the server called it {hint:?}; it starts with {opening:?})"
        )
    }
}

/// Reads the whole XML document once with the same reader settings feed-rs uses, refusing
/// entity declarations, HTML and nesting deeper than the cap.
fn check_xml(bytes: &[u8], limits: &ParseLimits) -> Result<Prescan, ParseError> {
    let mut reader = Reader::from_reader(DecodingReader::new(bytes));
    let config = reader.config_mut();
    config.expand_empty_elements = true;
    config.trim_markup_names_in_closing_tags = true;
    let mut buf = Vec::with_capacity(512);
    let mut depth = 0usize;
    let mut seen_root = false;
    let mut scan = Prescan::default();
    let mut item_depth: Option<usize> = None;
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| {
            ParseError::Malformed(format!(
                "broken XML near byte {}: {e}",
                reader.error_position()
            ))
        })?;
        match event {
            Event::DocType(ref text) => {
                let text: &str = text.as_ref();
                let text = text.as_bytes();
                let upper = text.to_ascii_uppercase();
                if text.contains(&b'[') || upper.windows(6).any(|w| w == b"ENTITY") {
                    return Err(ParseError::EntityDeclarations);
                }
                if upper.trim_ascii_start().starts_with(b"HTML") {
                    return Err(ParseError::NotAFeed(HTML_PAGE.into()));
                }
            }
            Event::Start(ref e) => {
                if !seen_root {
                    seen_root = true;
                    let name = e.local_name();
                    let name: &str = name.as_ref();
                    if name.eq_ignore_ascii_case("html") {
                        return Err(ParseError::NotAFeed(HTML_PAGE.into()));
                    }
                }
                depth += 1;
                if depth > limits.max_depth {
                    return Err(ParseError::TooDeep {
                        limit: limits.max_depth,
                    });
                }
                let qname = e.name();
                let qname: &str = qname.as_ref();
                if item_depth.is_none() && matches!(qname, "item" | "entry") {
                    item_depth = Some(depth);
                    scan.thumbnails.push(None);
                } else if item_depth.is_some()
                    && qname.ends_with(":thumbnail")
                    && let Some(slot @ None) = scan.thumbnails.last_mut()
                {
                    *slot = e
                        .try_get_attribute("url")
                        .ok()
                        .flatten()
                        .and_then(|a| a.normalized_value(XmlVersion::Implicit1_0).ok())
                        .map(|v| v.trim().to_owned());
                }
            }
            Event::End(_) => {
                if item_depth == Some(depth) {
                    item_depth = None;
                }
                depth = depth.saturating_sub(1);
            }
            Event::Eof => return Ok(scan),
            _ => {}
        }
        buf.clear();
    }
}

/// Counts the nesting of JSON arrays and objects outside strings.
fn check_json_depth(body: &[u8], max_depth: usize) -> Result<(), ParseError> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &b in body {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > max_depth {
                    return Err(ParseError::TooDeep { limit: max_depth });
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}
