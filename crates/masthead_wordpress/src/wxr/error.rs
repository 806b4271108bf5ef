//! What can go wrong reading an export, said for the person importing it: every error
//! names what is wrong, where (the byte offset, and the record when inside one) and what
//! to do about it. A few variants, each a different thing to do: export again, repair the
//! file, convert it, or raise a limit.

use std::fmt;

/// Where in the export something went wrong: the record being read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// Outside any record: the XML prologue or the channel's own fields.
    Channel,
    /// The `index`-th `<wp:author>` (from 1), with its login once read.
    Author {
        /// Position among the export's authors, from 1.
        index: u64,
        /// `<wp:author_login>`, empty until read.
        login: String,
    },
    /// The `index`-th category, tag or term (from 1), with its slug once read.
    Term {
        /// Position among the export's terms, from 1.
        index: u64,
        /// The term's slug, empty until read.
        slug: String,
    },
    /// An item.
    Item(ItemRef),
}

/// An item named for a person: its position in the file, its `post_id` and title as far
/// as they were read (WordPress writes the title first and the id after the body).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemRef {
    /// Position among the export's items, from 1.
    pub index: u64,
    /// `<wp:post_id>`, when it was read.
    pub post_id: Option<u64>,
    /// `<title>`, as far as it was read (empty for an untitled item).
    pub title: String,
}

/// Why an export could not be read (further).
#[derive(Debug, thiserror::Error)]
pub enum WxrError {
    /// Not XML, not RSS, an RSS feed rather than an export, or another system's export.
    #[error(
        "this is not a WordPress export: in WordPress use Tools → Export → All content, and \
         import the .xml file it downloads. This file is {found}"
    )]
    NotWordPress {
        /// What the file is instead, as far as the reader could tell ("an Atom feed …").
        found: String,
    },

    /// The file ends inside an item, or before `</rss>`.
    #[error(
        "the export is cut off at byte {offset}, {}; {}. The file is incomplete (a download or \
         copy that stopped, or a full disk): export again in WordPress (Tools → Export → All \
         content) and check that the file ends with </rss>",
        cut_off_text(.cut_off),
        last_complete_text(.last_complete)
    )]
    Truncated {
        /// Bytes read before the end of the file.
        offset: u64,
        /// The record the file ends inside: an item, an author or a term, or
        /// [`Place::Channel`] when it ends between records.
        cut_off: Place,
        /// The last item read whole, if any.
        last_complete: Option<ItemRef>,
    },

    /// The file is not well-formed XML: mismatched tags, bad characters, an unknown entity.
    #[error(
        "malformed XML at byte {offset}, {place}: {detail}. A file straight from WordPress is \
         well-formed, so this one was probably changed or damaged after export: export again, \
         or repair the file at that byte"
    )]
    Malformed {
        /// Where the problem was found.
        offset: u64,
        /// The record it is in.
        place: Place,
        /// What is wrong.
        detail: String,
        /// The XML parser's own error, when it found it.
        #[source]
        source: Option<Box<quick_xml::Error>>,
    },

    /// A `<!DOCTYPE>`: refused before any entity it declares could be expanded.
    #[error(
        "the export has a <!DOCTYPE> at byte {offset}, which WordPress never writes: a DOCTYPE \
         can declare entities that expand without end or read files from this server, so the \
         file is refused unread. Export again in WordPress (Tools → Export → All content) and \
         import that file unchanged"
    )]
    Doctype {
        /// Where the DOCTYPE starts.
        offset: u64,
    },

    /// A [`WxrLimits`](super::WxrLimits) ceiling was exceeded.
    #[error(
        "{place} at byte {offset}: {what} is over the limit of {max} {} (WxrLimits::{}): if \
         the export is genuine, raise that limit; otherwise remove the oversized data in \
         WordPress and export again",
        .what.unit(),
        .what.setting()
    )]
    Limit {
        /// Where the ceiling was crossed.
        offset: u64,
        /// The record that crossed it.
        place: Place,
        /// Which ceiling.
        what: LimitKind,
        /// Its value.
        max: u64,
    },

    /// A field that holds a number (`<wp:post_id>`, `<wp:comment_parent>`, …) does not.
    #[error(
        "{place} at byte {offset}: <{element}> is {value:?}, which is not {expected}: correct it \
         in WordPress and export again, or correct it in the file"
    )]
    Number {
        /// Where the field ends.
        offset: u64,
        /// The record it belongs to.
        place: Place,
        /// The element, such as `wp:post_id`.
        element: &'static str,
        /// Its text (cut to 60 characters).
        value: String,
        /// What it should be, such as "a whole number".
        expected: &'static str,
    },

    /// The file is in an encoding masthead cannot read: UTF-16, or a name it does not know.
    /// (UTF-8, and ASCII-based encodings such as ISO-8859-1 declared in the file's first
    /// line, are read.)
    #[error(
        "the export is encoded in {declared}, which masthead cannot read: convert it to UTF-8 \
         (iconv -f {declared} -t UTF-8 export.xml > export-utf8.xml), change the encoding in \
         its first line to encoding=\"UTF-8\", and import the converted file"
    )]
    Encoding {
        /// The encoding the file declares or starts with.
        declared: String,
    },

    /// Reading the file itself failed.
    #[error(
        "could not read the export at byte {offset}: {source}; check that the file is readable \
         and complete, then import again"
    )]
    Io {
        /// Bytes read before the failure.
        offset: u64,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// A ceiling of [`WxrLimits`](super::WxrLimits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LimitKind {
    /// One field's text is too large; `element` is the field being read.
    FieldBytes {
        /// The element (`content:encoded`), or empty outside any field.
        element: String,
    },
    /// One run of text or markup (a tag, a comment, a DOCTYPE) is too large to read, found
    /// before its text could be looked at; `element` is the one it is in.
    MarkupBytes {
        /// The enclosing element, or empty outside the root.
        element: String,
    },
    /// One item's text is too large.
    ItemBytes,
    /// Too many comments on one item.
    Comments,
    /// Too many postmeta on one item.
    Meta,
    /// Too many terms on one item.
    Terms,
    /// Elements nest too deep.
    Depth,
}

impl LimitKind {
    /// The [`WxrLimits`](super::WxrLimits) field that sets this ceiling.
    pub fn setting(&self) -> &'static str {
        match self {
            Self::FieldBytes { .. } | Self::MarkupBytes { .. } => "max_field_bytes",
            Self::ItemBytes => "max_item_bytes",
            Self::Comments => "max_comments_per_item",
            Self::Meta => "max_meta_per_item",
            Self::Terms => "max_terms_per_item",
            Self::Depth => "max_depth",
        }
    }
}

impl LimitKind {
    /// What the limit counts.
    pub fn unit(&self) -> &'static str {
        match self {
            Self::FieldBytes { .. } | Self::MarkupBytes { .. } | Self::ItemBytes => "bytes",
            Self::Comments => "comments",
            Self::Meta => "fields",
            Self::Terms => "terms",
            Self::Depth => "levels",
        }
    }
}

impl fmt::Display for LimitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::FieldBytes { element } => write!(f, "the text of <{element}>"),
            Self::MarkupBytes { element } if element.is_empty() => {
                f.write_str("one run of text or markup")
            }
            Self::MarkupBytes { element } => {
                write!(f, "one run of text or markup inside <{element}>")
            }
            Self::ItemBytes => f.write_str("the item's text, all fields together,"),
            Self::Comments => f.write_str("the number of comments"),
            Self::Meta => f.write_str("the number of postmeta"),
            Self::Terms => f.write_str("the number of categories and tags"),
            Self::Depth => f.write_str("the nesting of elements"),
        }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Channel => f.write_str("in the site's header"),
            Self::Author { index, login } if login.is_empty() => write!(f, "in author {index}"),
            Self::Author { index, login } => write!(f, "in author {index} ({login:?})"),
            Self::Term { index, slug } if slug.is_empty() => write!(f, "in term {index}"),
            Self::Term { index, slug } => write!(f, "in term {index} ({slug:?})"),
            Self::Item(item) => write!(f, "in {item}"),
        }
    }
}

impl fmt::Display for ItemRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "item {} (", self.index)?;
        match self.post_id {
            Some(id) => write!(f, "post_id {id}, ")?,
            None => f.write_str("post_id not read yet, ")?,
        }
        if self.title.is_empty() {
            f.write_str("untitled)")
        } else {
            write!(f, "{:?})", shorten(&self.title, 80))
        }
    }
}

/// `text` cut to `max` characters, with an ellipsis when cut.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

fn cut_off_text(cut_off: &Place) -> String {
    match cut_off {
        Place::Channel => "before </rss>".to_owned(),
        Place::Author { index, login } => format!("inside author {index} ({login:?})"),
        Place::Term { index, slug } => format!("inside term {index} ({slug:?})"),
        Place::Item(item) => format!("inside {item}"),
    }
}

fn last_complete_text(last: &Option<ItemRef>) -> String {
    match last {
        Some(item) => format!("the last complete item is {item}"),
        None => "no item was read whole".to_owned(),
    }
}
