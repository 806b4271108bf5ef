//! Heading levels as the page shows them. A story's body sits under its headline's `<h1>`
//! (a roundup item's text under the item's `<h2>`), and an accessible page never skips a
//! level: a `###` right under the headline would be read as a sub-sub-section of nothing.
//! So the levels a writer typed are shifted to start one below the parent, and a heading is
//! never more than one level deeper than the one before it (`## A`, `#### B` shows B as an
//! `<h3>`). Markdown headings and headings written as raw HTML (`<h4>…</h4>`) both count.
//!
//! [`outline`] tells the editor what the page will show, so the desk can warn a writer
//! whose levels will be changed before publishing.

use pulldown_cmark::{Event, HeadingLevel, Tag, TagEnd};

/// A heading of the body: the level typed and the level the page shows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OutlineHeading {
    /// The level as written (`###` is 3).
    pub written: u8,
    /// The level on the page.
    pub shown: u8,
    /// The heading's text (empty for a raw HTML heading).
    pub text: String,
}

/// Maps written levels to shown ones, heading by heading, in document order.
#[derive(Debug)]
struct Levels {
    parent: u8,
    /// The shallowest level written anywhere in the text.
    top: u8,
    /// The level shown for the previous heading (the parent's before the first).
    last: u8,
}

impl Levels {
    fn new(parent: u8, written: impl Iterator<Item = u8>) -> Self {
        Self {
            parent,
            top: written.min().unwrap_or(parent + 1),
            last: parent,
        }
    }

    fn next(&mut self, written: u8) -> u8 {
        let relative = written.saturating_sub(self.top) + self.parent + 1;
        let shown = relative.min(self.last + 1).clamp(self.parent + 1, 6);
        self.last = shown;
        shown
    }
}

/// The levels of the headings in `events`, written: Markdown headings and the opening tags
/// of raw HTML ones.
fn written_levels<'a>(events: &'a [Event<'a>]) -> impl Iterator<Item = u8> + 'a {
    events.iter().flat_map(|e| match e {
        Event::Start(Tag::Heading { level, .. }) => vec![number(*level)],
        Event::Html(raw) | Event::InlineHtml(raw) => raw_tags(raw)
            .into_iter()
            .filter(|t| !t.closing)
            .map(|t| t.level)
            .collect(),
        _ => Vec::new(),
    })
}

/// Rewrites the heading levels of `events` (one document, parsed) to those the page shows
/// under a heading of level `parent`.
pub(crate) fn shift(events: Vec<Event<'_>>, parent: u8) -> Vec<Event<'_>> {
    let mut levels = Levels::new(parent, written_levels(&events));
    // The shown level of each open heading, to close it with the same tag.
    let mut open: Vec<u8> = Vec::new();
    events
        .into_iter()
        .map(|event| match event {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                let shown = levels.next(number(level));
                open.push(shown);
                Event::Start(Tag::Heading {
                    level: heading_level(shown),
                    id,
                    classes,
                    attrs,
                })
            }
            Event::End(TagEnd::Heading(level)) => {
                let shown = open.pop().unwrap_or(number(level));
                Event::End(TagEnd::Heading(heading_level(shown)))
            }
            Event::Html(raw) => Event::Html(rewrite_raw(&raw, &mut levels, &mut open).into()),
            Event::InlineHtml(raw) => {
                Event::InlineHtml(rewrite_raw(&raw, &mut levels, &mut open).into())
            }
            other => other,
        })
        .collect()
}

/// The outline of `events` under a heading of level `parent`: each heading's written and
/// shown level and its text.
pub(crate) fn outline_of(events: &[Event<'_>], parent: u8) -> Vec<OutlineHeading> {
    let mut levels = Levels::new(parent, written_levels(events));
    let mut out: Vec<OutlineHeading> = Vec::new();
    let mut in_heading = false;
    for event in events {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                let written = number(*level);
                out.push(OutlineHeading {
                    written,
                    shown: levels.next(written),
                    text: String::new(),
                });
                in_heading = true;
            }
            Event::End(TagEnd::Heading(_)) => in_heading = false,
            Event::Text(t) | Event::Code(t) if in_heading => {
                if let Some(h) = out.last_mut() {
                    h.text.push_str(t);
                }
            }
            Event::Html(raw) | Event::InlineHtml(raw) => {
                for tag in raw_tags(raw).into_iter().filter(|t| !t.closing) {
                    out.push(OutlineHeading {
                        written: tag.level,
                        shown: levels.next(tag.level),
                        text: String::new(),
                    });
                }
            }
            _ => {}
        }
    }
    out
}

/// A heading tag found in raw HTML: where its level digit is, and the level.
#[derive(Debug)]
struct RawTag {
    digit_at: usize,
    level: u8,
    closing: bool,
}

/// The heading tags (`<h1`…`<h6`, `</h1`…`</h6`, any case, followed by `>`, `/` or
/// whitespace) in a piece of raw HTML.
fn raw_tags(raw: &str) -> Vec<RawTag> {
    let bytes = raw.as_bytes();
    let mut tags = Vec::new();
    for (i, _) in raw.match_indices('<') {
        let closing = bytes.get(i + 1) == Some(&b'/');
        let h = i + 1 + usize::from(closing);
        let is_h = bytes.get(h).is_some_and(|b| b.eq_ignore_ascii_case(&b'h'));
        let digit = bytes
            .get(h + 1)
            .copied()
            .filter(|d| (b'1'..=b'6').contains(d));
        let ends = bytes
            .get(h + 2)
            .is_none_or(|b| *b == b'>' || *b == b'/' || b.is_ascii_whitespace());
        if let (true, Some(d), true) = (is_h, digit, ends) {
            tags.push(RawTag {
                digit_at: h + 1,
                level: d - b'0',
                closing,
            });
        }
    }
    tags
}

fn rewrite_raw(raw: &str, levels: &mut Levels, open: &mut Vec<u8>) -> String {
    let mut out = raw.as_bytes().to_vec();
    for tag in raw_tags(raw) {
        let shown = if tag.closing {
            open.pop().unwrap_or(tag.level)
        } else {
            let shown = levels.next(tag.level);
            open.push(shown);
            shown
        };
        out[tag.digit_at] = b'0' + shown;
    }
    // Only ASCII digits were replaced by ASCII digits.
    String::from_utf8(out).unwrap_or_else(|_| raw.to_owned())
}

fn number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn heading_level(n: u8) -> HeadingLevel {
    match n {
        0 | 1 => HeadingLevel::H1,
        2 => HeadingLevel::H2,
        3 => HeadingLevel::H3,
        4 => HeadingLevel::H4,
        5 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}
