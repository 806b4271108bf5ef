//! The wire desk. Its pure half: feed bytes in, normalised and licence-aware items out, with
//! no I/O, no database, no clock ([`parse`] guards and reads RSS 2.0, RSS 1.0, Atom and JSON
//! Feed into a [`ParsedFeed`]; [`normalise`] turns it, with a source's [`SourceRules`], into
//! one [`Outcome`] per item). Its other half stores them: [`ingest`] pulls one source end to
//! end through the guarded fetcher and the desk's rules, [`worker`] runs the pulls in the
//! background of `masthead serve` (see "A wire item arrives" in `docs/ARCHITECTURE.md`).

mod body;
pub mod error;
pub mod guard;
pub mod html;
mod identity;
mod images;
pub mod ingest;
mod normalise;
mod parse;
pub mod rules;
pub mod rules_text;
mod stage;
pub mod worker;

pub use body::LeadImage;
pub use error::ParseError;
pub use guard::ParseLimits;
pub use identity::{Identity, IdentityKind};
pub use ingest::{BATCH, Ingest, IngestError, PullReport};
pub use normalise::{
    Credit, EXCERPT_CHARS, MAX_BODY_BYTES, MAX_TITLE_CHARS, Outcome, SUMMARY_CHARS, SkipReason,
    WireItem, credit, normalise,
};
pub use parse::{FeedFormat, ParsedFeed, RawEntry, RawMedia, parse, parse_with};
pub use rules::{DEFAULT_BYLINE_TEMPLATE, LicenceTerms, SectionRule, SourceRules};
