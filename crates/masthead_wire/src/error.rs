//! Why a feed could not be read. Each message is shown to an editor beside the source, so it
//! says what was wrong in words a newsroom can act on, and what would be accepted.

use thiserror::Error;

/// A feed was refused or could not be parsed. Nothing from a refused document is kept.
#[derive(Debug, Error)]
pub enum ParseError {
    /// The response had no body at all.
    #[error("the feed is empty: the server sent no content; check the address in a browser")]
    Empty,
    /// Bigger than the guard allows (the fetcher caps bodies too; this is the parser's own cap).
    #[error(
        "the feed is too large ({size} bytes; at most {limit} are read): ask the source for a \
         shorter feed or a feed of recent items"
    )]
    TooLarge {
        /// The document's size in bytes.
        size: usize,
        /// The cap in bytes.
        limit: usize,
    },
    /// The document is something other than a feed: an HTML page, an image, plain text.
    #[error("this is not a feed: {0}")]
    NotAFeed(String),
    /// The XML declares entities or an internal DTD subset: the shape of entity bombs and
    /// external-entity attacks, and never needed by a real feed.
    #[error(
        "this feed declares XML entities (a DOCTYPE with an internal subset): refused, because \
         entity declarations are how entity bombs and external-file reads are built; a real \
         feed does not need them"
    )]
    EntityDeclarations,
    /// Elements (or JSON arrays and objects) nested deeper than the cap.
    #[error(
        "the feed nests elements more than {limit} levels deep: refused; a real feed nests a \
         few levels, so this is a broken or hostile document"
    )]
    TooDeep {
        /// The deepest nesting allowed.
        limit: usize,
    },
    /// The XML or JSON is broken, or the feed parser could not read it.
    #[error("the feed could not be read: {0}")]
    Malformed(String),
}
