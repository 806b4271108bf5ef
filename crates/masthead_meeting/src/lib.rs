//! The meeting desk's reading of the record: a public body's minutes, as text, in; the
//! facts a meeting brief reports out (who attended, each motion with its mover, seconder,
//! votes, tally, outcome, amounts and ordinance or resolution numbers, who spoke in public
//! comment, when the meeting ended). Pure: no I/O, no clock, the same facts for the same
//! text.
//!
//! **Deterministic.** Clerks write minutes in a handful of conventional phrasings ("Motion
//! by X, seconded by Y, to …; motion carried 5-1", "Ayes: …; Nays: …; Absent: …", "It was
//! moved by X and seconded by Y that …"); the extractor knows those and nothing else, so
//! what it does not recognise it leaves out rather than guesses. Its precision and recall
//! over a corpus of minutes in the styles clerks use are measured by `tests/corpus.rs`.
//!
//! **Traceable.** Every fact carries the byte span of the text it was read from
//! ([`Span`]), so the desk can show it beside the record and link to the spot. A fact is
//! [`How::Recorded`] when the record states it in those words, [`How::Inferred`] when the
//! extractor worked it out (a tally counted from a roll call, an outcome from a tally).
//!
//! PDFs become text first ([`pdf_text`]); the spans then index that text.
//!
//! **Summaries.** Any text, a record or a story, gets a suggested summary in its own
//! sentences ([`suggest_summary`], `summary.rs`): extractive, never a word of ours.

/// A regular expression compiled once, on first use: `pattern!(NAME, source)`. The sources
/// are constants, each compiled by the tests that read the corpus.
macro_rules! pattern {
    ($name:ident, $source:expr) => {
        static $name: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
            #[allow(
                clippy::expect_used,
                reason = "constant patterns, checked by the tests"
            )]
            regex::Regex::new($source).expect(stringify!($name))
        });
    };
}

mod motions;
mod names;
mod pdf;
mod prose;
mod record;
mod sentences;
mod summary;
mod votes;

pub use pdf::{MAX_PAGES, MAX_PDF, PdfError, is_pdf, pdf_text, single_spaced_lines};
pub use prose::{CheckedSentence, MAX_PROSE, ProsePrompt, check_prose, prose_prompt};
pub use summary::{ENOUGH, MAX_READ, MAX_SENTENCES, suggest_summary, summary_spans};

use masthead_core::Outcome;
use serde::{Deserialize, Serialize};

/// The most text one extraction reads (bytes): about 400 pages of minutes. Longer text is
/// refused before any work, so a stranger's upload bounds its own cost.
pub const MAX_TEXT: usize = 4 * 1024 * 1024;

/// A stretch of the source text, in bytes: `&text[start..end]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// The first byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// The text it covers in `source`.
    pub fn text<'s>(&self, source: &'s str) -> &'s str {
        source.get(self.start..self.end).unwrap_or_default()
    }
}

/// Whether the record states a fact or the extractor worked it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum How {
    /// Said in these words in the record, at the span.
    Recorded,
    /// Worked out from what the record says at the span (say so before publishing it).
    Inferred,
}

/// One fact and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact<T> {
    /// The fact.
    pub value: T,
    /// The text it was read from.
    pub span: Span,
    /// Whether the record says it or it was worked out.
    pub how: How,
}

impl<T> Fact<T> {
    fn recorded(value: T, span: Span) -> Self {
        Fact {
            value,
            span,
            how: How::Recorded,
        }
    }

    fn inferred(value: T, span: Span) -> Self {
        Fact {
            value,
            span,
            how: How::Inferred,
        }
    }
}

/// How a member voted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Vote {
    /// For.
    Aye,
    /// Against.
    Nay,
    /// Present, not voting.
    Abstain,
    /// Not there.
    Absent,
}

impl Vote {
    /// The word the corpus and the JSON use.
    pub fn as_str(self) -> &'static str {
        match self {
            Vote::Aye => "aye",
            Vote::Nay => "nay",
            Vote::Abstain => "abstain",
            Vote::Absent => "absent",
        }
    }
}

/// One member's recorded vote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberVote {
    /// The member as the record names them, without a title.
    pub member: String,
    /// The vote.
    pub vote: Vote,
}

/// A vote's count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// For.
    pub ayes: u32,
    /// Against.
    pub nays: u32,
    /// Abstaining, when the record says.
    pub abstentions: u32,
}

impl Tally {
    /// As a brief prints it: "5-1", or "4-1-1" with an abstention.
    pub fn display(&self) -> String {
        if self.abstentions > 0 {
            format!("{}-{}-{}", self.ayes, self.nays, self.abstentions)
        } else {
            format!("{}-{}", self.ayes, self.nays)
        }
    }
}

/// One motion and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Motion {
    /// What was moved, as the record words it ("approve a $48,000 contract …").
    pub text: Fact<String>,
    /// Who moved it.
    pub mover: Option<Fact<String>>,
    /// Who seconded it.
    pub seconder: Option<Fact<String>>,
    /// Each member's vote, where the record lists them.
    pub votes: Vec<Fact<MemberVote>>,
    /// The count.
    pub tally: Option<Fact<Tally>>,
    /// Whether it passed, failed or was tabled.
    pub outcome: Option<Fact<Outcome>>,
    /// How the vote went when not as a count ("unanimously", "by voice vote").
    pub vote_words: Option<Fact<String>>,
    /// Dollar amounts named in it.
    pub amounts: Vec<Fact<String>>,
    /// Ordinance and resolution numbers named in it.
    pub references: Vec<Fact<String>>,
    /// The whole passage about the motion, from its first word to the last about its vote.
    pub span: Span,
}

/// Everything read from one record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extraction {
    /// Members recorded present.
    pub present: Vec<Fact<String>>,
    /// Members recorded absent.
    pub absent: Vec<Fact<String>>,
    /// The motions, in the order of the record.
    pub motions: Vec<Motion>,
    /// People who spoke in public comment.
    pub speakers: Vec<Fact<String>>,
    /// When the meeting adjourned, as written ("8:42 p.m.").
    pub adjourned: Option<Fact<String>>,
}

/// Why a text cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtractError {
    /// Longer than [`MAX_TEXT`].
    TooLong(usize),
}

impl std::fmt::Display for ExtractError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExtractError::TooLong(len) => write!(
                f,
                "the record is {len} bytes of text, more than the {MAX_TEXT} one extraction reads; \
                 split it into meetings and extract each"
            ),
        }
    }
}

impl std::error::Error for ExtractError {}

/// Reads the facts of one meeting's record.
pub fn extract(text: &str) -> Result<Extraction, ExtractError> {
    if text.len() > MAX_TEXT {
        return Err(ExtractError::TooLong(text.len()));
    }
    let motions = motions::find(text);
    let first_motion = motions.first().map_or(text.len(), |m| m.span.start);
    let (present, absent) = record::attendance(text, first_motion);
    Ok(Extraction {
        present,
        absent,
        speakers: record::speakers(text, &motions),
        adjourned: record::adjourned(text),
        motions,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_long_record_of_motions_is_read_in_one_pass() {
        let one = "Motion by Trustee Ruiz, seconded by Trustee Hale, to approve claims of $1,200. \
                   Ayes: Ruiz, Hale. Nays: Lee. Motion carried 2-1.\n";
        let text = one.repeat(MAX_TEXT / one.len());
        let extraction = extract(&text).unwrap();
        assert_eq!(extraction.motions.len(), MAX_TEXT / one.len());
        let last = extraction.motions.last().unwrap();
        assert_eq!(last.tally.as_ref().unwrap().value.display(), "2-1");
        assert_eq!(last.votes.len(), 3);
    }

    #[test]
    fn text_without_stops_or_motions_costs_a_bounded_read() {
        // One clause four megabytes long, and a motion with no end to its wording.
        let mut text = "Motion by Ruiz, seconded by Hale, to ".to_owned();
        text.push_str(&"approve and ".repeat((MAX_TEXT - 64) / 12));
        let extraction = extract(&text).unwrap();
        assert_eq!(extraction.motions.len(), 1);
        assert!(extraction.motions[0].text.value.len() <= 2_000);
    }

    #[test]
    fn text_over_the_limit_is_refused_with_the_fix() {
        let text = "a".repeat(MAX_TEXT + 1);
        let error = extract(&text).unwrap_err();
        assert!(
            error.to_string().contains("split it into meetings"),
            "{error}"
        );
    }

    #[test]
    fn prose_without_motions_yields_nothing() {
        let text = "The board heard a report on the library roof. Nobody moved anything.";
        assert_eq!(extract(text).unwrap(), Extraction::default());
    }
}
